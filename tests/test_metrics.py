import math
import re
import warnings

import pandas as pd
import pytest
import torch

from embedlab.metrics import (
    accuracy,
    classification_scores,
    confusion_frame,
    repeat_over_seeds,
    summarize,
)

Y_TRUE = [0, 0, 1, 1, 2, 2]
Y_PRED = [0, 1, 1, 1, 2, 0]


def test_accuracy():
    assert accuracy(Y_TRUE, Y_PRED) == pytest.approx(4 / 6)


def test_relative_separation_is_min_over_mean_distance_and_ignores_scale():
    from embedlab.codebooks import simplex_codes
    from embedlab.metrics import relative_separation

    assert relative_separation(simplex_codes(3)) == pytest.approx(1.0)
    points = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])  # distances 1, 2, sqrt(5)
    expected = 1 / ((1 + 2 + math.sqrt(5)) / 3)
    assert relative_separation(points) == pytest.approx(expected)  # 0.5729
    assert relative_separation(10 * points) == pytest.approx(expected)
    merged = torch.tensor([[0.0, 0.0], [1e-3, 0.0], [0.0, 1.0]])
    assert relative_separation(merged) < 0.01
    with pytest.raises(ValueError, match="vectors"):
        relative_separation(torch.zeros(1, 2))
    with pytest.raises(ValueError, match="identical"):
        relative_separation(torch.ones(3, 2))


def test_gradient_norm_joins_all_parameter_gradients():
    from embedlab.metrics import gradient_norm

    layer = torch.nn.Linear(2, 1)
    assert gradient_norm(layer) == 0.0  # before any backward
    layer.weight.grad = torch.tensor([[3.0, 0.0]])
    layer.bias.grad = torch.tensor([4.0])
    assert gradient_norm(layer) == pytest.approx(5.0)


def test_scores_by_hand():
    scores = classification_scores(Y_TRUE, Y_PRED)
    # precision per class: 1/2, 2/3, 1/1; recall per class: 1/2, 2/2, 1/2
    assert scores["macro_precision"] == pytest.approx((1 / 2 + 2 / 3 + 1) / 3)
    assert scores["macro_recall"] == pytest.approx((1 / 2 + 1 + 1 / 2) / 3)
    assert scores["micro_precision"] == scores["micro_recall"] == scores["accuracy"]


def test_confusion_frame_is_labelled():
    frame = confusion_frame(Y_TRUE, Y_PRED, ["a", "b", "c"])
    assert frame.loc["a", "b"] == 1 and frame.loc["c", "a"] == 1 and frame.values.sum() == 6
    assert frame.index.name == "true" and frame.columns.name == "predicted"


def test_confusion_frame_rejects_labels_beyond_the_names():
    with pytest.raises(ValueError, match=r"y_true must hold labels in \[0, 2\)"):
        confusion_frame(Y_TRUE, [0] * 6, ["a", "b"])
    with pytest.raises(ValueError, match=r"y_pred must hold labels in \[0, 2\)"):
        confusion_frame([0] * 6, Y_PRED, ["a", "b"])


@pytest.mark.parametrize(
    "y_true, y_pred, error, message",
    [
        ([0, 1], [0], ValueError, "y_true and y_pred have different lengths: 2 and 1"),
        ([], [], ValueError, "y_true and y_pred are empty"),
        ([0.5], [0], TypeError, "y_true must hold integer class labels"),
        ([0], ["a"], TypeError, "y_pred must hold integer class labels"),
        ([[0, 1]], [0, 1], ValueError, "y_true must be 1-D"),
        ([0, 1], [[0, 1]], ValueError, "y_pred must be 1-D"),
    ],
)
@pytest.mark.parametrize("score", ["accuracy", "classification_scores", "confusion_frame"])
def test_bad_label_pairs_name_the_argument(y_true, y_pred, error, message, score):
    call = {
        "accuracy": accuracy,
        "classification_scores": classification_scores,
        "confusion_frame": lambda t, p: confusion_frame(t, p, ["a", "b"]),
    }[score]
    with pytest.raises(error, match=message):
        call(y_true, y_pred)


def test_summarize_names_a_wrong_results_type():
    with pytest.raises(TypeError, match="results must be a DataFrame"):
        summarize({"metric": ["a"], "value": [1.0]})


def test_repeat_over_seeds_and_summarize():
    results = repeat_over_seeds(lambda seed: {"accuracy": 0.9 + seed / 100, "loss": 1.0}, range(3))
    assert list(results.columns) == ["seed", "metric", "value"] and len(results) == 6
    table = summarize(results).set_index("metric")
    assert table.loc["accuracy", "mean"] == pytest.approx(0.91)
    assert table.loc["accuracy", "min"] == pytest.approx(0.90)
    assert table.loc["accuracy", "max"] == pytest.approx(0.92)
    assert table.loc["accuracy", "seeds"] == 3


