"""Every EmbeddingClassifier head against scikit-learn's MLPClassifier at small data, with goals.

Datasets (test rows are never seen by a fit; inputs standardised with training statistics):
- iris, wine, breast_cancer, digits: lesson 6's splits (`embedlab.load_split`, 30 to 898 rows);
- blobs30: `make_blobs`, 30 centres in 8-D, cluster_std 2.5, 1,000 training rows;
- classes15-N: `make_classification`, 15 classes, 20 features (10 informative, 5 redundant),
  2 clusters per class, N = 1,000, 2,000, 10,000 and 50,000 training rows;
the synthetic ones with 5,000 test rows, drawn anew for every seed.

Every head with default settings, MLPClassifier with its own, one thread, each fit timed once after
a warm-up (5 seeds; 3 at 50,000 rows). Goals (issue 22), per dataset and head against
MLPClassifier's seed mean: accuracy within 1 point (from 1,000 training rows on), log loss at most
1.1 times MLPClassifier's, median fit time (calibration included) at most MLPClassifier's.

Writes benchmarks/results/small_data.csv (one row per fit, with the machine's load) and
small_data.md (the goal table). Refuses to start on a busy machine (`--allow-busy`). `--smoke`: one
seed of iris into a temporary folder. `make bench` runs it (about 12 minutes on one idle core).
"""

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from machine import load, refuse_if_busy  # benchmarks/machine.py
from sklearn.datasets import make_blobs, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from embedlab import EmbeddingClassifier, load_split
from embedlab.heads import HEADS

ROOT = Path(__file__).resolve().parents[1]
SMALL_SETS = {"iris": 0.2, "wine": 0.5, "breast_cancer": 0.5, "digits": 0.5}  # train fraction
SIZES = [1_000, 2_000, 10_000, 50_000]
N_TEST = 5_000
SEEDS = {50_000: 3}  # fewer seeds where a seed costs minutes; 5 elsewhere
ACCURACY_FROM = 1_000  # the accuracy goal counts from this many training rows
GOALS = {"accuracy": -0.01, "log_loss": 1.1, "fit": 1.0}


def dataset(name: str, seed: int):
    """(X_train, y_train, X_test, y_test), standardised with the training rows' statistics."""
    if name in SMALL_SETS:
        split = load_split(name, train_fraction=SMALL_SETS[name], seed=seed)
        parts = split.X_train, split.y_train, split.X_test, split.y_test
        return tuple(part.numpy() for part in parts)  # load_split standardises already
    if name == "blobs30":
        n = 1_000
        X, y = make_blobs(n + N_TEST, n_features=8, centers=30, cluster_std=2.5, random_state=seed)
    else:
        n = int(name.split("-")[1])
        X, y = make_classification(
            n + N_TEST, n_features=20, n_informative=10, n_redundant=5, n_classes=15,
            n_clusters_per_class=2, random_state=seed,
        )  # fmt: skip
    scaler = StandardScaler().fit(X[:n])
    return scaler.transform(X[:n]), y[:n], scaler.transform(X[n:]), y[n:]


def classifiers(seed: int) -> dict:
    models = {name: EmbeddingClassifier(name, random_state=seed) for name in HEADS}
    return {**models, "MLPClassifier": MLPClassifier(random_state=seed)}


def run(names: list[str], n_seeds: int) -> pd.DataFrame:
    warm_up = dataset("iris", 0)  # torch's first steps pay a one-off cost: not timed
    for model in classifiers(0).values():
        model.set_params(**({"max_iter": 5} if isinstance(model, MLPClassifier) else {"epochs": 2}))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(*warm_up[:2])
    rows = []
    for name in names:
        n_rows = int(name.split("-")[1]) if "-" in name else None
        for seed in range(min(n_seeds, SEEDS.get(n_rows, n_seeds))):
            X_train, y_train, X_test, y_test = dataset(name, seed)
            for method, model in classifiers(seed).items():
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    model.fit(X_train, y_train)
                seconds = time.perf_counter() - start
                proba = model.predict_proba(X_test)
                rows.append(
                    {
                        "dataset": name,
                        "n_train": len(X_train),
                        "method": method,
                        "seed": seed,
                        "accuracy": float(np.mean(model.predict(X_test) == y_test)),
                        "log_loss": log_loss(y_test, proba, labels=model.classes_),
                        "fit_seconds": seconds,
                        **load(),
                    }
                )
            print(f"{name} seed {seed}: done", flush=True)
    return pd.DataFrame(rows)


