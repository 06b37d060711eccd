"""The benchmark's results as shipped with the package, and its summary table (lesson 6).

`benchmarks/run_benchmark.py` (run by `make bench`) writes `benchmark.csv` here too, so that lesson
6 can read the full results on any machine, Colab included, without rerunning them.
"""

from importlib import resources

import pandas as pd


def load_benchmark_results() -> pd.DataFrame:
    """Per-seed rows: dataset, classifier, seed, accuracy, fit_seconds."""
    with resources.files("embedlab").joinpath("benchmark.csv").open() as handle:
        return pd.read_csv(handle)


def summary_table(results: pd.DataFrame) -> str:
    """Markdown table: per dataset and classifier, accuracy mean ± std, worst seed, median fit."""
    grouped = results.groupby(["dataset", "classifier"], sort=False)
    summary = grouped.agg(
        mean=("accuracy", "mean"),
        std=("accuracy", "std"),
        worst=("accuracy", "min"),
        fit=("fit_seconds", "median"),
    ).reset_index()
    lines = [
        "| dataset | classifier | accuracy (mean ± std) | worst seed | median fit (s) |",
        "|---|---|---|---|---|",
    ]
    for row in summary.itertuples():
        lines.append(
            f"| {row.dataset} | {row.classifier} | {row.mean:.3f} ± {row.std:.3f} | "
            f"{row.worst:.3f} | {row.fit:.2f} |"
        )
    return "\n".join(lines)
