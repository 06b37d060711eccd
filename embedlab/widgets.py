"""Interactive playgrounds, one per lesson (each notebook ends its story with one).

Every playground is an `ipywidgets.interactive` whose callback is a thin wrapper: it calls a
plain function that trains or computes and returns a dict of numbers, then draws. The dict is
also the widget's `.result`, so tests can move a control and check what came back without a
browser: `w.children[0].value = 0.1; w.result["accuracy"]`.
"""

import math
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from sklearn.datasets import make_blobs
from sklearn.model_selection import train_test_split
from torch import nn

from embedlab import plots
from embedlab.codebooks import CODEBOOKS, make_codebook, nearest_code, separation
from embedlab.data import Split
from embedlab.estimator import EmbeddingClassifier
from embedlab.losses import LEARNED_METHODS, beta_nll_loss, learned_code_loss
from embedlab.metrics import accuracy, uncertainty_auroc
from embedlab.models import GaussianRegressor, LearnedCodeModel, mlp
from embedlab.seeding import seed_everything
from embedlab.training import History, train


def interactive_with_errors_shown(show, **controls) -> widgets.interactive:
    """`ipywidgets.interactive(show, **controls)`, except that an error raised by `show` is printed
    inside the widget, where the learner is looking. (ipywidgets sends it to the log console.)"""

    def guarded(**values):
        try:
            return show(**values)
        except Exception as error:
            print(f"Callback failed - {type(error).__name__}: {error}")
            return None

    return widgets.interactive(guarded, **controls)


LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)


def learning_rate_slider(value: float) -> widgets.SelectionSlider:
    """A slider over round learning rates (a log slider would snap 3e-3 to 10**-2.5)."""
    return widgets.SelectionSlider(options=LEARNING_RATES, value=value, description="lr")


# ----------------------------------------------------------------------------- lesson 1


def embedding_table_demo(
    num_embeddings: int = 8,
    dim: int = 2,
    padding_idx: int = -1,
    max_norm: float = 0.0,
    seed: int = 0,
) -> dict:
    """Build an nn.Embedding, look up every row once, and report the table before and after.

    `padding_idx=-1` means no padding row; `max_norm=0` means no renormalisation.
    """
    if not 0 <= padding_idx < num_embeddings and padding_idx != -1:
        raise ValueError(
            f"padding_idx must be -1 (none) or in [0, {num_embeddings}), got {padding_idx}"
        )
    if max_norm < 0:
        raise ValueError(f"max_norm must be >= 0 (0 = off), got {max_norm}")
    seed_everything(seed)
    table = nn.Embedding(
        num_embeddings,
        dim,
        padding_idx=None if padding_idx == -1 else padding_idx,
        max_norm=max_norm or None,
    )
    before = table.weight.detach().clone()
    with torch.no_grad():
        looked_up = table(torch.arange(num_embeddings))
    return {
        "weight_before": before,
        "weight_after": table.weight.detach().clone(),
        "looked_up": looked_up,
        "max_row_norm_before": before.norm(dim=1).max().item(),
        "max_row_norm_after": table.weight.detach().norm(dim=1).max().item(),
    }


def embedding_table_widget() -> widgets.interactive:
    """Rows, dimension, padding index and max_norm of an embedding table; redraws its picture."""

    def show(num_embeddings, dim, padding_idx, max_norm, seed):
        padding_idx = min(padding_idx, num_embeddings - 1)
        result = embedding_table_demo(num_embeddings, dim, padding_idx, max_norm, seed)
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8))
        pad = None if padding_idx == -1 else padding_idx
        plots.plot_embedding_table(
            result["weight_before"][:, :2], pad, ax=left, title="before lookup (first 2 dims)"
        )
        plots.plot_embedding_table(
            result["weight_after"][:, :2], pad, ax=right, title="after lookup (first 2 dims)"
        )
        if max_norm:
            for ax in (left, right):
                ax.add_patch(plt.Circle((0, 0), max_norm, fill=False, ls="--", color="C3"))
        fig.suptitle(
            f"largest row norm: {result['max_row_norm_before']:.2f} before, "
            f"{result['max_row_norm_after']:.2f} after"
        )
        plt.show()
        return result

    return interactive_with_errors_shown(
        show,
        num_embeddings=widgets.IntSlider(8, 2, 20, description="rows"),
        dim=widgets.IntSlider(2, 2, 8, description="dimension"),
        padding_idx=widgets.IntSlider(-1, -1, 19, description="padding_idx"),
        max_norm=widgets.FloatSlider(0.0, min=0.0, max=3.0, step=0.25, description="max_norm"),
        seed=widgets.IntSlider(0, 0, 9, description="seed"),
    )


