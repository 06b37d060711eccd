import math

import numpy as np
import pytest

from embedlab.calibration import (
    calibration_summary,
    expected_calibration_error,
    fit_temperature,
    reliability_table,
    softmax_with_temperature,
    temperature_log_loss,
)


def test_temperature_log_loss_by_hand():
    scores = np.array([[0.0, math.log(3.0)]])  # softmax: (1/4, 3/4)
    assert temperature_log_loss(scores, np.array([1]), 1.0) == pytest.approx(-math.log(0.75))
    # T = 1/2 doubles the scores: (1/10, 9/10)
    assert temperature_log_loss(scores, np.array([1]), 0.5) == pytest.approx(-math.log(0.9))
    assert temperature_log_loss(scores, np.array([0]), 0.5) == pytest.approx(-math.log(0.1))


def test_fit_temperature_recovers_the_temperature_that_made_the_labels():
    rng = np.random.default_rng(0)
    scores = rng.normal(scale=4.0, size=(20000, 5))
    proba = np.exp(scores / 2.5)
    proba /= proba.sum(axis=1, keepdims=True)
    y = np.array([rng.choice(5, p=row) for row in proba])
    assert fit_temperature(scores, y) == pytest.approx(2.5, rel=0.05)
    # the same scores ten times larger need a ten times larger temperature
    assert fit_temperature(10 * scores, y) == pytest.approx(25.0, rel=0.05)


def test_fit_temperature_stays_finite_when_every_held_out_sample_is_right():
    scores = np.array([[2.0, 0.0], [0.0, 3.0], [1.0, 0.0], [0.0, 1.5]])
    y = np.array([0, 1, 0, 1])
    without_prior = fit_temperature(scores, y, prior=0.0)
    assert without_prior < 0.02  # the loss has underflowed to 0: the search calls it certain
    assert temperature_log_loss(scores, y, without_prior) < 1e-20
    with_prior = fit_temperature(scores, y)
    assert 0.1 < with_prior < 1.0 and math.isfinite(with_prior)


def test_reliability_table_and_ece_by_hand():
    proba = np.array([[0.95, 0.05], [0.95, 0.05], [0.35, 0.65], [0.35, 0.65]])
    y_true = np.array([0, 0, 0, 1])  # the two 0.95s are right, one of the 0.65s is right
    table = reliability_table(y_true, proba, n_bins=10)
    assert table["count"].tolist() == [2, 2]
    assert table["bin_low"].tolist() == pytest.approx([0.6, 0.9])
    assert table["confidence"].tolist() == pytest.approx([0.65, 0.95])
    assert table["accuracy"].tolist() == pytest.approx([0.5, 1.0])
    # ECE = 1/2 * |0.5 - 0.65| + 1/2 * |1 - 0.95|
    assert expected_calibration_error(y_true, proba, n_bins=10) == pytest.approx(0.1)


def test_string_labels_follow_the_order_of_classes():
    proba = np.array([[0.9, 0.1], [0.2, 0.8]])
    classes = np.array(["cat", "dog"])
    assert expected_calibration_error(["cat", "dog"], proba, classes) == pytest.approx(0.15)
    assert expected_calibration_error(["dog", "cat"], proba, classes) == pytest.approx(0.85)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: fit_temperature(np.zeros((2, 2)), np.array([0, 2])), "y must hold"),
        (lambda: fit_temperature(np.zeros((2, 2)), np.array([0.0, 1.0])), "y must be"),
        (lambda: fit_temperature(np.full((1, 2), np.nan), np.array([0])), "scores must be finite"),
        (lambda: fit_temperature(np.zeros(3), np.array([0])), "scores must be"),
        (lambda: fit_temperature(np.zeros((1, 2)), np.array([0]), prior=-1), "prior"),
        (lambda: temperature_log_loss(np.zeros((1, 2)), np.array([0]), 0.0), "temperature"),
        (lambda: reliability_table([0], np.ones((1, 2)) / 2, n_bins=0), "n_bins"),
        (lambda: reliability_table([5], np.ones((1, 2)) / 2), "y_true holds labels"),
        (lambda: reliability_table([0, 1], np.ones((1, 2)) / 2), "y_true must be"),
        (lambda: reliability_table([0], np.ones((1, 2)) / 2, classes=[0, 1, 2]), "classes has 3"),
    ],
)
def test_bad_input_names_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_softmax_with_temperature_by_hand():
    proba = softmax_with_temperature(np.array([[0.0, math.log(3.0)]]), 0.5)
    assert proba[0].tolist() == pytest.approx([0.1, 0.9])
    with pytest.raises(ValueError, match="temperature"):
        softmax_with_temperature(np.zeros((1, 2)), -1.0)


