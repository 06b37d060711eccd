import numpy as np
import pytest
import torch

from embedlab.glyphs import homoglyph_groups, load_glyphs
from embedlab.many_classes import (
    METHODS,
    GlyphNet,
    evaluate,
    fit_glyph_net,
    glyph_head,
    homoglyph_recovery,
    load_many_classes_results,
    most_similar_pairs,
    time_prediction,
    time_training_step,
)


@pytest.mark.parametrize(
    "method, expected",
    [
        ("softmax", 8 * 5 + 5),
        ("sampled_softmax", 8 * 5 + 5),
        ("cosine", 8 * 4 + 4 + 1),
        ("fixed", 8 * 4 + 4),
        ("learned", 36 + 20),
        ("learned_cosine", 36 + 20 + 1),
        ("label_embedding", 2 * (8 * 5 + 5) + 25),
    ],
)
def test_lesson_7_heads_count_only_trained_numbers(method, expected):
    assert glyph_head(method, hidden=8, n_classes=5, dim=4).n_parameters() == expected


def test_bad_method_or_dim_is_named():
    with pytest.raises(ValueError, match="method"):
        glyph_head("hinge", 8, 5)
    with pytest.raises(ValueError, match="dim"):
        glyph_head("fixed", 8, 5, dim=1)


def test_lesson_7_fixed_codes_are_unit_and_spread_on_the_sphere():
    codes = glyph_head("cosine", 8, 50, dim=8).codes
    assert codes.shape == (50, 8)
    torch.testing.assert_close(codes.norm(dim=1), torch.ones(50))
    random = torch.nn.functional.normalize(
        torch.randn(50, 8, generator=torch.Generator().manual_seed(0)), dim=1
    )
    off = ~torch.eye(50, dtype=torch.bool)
    assert (codes @ codes.T)[off].max() < (random @ random.T)[off].max()
    torch.testing.assert_close(codes, glyph_head("fixed", 8, 50, dim=8).codes)  # one code book
    assert glyph_head("fixed", 8, 3000, dim=8).codes.shape == (3000, 8)  # random past 2000


def test_fit_is_repeatable_and_learns():
    split = load_glyphs(10, seed=0)
    a = fit_glyph_net(split, "cosine", dim=8, epochs=30, seed=0, batch_size=32)
    b = fit_glyph_net(split, "cosine", dim=8, epochs=30, seed=0, batch_size=32)
    torch.testing.assert_close(a.scores(split.X_test), b.scores(split.X_test))
    result = evaluate(a, split, homoglyph_groups(split.characters))
    assert result["accuracy"] > 0.9  # chance is 0.1; measured 0.99
    assert result["top5"] >= result["accuracy"]
    assert result["homoglyph_accuracy"] >= result["accuracy"]
    with pytest.raises(ValueError, match="epochs"):
        fit_glyph_net(split, epochs=0)


def test_glyph_net_scores_every_class():
    net = GlyphNet(400, 12, "learned", dim=5)
    assert net.scores(torch.rand(3, 400)).shape == (3, 12)
    assert METHODS == (
        "softmax", "sampled_softmax", "cosine", "fixed", "learned", "learned_cosine",
        "label_embedding",
    )  # fmt: skip


def test_learning_curves_are_recorded_after_every_epoch():
    split = load_glyphs(10, n_jitters=1, seed=0)
    seen = []
    fit_glyph_net(
        split, "fixed", dim=4, epochs=3, batch_size=64, on_epoch=lambda e, m: seen.append(e)
    )
    assert seen == [1, 2, 3]


def test_most_similar_pairs_and_homoglyph_recovery():
    vectors = torch.tensor([[0.0, 0.0], [0.1, 0.0], [5.0, 0.0], [9.0, 0.0]])
    assert most_similar_pairs(vectors, 2) == [(0, 1), (2, 3)]
    assert homoglyph_recovery(vectors, [(0, 1)]) == 1.0
    assert homoglyph_recovery(vectors, [(0, 3)]) == 0.0
    assert homoglyph_recovery(vectors, [(0, 1), (0, 3)]) == 0.5
    with pytest.raises(ValueError, match="pairs"):
        homoglyph_recovery(vectors, [])


@pytest.mark.parametrize("method", METHODS)
def test_cost_helpers_train_the_head_and_decode(method):
    head = glyph_head(method, 16, 40, dim=4)
    before = [p.clone() for p in head.parameters()]
    time_training_step(head, in_features=16, batch_size=8, repeats=2)
    after = list(head.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, after, strict=True))  # Adam stepped
    time_prediction(head, in_features=16, n_samples=8, repeats=1)


def test_shipped_results_load_by_part():
    from embedlab.many_classes import RESULTS, load_many_classes_results

    accuracy = load_many_classes_results("accuracy")
    assert {"n_classes", "method", "seed", "accuracy", "homoglyph_accuracy", "top5"} <= set(
        accuracy
    )
    assert set(RESULTS) == {
        "accuracy", "curves", "homoglyphs", "cost", "decoding", "epochs", "sampling"
    }  # fmt: skip
    with pytest.raises(ValueError, match="part"):
        load_many_classes_results("speed")


def test_learned_class_vectors_start_small():
    from embedlab.many_classes import LEARNED_INIT_SCALE

    torch.manual_seed(0)
    codes = glyph_head("learned", 8, 500, dim=4).class_vectors()
    assert LEARNED_INIT_SCALE == 0.01
    assert codes.std().item() == pytest.approx(0.01, rel=0.1)


def slope(rows, column):
    return np.polyfit(np.log(rows["n_classes"]), np.log(rows[column]), 1)[0]


def test_shipped_cost_results_support_lesson_7s_claims():
    """Lesson 7 reads these measurements; its text's claims about them hold in the shipped file."""
    cost = load_many_classes_results("cost")
    largest = cost[cost["n_classes"] == cost["n_classes"].max()].set_index("method")
    assert largest.loc["softmax", "step_seconds"] > 1000 * largest.loc["fixed", "step_seconds"]
    assert slope(cost[cost["method"] == "fixed"], "step_seconds") < 0.2  # flat in K
    assert all(slope(rows, "predict_seconds") > 0.7 for _, rows in cost.groupby("method"))
    # sampled softmax: a cheaper step than softmax's, but Adam's dense update keeps it O(K)
    sampled, full = largest.loc["sampled_softmax"], largest.loc["softmax"]
    assert 1.5 < full["step_seconds"] / sampled["step_seconds"] < 390  # not K / S = 390 times
    assert slope(cost[cost["method"] == "sampled_softmax"], "step_seconds") > 0.7
    assert sampled["step_peak_bytes"] > 0.9 * full["step_peak_bytes"]  # the optimizer's temporaries
    # what a step creates: the fixed head's is the same at every K; the others grow with K
    fixed = cost[cost["method"] == "fixed"]["step_peak_bytes"]
    assert fixed.max() < 1.1 * fixed.min() and fixed.max() < 2**20
    decoding = load_many_classes_results("decoding")
    top = decoding[decoding["n_classes"] == decoding["n_classes"].max()].set_index(
        ["method", "index", "ef_search"]
    )
    codes = top.drop(index="softmax", level="method")
    assert (codes.xs(64, level="ef_search")["recall"] >= 0.9).all()  # codes: the index finds them
    softmax = top.loc["softmax"]
    assert softmax.loc[("inner product", 64), "recall"] < codes["recall"].min()  # MIPS is harder
    assert softmax.loc[("distance", 64), "recall"] < softmax.loc[("inner product", 64), "recall"]
