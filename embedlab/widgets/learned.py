"""Lesson 5's playground: learning the class vectors too, and whether they stay apart."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch

from embedlab import plots
from embedlab.codebooks import nearest_code, separation
from embedlab.data import Split
from embedlab.losses import LEARNED_METHODS, learned_code_loss
from embedlab.metrics import accuracy
from embedlab.models import LearnedCodeModel
from embedlab.playground import Playground
from embedlab.seeding import seed_everything
from embedlab.training import train
from embedlab.widgets.common import learning_rate_slider


def learned_embedding_demo(
    split: Split,
    method: str = "mse",
    lr: float = 1e-2,
    epochs: int = 1000,
    init_scale: float = 5.0,
    max_norm: bool = True,
    hidden: int = 8,
    seed: int = 0,
    snapshots: int = 50,
) -> dict:
    """Train a LearnedCodeModel (2-D codes) and record the codes along the way.

    Returns accuracy, the codes' trajectory (snapshots, K, 2), the minimum pairwise distance at
    each snapshot, and the epochs of the snapshots.
    """
    seed_everything(seed)
    model = LearnedCodeModel(
        split.n_features, (hidden,), split.n_classes, 2, init_scale, 1.0 if max_norm else None
    )
    loss_fn = learned_code_loss(model, method)
    with torch.no_grad():
        model.codes(torch.arange(split.n_classes))  # max_norm renormalises on this first lookup
    trajectory = [model.class_codes()]

    def record(model):
        trajectory.append(model.class_codes())
        return separation(trajectory[-1])["min_distance"]

    history = train(
        model,
        split.X_train,
        split.y_train,
        loss_fn,
        epochs=epochs,
        lr=lr,
        metric=record,
        eval_every=max(1, epochs // snapshots),
    )
    codes = model.class_codes()
    metric = "cosine" if method == "cosine" else "euclidean"
    with torch.no_grad():
        predicted = nearest_code(model(split.X_test), codes, metric=metric)
    return {
        "accuracy": accuracy(split.y_test, predicted),
        "trajectory": torch.stack(trajectory),
        "min_distance": [separation(trajectory[0])["min_distance"]] + history.metric,
        "epochs": [0] + [e + 1 for e in history.metric_epochs],
        "history": history,
    }


def learned_embedding_widget(split: Split) -> Playground:
    """Method, learning rate, epochs, initial scale, max_norm and width; redraws the trajectories
    of the class codes, the minimum distance and the accuracy."""

    def show(method, lr, epochs, init_scale, max_norm, hidden):
        result = learned_embedding_demo(split, method, lr, epochs, init_scale, max_norm, hidden)
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
        plots.plot_code_trajectories(result["trajectory"], split.class_names, ax=left)
        right.plot(result["epochs"], result["min_distance"])
        right.set_yscale("log")
        right.set_xlabel("epoch")
        right.set_ylabel("smallest distance between two codes")
        fig.suptitle(
            f"{method}: accuracy {result['accuracy']:.3f}, smallest distance "
            f"{result['min_distance'][0]:.3f} -> {result['min_distance'][-1]:.4f}"
        )
        return result

    return Playground(
        show,
        method=widgets.Dropdown(options=LEARNED_METHODS, value="mse", description="method"),
        lr=learning_rate_slider(1e-2),
        epochs=widgets.IntSlider(600, 100, 3000, step=100, description="epochs"),
        init_scale=widgets.FloatSlider(5.0, min=0.5, max=10.0, step=0.5, description="init scale"),
        max_norm=widgets.Checkbox(True, description="max_norm = 1"),
        hidden=widgets.IntSlider(8, 2, 100, description="hidden units"),
    )
