import math

import ipywidgets
import pytest
import torch

from embedlab import widgets


def controls(widget):
    return {child.description: child for child in widget.children[:-1]}


def test_embedding_table_demo_renormalises_looked_up_rows():
    result = widgets.embedding_table_demo(num_embeddings=6, dim=3, max_norm=0.5, seed=1)
    assert result["max_row_norm_before"] > 0.5
    assert result["max_row_norm_after"] == pytest.approx(0.5, abs=1e-4)
    padded = widgets.embedding_table_demo(num_embeddings=6, padding_idx=2)
    assert torch.equal(padded["weight_before"][2], torch.zeros(2))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"padding_idx": 8}, r"padding_idx must be -1 \(none\) or in \[0, 6\), got 8"),
        ({"padding_idx": -2}, "padding_idx must be -1"),
        ({"max_norm": -1.0}, "max_norm must be >= 0"),
    ],
)
def test_embedding_table_demo_rejects_impossible_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
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


def test_softmax_widget_retrains_once_with_the_new_settings(iris):
    w = widgets.softmax_widget(iris)
    first = w.result
    assert len(first["history"].loss) == 100  # the epochs slider's default, run once
    controls(w)["seed"].value = 3
    expected = widgets.softmax_demo(iris, lr=3e-3, epochs=100, hidden=100, seed=3)
    assert w.result["accuracy"] == expected["accuracy"]
    assert w.result["history"].loss == expected["history"].loss
    controls(w)["epochs"].value = 40
    assert len(w.result["history"].loss) == 40
    controls(w)["extra softmax (bug)"].value = True
    assert w.result["final_loss"] > math.log(1 + 2 / math.e)  # the double-softmax floor


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
    controls(w)["code book"].value = "random"
    controls(w)["dimension"].value = 2
    controls(w)["seed"].value = 4
    expected = widgets.codebook_demo(iris, "random", 2, seed=4)
    assert torch.equal(w.result["codes"], expected["codes"])
    assert w.result["accuracy"] == expected["accuracy"]


def test_gaussian_demo_reports_accuracy_and_auroc(iris):
    result = widgets.gaussian_demo(iris, beta=0.5, min_variance=0.05, seed=0)
    assert result["accuracy"] > 0.85
    assert 0.5 < result["variance_auroc"] <= 1  # uncertain where it is wrong, better than chance
    assert (result["variance"] >= 0.05).all() and result["variance"].min() < 0.06


def test_gaussian_widget_retrains_with_the_new_settings(iris):
    w = widgets.gaussian_widget(iris)
    controls(w)["β"].value = 0.0
    expected = widgets.gaussian_demo(iris, beta=0.0, min_variance=1e-6, lr=3e-3, seed=0)
    assert w.result["history"].loss == expected["history"].loss
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


def test_learned_embedding_widget_retrains_with_the_new_settings(iris):
    w = widgets.learned_embedding_widget(iris)
    controls(w)["method"].value = "cosine"
    controls(w)["max_norm = 1"].value = False
    expected = widgets.learned_embedding_demo(
        iris, "cosine", lr=1e-2, epochs=600, init_scale=5.0, max_norm=False, hidden=8
    )
    assert w.result["accuracy"] == expected["accuracy"]
    assert torch.equal(w.result["trajectory"], expected["trajectory"])


def test_errors_in_a_callback_are_shown_inside_the_widget(capsys):
    def show(x):
        if x > 1:
            raise ValueError("x too large")
        return x

    w = widgets.interactive_with_errors_shown(show, x=ipywidgets.IntSlider(0, 0, 3))
    assert w.result == 0
    w.children[0].value = 2
    assert w.result is None
    assert "Callback failed - ValueError: x too large" in capsys.readouterr().out


def test_many_classes_demo_and_widget():
    result = widgets.many_classes_demo(n_classes=30, dim=8)
    assert result["softmax"]["output_layer_parameters"] == 65 * 30
    assert result["fixed codes"]["output_layer_parameters"] == 65 * 8
    assert result["fixed codes"]["accuracy"] > 1 / 30  # better than guessing among 30
    with pytest.raises(ValueError, match="n_classes must be an integer >= 2, got 1"):
        widgets.many_classes_task(1)
    w = widgets.many_classes_widget()
    controls(w)["code dim"].value = 32
    assert w.result["fixed codes"]["output_layer_parameters"] == 65 * 32
    assert w.result["softmax"]["output_layer_parameters"] == 65 * 100  # the classes slider
