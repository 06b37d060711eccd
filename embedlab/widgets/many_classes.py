"""Lesson 6's playground: many classes, softmax against fixed codes."""

import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
from sklearn.datasets import make_blobs
from sklearn.model_selection import train_test_split

from embedlab.estimator import EmbeddingClassifier
from embedlab.playground import Playground


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


def many_classes_widget() -> Playground:
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
        return result

    return Playground(
        show,
        n_classes=widgets.SelectionSlider(
            options=(10, 30, 100, 300), value=100, description="classes"
        ),
        dim=widgets.SelectionSlider(
            options=(4, 8, 16, 32, 64, 128), value=16, description="code dim"
        ),
    )