# ----------------------------------------------------------------------------- lesson 2


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


def softmax_widget(split: Split) -> widgets.interactive:
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
        plt.show()
        return result

    return interactive_with_errors_shown(
        show,
        lr=learning_rate_slider(3e-3),
        epochs=widgets.IntSlider(100, 20, 1000, step=20, description="epochs"),
        hidden=widgets.IntSlider(100, 4, 200, step=4, description="hidden"),
        extra_softmax=widgets.Checkbox(False, description="extra softmax (bug)"),
        seed=widgets.IntSlider(0, 0, 9, description="seed"),
    )


# ----------------------------------------------------------------------------- lesson 3


def _project_to_2d(outputs: torch.Tensor, codes: torch.Tensor):
    """Project outputs and codes onto the two main directions of the codes (for d > 2 pictures)."""
    if codes.shape[1] == 2:
        return outputs, codes
    center = codes.mean(dim=0)
    _, _, directions = torch.linalg.svd(codes - center, full_matrices=False)
    basis = directions[:2].T
    return (outputs - center) @ basis, (codes - center) @ basis


def codebook_demo(split: Split, codebook: str = "simplex", dim: int = 2, seed: int = 0) -> dict:
    """Regress an MLP onto fixed class codes with MSE; decode by nearest code; return accuracy."""
    codes = make_codebook(codebook, split.n_classes, dim, seed=seed)
    seed_everything(seed)
    model = mlp(split.n_features, (100, 100), codes.shape[1])
    history = train(
        model,
        split.X_train,
        split.y_train,
        lambda output, y: F.mse_loss(output, codes[y]),
        epochs=100,
        lr=3e-3,
    )
    with torch.no_grad():
        outputs = model(split.X_test)
    return {
        "accuracy": accuracy(split.y_test, nearest_code(outputs, codes)),
        "min_code_distance": separation(codes)["min_distance"],
        "outputs": outputs,
        "codes": codes,
        "history": history,
    }


def codebook_widget(split: Split) -> widgets.interactive:
    """Code book, dimension and seed; redraws the embedding space and the accuracy."""

    def show(codebook, dim, seed):
        if codebook == "onehot":
            dim = split.n_classes
        try:
            result = codebook_demo(split, codebook, dim, seed)
        except ValueError as error:  # an impossible (code book, dim) pair: say why, draw nothing
            print(f"Not possible: {error}")
            return None
        outputs, codes = _project_to_2d(result["outputs"], result["codes"])
        plots.plot_embedding_space(
            outputs,
            split.y_test,
            codes,
            split.class_names,
            regions=codes.shape[1] == result["codes"].shape[1],
            title=f"{codebook}, dim {result['codes'].shape[1]}: accuracy {result['accuracy']:.3f}, "
            f"min code distance {result['min_code_distance']:.2f}",
        )
        plt.show()
        return result

    return interactive_with_errors_shown(
        show,
        codebook=widgets.Dropdown(options=CODEBOOKS, value="random", description="code book"),
        dim=widgets.IntSlider(2, 2, 16, description="dimension"),
        seed=widgets.IntSlider(0, 0, 29, description="seed"),
    )


# ----------------------------------------------------------------------------- lesson 4


def gaussian_demo(
    split: Split,
    beta: float = 0.5,
    min_variance: float = 1e-6,
    lr: float = 3e-3,
    seed: int = 0,
    epochs: int = 100,
) -> dict:
    """Train a Gaussian regressor onto simplex codes with β-NLL (β=0: plain NLL).

    Returns accuracy (nearest code), the AUROC of the predicted total variance for flagging
    mistakes, and the test means and variances.
    """
    codes = make_codebook("simplex", split.n_classes)
    seed_everything(seed)
    model = GaussianRegressor(split.n_features, (100, 100), codes.shape[1], min_variance)
    history = train(
        model,
        split.X_train,
        split.y_train,
        lambda output, y: beta_nll_loss(output[0], codes[y], output[1], beta=beta),
        epochs=epochs,
        lr=lr,
    )
    with torch.no_grad():
        mean, variance = model(split.X_test)
    predicted = nearest_code(mean, codes)
    return {
        "accuracy": accuracy(split.y_test, predicted),
        "variance_auroc": uncertainty_auroc(variance.sum(dim=1), predicted != split.y_test),
        "mean": mean,
        "variance": variance,
        "codes": codes,
        "history": history,
    }


