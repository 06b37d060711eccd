import math

import pytest
import torch

from embedlab import widgets
from embedlab.data import load_split


def controls(widget):
    return {control.description: control for control in widget.controls.values()}


def test_softmax_demo_learns_and_the_bug_hits_its_floor():
    good = widgets.softmax_demo(epochs=100, lr=1e-2)
    buggy = widgets.softmax_demo(epochs=100, lr=1e-2, extra_softmax=True)
    assert good["accuracy"] > 0.85
    assert buggy["final_loss"] > math.log(1 + 2 / math.e)


def test_softmax_demo_builds_the_write_up_network():
    write_up = widgets.softmax_demo(epochs=20, relu_after_second=False, extra_softmax=True)
    layers = [type(layer).__name__ for layer in write_up["model"]]
    assert layers == ["Linear", "ReLU", "Linear", "Linear", "Softmax"]
    with pytest.raises(ValueError, match="optimizer"):
        widgets.softmax_demo(optimizer="lbfgs")


def test_seed_picks_the_split_as_in_the_lesson():
    # the same split and initial weights as the lesson's run_recipe: an untrained model is enough
    result = widgets.softmax_demo(seed=7, epochs=1, standardize=False)
    split = load_split("iris", seed=7, standardize=False)
    with torch.no_grad():
        predicted = result["model"](split.X_test).argmax(dim=1)
    assert result["accuracy"] == pytest.approx((predicted == split.y_test).float().mean().item())


def test_write_up_switches_slow_learning_down():
    # plain SGD at lr 0.01 on standardised features barely moves in 100 epochs; Adam fits
    sgd = widgets.softmax_demo(optimizer="sgd", lr=1e-2, epochs=100)
    adam = widgets.softmax_demo(optimizer="adam", lr=1e-2, epochs=100)
    assert sgd["final_loss"] > 10 * adam["final_loss"]


def test_widget_switches_retrain():
    w = widgets.softmax_widget()
    assert set(controls(w)) >= {"optimizer", "standardised features", "ReLU after layer 2"}
    controls(w)["extra softmax (bug)"].value = True
    assert w.result["final_loss"] > math.log(1 + 2 / math.e)
    controls(w)["ReLU after layer 2"].value = False
    assert [type(layer).__name__ for layer in w.result["model"]].count("ReLU") == 1
    controls(w)["optimizer"].value = "sgd"
    assert isinstance(w.result["history"].loss[-1], float)
