"""Drawing characters with matplotlib's fonts: how lesson 7's shipped glyph set is made.

Lesson 7 does not draw its glyphs when it runs: the pixels come from `glyphs_20px.npz`, shipped
with embedlab (see `embedlab.glyphs`). They would otherwise depend on the FreeType library that
matplotlib bundles: matplotlib 3.10 (FreeType 2.6) and 3.11 (FreeType 2.14) draw all 1,600 glyphs
compared differently, so a learner on Colab's matplotlib would get other classes and other
homoglyph groups. `python scripts/render_glyphs.py` re-draws the set with `draw_glyph`, and
`tests/test_glyph_rendering.py` checks, under the FreeType that made it, that it still does.

Glyphs are placed by the font's own metrics, not by their ink: every face is drawn at the same em
size, on the same baseline, centred on its advance width. So '.' and '·', or '-' and '_', stay
apart, and only characters that really look alike collide.
"""

import functools
import unicodedata
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib import ft2font

FACES = (
    "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique",
    "DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic", "DejaVuSerif-BoldItalic",
    "DejaVuSansMono", "DejaVuSansMono-Bold", "DejaVuSansMono-Oblique",
    "DejaVuSansMono-BoldOblique",
    "STIXGeneral", "STIXGeneralBol", "STIXGeneralItalic", "STIXGeneralBolIta",
)  # fmt: skip
IMAGE_SIZE = 20  # pixels a side: the size of the shipped set
MIN_FACES = 14  # the shipped set holds the characters at least this many faces draw


@functools.cache
def _font(face: str) -> ft2font.FT2Font:
    return ft2font.FT2Font(str(Path(matplotlib.get_data_path(), "fonts", "ttf", f"{face}.ttf")))


def _is_printable(code_point: int) -> bool:
    """Letters, digits, punctuation and symbols: no controls, spaces or combining marks."""
    return unicodedata.category(chr(code_point))[0] not in "CZM"


def font_characters(min_faces: int = MIN_FACES) -> tuple[str, ...]:
    """Printable characters that at least `min_faces` of the 16 font files map, by code point."""
    counts: dict[int, int] = {}
    for face in FACES:
        for code_point, glyph_index in _font(face).get_charmap().items():
            if glyph_index and _is_printable(code_point):
                counts[code_point] = counts.get(code_point, 0) + 1
    return tuple(chr(c) for c in sorted(counts) if counts[c] >= min_faces)


def draw_glyph(face: str, character: str, image_size: int = IMAGE_SIZE) -> np.ndarray | None:
    """(image_size, image_size) float32 ink in [0, 1] drawn by FreeType now, or None if `face`
    lacks the character (or draws it blank).

    The em is 0.7·image_size pixels; the baseline sits at row 0.75·image_size and the glyph's
    advance width is centred, so position and size come from the font, not from the ink.
    """
    if face not in FACES:
        raise ValueError(f"unknown face {face!r}; choose one of {', '.join(FACES)}")
    font = _font(face)
    if not font.get_char_index(ord(character)):
        return None
    font.set_size(0.7 * image_size, 72)  # 72 dpi: one point is one pixel
    metrics = font.load_char(ord(character))
    font.set_text(character)
    font.draw_glyphs_to_bitmap(antialiased=True)
    ink = np.asarray(font.get_image(), dtype=np.float32) / 255.0
    rows, cols = np.nonzero(ink.any(axis=1))[0], np.nonzero(ink.any(axis=0))[0]
    if len(rows) == 0:
        return None
    ink = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    x_min, _, _, y_max = metrics.bbox  # 26.6 fixed point: 64 units per pixel
    top = round(0.75 * image_size) - round(y_max / 64)
    left = round((image_size - metrics.horiAdvance / 64) / 2 + x_min / 64)
    image = np.zeros((image_size, image_size), dtype=np.float32)
    r0, c0 = max(top, 0), max(left, 0)
    r1 = min(top + ink.shape[0], image_size)
    c1 = min(left + ink.shape[1], image_size)
    if r1 > r0 and c1 > c0:
        image[r0:r1, c0:c1] = ink[r0 - top : r1 - top, c0 - left : c1 - left]
    return image


def draw_glyph_set(min_faces: int = MIN_FACES) -> dict[str, np.ndarray]:
    """Every face's drawing of every character `min_faces` faces draw, as the arrays of
    `glyphs_20px.npz`: `images` (n, 20, 20) uint8, `face_index` and `char_index` (n,), the
    `characters` and `faces` they index, and the matplotlib and FreeType versions that drew them."""
    candidates = font_characters(min_faces)  # mapped by enough faces; some may draw blank
    drawn = {(f, c): draw_glyph(face, c) for f, face in enumerate(FACES) for c in candidates}
    counts = {c: sum(drawn[f, c] is not None for f in range(len(FACES))) for c in candidates}
    characters = [c for c in candidates if counts[c] >= min_faces]
    index = {c: i for i, c in enumerate(characters)}
    kept = [(f, c, im) for (f, c), im in drawn.items() if im is not None and c in index]
    return {
        "images": np.stack([np.round(im * 255).astype(np.uint8) for _, _, im in kept]),
        "face_index": np.array([f for f, _, _ in kept], dtype=np.int8),
        "char_index": np.array([index[c] for _, c, _ in kept], dtype=np.int16),
        "characters": np.array(characters),
        "faces": np.array(FACES),
        "matplotlib": np.array(matplotlib.__version__),
        "freetype": np.array(ft2font.__freetype_version__),
    }