def test_calibration_summary_of_a_fitted_classifier():
    from sklearn.datasets import make_blobs

    from embedlab import EmbeddingClassifier

    X, y = make_blobs(300, 5, centers=6, cluster_std=2.0, random_state=0)
    model = EmbeddingClassifier("fixed", hidden=(16,), epochs=40, lr=1e-2, random_state=0)
    model.fit(X[:200], y[:200])
    table = calibration_summary(model, X[200:], y[200:])
    assert list(table.index) == ["as trained", "calibrated"]
    assert table.loc["as trained", "temperature"] == 1.0
    assert table.loc["calibrated", "temperature"] == model.temperature_
    assert table["accuracy"].nunique() == 1
    assert table.loc["calibrated", "accuracy"] == pytest.approx(model.score(X[200:], y[200:]))
    assert table.loc["calibrated", "log_loss"] < table.loc["as trained", "log_loss"]


def test_reliability_bins_default_to_ten_and_a_confidence_on_an_edge_falls_low():
    proba = np.array([[0.5, 0.5], [0.55, 0.45], [0.95, 0.05]])
    y = np.array([0, 0, 1])
    table = reliability_table(y, proba)  # 10 bins: 0.5 is the top edge of [0.4, 0.5]
    assert list(table.columns) == ["bin_low", "bin_high", "count", "confidence", "accuracy"]
    assert table["bin_low"].tolist() == pytest.approx([0.4, 0.5, 0.9])
    assert table["bin_high"].tolist() == pytest.approx([0.5, 0.6, 1.0])
    assert table["count"].tolist() == [1, 1, 1]
    one = reliability_table(y, proba, n_bins=1)  # one bin is allowed: all predictions together
    assert one["count"].tolist() == [3] and one["accuracy"].iloc[0] == pytest.approx(2 / 3)


def test_ece_uses_the_bins_it_is_given():
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(3), size=300)
    y = rng.integers(0, 3, size=300)
    coarse = expected_calibration_error(y, proba, n_bins=2)
    table = reliability_table(y, proba, n_bins=2)
    weights = table["count"] / table["count"].sum()
    gaps = (table.accuracy - table.confidence).abs()
    assert coarse == pytest.approx(float((weights * gaps).sum()))
    assert coarse != pytest.approx(expected_calibration_error(y, proba))  # 15 bins by default
    default = reliability_table(y, proba, n_bins=15)
    weights = default["count"] / default["count"].sum()
    fine = float((weights * (default.accuracy - default.confidence).abs()).sum())
    assert expected_calibration_error(y, proba) == pytest.approx(fine)


def test_probabilities_come_back_as_float64_whatever_comes_in():
    proba = softmax_with_temperature(np.array([[0.0, 1.0]], dtype=np.float32), 1.0)
    assert proba.dtype == np.float64
    with pytest.raises(ValueError, match="temperature must be > 0, got 0"):
        softmax_with_temperature(np.zeros((1, 2)), 0.0)
    table = reliability_table(np.array([1, 0]), [[0, 1], [1, 0]])  # integer probabilities
    assert table["confidence"].dtype == np.float64 and table["confidence"].tolist() == [1.0]


def test_calibration_summary_reads_the_models_own_labels():
    from sklearn.datasets import make_blobs

    from embedlab import EmbeddingClassifier

    X, y = make_blobs(240, 4, centers=3, cluster_std=3.0, random_state=1)
    names = np.array(["c", "a", "b"])[y]  # string labels, not in sorted order
    model = EmbeddingClassifier("fixed", hidden=(8,), epochs=20, lr=1e-2, random_state=0)
    model.fit(X[:160], names[:160])
    table = calibration_summary(model, X[160:], names[160:])
    assert list(table.columns) == ["temperature", "accuracy", "log_loss", "ece"]
    proba = model.predict_proba(X[160:])
    expected = expected_calibration_error(names[160:], proba, model.classes_)
    assert table.loc["calibrated", "ece"] == pytest.approx(expected)
