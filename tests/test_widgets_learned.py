import pytest
import torch

from embedlab import widgets


def controls(widget):
    return {control.description: control for control in widget.controls.values()}


def test_learned_embedding_demo_collapses_with_mse_and_spreads_with_cosine(iris):
    mse = widgets.learned_embedding_demo(iris, "mse", epochs=600)
    spread = widgets.learned_embedding_demo(iris, "cosine", epochs=600)
    assert mse["trajectory"].shape[1:] == (3, 2)
    assert len(mse["epochs"]) == len(mse["min_distance"]) == len(mse["trajectory"])
    assert len(mse["relative_separation"]) == len(mse["epochs"])
    assert mse["relative_separation"][-1] < 0.5 * mse["relative_separation"][0]
    assert spread["relative_separation"][-1] > spread["relative_separation"][0]
    with pytest.raises(ValueError, match="unknown method"):
        widgets.learned_embedding_demo(iris, "triplet")


def test_max_norm_applies_only_to_the_loss_that_looks_codes_up(iris):
    mse = widgets.learned_embedding_demo(iris, "mse", epochs=100)
    ce = widgets.learned_embedding_demo(iris, "distance_ce", epochs=100, max_norm=True)
    assert mse["max_norm_applied"] and not ce["max_norm_applied"]
    assert mse["trajectory"][0].norm(dim=1).max() <= 1 + 1e-6  # renormalised by the lookup
    assert ce["trajectory"][0].norm(dim=1).max() > 1  # N(0, 5²) start left as drawn


def test_label_embedding_network_starts_from_equally_spaced_rows(iris):
    result = widgets.learned_embedding_demo(iris, "label embedding network", epochs=100)
    assert result["relative_separation"][0] == pytest.approx(1.0)  # softmax(I): all rows alike
    assert result["trajectory"].shape[1:] == (3, 2)
    assert not result["init_scale_applied"] and not result["max_norm_applied"]
    assert result["accuracy"] > 0.85


def test_learned_embedding_widget_greys_out_what_does_not_apply_and_has_a_seed(iris):
    w = widgets.learned_embedding_widget(iris)
    c = controls(w)
    assert c["epochs"].value == 600  # the run lesson 5 describes
    assert not c["max_norm = 1 (mse only)"].disabled
    first = w.result["trajectory"]
    c["seed"].value = 1
    assert not torch.equal(first, w.result["trajectory"])
    c["method"].value = "cosine"
    assert c["max_norm = 1 (mse only)"].disabled and not c["init scale"].disabled
    c["method"].value = "label embedding network"
    assert c["init scale"].disabled
    assert 0 <= w.result["accuracy"] <= 1 and "Callback failed" not in w.text.value
