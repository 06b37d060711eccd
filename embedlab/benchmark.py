"""The benchmark's results as shipped with the package, and its summary table (lesson 6).

`benchmarks/run_benchmark.py` (run by `make bench`) writes `benchmark.csv` here too, so that lesson
6 can read the full results on any machine, Colab included, without rerunning them.
"""

from importlib import resources

import pandas as pd


def load_benchmark_results() -> pd.DataFrame:
    """Per-seed rows: dataset, classifier, seed, accuracy, log_loss, ece, fit_seconds (log loss
    and ECE are NaN for a classifier without `predict_proba`)."""
    with resources.files("embedlab").joinpath("benchmark.csv").open() as handle:
        return pd.read_csv(handle)


def summary_table(results: pd.DataFrame) -> str:
    """Markdown table: per dataset and classifier, accuracy mean ± std, worst seed, mean log loss,
    mean ECE ("–" without `predict_proba`) and median fit time."""
    grouped = results.groupby(["dataset", "classifier"], sort=False)
    summary = grouped.agg(
        mean=("accuracy", "mean"),
        std=("accuracy", "std"),
        worst=("accuracy", "min"),
        log_loss=("log_loss", "mean"),
        ece=("ece", "mean"),
        fit=("fit_seconds", "median"),
    ).reset_index()
    lines = [
        "| dataset | classifier | accuracy (mean ± std) | worst seed | log loss | ECE "
        "| median fit (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in summary.itertuples():
        lines.append(
            f"| {row.dataset} | {row.classifier} | {row.mean:.3f} ± {row.std:.3f} | "
            f"{row.worst:.3f} | {_number(row.log_loss)} | {_number(row.ece)} | {row.fit:.2f} |"
        )
    return "\n".join(lines)


def _number(value: float) -> str:
    return "–" if pd.isna(value) else f"{value:.3f}"
