import pytest
import torch

from embedlab import widgets
from embedlab.data import load_split


def controls(widget):
    return {control.description: control for control in widget.controls.values()}


def test_codebook_demo_decodes_to_good_accuracy():
    result = widgets.codebook_demo("iris", "simplex", 2, seed=0)
    assert result["accuracy"] > 0.85
    assert result["distance_ratio"] == pytest.approx(1.0)


def test_seed_picks_the_split_and_the_book_as_in_the_lesson():
    result = widgets.codebook_demo("iris", "random", 2, seed=20)
    assert torch.equal(result["y_test"], load_split("iris", seed=20).y_test)
    assert not torch.equal(result["y_test"], load_split("iris", seed=0).y_test)
    expected = torch.Generator().manual_seed(20)
    assert torch.equal(result["codes"], torch.randn(3, 2, generator=expected))


def test_onehot_ignores_the_dimension_and_says_so():
    assert widgets.codebook_demo("iris", "onehot", 8)["dim_used"] == 3
    w = widgets.codebook_widget()
    controls(w)["code book"].value = "onehot"
    assert w.result["codes"].shape == (3, 3)
    assert "whatever the dimension slider says" in w.text.value
    controls(w)["dimension"].value = 3
    assert "whatever" not in w.text.value


def test_codebook_widget_redraws_and_explains_impossible_choices():
    w = widgets.codebook_widget()
    controls(w)["dimension"].value = 8
    assert w.result["codes"].shape == (3, 8)
    controls(w)["code book"].value = "hadamard"
    controls(w)["dimension"].value = 5
    assert w.result is None  # 5 is not a power of two: a message instead of a crash
    assert "power of two" in w.text.value
    controls(w)["seed"].value = 4
    assert w.result is None
