"""The shipped glyph set (embedlab/glyphs_20px.npz) is what scripts/render_glyphs.py draws."""

import numpy as np
import pytest
from matplotlib import ft2font

from embedlab.glyph_rendering import FACES, draw_glyph, draw_glyph_set, font_characters
from embedlab.glyphs import GLYPH_FILE, common_characters, glyph_image


@pytest.fixture(scope="module")
def shipped():
    with np.load(GLYPH_FILE) as stored:
        return {key: stored[key] for key in stored.files}


def test_the_shipped_set_says_which_freetype_drew_it(shipped):
    assert str(shipped["freetype"]).count(".") == 2 and str(shipped["matplotlib"])
    assert list(shipped["faces"]) == list(FACES)
    assert "".join(shipped["characters"]) == "".join(common_characters(14))
    assert len(shipped["images"]) == len(shipped["face_index"]) == len(shipped["char_index"])


def test_the_script_draws_the_shipped_set_pixel_for_pixel(shipped):
    """Only under the FreeType that drew it: another one draws other pixels (the reason the set
    ships at all). The pinned matplotlib bundles it, so `make test` runs this check."""
    if ft2font.__freetype_version__ != str(shipped["freetype"]):
        pytest.skip(
            f"FreeType {ft2font.__freetype_version__} here; the set was drawn by "
            f"{shipped['freetype']} (matplotlib {shipped['matplotlib']})"
        )
    drawn = draw_glyph_set()
    assert list(drawn["characters"]) == list(shipped["characters"])
    for key in ("face_index", "char_index", "images"):
        np.testing.assert_array_equal(drawn[key], shipped[key], err_msg=key)


def test_drawing_a_glyph_matches_its_shipped_copy():
    if ft2font.__freetype_version__ != "2.14.3":
        pytest.skip("drawn by another FreeType")
    np.testing.assert_array_equal(draw_glyph("DejaVuSerif", "Q"), glyph_image("DejaVuSerif", "Q"))
    assert draw_glyph("STIXGeneralItalic", "\u0460") is None
    assert len(font_characters(14)) >= 959
    with pytest.raises(ValueError, match="face"):
        draw_glyph("Comic Sans", "A")
