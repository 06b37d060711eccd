import numpy as np
import pytest
import torch

from embedlab.glyphs import homoglyph_groups, load_glyphs
from embedlab.many_classes import (
    METHODS,
    GlyphNet,
    OutputLayer,
    evaluate,
    fit_glyph_net,
    fixed_codes,
    homoglyph_recovery,
    load_many_classes_results,
    most_similar_pairs,
    squared_distances,
    time_prediction,
    time_training_step,
)


@pytest.mark.parametrize(
    "method, expected",
    [("softmax", 8 * 5 + 5), ("cosine", 8 * 4 + 4 + 1), ("mse", 8 * 4 + 4), ("learned", 36 + 20)],
)
def test_output_layer_counts_only_trained_numbers(method, expected):
    assert OutputLayer(method, hidden=8, n_classes=5, dim=4).n_parameters() == expected


def test_bad_method_or_dim_is_named():
    with pytest.raises(ValueError, match="method"):
        OutputLayer("hinge", 8, 5)
    with pytest.raises(ValueError, match="dim"):
        OutputLayer("mse", 8, 5, dim=1)


def test_fixed_codes_are_unit_and_spread_out():
    codes = fixed_codes(50, 8)
    assert codes.shape == (50, 8)
    torch.testing.assert_close(codes.norm(dim=1), torch.ones(50))
    random = torch.nn.functional.normalize(
        torch.randn(50, 8, generator=torch.Generator().manual_seed(0)), dim=1
    )
    off = ~torch.eye(50, dtype=torch.bool)
    assert (codes @ codes.T)[off].max() < (random @ random.T)[off].max()
    assert fixed_codes(3000, 8).shape == (3000, 8)


def test_squared_distances_by_matrix_product():
    outputs = torch.tensor([[0.0, 0.0], [1.0, 1.0]])
    vectors = torch.tensor([[3.0, 4.0], [1.0, 0.0]])
    torch.testing.assert_close(
        squared_distances(outputs, vectors), torch.tensor([[25.0, 1.0], [13.0, 1.0]])
    )


@pytest.mark.parametrize("method", ["mse", "learned"])
def test_distance_scores_rank_like_minus_squared_distance(method):
    head = OutputLayer(method, 6, 7, dim=3)
    output = torch.randn(4, 3)
    scores = head.scores(output)
    expected = -squared_distances(output, head.codes)
    torch.testing.assert_close(scores - scores[:, :1], expected - expected[:, :1])


def test_mse_loss_is_zero_on_the_code_and_grows_off_it():
    head = OutputLayer("mse", 6, 7, dim=3)
    y = torch.tensor([2, 5])
    assert head.loss(head.codes[y], y).item() == pytest.approx(0.0)
    assert head.loss(head.codes[y] + torch.tensor([1.0, 0, 0]), y).item() == pytest.approx(1.0)


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
    assert set(METHODS) == {"softmax", "cosine", "mse", "learned"}


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
    head = OutputLayer(method, 16, 40, dim=4)
    before = head.linear.weight.clone()
    time_training_step(head, batch_size=8, repeats=2)
    assert not torch.equal(before, head.linear.weight)  # the Adam steps were taken
    time_prediction(head, n_samples=8, repeats=1)


def test_shipped_results_load_by_part():
    from embedlab.many_classes import RESULTS, load_many_classes_results

    accuracy = load_many_classes_results("accuracy")
    assert {"n_classes", "method", "seed", "accuracy", "homoglyph_accuracy", "top5"} <= set(
        accuracy
    )
    assert set(RESULTS) == {"accuracy", "homoglyphs", "cost", "decoding"}
    with pytest.raises(ValueError, match="part"):
        load_many_classes_results("speed")


def test_learned_class_vectors_start_small():
    from embedlab.many_classes import LEARNED_INIT_SCALE

    codes = OutputLayer("learned", 8, 500, dim=4).codes
    assert LEARNED_INIT_SCALE == 0.01
    assert codes.std().item() == pytest.approx(0.01, rel=0.1)


def slope(rows, column):
    return np.polyfit(np.log(rows["n_classes"]), np.log(rows[column]), 1)[0]


def test_shipped_cost_results_support_lesson_7s_claims():
    """Lesson 7 reads these measurements; its text's claims about them hold in the shipped file."""
    cost = load_many_classes_results("cost")
    largest = cost[cost["n_classes"] == cost["n_classes"].max()].set_index("method")
    assert largest.loc["softmax", "step_seconds"] > 1000 * largest.loc["mse", "step_seconds"]
    assert slope(cost[cost["method"] == "mse"], "step_seconds") < 0.2  # flat in K
    assert all(slope(rows, "predict_seconds") > 0.7 for _, rows in cost.groupby("method"))
    decoding = load_many_classes_results("decoding")
    top = decoding[decoding["n_classes"] == decoding["n_classes"].max()]
    best = top.loc[top["recall"] >= 0.95, "speedup"].max()
    assert 1 < best < 10  # the index pays off at K = 100,000, but not tenfold
    assert decoding.loc[decoding["n_classes"] == 1000, "speedup"].max() < 1
    assert top["build_seconds"].iloc[0] > 10 * top["exact_seconds"].iloc[0]
