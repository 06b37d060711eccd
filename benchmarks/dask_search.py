"""Wall time of a `GridSearchCV` over `EmbeddingClassifier` on a Dask cluster of 1 and 2 workers.

The README's recipe: a `LocalCluster` on 127.0.0.1 of worker processes with one thread each
(OMP_NUM_THREADS, OPENBLAS_NUM_THREADS and MKL_NUM_THREADS set to 1 in each worker), the search
run under `joblib.parallel_backend("dask")`. The search: digits, half for training (898 rows,
standardised), method in {softmax, fixed} x lr in {1e-3, 3e-3}, cv=3, default settings otherwise
(temperature "auto": each fit includes its three calibration fits): 12 fits and a refit. For
comparison, the same search with joblib's default backend in this process (one thread). Each is
timed `--repeats` times on a warmed-up cluster (its workers have imported torch and embedlab); the
best time counts. Cluster start-up is timed on its own. Every row records the one-minute load.

Needs the dask extra: pip install -c requirements-pinned.txt -e ".[dask]". Not in `make bench`.
Writes benchmarks/results/dask_search.csv. Refuses to start on a busy machine (`--allow-busy`).
"""

import argparse
import os
import time
from pathlib import Path

import dask
import joblib
import pandas as pd
from distributed import Client, LocalCluster
from machine import load, refuse_if_busy  # benchmarks/machine.py
from sklearn.model_selection import GridSearchCV

from embedlab import EmbeddingClassifier, load_split, set_threads

ROOT = Path(__file__).resolve().parents[1]
ONE_THREAD = {  # set before each worker process starts (Dask's default, made explicit)
    f"distributed.nanny.pre-spawn-environ.{name}": 1
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
}
GRID = {"method": ["softmax", "fixed"], "lr": [1e-3, 3e-3]}


def search() -> GridSearchCV:
    return GridSearchCV(EmbeddingClassifier(random_state=0), GRID, cv=3)


def timed_search(X, y) -> tuple[float, GridSearchCV]:
    start = time.perf_counter()
    fitted = search().fit(X, y)
    return time.perf_counter() - start, fitted


def row(backend: str, workers: int, repeat: int, seconds: float) -> dict:
    return {"backend": backend, "workers": workers, "repeat": repeat, "seconds": seconds, **load()}


def on_cluster(workers: int, X, y, repeats: int) -> tuple[list[dict], list[GridSearchCV]]:
    """Rows for starting a cluster of `workers` and for `repeats` searches on it."""
    start = time.perf_counter()
    with (
        dask.config.set(ONE_THREAD),
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        client.run(lambda: __import__("embedlab") and None)  # warm up: imports torch too
        rows = [row("dask start-up", workers, 0, time.perf_counter() - start)]
        fitted = []
        for repeat in range(repeats):
            with joblib.parallel_backend("dask"):
                seconds, result = timed_search(X, y)
            rows.append(row("dask", workers, repeat, seconds))
            fitted.append(result)
    return rows, fitted


def same_search(a: GridSearchCV, b: GridSearchCV) -> bool:
    """Two runs did the same work: same best parameters and the same fold scores."""
    keys = [key for key in a.cv_results_ if key.startswith("split") or key == "mean_test_score"]
    return a.best_params_ == b.best_params_ and all(
        list(a.cv_results_[key]) == list(b.cv_results_[key]) for key in keys
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--allow-busy", action="store_true", help="run on a busy machine anyway")
    args = parser.parse_args()
    refuse_if_busy(args.allow_busy)
    set_threads(1)
    split = load_split("digits", train_fraction=0.5, seed=0)  # standardised with training stats
    X, y = split.X_train.numpy(), split.y_train.numpy()
    rows, fitted = [], []
    for repeat in range(args.repeats):
        seconds, result = timed_search(X, y)
        rows.append(row("default (in-process)", 1, repeat, seconds))
        fitted.append(result)
    for workers in (1, 2):
        more_rows, more_fitted = on_cluster(workers, X, y, args.repeats)
        rows += more_rows
        fitted += more_fitted
    assert all(same_search(fitted[0], other) for other in fitted[1:]), "runs differ"
    results = pd.DataFrame(rows)
    path = ROOT / "benchmarks" / "results" / "dask_search.csv"
    results.to_csv(path, index=False, float_format="%.4g")
    best = results.groupby(["backend", "workers"], sort=False)["seconds"].min()
    print(f"digits, 898 rows, {len(fitted[0].cv_results_['params'])} candidates x 3 folds")
    print(f"best of {args.repeats} (s):\n{best.to_string()}")
    print(f"speed-up, 2 workers over 1: {best['dask', 1] / best['dask', 2]:.2f}x")
    loads = results["load_1min"]
    print(f"one-minute load {loads.min():.2f}-{loads.max():.2f} on {os.cpu_count()} cores")
    print(f"best parameters: {fitted[0].best_params_}; wrote {path}")


if __name__ == "__main__":
    main()
