"""EmbeddingClassifier against MLPClassifier as the training set grows: 1k, 10k, 100k, 1M rows.

Data: `make_classification` with 10 classes, 20 features (10 informative, 5 redundant), the same
10,000 test rows at every size. Every classifier with default settings, 1 CPU thread. Each fit runs
in a fresh Python process, so that its peak memory (resident set size) can be measured: the
table gives the peak during fit minus the resident size just before fit, after a warm-up fit on
100 rows (torch's one-off start-up, ~1 s and ~85 MB, is not the fit's). `--mlp-max N` skips
MLPClassifier above N rows (default: never); on one idle core it took 48 s at 100k rows and 375 s at
1M, and the whole benchmark about 22 minutes.

Writes benchmarks/results/scaling.csv and scaling.png; `make bench` runs it. `--sizes` picks sizes
(the rows of other sizes are kept); every row records its date and the machine's load, and the run
refuses to start on a busy machine (`--allow-busy`).
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

from machine import load, refuse_if_busy  # benchmarks/machine.py

from embedlab.heads import HEADS

ROOT = Path(__file__).resolve().parents[1]
N_TEST = 10_000
CLASSIFIERS = [*HEADS, "MLPClassifier"]


def make_data(n_train: int):
    from sklearn.datasets import make_classification

    X, y = make_classification(
        n_samples=n_train + N_TEST, n_features=20, n_informative=10, n_redundant=5,
        n_classes=10, random_state=0,
    )  # fmt: skip
    return X[N_TEST:], y[N_TEST:], X[:N_TEST], y[:N_TEST]


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2**20


def one_fit(name: str, n_train: int, data_file: Path) -> dict:
    """Fit one classifier on the n_train rows saved in `data_file`, in this process."""
    import numpy as np
    import torch
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from embedlab import EmbeddingClassifier

    torch.set_num_threads(1)
    with np.load(data_file) as data:  # made by the parent: no generator temporaries in the peak
        X_train, y_train, X_test, y_test = (data[key] for key in ("X", "y", "X_test", "y_test"))

    def make():
        if name == "MLPClassifier":
            return MLPClassifier(random_state=0)
        return EmbeddingClassifier(name, random_state=0)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # warm-up on 100 rows: torch's one-off start-up time and memory are not the fit's
        warm = make().set_params(**({"max_iter": 2} if name == "MLPClassifier" else {"epochs": 2}))
        warm.fit(X_train[:100], y_train[:100])
        model = make()
        before = rss_mb()
        start = time.perf_counter()
        model.fit(X_train, y_train)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    return {
        "n_train": n_train,
        "classifier": name,
        "accuracy": model.score(X_test, y_test),
        "fit_seconds": seconds,
        "fit_memory_mb": max(peak - before, 0.0),
        "epochs": getattr(model, "n_iter_", None),
        "date": time.strftime("%Y-%m-%d"),
        **load(),
    }


def plot(results, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    for name, rows in results.groupby("classifier", sort=False):
        style = "k--" if name == "MLPClassifier" else "-"
        for ax, column in zip(axes, ["accuracy", "fit_seconds", "fit_memory_mb"], strict=True):
            ax.plot(rows["n_train"], rows[column], style, marker="o", label=name)
    axes[0].set_ylabel("test accuracy (10,000 rows)")
    axes[1].set_ylabel("fit time (s, 1 thread)")
    axes[2].set_ylabel("peak memory during fit (MB)")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel("training rows")
    axes[1].set_yscale("log")
    axes[2].set_yscale("log")
    axes[0].legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000, 1_000_000])
    parser.add_argument("--mlp-max", type=int, default=1_000_000)
    parser.add_argument("--one", nargs=3, help=argparse.SUPPRESS)  # classifier, n, data file
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--allow-busy", action="store_true", help="run on a busy machine anyway")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_fit(args.one[0], int(args.one[1]), Path(args.one[2]))))
        return
    refuse_if_busy(args.allow_busy)
    import numpy as np
    import pandas as pd

    kept = pd.DataFrame()
    if (args.out / "scaling.csv").exists():  # keep the rows of the sizes not run this time
        kept = pd.read_csv(args.out / "scaling.csv")
        kept = kept[~kept["n_train"].isin(args.sizes)]
    rows = []
    folder = Path(tempfile.mkdtemp())
    for n in args.sizes:
        X, y, X_test, y_test = make_data(n)
        data_file = folder / f"data_{n}.npz"
        np.savez(data_file, X=X, y=y, X_test=X_test, y_test=y_test)
        for name in CLASSIFIERS:
            if name == "MLPClassifier" and n > args.mlp_max:
                print(f"{n} rows, {name}: skipped (above --mlp-max={args.mlp_max})", flush=True)
                continue
            done = subprocess.run(
                [sys.executable, __file__, "--one", name, str(n), str(data_file)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(rows[-1], flush=True)
            results = pd.concat([kept, pd.DataFrame(rows)], ignore_index=True)  # after every fit:
            results = results.sort_values("n_train", kind="stable")  # a cut-short run keeps rows
            args.out.mkdir(parents=True, exist_ok=True)
            results.to_csv(args.out / "scaling.csv", index=False, float_format="%.6g")
        data_file.unlink()
    plot(results, args.out / "scaling.png")
    print(results.round(3).to_string(index=False))


if __name__ == "__main__":
    main()
