import math

import pytest
import torch

from embedlab import widgets
from embedlab.data import load_split
from embedlab.widgets.gaussian import _auroc_text


def controls(widget):
    return {control.description: control for control in widget.controls.values()}


@pytest.fixture(scope="module")
def digits():
    return load_split("digits", train_fraction=0.1, seed=0)


def test_gaussian_demo_reports_accuracy_auroc_and_an_accuracy_curve(iris):
    result = widgets.gaussian_demo(iris, beta=0.5, min_variance=1e-3, seed=0, epochs=200)
    assert result["accuracy"] > 0.85
    assert 0 <= result["variance_auroc"] <= 1
    assert (result["variance"] >= 1e-3).all()
    assert result["n_mistakes"] == round((1 - result["accuracy"]) * len(iris.y_test))
    assert result["accuracy_epochs"][-1] == 200
    assert len(result["accuracy_curve"]) == len(result["accuracy_epochs"])
    assert result["accuracy_curve"][-1] == pytest.approx(result["accuracy"])


def test_no_mistakes_reads_as_a_sentence_not_nan():
    assert "no AUROC" in _auroc_text({"variance_auroc": math.nan, "n_mistakes": 0})
    assert "AUROC 0.61" in _auroc_text({"variance_auroc": 0.614, "n_mistakes": 3})


def test_gaussian_widget_offers_digits_epochs_and_floor(iris, digits):
    w = widgets.gaussian_widget({"iris": iris, "digits": digits})
    assert w.result["codes"].shape == (3, 2)
    controls(w)["dataset"].value = "digits"
    assert w.result["codes"].shape == (10, 9) and w.result["variance"].shape == (1617, 9)
    controls(w)["epochs"].value = 300
    assert w.result["accuracy_epochs"][-1] == 300
    controls(w)["log10 floor"].value = -1
    assert (w.result["variance"] >= 0.1 - 1e-6).all()
    assert "Callback failed" not in w.text.value


def test_gaussian_widget_takes_a_single_split_and_rejects_other_things(iris):
    w = widgets.gaussian_widget(iris)
    assert "dataset" not in w.controls
    assert w.result["mean"].dtype == torch.get_default_dtype()
    with pytest.raises(ValueError, match="splits"):
        widgets.gaussian_widget({})
