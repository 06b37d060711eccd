import numpy as np
import pytest
import torch

from embedlab.glyphs import (
    FACES,
    accuracy_up_to_homoglyphs,
    character_name,
    common_characters,
    glyph_distances,
    glyph_image,
    homoglyph_groups,
    homoglyph_pairs,
    jitter,
    load_glyphs,
    top_k_accuracy,
)

PINNED_INK_G = 37.4118  # DejaVu Sans 'g': total ink of its 20 x 20 drawing
PINNED_CAPITALS_SUM = 13761.831  # the 26 Latin capitals, one jittered copy per face, seed 0


def test_sixteen_faces_share_959_characters_in_at_least_14():
    assert len(FACES) == 16
    characters = common_characters(14)
    assert len(characters) == 959
    assert {"A", "O", "\u039f", "\u041e", "7", "%"} <= set(characters)
    assert len(common_characters(16)) == 727  # the set ships only characters 14+ faces draw
    with pytest.raises(ValueError, match="min_faces must be an integer from 14 to 16"):
        common_characters(13)


def test_character_name_gives_code_point_and_unicode_name():
    assert character_name("\u039f") == "U+039F GREEK CAPITAL LETTER OMICRON"


def test_glyphs_are_placed_by_the_baseline_not_by_their_ink():
    period, middle_dot = glyph_image("DejaVuSans", "."), glyph_image("DejaVuSans", "\u00b7")
    assert period.shape == (20, 20) and period.dtype == np.float32
    rows_period = np.nonzero(period.any(axis=1))[0]
    rows_dot = np.nonzero(middle_dot.any(axis=1))[0]
    assert rows_period.max() == 14  # ink ends on the baseline row 0.75 * 20 - 1
    assert rows_dot.max() < rows_period.min()  # the middle dot floats above it
    assert 0 < period.max() <= 1


def test_a_face_without_the_character_renders_none():
    assert glyph_image("STIXGeneralItalic", "\u02b9") is None  # modifier prime: not in STIX italic
    assert glyph_image("STIXGeneral", "\u02b9") is not None
    with pytest.raises(ValueError, match="face"):
        glyph_image("Comic Sans", "A")


def test_jitter_with_nothing_to_do_returns_the_image():
    image = glyph_image("DejaVuSerif", "g")[None]
    rng = np.random.default_rng(0)
    still = jitter(image, rng, shift=0, scale=0, rotation=0, noise=0)
    np.testing.assert_allclose(still, image, atol=1e-6)
    moved = jitter(image, rng, shift=2, scale=0, rotation=0, noise=0)
    assert np.abs(moved - image).mean() > 0.01
    with pytest.raises(ValueError, match="rotation"):
        jitter(image, rng, rotation=-1)


def test_load_glyphs_shapes_and_every_class_on_both_sides():
    split = load_glyphs(10, n_jitters=2, seed=3)
    assert split.n_classes == 10 and split.image_size == 20
    assert split.X_train.shape[1] == 400 and split.X_train.dtype == torch.float32
    n_total = len(split.y_train) + len(split.y_test)
    assert 10 * 14 * 2 <= n_total <= 10 * 16 * 2
    assert set(split.y_train.tolist()) == set(split.y_test.tolist()) == set(range(10))
    assert len(split.y_test) == pytest.approx(0.25 * n_total, abs=10)
    assert split.class_names[0] == character_name(split.characters[0])
    assert split.face_train.max() < len(FACES)


def test_same_seed_same_data_other_seed_other_data():
    a, b = load_glyphs(12, seed=1), load_glyphs(12, seed=1)
    c = load_glyphs(12, seed=2)
    assert a.characters == b.characters
    assert torch.equal(a.X_train, b.X_train) and torch.equal(a.y_test, b.y_test)
    assert a.characters != c.characters


def test_all_common_characters_are_the_classes_when_k_is_their_number():
    assert load_glyphs(959, n_jitters=1).characters == list(common_characters(14))


@pytest.mark.parametrize(
    "kwargs, name",
    [
        ({"n_classes": 1}, "n_classes"),
        ({"n_classes": 960}, "n_classes"),
        ({"n_classes": 2.5}, "n_classes"),
        ({"n_jitters": 0}, "n_jitters"),
        ({"test_fraction": 1.0}, "test_fraction"),
        ({"min_faces": 17}, "min_faces"),
        ({"blur": 1.0}, "jitter options"),
    ],
)
def test_impossible_requests_name_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        load_glyphs(**kwargs)


def test_homoglyph_groups_join_latin_greek_and_cyrillic_o_only():
    characters = ["O", "\u039f", "\u041e", "0", "Q", "-", "\u2010", "_"]
    groups = homoglyph_groups(characters)
    assert groups.tolist() == [0, 0, 0, 1, 2, 3, 3, 4]
    assert homoglyph_pairs(groups) == [(0, 1), (0, 2), (1, 2), (5, 6)]
    distances = glyph_distances(characters)
    assert distances[0, 1] < 1e-12 and distances[0, 3] > 0.01
    with pytest.raises(ValueError, match="threshold"):
        homoglyph_groups(characters, threshold=-1)


def test_a_near_twin_joins_only_above_the_threshold():
    characters = ["\u2019", "\u02bc"]  # right single quotation mark, modifier letter apostrophe
    assert homoglyph_groups(characters).tolist() == [0, 1]
    assert homoglyph_groups(characters, threshold=2.5e-4).tolist() == [0, 0]


def test_accuracy_up_to_homoglyphs_forgives_only_look_alikes():
    groups = np.array([0, 0, 1, 2])
    y_true = [0, 1, 2, 3]
    y_pred = [1, 1, 3, 3]  # 0→1 is a look-alike, 2→3 is a real error
    assert accuracy_up_to_homoglyphs(y_true, y_pred, groups) == pytest.approx(0.75)


def test_top_k_accuracy_counts_the_true_class_among_the_k_best():
    scores = torch.tensor([[0.1, 0.5, 0.4], [0.7, 0.2, 0.1]])
    assert top_k_accuracy(scores, [2, 2], k=1) == 0.0
    assert top_k_accuracy(scores, [2, 2], k=2) == 0.5
    assert top_k_accuracy(scores, [2, 2], k=3) == 1.0
    with pytest.raises(ValueError, match="k"):
        top_k_accuracy(scores, [2, 2], k=4)


def test_load_glyphs_takes_exactly_the_given_characters():
    split = load_glyphs(characters="OΟО0", n_jitters=1)
    assert split.characters == ["O", "Ο", "О", "0"]
    assert split.n_classes == 4
    with pytest.raises(ValueError, match="characters"):
        load_glyphs(characters="OO")
    with pytest.raises(ValueError, match="characters"):
        load_glyphs(characters="A\u1d81")  # only one face draws this phonetic letter
    with pytest.raises(ValueError, match="not in the glyph set"):
        glyph_image("DejaVuSans", "\u1d81")


def test_the_shipped_pixels_are_pinned():
    """The same pixels on every machine: a few values of the shipped set, and its totals."""
    g = glyph_image("DejaVuSans", "g")
    assert g.dtype == np.float32 and g.shape == (20, 20)
    assert round(float(g.sum()), 4) == pytest.approx(PINNED_INK_G, abs=1e-4)
    assert np.all(np.round(g * 255) == g * 255)  # 8-bit ink, stored exactly
    capitals = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    assert load_glyphs(characters=capitals, n_jitters=1, seed=0).X_train.sum().item() == (
        pytest.approx(PINNED_CAPITALS_SUM, rel=1e-6)
    )