def test_summarize_by_group():
    results = pd.concat(
        [
            repeat_over_seeds(lambda s: {"accuracy": 0.5}, range(2)).assign(method="a"),
            repeat_over_seeds(lambda s: {"accuracy": 1.0}, range(2)).assign(method="b"),
        ]
    )
    table = summarize(results, by=["method"]).set_index("method")
    assert table.loc["b", "mean"] == 1.0 and table.loc["a", "std"] == 0.0


def test_repeat_over_seeds_rejects_bad_experiments():
    with pytest.raises(TypeError, match="dict"):
        repeat_over_seeds(lambda seed: 0.5, range(2))
    with pytest.raises(ValueError, match="seeds is empty"):
        repeat_over_seeds(lambda seed: {"a": 1.0}, [])


def test_summarize_names_missing_columns():
    with pytest.raises(ValueError, match="method"):
        summarize(pd.DataFrame({"metric": ["a"], "value": [1.0]}), by=["method"])


def test_uncertainty_auroc():
    from embedlab.metrics import uncertainty_auroc

    assert uncertainty_auroc([0.1, 0.2, 0.9, 0.8], [False, False, True, True]) == 1.0
    assert uncertainty_auroc([0.9, 0.8, 0.1, 0.2], [False, False, True, True]) == 0.0
    assert math.isnan(uncertainty_auroc([0.1, 0.2], [False, False]))
    with pytest.raises(
        ValueError, match="uncertainty and is_wrong must be 1-D arrays of one length"
    ):
        uncertainty_auroc([0.1, 0.2], [True])
    with pytest.raises(ValueError, match="uncertainty contains NaN"):
        uncertainty_auroc([float("nan"), 0.2], [True, False])


def test_accuracy_coverage_rises_when_uncertainty_is_useful():
    from embedlab.metrics import accuracy_coverage

    curve = accuracy_coverage([0.1, 0.2, 0.3, 0.9], [True, True, True, False])
    assert curve["coverage"].tolist() == [0.25, 0.5, 0.75, 1.0]
    assert curve["accuracy"].tolist() == [1.0, 1.0, 1.0, 0.75]


def _two_methods():
    from embedlab.metrics import repeat_over_seeds

    a = repeat_over_seeds(lambda s: {"accuracy": [0.9, 0.8, 0.7][s]}, range(3)).assign(m="a")
    b = repeat_over_seeds(lambda s: {"accuracy": [0.95, 0.8, 0.6][s]}, range(3)).assign(m="b")
    return pd.concat([b, a])


def test_per_seed_table_has_a_row_per_seed_and_a_column_per_method():
    from embedlab.metrics import per_seed_table

    table = per_seed_table(_two_methods(), by="m")
    assert list(table.columns) == ["b", "a"]  # order of first appearance
    assert list(table.index) == [0, 1, 2]
    assert table.loc[2, "a"] == pytest.approx(0.7) and table.loc[0, "b"] == pytest.approx(0.95)
    with pytest.raises(ValueError, match="no rows for metric 'loss'"):
        per_seed_table(_two_methods(), by="m", metric="loss")
    with pytest.raises(ValueError, match="column"):
        per_seed_table(_two_methods(), by="method")


def test_paired_differences_pair_by_seed():
    from embedlab.metrics import paired_differences, per_seed_table

    summary = paired_differences(per_seed_table(_two_methods(), by="m"), reference="a")
    # b - a per seed: +0.05, 0, -0.1
    row = summary.loc["b"]
    assert row["mean"] == pytest.approx(-0.05 / 3)
    assert row["min"] == pytest.approx(-0.1) and row["max"] == pytest.approx(0.05)
    assert (row["better"], row["tied"], row["worse"], row["seeds"]) == (1, 1, 1, 3)
    assert list(summary.index) == ["b"]
    with pytest.raises(ValueError, match="reference"):
        paired_differences(per_seed_table(_two_methods(), by="m"), reference="c")


def test_summarize_std_is_the_sample_std():
    results = repeat_over_seeds(lambda seed: {"accuracy": 0.9 + seed / 100}, range(3))
    table = summarize(results).set_index("metric")
    assert table.loc["accuracy", "std"] == pytest.approx(0.01)  # ddof=1; ddof=0 gives 0.0082


def test_summarize_keeps_groups_in_order_of_appearance():
    results = pd.DataFrame(
        {"metric": ["loss", "accuracy", "loss"], "value": [2.0, 0.5, 4.0], "seed": [0, 0, 1]}
    )
    table = summarize(results)
    assert table["metric"].tolist() == ["loss", "accuracy"]
    assert table["mean"].tolist() == [3.0, 0.5]
    assert list(table.columns) == ["metric", "mean", "std", "min", "max", "seeds"]


