import time

import pytest

from embedlab import widgets


def controls(widget):
    return {control.description: control for control in widget.controls.values()}


def test_gaussian_demo_reports_accuracy_and_auroc(iris):
    result = widgets.gaussian_demo(iris, beta=0.5, min_variance=1e-3, seed=0)
    assert result["accuracy"] > 0.85
    assert 0 <= result["variance_auroc"] <= 1
    assert (result["variance"] >= 1e-3).all()


def test_gaussian_widget_responds_quickly(iris):
    w = widgets.gaussian_widget(iris)
    start = time.perf_counter()
    controls(w)["β"].value = 0.0
    assert time.perf_counter() - start < 1.0
    controls(w)["log10 floor"].value = -1
    assert (w.result["variance"] >= 0.1 - 1e-6).all()


def test_learned_embedding_demo_collapses_with_mse_and_spreads_with_distance_ce(iris):
    mse = widgets.learned_embedding_demo(iris, "mse", epochs=600)
    spread = widgets.learned_embedding_demo(iris, "distance_ce", epochs=600)
    assert mse["trajectory"].shape[1:] == (3, 2)
    assert len(mse["epochs"]) == len(mse["min_distance"]) == len(mse["trajectory"])
    assert mse["min_distance"][-1] < 0.5 * mse["min_distance"][0]
    assert spread["min_distance"][-1] > spread["min_distance"][0]
    with pytest.raises(ValueError, match="unknown method"):
        widgets.learned_embedding_demo(iris, "triplet")


def test_learned_embedding_widget_answers_in_under_a_second(iris):
    w = widgets.learned_embedding_widget(iris)
    start = time.perf_counter()
    controls(w)["method"].value = "cosine"
    assert time.perf_counter() - start < 1.0
    controls(w)["max_norm = 1"].value = False
    assert 0 <= w.result["accuracy"] <= 1
