"""What calibration and the vote cost in time, and what one network costs in honesty.

Below 2,000 rows a default `EmbeddingClassifier` fit trains four networks: one on all the rows and
three out-of-fold ones whose held-out scores fit the temperature and which then vote.
`temperature=1.0, ensemble=False` trains one network and fits nothing. Both against
`MLPClassifier` with its defaults, on lesson 6's four small sets and the hard 15-class set at
1,000 rows (`small_data.dataset`), 3 seeds, the default head (fixed codes), one thread; each fit
timed twice after a warm-up, the faster counts. Reports per set: median fit time ÷
MLPClassifier's, mean log loss ÷ MLPClassifier's, accuracy − MLPClassifier's (points).

Writes benchmarks/results/one_network.csv and one_network.md. Refuses to start on a busy machine
(`--allow-busy`); every row records the load. About 2 minutes on one idle core.
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from machine import load, refuse_if_busy  # benchmarks/machine.py
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.neural_network import MLPClassifier
from small_data import dataset  # benchmarks/small_data.py

from embedlab import EmbeddingClassifier

ROOT = Path(__file__).resolve().parents[1]
SETS = ["iris", "wine", "breast_cancer", "digits", "classes15-1000"]
VARIANTS = {
    "MLPClassifier": lambda seed: MLPClassifier(random_state=seed),
    "default (four networks, calibrated)": lambda seed: EmbeddingClassifier(random_state=seed),
    "one network, T = 1": lambda seed: EmbeddingClassifier(
        temperature=1.0, ensemble=False, random_state=seed
    ),
}


def run(n_seeds: int) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warm_up = dataset("iris", 0)[:2]  # torch's and scikit-learn's first fits pay one-off costs
        MLPClassifier(max_iter=5).fit(*warm_up)
        EmbeddingClassifier(epochs=2).fit(*warm_up)
        rows = []
        for name in SETS:
            for seed in range(n_seeds):
                X_train, y_train, X_test, y_test = dataset(name, seed)
                for variant, make in VARIANTS.items():
                    seconds = []
                    for _ in range(2):
                        model = make(seed)
                        start = time.perf_counter()
                        model.fit(X_train, y_train)
                        seconds.append(time.perf_counter() - start)
                    proba = model.predict_proba(X_test)
                    rows.append(
                        {
                            "dataset": name, "variant": variant, "seed": seed,
                            "accuracy": float(np.mean(model.predict(X_test) == y_test)),
                            "log_loss": log_loss(y_test, proba, labels=model.classes_),
                            "fit_seconds": min(seconds), **load(),
                        }
                    )  # fmt: skip
            print(f"{name}: done", flush=True)
    return pd.DataFrame(rows)


def markdown(results: pd.DataFrame) -> str:
    means = results.groupby(["dataset", "variant"], sort=False).agg(
        accuracy=("accuracy", "mean"), log_loss=("log_loss", "mean"), fit=("fit_seconds", "median")
    )
    variants = [v for v in VARIANTS if v != "MLPClassifier"]
    lines = [
        "| dataset | MLPClassifier fit s | "
        + " | ".join(f"{v}: fit ÷ MLP, log loss ÷ MLP, accuracy − MLP" for v in variants)
        + " |",
        "|---|---|" + "---|" * len(variants),
    ]
    for name in SETS:
        mlp = means.loc[(name, "MLPClassifier")]
        cells = []
        for variant in variants:
            row = means.loc[(name, variant)]
            cells.append(
                f"{row['fit'] / mlp['fit']:.2f}, {row['log_loss'] / mlp['log_loss']:.2f}, "
                f"{100 * (row['accuracy'] - mlp['accuracy']):+.1f}"
            )
        lines.append(f"| {name} | {mlp['fit']:.3f} | " + " | ".join(cells) + " |")
    loads = results["load_1min"]
    return "\n".join(lines) + (
        f"\n\nLoad during the run: {loads.min():.2f}-{loads.max():.2f} (one-minute average; "
        f"{int(results['busy'].sum())} busy rows).\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--allow-busy", action="store_true", help="run on a busy machine anyway")
    args = parser.parse_args()
    refuse_if_busy(args.allow_busy)
    torch.set_num_threads(1)
    results = run(args.seeds)
    out = ROOT / "benchmarks" / "results"
    results.to_csv(out / "one_network.csv", index=False, float_format="%.6g")
    text = markdown(results)
    (out / "one_network.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
