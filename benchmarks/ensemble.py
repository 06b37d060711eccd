"""Does averaging the four networks of a small fit make the probabilities more honest?

Below 2,000 rows `EmbeddingClassifier` trains a network on all the rows and three out-of-fold
networks whose held-out scores fit the temperature. With `ensemble=True` (the default) the
predictions average the four networks' scores; with `ensemble=False` only the first predicts.
Both train the same four networks, so one fit gives both answers: the single network is
`model_` at `temperature_`, the ensemble is `predict_proba`.

From 2,000 to 10,000 rows the fit trains two networks: one on 90 % of the rows, whose best epoch
on the 10 % slice sets the number of epochs (and whose slice scores fit the temperature), then one
on all the rows for that many epochs; the ensemble averages those two.

Datasets (`small_data.dataset`): lesson 6's four small sets; 30 blobs in 8-D at 500 and 1,000
training rows; the hard 15-class set at 1,000 and 2,000 rows (2,000: early stopping, two
networks). 5 seeds, every head, default settings; MLPClassifier with its own defaults as the
yardstick. Writes
benchmarks/results/ensemble.csv (one row per fit; a run of some `--datasets` keeps the others' rows)
and ensemble.md (seed means: accuracy in points and log loss ÷ MLPClassifier's, one network and
the ensemble). No timings: it can run beside anything (about 12 minutes on one core).
"""

import argparse
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.datasets import make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from small_data import N_TEST, SMALL_SETS, dataset  # benchmarks/small_data.py

from embedlab import EmbeddingClassifier
from embedlab.calibration import softmax_with_temperature
from embedlab.heads import HEADS

ROOT = Path(__file__).resolve().parents[1]
BLOBS = "blobs30-500"
DATASETS = [*SMALL_SETS, BLOBS, "blobs30", "classes15-1000", "classes15-2000"]


def data(name: str, seed: int):
    if name != BLOBS:
        return dataset(name, seed)
    X, y = make_blobs(500 + N_TEST, n_features=8, centers=30, cluster_std=2.5, random_state=seed)
    scaler = StandardScaler().fit(X[:500])
    return scaler.transform(X[:500]), y[:500], scaler.transform(X[500:]), y[500:]


def run(names: list[str], n_seeds: int) -> pd.DataFrame:
    rows = []
    for name in names:
        for seed in range(n_seeds):
            X_train, y_train, X_test, y_test = data(name, seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                mlp = MLPClassifier(random_state=seed).fit(X_train, y_train)
            base = {"dataset": name, "n_train": len(X_train), "seed": seed}
            rows.append(
                {
                    **base, "method": "MLPClassifier", "predictor": "-",
                    "accuracy": mlp.score(X_test, y_test),
                    "log_loss": log_loss(y_test, mlp.predict_proba(X_test), labels=mlp.classes_),
                }
            )  # fmt: skip
            for method in HEADS:
                model = EmbeddingClassifier(method, random_state=seed).fit(X_train, y_train)
                with torch.no_grad():
                    single = model.model_.scores(torch.as_tensor(X_test, dtype=torch.float64))
                answers = {
                    "single": softmax_with_temperature(single.numpy(), model.temperature_),
                    "ensemble": model.predict_proba(X_test),
                }
                for predictor, proba in answers.items():
                    predicted = model.classes_[proba.argmax(axis=1)]
                    rows.append(
                        {
                            **base, "method": method, "predictor": predictor,
                            "accuracy": float(np.mean(predicted == y_test)),
                            "log_loss": log_loss(y_test, proba, labels=model.classes_),
                        }
                    )  # fmt: skip
            print(f"{name} seed {seed}: done", flush=True)
    return pd.DataFrame(rows)


def markdown(results: pd.DataFrame) -> str:
    means = results.groupby(["dataset", "method", "predictor"], sort=False)[
        ["n_train", "accuracy", "log_loss"]
    ].mean()
    lines = [
        "| dataset (training rows) | head | accuracy − MLP, single → ensemble (points) | "
        "log loss ÷ MLP, single → ensemble |",
        "|---|---|---|---|",
    ]
    for name in results["dataset"].unique():
        mlp = means.loc[(name, "MLPClassifier", "-")]
        for method in HEADS:
            single = means.loc[(name, method, "single")]
            ensemble = means.loc[(name, method, "ensemble")]
            points = [100 * (part["accuracy"] - mlp["accuracy"]) for part in (single, ensemble)]
            ratios = [part["log_loss"] / mlp["log_loss"] for part in (single, ensemble)]
            lines.append(
                f"| {name} ({int(mlp['n_train']):,}) | {method} | {points[0]:+.1f} → "
                f"{points[1]:+.1f} | {ratios[0]:.2f} → {ratios[1]:.2f}"
                f"{' ✓' if ratios[1] <= 1.1 else ' ✗'} |"
            )
    met = {
        who: sum(
            means.loc[(name, method, who), "log_loss"]
            <= 1.1 * means.loc[(name, "MLPClassifier", "-"), "log_loss"]
            for name in results["dataset"].unique()
            for method in HEADS
        )
        for who in ("single", "ensemble")
    }
    cells = len(lines) - 2
    return "\n".join(lines) + (
        "\n\n✓: log loss at most 1.1 times MLPClassifier's (the goal). Met in "
        f"{met['single']} of {cells} cells by one network, {met['ensemble']} by the ensemble.\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--datasets", help="comma-separated names (default: all)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    names = args.datasets.split(",") if args.datasets else DATASETS
    results = run(names, args.seeds)
    path = ROOT / "benchmarks" / "results" / "ensemble.csv"
    if path.exists():  # keep the rows of the datasets not run this time
        kept = pd.read_csv(path)
        results = pd.concat([kept[~kept["dataset"].isin(names)], results], ignore_index=True)
    results.to_csv(path, index=False, float_format="%.6g")
    text = markdown(results)
    path.with_suffix(".md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
