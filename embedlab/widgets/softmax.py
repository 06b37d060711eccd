"""Lesson 2's playground: the softmax baseline and the write-up's recipe, retrained per setting."""

import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from torch import nn

from embedlab import plots
from embedlab.data import load_split
from embedlab.metrics import accuracy
from embedlab.models import mlp
from embedlab.playground import Playground
from embedlab.seeding import seed_everything
from embedlab.training import OPTIMIZERS, History, train
from embedlab.widgets.common import learning_rate_slider


def softmax_demo(
    dataset: str = "iris",
    seed: int = 0,
    optimizer: str = "adam",
    lr: float = 3e-3,
    epochs: int = 100,
    hidden: int = 100,
    standardize: bool = True,
    relu_after_second: bool = True,
    extra_softmax: bool = False,
) -> dict:
    """Train lesson 2's two-hidden-layer MLP with cross-entropy on the split `seed` picks (the
    same split as `load_split(dataset, seed=seed)` in the lessons); return accuracy and History.

    The defaults are the house recipe. `optimizer="sgd", lr=0.01, epochs=1000,
    standardize=False, relu_after_second=False, extra_softmax=True` is the write-up's recipe:
    raw features, no ReLU between the second and third layer, a Softmax before the loss.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
    split = load_split(dataset, seed=seed, standardize=standardize)
    seed_everything(seed)
    model = mlp(split.n_features, (hidden, hidden), split.n_classes)
    if not relu_after_second:
        del model[3]  # Linear, ReLU, Linear, [ReLU], Linear
    if extra_softmax:
        model.append(nn.Softmax(dim=1))
    history: History = train(
        model,
        split.X_train,
        split.y_train,
        nn.CrossEntropyLoss(),
        epochs=epochs,
        lr=lr,
        optimizer=optimizer,
    )
    with torch.no_grad():
        predicted = model(split.X_test).argmax(dim=1)
        train_predicted = model(split.X_train).argmax(dim=1)
    return {
        "accuracy": accuracy(split.y_test, predicted),
        "train_accuracy": accuracy(split.y_train, train_predicted),
        "final_loss": history.loss[-1],
        "history": history,
        "model": model,
        "n_classes": split.n_classes,
    }


def softmax_widget(dataset: str = "iris") -> Playground:
    """Optimizer, learning rate, epochs, width, feature scaling, the ReLU, the extra-softmax bug
    and seed (which picks the split and the initial weights, as in the lesson)."""

    def show(optimizer, lr, epochs, hidden, standardize, relu_after_second, extra_softmax, seed):
        result = softmax_demo(
            dataset, seed, optimizer, lr, epochs, hidden, standardize, relu_after_second,
            extra_softmax,
        )  # fmt: skip
        _, ax = plt.subplots(figsize=(6, 3.8))
        plots.plot_training_curves({"training loss": result["history"]}, ax=ax, log=True)
        if extra_softmax:
            floor = math.log(1 + (result["n_classes"] - 1) / math.e)
            ax.axhline(floor, color="black", ls=":", label=f"floor ln(1 + (K-1)/e) = {floor:.3f}")
            ax.legend(fontsize="small")
        ax.set_title(
            f"seed {seed}: test accuracy {result['accuracy']:.3f}, "
            f"train accuracy {result['train_accuracy']:.3f}, final loss {result['final_loss']:.4f}",
            fontsize="medium",
        )
        return result

    return Playground(
        show,
        optimizer=widgets.Dropdown(options=["adam", "sgd"], value="adam", description="optimizer"),
        lr=learning_rate_slider(3e-3),
        epochs=widgets.IntSlider(100, 20, 1000, step=20, description="epochs"),
        hidden=widgets.IntSlider(100, 4, 200, step=4, description="hidden"),
        standardize=widgets.Checkbox(True, description="standardised features"),
        relu_after_second=widgets.Checkbox(True, description="ReLU after layer 2"),
        extra_softmax=widgets.Checkbox(False, description="extra softmax (bug)"),
        seed=widgets.IntSlider(0, 0, 29, description="seed"),
    )
