import math
import time

import pytest
import torch

from embedlab import widgets


def controls(widget):
    return {control.description: control for control in widget.controls.values()}


def test_embedding_table_demo_renormalises_looked_up_rows():
    result = widgets.embedding_table_demo(num_embeddings=6, dim=3, max_norm=0.5, seed=1)
    assert result["max_row_norm_before"] > 0.5
    assert result["max_row_norm_after"] == pytest.approx(0.5, abs=1e-4)
    padded = widgets.embedding_table_demo(num_embeddings=6, padding_idx=2)
    assert torch.equal(padded["weight_before"][2], torch.zeros(2))


@pytest.mark.parametrize("kwargs", [{"padding_idx": 8}, {"padding_idx": -2}, {"max_norm": -1.0}])
def test_embedding_table_demo_rejects_impossible_settings(kwargs):
    with pytest.raises(ValueError):
        widgets.embedding_table_demo(num_embeddings=6, **kwargs)


def test_embedding_table_widget_responds():
    w = widgets.embedding_table_widget()
    assert w.result["weight_after"].shape == (8, 2)
    controls(w)["rows"].value = 12
    controls(w)["dimension"].value = 4
    assert w.result["weight_after"].shape == (12, 4)
    controls(w)["max_norm"].value = 1.0
    assert w.result["max_row_norm_after"] <= 1.0 + 1e-4


def test_softmax_demo_learns_and_the_bug_hits_its_floor(iris):
    good = widgets.softmax_demo(iris, epochs=100, lr=1e-2)
    buggy = widgets.softmax_demo(iris, epochs=100, lr=1e-2, extra_softmax=True)
    assert good["accuracy"] > 0.85
    assert buggy["final_loss"] > math.log(1 + 2 / math.e)


def test_softmax_widget_answers_in_under_a_second(iris):
    w = widgets.softmax_widget(iris)
    before = w.result["accuracy"]
    start = time.perf_counter()
    controls(w)["seed"].value = 3
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0, f"callback took {elapsed:.2f} s"
    controls(w)["extra softmax (bug)"].value = True
    assert w.result["final_loss"] > 0.55
    assert 0 <= before <= 1


def test_codebook_demo_decodes_to_good_accuracy(iris):
    result = widgets.codebook_demo(iris, "simplex", 2, seed=0)
    assert result["accuracy"] > 0.85
    assert result["min_code_distance"] == pytest.approx(3**0.5, abs=1e-4)


def test_codebook_widget_redraws_and_explains_impossible_choices(iris, capsys):
    w = widgets.codebook_widget(iris)
    controls(w)["dimension"].value = 8
    assert w.result["codes"].shape == (3, 8)
    controls(w)["code book"].value = "hadamard"
    controls(w)["dimension"].value = 5
    assert w.result is None  # 5 is not a power of two: a message instead of a crash
    controls(w)["code book"].value = "onehot"
    assert w.result["codes"].shape == (3, 3)
    start = time.perf_counter()
    controls(w)["seed"].value = 4
    assert time.perf_counter() - start < 1.0
