"""How good is a classifier, and how sure are we? (introduced in lesson 2)

Scores of one run (accuracy, macro and micro precision and recall, a labelled confusion matrix)
and the tools for not trusting one run: `repeat_over_seeds` runs an experiment for many seeds and
returns a tidy table; `summarize` turns it into mean, std and worst seed per metric.
"""

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import confusion_matrix, precision_score, recall_score, roc_auc_score

from embedlab.data import check_labels


def _as_label_pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    y_true = check_labels(y_true, name="y_true").numpy()
    y_pred = check_labels(y_pred, name="y_pred").numpy()
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and y_pred have different lengths: {len(y_true)} and {len(y_pred)}"
        )
    if len(y_true) == 0:
        raise ValueError("y_true and y_pred are empty")
    return y_true, y_pred


def accuracy(y_true, y_pred) -> float:
    """Fraction of labels predicted right; y_true and y_pred are (n,) integer labels."""
    y_true, y_pred = _as_label_pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred))


def classification_scores(y_true, y_pred) -> dict[str, float]:
    """Accuracy plus macro and micro precision and recall of integer labels (n,).

    Macro averages the per-class scores (each class counts the same); micro pools all decisions,
    which for single-label multi-class data equals accuracy.
    """
    y_true, y_pred = _as_label_pair(y_true, y_pred)
    scores = {"accuracy": float(np.mean(y_true == y_pred))}
    for average in ("macro", "micro"):
        scores[f"{average}_precision"] = float(
            precision_score(y_true, y_pred, average=average, zero_division=0)
        )
        scores[f"{average}_recall"] = float(
            recall_score(y_true, y_pred, average=average, zero_division=0)
        )
    return scores


def confusion_frame(y_true, y_pred, class_names: list[str]) -> pd.DataFrame:
    """Confusion counts as a DataFrame: rows are true classes, columns predicted classes."""
    y_true, y_pred = _as_label_pair(y_true, y_pred)
    k = len(class_names)
    check_labels(y_true, n_classes=k, name="y_true")  # k = len(class_names)
    check_labels(y_pred, n_classes=k, name="y_pred")
    counts = confusion_matrix(y_true, y_pred, labels=list(range(k)))
    return pd.DataFrame(
        counts,
        index=pd.Index(class_names, name="true"),
        columns=pd.Index(class_names, name="predicted"),
    )


def repeat_over_seeds(
    experiment: Callable[[int], dict[str, float]], seeds: Iterable[int]
) -> pd.DataFrame:
    """Run `experiment(seed)` for each seed; return a tidy table with columns seed, metric, value.

    `experiment` returns a dict of named numbers, e.g. {"accuracy": 0.95, "final_loss": 0.1}.
    """
    rows = []
    for seed in seeds:
        result = experiment(int(seed))
        if not isinstance(result, dict) or not result:
            raise TypeError(
                "experiment(seed) must return a non-empty dict of metric name -> number"
            )
        for name, value in result.items():
            value = value.item() if isinstance(value, torch.Tensor) else value
            rows.append({"seed": int(seed), "metric": name, "value": float(value)})
    if not rows:
        raise ValueError("seeds is empty")
    return pd.DataFrame(rows)


def summarize(results: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Mean, std, min and max of `value` per metric (and per extra columns `by`).

    For accuracy, `min` is the worst seed: the number to quote next to the mean.
    """
    if not isinstance(results, pd.DataFrame):
        raise TypeError(
            "results must be a DataFrame like repeat_over_seeds returns, "
            f"got {type(results).__name__}"
        )
    by = list(by or []) + ["metric"]
    missing = {"value", *by} - set(results.columns)
    if missing:
        raise ValueError(f"results has no column(s) {sorted(missing)}")
    grouped = results.groupby(by, sort=False)["value"]
    return grouped.agg(mean="mean", std="std", min="min", max="max", seeds="count").reset_index()


def _check_scores_and_flags(scores, flags, names: str) -> tuple[np.ndarray, np.ndarray]:
    scores = np.asarray(scores.detach() if isinstance(scores, torch.Tensor) else scores, float)
    flags = np.asarray(flags.detach() if isinstance(flags, torch.Tensor) else flags).astype(bool)
    if scores.ndim != 1 or scores.shape != flags.shape:
        raise ValueError(
            f"{names} must be 1-D arrays of one length, got shapes {scores.shape} and {flags.shape}"
        )
    if not np.all(np.isfinite(scores)):
        raise ValueError(f"{names.split()[0]} contains NaN or infinite values")
    return scores, flags


def uncertainty_auroc(uncertainty, is_wrong) -> float:
    """Area under the ROC curve of `uncertainty` (n,) for flagging wrong predictions (n,) bool.

    1.0: every mistake is more uncertain than every correct prediction; 0.5: no better than chance.
    NaN when all predictions are right (or all wrong): there is nothing to flag.
    """
    uncertainty, is_wrong = _check_scores_and_flags(
        uncertainty, is_wrong, "uncertainty and is_wrong"
    )
    if is_wrong.all() or not is_wrong.any():
        return float("nan")
    return float(roc_auc_score(is_wrong, uncertainty))


def accuracy_coverage(uncertainty, is_correct) -> pd.DataFrame:
    """Accuracy on the most certain fraction of predictions, for every fraction (coverage).

    Sort by uncertainty (n,), keep the k most certain, report their accuracy: a useful uncertainty
    makes accuracy rise as coverage falls. Columns: coverage, accuracy.
    """
    uncertainty, is_correct = _check_scores_and_flags(
        uncertainty, is_correct, "uncertainty and is_correct"
    )
    order = np.argsort(uncertainty, kind="stable")
    kept = np.arange(1, len(order) + 1)
    return pd.DataFrame(
        {"coverage": kept / len(order), "accuracy": np.cumsum(is_correct[order]) / kept}
    )