def test_repeat_over_seeds_unwraps_tensors_and_passes_each_seed():
    import torch

    results = repeat_over_seeds(lambda seed: {"accuracy": torch.tensor(seed / 10)}, [3, 7])
    assert results["seed"].tolist() == [3, 7]
    assert results["value"].tolist() == pytest.approx([0.3, 0.7])
    assert results["metric"].tolist() == ["accuracy", "accuracy"]


def test_uncertainty_auroc_pinned_between_the_extremes():
    from embedlab.metrics import uncertainty_auroc

    # wrong: 0.3, 0.2; right: 0.1, 0.25 -> 3 of the 4 (wrong, right) pairs are ordered right
    auroc = uncertainty_auroc([0.1, 0.3, 0.25, 0.2], [False, True, False, True])
    assert auroc == pytest.approx(0.75)


def test_accuracy_coverage_keeps_ties_in_input_order_and_takes_tensors():
    import torch

    from embedlab.metrics import accuracy_coverage

    curve = accuracy_coverage(torch.tensor([0.5, 0.5, 0.1]), torch.tensor([False, True, True]))
    assert curve["accuracy"].tolist() == pytest.approx([1.0, 0.5, 2 / 3])


def test_confusion_frame_counts_every_cell():
    frame = confusion_frame(Y_TRUE, Y_PRED, ["a", "b", "c"])
    assert frame.values.tolist() == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert frame.index.tolist() == ["a", "b", "c"] == frame.columns.tolist()


def test_classification_scores_pinned_when_micro_and_macro_differ():
    scores = classification_scores([0, 0, 0, 1], [0, 0, 1, 1])
    assert scores["accuracy"] == 0.75
    assert scores["macro_precision"] == pytest.approx((1 + 0.5) / 2)
    assert scores["macro_recall"] == pytest.approx((2 / 3 + 1) / 2)
    assert scores["micro_precision"] == scores["micro_recall"] == 0.75


def test_accuracy_coverage_names_its_arguments():
    from embedlab.metrics import accuracy_coverage

    with pytest.raises(ValueError, match="uncertainty and is_correct must be 1-D"):
        accuracy_coverage([[0.1, 0.2]], [[True, False]])


# --- found by mutation testing (make mutation) -----------------------------------------


def full(message):
    return "^" + re.escape(message) + "$"


def test_metric_messages_in_full():
    with pytest.raises(ValueError, match=full("y_true and y_pred are empty")):
        accuracy([], [])
    with pytest.raises(ValueError, match=full("seeds is empty")):
        repeat_over_seeds(lambda seed: {"a": 1.0}, [])
    message = "experiment(seed) must return a non-empty dict of metric name -> number"
    with pytest.raises(TypeError, match=full(message)):
        repeat_over_seeds(lambda seed: {}, [0])
    message = "results must be a DataFrame like repeat_over_seeds returns, got dict"
    with pytest.raises(TypeError, match=full(message)):
        summarize({"metric": ["a"], "value": [1.0]})


def test_scores_count_a_class_never_predicted_or_never_true_as_zero_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        never_predicted = classification_scores([0, 1], [0, 0])
        never_true = classification_scores([0, 0], [0, 1])
    assert never_predicted["macro_precision"] == pytest.approx((0.5 + 0) / 2)
    assert never_true["macro_recall"] == pytest.approx((0.5 + 0) / 2)


def test_confusion_frame_keeps_classes_that_never_occur():
    frame = confusion_frame([0, 0], [0, 0], ["a", "b", "c"])
    assert frame.values.tolist() == [[2, 0, 0], [0, 0, 0], [0, 0, 0]]


def test_uncertainty_auroc_is_nan_without_a_warning_when_nothing_is_wrong():
    from embedlab.metrics import uncertainty_auroc

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(uncertainty_auroc([0.1, 0.2], [False, False]))
        assert math.isnan(uncertainty_auroc([0.1, 0.2], [True, True]))


def test_accuracy_coverage_flags_are_booleans_and_ties_keep_input_order():
    import numpy as np

    from embedlab.metrics import accuracy_coverage

    assert accuracy_coverage([0.1, 0.2], [2, 0])["accuracy"].tolist() == [1.0, 0.5]
    uncertainty = np.random.default_rng(0).integers(0, 3, 200) / 2  # many ties
    correct = np.arange(200) % 3 == 0
    order = np.argsort(uncertainty, kind="stable")
    expected = np.cumsum(correct[order]) / np.arange(1, 201)
    assert np.allclose(accuracy_coverage(uncertainty, correct)["accuracy"], expected)


def test_scores_that_require_grad_are_accepted():
    import torch

    from embedlab.metrics import uncertainty_auroc

    scores = torch.tensor([0.1, 0.9], requires_grad=True)
    assert uncertainty_auroc(scores, torch.tensor([False, True])) == 1.0
