"""Re-draw lesson 7's glyph set into embedlab/glyphs_20px.npz (`make glyphs`).

Run it with the pinned matplotlib (requirements-pinned.txt): the file records the matplotlib and
FreeType versions that drew it, and tests/test_glyph_rendering.py checks that the same FreeType
still draws every glyph pixel for pixel as shipped. Another FreeType draws other pixels, and every
learner would then get other data: do not regenerate it with another one without a reason.
"""

from pathlib import Path

import numpy as np

from embedlab.glyph_rendering import draw_glyph_set

TARGET = Path(__file__).resolve().parents[1] / "embedlab" / "glyphs_20px.npz"

if __name__ == "__main__":
    arrays = draw_glyph_set()
    np.savez_compressed(TARGET, **arrays)
    print(
        f"wrote {TARGET.name}: {len(arrays['characters'])} characters, "
        f"{len(arrays['images'])} glyphs, {TARGET.stat().st_size / 1e3:.0f} kB "
        f"(matplotlib {arrays['matplotlib']}, FreeType {arrays['freetype']})"
    )