def gaussian_widget(split: Split) -> widgets.interactive:
    """β, variance floor, learning rate and seed; redraws outputs with their 1-σ ellipses."""

    def show(beta, log10_min_variance, lr, seed):
        result = gaussian_demo(split, beta, 10**log10_min_variance, lr, seed)
        mean, codes = _project_to_2d(result["mean"], result["codes"])
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
        plots.plot_embedding_space(
            mean,
            split.y_test,
            codes,
            split.class_names,
            variance=result["variance"] if result["codes"].shape[1] == 2 else None,
            ax=left,
            title=f"accuracy {result['accuracy']:.3f}, "
            f"variance AUROC {result['variance_auroc']:.2f}",
        )
        plots.plot_training_curves({f"β = {beta}": result["history"]}, ax=right)
        plt.show()
        return result

    return interactive_with_errors_shown(
        show,
        beta=widgets.FloatSlider(0.5, min=0.0, max=1.0, step=0.25, description="β"),
        log10_min_variance=widgets.IntSlider(-6, -6, 0, description="log10 floor"),
        lr=learning_rate_slider(3e-3),
        seed=widgets.IntSlider(0, 0, 9, description="seed"),
    )


# ----------------------------------------------------------------------------- lesson 5


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


def learned_embedding_widget(split: Split) -> widgets.interactive:
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
        plt.show()
        return result

    return interactive_with_errors_shown(
        show,
        method=widgets.Dropdown(options=LEARNED_METHODS, value="mse", description="method"),
        lr=learning_rate_slider(1e-2),
        epochs=widgets.IntSlider(600, 100, 3000, step=100, description="epochs"),
        init_scale=widgets.FloatSlider(5.0, min=0.5, max=10.0, step=0.5, description="init scale"),
        max_norm=widgets.Checkbox(True, description="max_norm = 1"),
        hidden=widgets.IntSlider(8, 2, 100, description="hidden units"),
    )


# ----------------------------------------------------------------------------- lesson 6


def many_classes_task(n_classes: int, seed: int = 0, per_class: int = 10):
    """A synthetic task with `n_classes` Gaussian blobs in 32-D, `per_class` samples each, split
    half and half (stratified) and standardised: (X_train, X_test, y_train, y_test) arrays."""
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
    X, y = make_blobs(
        n_samples=n_classes * per_class, n_features=32, centers=n_classes, cluster_std=3.0,
        random_state=seed,
    )  # fmt: skip
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.5, stratify=y, random_state=seed
    )
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return (X_train - mean) / std, (X_test - mean) / std, y_train, y_test


def many_classes_demo(n_classes: int = 100, dim: int = 16, seed: int = 0) -> dict:
    """Softmax (K outputs) against fixed random codes in `dim` dimensions on `many_classes_task`:
    accuracy, fit time and the size of the output layer of each."""
    X_train, X_test, y_train, y_test = many_classes_task(n_classes, seed)
    result = {}
    for name, model in {
        "softmax": EmbeddingClassifier("softmax", hidden=(64,), lr=1e-2, random_state=seed),
        "fixed codes": EmbeddingClassifier(
            "fixed", codebook="random", dim=dim, hidden=(64,), lr=1e-2, random_state=seed
        ),
    }.items():
        start = time.perf_counter()
        model.fit(X_train, y_train)
        result[name] = {
            "accuracy": model.score(X_test, y_test),
            "fit_seconds": time.perf_counter() - start,
            "output_layer_parameters": sum(p.numel() for p in model.model_[-1].parameters()),
        }
    return result


def many_classes_widget() -> widgets.interactive:
    """Number of classes and code dimension; compares softmax with fixed codes."""

    def show(n_classes, dim):
        result = many_classes_demo(n_classes, dim)
        fig, axes = plt.subplots(1, 3, figsize=(11, 3))
        names = list(result)
        for ax, key in zip(
            axes, ["accuracy", "fit_seconds", "output_layer_parameters"], strict=True
        ):
            ax.bar(names, [result[name][key] for name in names], color=["C0", "C1"])
            ax.set_title(key.replace("_", " "))
        fig.suptitle(f"{n_classes} classes, codes in {dim} dimensions")
        fig.tight_layout()
        plt.show()
        return result

    return interactive_with_errors_shown(
        show,
        n_classes=widgets.SelectionSlider(
            options=(10, 30, 100, 300), value=100, description="classes"
        ),
        dim=widgets.SelectionSlider(
            options=(4, 8, 16, 32, 64, 128), value=16, description="code dim"
        ),
    )
