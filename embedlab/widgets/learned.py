"""Lesson 5's playground: learning the class vectors too, and whether they stay apart."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch

from embedlab import plots
from embedlab.codebooks import nearest_code, separation, simplex_codes
from embedlab.data import Split
from embedlab.losses import LEARNED_METHODS, label_embedding_loss, learned_code_loss
from embedlab.metrics import accuracy, relative_separation
from embedlab.models import LabelEmbeddingNetwork, LearnedCodeModel
from embedlab.playground import Playground
from embedlab.seeding import seed_everything
from embedlab.training import train
from embedlab.widgets.common import learning_rate_slider

LEN = "label embedding network"
WIDGET_METHODS = (*LEARNED_METHODS, LEN)


def learned_embedding_demo(
    split: Split,
    method: str = "mse",
    lr: float = 1e-2,
    epochs: int = 600,
    init_scale: float = 5.0,
    max_norm: bool = True,
    hidden: int = 8,
    seed: int = 0,
    snapshots: int = 50,
) -> dict:
    """Train 2-D learned class codes (or a Label Embedding Network) and record them over training.

    `max_norm` and `init_scale` only apply where they act: max_norm=1 renormalises looked-up rows,
    and only "mse" looks codes up (the other losses read the weight directly); the Label
    Embedding Network starts from E = identity. For it, the class vectors are the rows of
    softmax(E), drawn in 2-D by sending class k's corner of the probability simplex to the
    k-th simplex code (exact for 3 classes). Returns accuracy, the trajectory (snapshots, K, 2),
    the minimum pairwise distance and the relative separation (min / mean distance) at each
    snapshot, their epochs, the History, and which of max_norm / init_scale applied.
    """
    if method not in WIDGET_METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(WIDGET_METHODS)}")
    seed_everything(seed)
    uses_max_norm = method == "mse" and max_norm
    if method == LEN:
        model = LabelEmbeddingNetwork(split.n_features, (hidden,), split.n_classes)
        corners = simplex_codes(split.n_classes)

        def vectors(model):
            return torch.softmax(model.label_embedding.detach(), dim=1)

        def picture(model):
            return vectors(model) @ corners

        def loss_fn(output, y):
            return label_embedding_loss(*output, y, model.label_embedding, hinge_reduction="sum")
    else:
        model = LearnedCodeModel(
            split.n_features,
            (hidden,),
            split.n_classes,
            2,
            init_scale,
            1.0 if uses_max_norm else None,
            code_seed=seed,  # as lesson 5's Act 2: the same codes for every network size
        )
        loss_fn = learned_code_loss(model, method)
        with torch.no_grad():
            model.codes(torch.arange(split.n_classes))  # max_norm renormalises on this first lookup

        def vectors(model):
            codes = model.class_codes()
            return torch.nn.functional.normalize(codes, dim=1) if method == "cosine" else codes

        def picture(model):
            return model.class_codes()

    trajectory, separations = [picture(model)], [relative_separation(vectors(model))]

    def record(model):
        trajectory.append(picture(model))
        separations.append(relative_separation(vectors(model)))
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
    with torch.no_grad():
        if method == LEN:
            predicted = model(split.X_test)[0].argmax(dim=1)
        else:
            metric = "cosine" if method == "cosine" else "euclidean"
            predicted = nearest_code(model(split.X_test), model.class_codes(), metric=metric)
    return {
        "accuracy": accuracy(split.y_test, predicted),
        "trajectory": torch.stack(trajectory),
        "min_distance": [separation(trajectory[0])["min_distance"]] + history.metric,
        "relative_separation": separations,
        "epochs": [0] + [e + 1 for e in history.metric_epochs],
        "history": history,
        "max_norm_applied": uses_max_norm,
        "init_scale_applied": method != LEN,
    }


def learned_embedding_widget(split: Split) -> Playground:
    """Method, learning rate, epochs, initial scale, max_norm, width and seed; redraws the paths
    of the class vectors and their separation over training. Controls that do not act on the
    chosen method are greyed out."""

    def show(method, lr, epochs, init_scale, max_norm, hidden, seed):
        result = learned_embedding_demo(
            split, method, lr, epochs, init_scale, max_norm, hidden, seed
        )
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
        plots.plot_code_trajectories(
            result["trajectory"],
            split.class_names,
            ax=left,
            title="rows of softmax(E)" if method == LEN else "class codes",
            max_norm=1.0 if result["max_norm_applied"] else None,
        )
        right.plot(result["epochs"], result["relative_separation"])
        right.set_ylim(0, 1.05)
        right.set_xlabel("epoch")
        right.set_ylabel("smallest / mean distance between classes")
        separation = result["relative_separation"]
        fig.suptitle(
            f"{method}: accuracy {result['accuracy']:.3f}, relative separation "
            f"{separation[0]:.2f} -> {separation[-1]:.2f} (1 = equally spaced, 0 = merged)"
        )
        return result

    method = widgets.Dropdown(options=WIDGET_METHODS, value="mse", description="method")
    init_scale = widgets.FloatSlider(5.0, min=0.5, max=10.0, step=0.5, description="init scale")
    max_norm = widgets.Checkbox(True, description="max_norm = 1 (mse only)")

    def grey_out(change=None):
        max_norm.disabled = method.value != "mse"
        init_scale.disabled = method.value == LEN

    method.observe(grey_out, names="value")
    grey_out()
    return Playground(
        show,
        method=method,
        lr=learning_rate_slider(1e-2),
        epochs=widgets.IntSlider(600, 100, 3000, step=100, description="epochs"),
        init_scale=init_scale,
        max_norm=max_norm,
        hidden=widgets.IntSlider(8, 2, 100, description="hidden units"),
        seed=widgets.IntSlider(0, 0, 9, description="seed"),
    )
