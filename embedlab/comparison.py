"""Lesson 6's comparison with scikit-learn: goals against a reference classifier, seed-by-seed gaps,
a picture per dataset, and why `OutputCodeClassifier` trails on digits.

The results are the benchmark's per-seed rows (`embedlab.benchmark.load_benchmark_results`):
columns dataset, classifier, seed, accuracy, log_loss, ece, fit_seconds.
"""

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OutputCodeClassifier

from embedlab.data import Split
from embedlab.metrics import paired_differences
from embedlab.plots import axes_or_new

OURS = ("softmax", "fixed (simplex)", "gaussian (β-NLL)", "learned (distance CE)")


def _check_results(results: pd.DataFrame, reference: str) -> None:
    missing = {"dataset", "classifier", "seed", "accuracy", "log_loss"} - set(results.columns)
    if missing:
        raise ValueError(f"results has no column(s) {sorted(missing)}")
    if reference not in set(results["classifier"]):
        raise ValueError(f"reference {reference!r} is not a classifier in results")


def goal_table(
    results: pd.DataFrame, reference: str = "MLPClassifier", ours: tuple[str, ...] = OURS
) -> pd.DataFrame:
    """One row per dataset and method of `ours`, measured against `reference` on the same splits.

    mean gap / worst gap: the method's mean and worst-seed accuracy minus the reference's;
    worst paired, better, worse: the accuracy difference seed by seed (same split, same seed) —
    its lowest value, and on how many seeds the method was ahead or behind; log loss ratio: the
    method's mean log loss over the reference's.
    """
    _check_results(results, reference)
    rows = []
    for dataset, data in results.groupby("dataset", sort=False):
        table = data.pivot(index="seed", columns="classifier", values="accuracy")
        paired = paired_differences(table[[reference, *ours]], reference)
        log_loss = data.groupby("classifier")["log_loss"].mean()
        for method in ours:
            rows.append(
                {
                    "dataset": dataset,
                    "method": method,
                    "mean gap": table[method].mean() - table[reference].mean(),
                    "worst gap": table[method].min() - table[reference].min(),
                    "worst paired": paired.loc[method, "min"],
                    "better": paired.loc[method, "better"],
                    "worse": paired.loc[method, "worse"],
                    "log loss ratio": log_loss[method] / log_loss[reference],
                }
            )
    return pd.DataFrame(rows)


def plot_benchmark_dataset(
    results: pd.DataFrame, dataset: str, reference: str = "MLPClassifier", ax=None, ylim=None
):
    """Accuracy per seed (dots) and per classifier mean (black bar) on one dataset, with a dashed
    line at the reference classifier's mean. Give every panel the same `ylim` span to compare."""
    _check_results(results, reference)
    data = results[results["dataset"] == dataset]
    if data.empty:
        raise ValueError(f"results has no rows for dataset {dataset!r}")
    names = list(dict.fromkeys(data["classifier"]))
    ax = axes_or_new(ax, figsize=(6, 3.5))
    for i, name in enumerate(names):
        values = data.loc[data["classifier"] == name, "accuracy"].to_numpy()
        jitter = np.linspace(-0.15, 0.15, len(values))
        ax.scatter(i + jitter, values, s=14, color=f"C{i}", alpha=0.8)
        ax.plot([i - 0.3, i + 0.3], [values.mean()] * 2, color="black", linewidth=2)
    mean = data.loc[data["classifier"] == reference, "accuracy"].mean()
    ax.axhline(mean, color="0.4", linestyle="--", linewidth=1, label=f"{reference} mean")
    ax.set_xticks(range(len(names)), [n.replace(" (", "\n(") for n in names], fontsize="small")
    ax.tick_params(axis="x", labelrotation=45)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_ylabel("test accuracy")
    ax.set_title(f"{dataset} ({data['seed'].nunique()} seeds; bar = mean)")
    ax.legend(fontsize="small", loc="lower left")
    return ax


def output_code_diagnosis(split: Split, code_size: float = 1.5, seed: int = 0) -> dict:
    """Fit scikit-learn's `OutputCodeClassifier(LogisticRegression)` on `split` and take it apart.

    Returns accuracy; bits (binary classifiers); min_hamming, the fewest bits in which two class
    codes differ (0 means two classes share a code); and bit_accuracy / worst_bit_accuracy, how
    often the binary classifiers get their bit of the test samples' code right.
    """
    X_train, y_train = split.X_train.numpy(), split.y_train.numpy()
    X_test, y_test = split.X_test.numpy(), split.y_test.numpy()
    model = OutputCodeClassifier(
        LogisticRegression(max_iter=1000), code_size=code_size, random_state=seed
    ).fit(X_train, y_train)
    codes = model.code_book_
    k = len(codes)
    hamming = [(codes[i] != codes[j]).sum() for i in range(k) for j in range(i + 1, k)]
    bit_accuracy = [
        (estimator.predict(X_test) == codes[y_test, bit]).mean()
        for bit, estimator in enumerate(model.estimators_)
    ]
    return {
        "accuracy": float((model.predict(X_test) == y_test).mean()),
        "bits": codes.shape[1],
        "min_hamming": int(min(hamming)),
        "bit_accuracy": float(np.mean(bit_accuracy)),
        "worst_bit_accuracy": float(np.min(bit_accuracy)),
    }