def goal_table(results: pd.DataFrame) -> pd.DataFrame:
    """Per dataset and head: accuracy difference to MLPClassifier (points), log-loss ratio, ratio
    of median fit times, and whether each goal is met (None where a goal does not apply)."""
    means = results.groupby(["dataset", "method"], sort=False).agg(
        n_train=("n_train", "first"),
        accuracy=("accuracy", "mean"),
        log_loss=("log_loss", "mean"),
        fit=("fit_seconds", "median"),
    )
    mlp = means.xs("MLPClassifier", level="method")
    table = means.drop("MLPClassifier", level="method").reset_index()
    base = mlp.loc[table["dataset"]].reset_index(drop=True)
    table["accuracy_points"] = 100 * (table["accuracy"] - base["accuracy"])
    table["log_loss_ratio"] = table["log_loss"] / base["log_loss"]
    table["fit_ratio"] = table["fit"] / base["fit"]
    table["accuracy_met"] = (table["accuracy_points"] >= 100 * GOALS["accuracy"]).where(
        table["n_train"] >= ACCURACY_FROM
    )
    table["log_loss_met"] = table["log_loss_ratio"] <= GOALS["log_loss"]
    table["fit_met"] = table["fit_ratio"] <= GOALS["fit"]
    return table


def markdown(table: pd.DataFrame, results: pd.DataFrame) -> str:
    def mark(value):
        return "" if pd.isna(value) else (" ✓" if value else " ✗")

    mlp = results[results["method"] == "MLPClassifier"].groupby("dataset", sort=False)
    lines = [
        "| dataset (training rows) | MLPClassifier: accuracy, log loss, fit s | head | "
        "accuracy − MLP (points) | log loss ÷ MLP | fit time ÷ MLP |",
        "|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        base = mlp.get_group(row.dataset)
        lines.append(
            f"| {row.dataset} ({row.n_train:,}) | {base['accuracy'].mean():.3f}, "
            f"{base['log_loss'].mean():.3f}, {base['fit_seconds'].median():.2f} | {row.method} | "
            f"{row.accuracy_points:+.1f}{mark(row.accuracy_met)} | "
            f"{row.log_loss_ratio:.2f}{mark(row.log_loss_met)} | "
            f"{row.fit_ratio:.2f}{mark(row.fit_met)} |"
        )
    met = {goal: table[f"{goal}_met"].dropna() for goal in ("accuracy", "log_loss", "fit")}
    summary = ", ".join(f"{goal} {int(v.sum())}/{len(v)}" for goal, v in met.items())
    loads = results["load_1min"]
    return (
        "\n".join(lines)
        + f"\n\nGoals met (cells): {summary}. Load during the run: {loads.min():.2f}-"
        f"{loads.max():.2f} (one-minute average; {int(results['busy'].sum())} busy rows).\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--datasets", help="comma-separated names (default: all)")
    parser.add_argument("--smoke", action="store_true", help="one seed of iris, to a temp folder")
    parser.add_argument("--allow-busy", action="store_true", help="run on a busy machine anyway")
    args = parser.parse_args()
    refuse_if_busy(args.smoke or args.allow_busy)
    torch.set_num_threads(1)
    names = [*SMALL_SETS, "blobs30", *(f"classes15-{n}" for n in SIZES)]
    if args.datasets:
        names = args.datasets.split(",")
    out = Path(tempfile.mkdtemp()) if args.smoke else ROOT / "benchmarks" / "results"
    results = run(["iris"] if args.smoke else names, 1 if args.smoke else args.seeds)
    path = out / "small_data.csv"
    if path.exists() and not args.smoke:  # keep the rows of the datasets not run this time
        kept = pd.read_csv(path)
        results = pd.concat([kept[~kept["dataset"].isin(names)], results], ignore_index=True)
    results.to_csv(path, index=False, float_format="%.6g")
    text = markdown(goal_table(results), results)
    (out / "small_data.md").write_text(text)
    print(text)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
