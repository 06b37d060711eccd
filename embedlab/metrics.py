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


def per_seed_table(results: pd.DataFrame, by: str, metric: str = "accuracy") -> pd.DataFrame:
    """`metric` of a tidy (seed, metric, value, `by`) table as one row per seed, one column per
    value of `by` (lesson 2): the layout for comparing methods seed by seed."""
    missing = {"seed", "metric", "value", by} - set(results.columns)
    if missing:
        raise ValueError(f"results has no column(s) {sorted(missing)}")
    data = results[results["metric"] == metric]
    if data.empty:
        raise ValueError(f"results has no rows for metric {metric!r}")
    table = data.pivot(index="seed", columns=by, values="value")
    table.columns.name = by
    return table[list(dict.fromkeys(data[by]))]  # columns in order of first appearance


def paired_differences(table: pd.DataFrame, reference: str) -> pd.DataFrame:
    """Compare every column of a `per_seed_table` with the `reference` column, seed by seed.

    Returns one row per other column: the mean, std, min and max of (column − reference) over
    the seeds both ran, and on how many seeds the column was better, tied or worse. Pairing
    removes what a seed's split does to every method alike (some splits are simply hard).
    """
    if reference not in table.columns:
        raise ValueError(
            f"reference must be one of the columns {list(table.columns)}, got {reference!r}"
        )
    differences = table.drop(columns=reference).sub(table[reference], axis=0)
    rows = {}
    for name, diff in differences.items():
        diff = diff.dropna()
        rows[name] = {
            "mean": diff.mean(),
            "std": diff.std(),
            "min": diff.min(),
            "max": diff.max(),
            "better": int((diff > 1e-12).sum()),
            "tied": int((diff.abs() <= 1e-12).sum()),
            "worse": int((diff < -1e-12).sum()),
            "seeds": len(diff),
        }
    summary = pd.DataFrame.from_dict(rows, orient="index")
    summary.index.name = f"minus {reference}"
    return summary


def relative_separation(vectors) -> float:
    """Smallest pairwise distance over mean pairwise distance of K vectors (K, d), K >= 2.

    A scale-free separation (lesson 5): 1.0 when every pair is equally far apart (a simplex), near
    0 when two vectors merge. Multiplying all vectors by one number leaves it unchanged, so vectors
    that merely grow or shrink together keep their score; raw distances would mix the two.
    """
    vectors = torch.as_tensor(vectors).detach()
    if vectors.ndim != 2 or len(vectors) < 2:
        raise ValueError(f"vectors must be (K >= 2, d), got shape {tuple(vectors.shape)}")
    k = len(vectors)
    upper = torch.triu(torch.ones(k, k, dtype=torch.bool), diagonal=1)
    distances = torch.cdist(vectors, vectors)[upper]
    if not distances.mean() > 0:
        raise ValueError("vectors are all identical: their separation is undefined")
    return float(distances.min() / distances.mean())


def gradient_norm(model: torch.nn.Module) -> float:
    """Euclidean norm of all parameter gradients of `model` together (0.0 before any backward).

    Read it right after `loss.backward()` (or in `train`'s `metric`, which runs after each step,
    before the next one clears the gradients): a sudden jump means a wild step (lesson 4).
    """
    squares = [p.grad.detach().pow(2).sum() for p in model.parameters() if p.grad is not None]
    return float(torch.stack(squares).sum().sqrt()) if squares else 0.0
