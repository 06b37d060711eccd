"""Lesson 2's playground: the softmax baseline, retrained for each setting."""

import math

import ipywidgets as widgets
import torch
from torch import nn

from embedlab import plots
from embedlab.data import Split
from embedlab.metrics import accuracy
from embedlab.models import mlp
from embedlab.playground import Playground
from embedlab.seeding import seed_everything
from embedlab.training import History, train
from embedlab.widgets.common import learning_rate_slider


def softmax_demo(
    split: Split,
    lr: float = 3e-3,
    epochs: int = 100,
    hidden: int = 100,
    extra_softmax: bool = False,
    seed: int = 0,
) -> dict:
    """Train a two-hidden-layer MLP with cross-entropy on `split`; return accuracy and History.

    `extra_softmax=True` reproduces the write-up's bug: a Softmax layer before CrossEntropyLoss.
    """
    seed_everything(seed)
    model = mlp(split.n_features, (hidden, hidden), split.n_classes)
    if extra_softmax:
        model = nn.Sequential(model, nn.Softmax(dim=1))
    history: History = train(
        model, split.X_train, split.y_train, nn.CrossEntropyLoss(), epochs=epochs, lr=lr
    )
    with torch.no_grad():
        predicted = model(split.X_test).argmax(dim=1)
    return {
        "accuracy": accuracy(split.y_test, predicted),
        "final_loss": history.loss[-1],
        "history": history,
    }


def softmax_widget(split: Split) -> Playground:
    """Learning rate, epochs, width, the extra-softmax bug and seed; retrains and redraws."""

    def show(lr, epochs, hidden, extra_softmax, seed):
        result = softmax_demo(split, lr, epochs, hidden, extra_softmax, seed)
        ax = plots.plot_training_curves({"training loss": result["history"]}, log=True)
        if extra_softmax:
            floor = math.log(1 + (split.n_classes - 1) / math.e)
            ax.axhline(floor, color="C3", ls="--", label=f"floor ln(1 + (K-1)/e) = {floor:.3f}")
            ax.legend(fontsize="small")
        ax.set_title(
            f"test accuracy {result['accuracy']:.3f}, final loss {result['final_loss']:.4f}"
        )
        return result

    return Playground(
        show,
        lr=learning_rate_slider(3e-3),
        epochs=widgets.IntSlider(100, 20, 1000, step=20, description="epochs"),
        hidden=widgets.IntSlider(100, 4, 200, step=4, description="hidden"),
        extra_softmax=widgets.Checkbox(False, description="extra softmax (bug)"),
        seed=widgets.IntSlider(0, 0, 9, description="seed"),
    )
