"""`GridSearchCV` over `EmbeddingClassifier` runs on a Dask cluster through joblib's "dask" backend.

A two-worker `LocalCluster` on 127.0.0.1 (the README's recipe): every fit of the search runs in a
worker process, with one torch thread and one BLAS thread (two workers on two cores must not
oversubscribe them), and the search finds the same best parameters and the same scores as
joblib's default backend in this process. Closing the cluster leaves no worker behind.

Skipped without Dask (`pip install -c requirements-pinned.txt -e ".[dask]"`); with
EMBEDLAB_REQUIRE_DASK=1 a missing Dask fails instead.
"""

import os
import socket
import sys

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris
from sklearn.model_selection import GridSearchCV
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_info

from embedlab import EmbeddingClassifier

INSTALL = 'pip install -c requirements-pinned.txt -e ".[dask]"'
try:
    import cloudpickle
    import dask
    import distributed
    import joblib
    import psutil
except ImportError:
    if os.environ.get("EMBEDLAB_REQUIRE_DASK") == "1":
        raise
    pytest.skip(f"Dask is not installed: {INSTALL}", allow_module_level=True)

GRID = {"method": ["softmax", "fixed"], "lr": [1e-2, 3e-2]}
# Set before each worker process starts (Dask's default, made explicit): torch and every BLAS
# library then use one thread per task. Dask's `env=` argument comes too late for NumPy's
# OpenBLAS (set after the worker has imported NumPy; measured: 2 threads).
ONE_THREAD = {
    f"distributed.nanny.pre-spawn-environ.{name}": 1
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
}
SETTINGS = {"hidden": (16,), "epochs": 15, "temperature": 1.0, "random_state": 0}


class RecordingClassifier(EmbeddingClassifier):
    """`EmbeddingClassifier` that remembers which process fitted it and with how many threads."""

    def fit(self, X, y):
        self.fit_pid_ = os.getpid()
        blas = [pool["num_threads"] for pool in threadpool_info()]
        self.fit_threads_ = max([torch.get_num_threads(), *blas])
        return super().fit(X, y)


def fit_pid(estimator, X, y):
    """A "score" that reports the process the fold's fit ran in."""
    return estimator.fit_pid_


def fit_threads(estimator, X, y):
    """A "score" that reports the most threads torch or a BLAS library had during the fit."""
    return estimator.fit_threads_


def search() -> GridSearchCV:
    scoring = {
        "log_loss": "neg_log_loss",
        "accuracy": "accuracy",
        "pid": fit_pid,
        "threads": fit_threads,
    }
    return GridSearchCV(
        RecordingClassifier(**SETTINGS), GRID, cv=3, scoring=scoring, refit="log_loss"
    )


@pytest.fixture(scope="module")
def data():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def cluster():
    """The README's cluster: two worker processes of one thread, torch and BLAS on one thread."""
    # The workers unpickle RecordingClassifier: ship this module's code to them by value.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    with dask.config.set(ONE_THREAD):
        local = distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
    client = distributed.Client(local)
    try:
        yield client
    finally:
        pids = set(client.run(os.getpid).values())
        port = int(local.scheduler_address.rsplit(":", 1)[1])
        client.close()
        local.close()
        cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
        assert not [pid for pid in pids if alive(pid)], "a worker outlived its cluster"
        with pytest.raises(ConnectionRefusedError):  # the scheduler's port is closed
            socket.create_connection(("127.0.0.1", port), timeout=1).close()


def alive(pid: int) -> bool:
    """Whether process `pid` still runs (a zombie waiting to be reaped does not)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture(scope="module")
def on_dask(cluster, data):
    with joblib.parallel_backend("dask"):
        return search().fit(*data)


@pytest.fixture(scope="module")
def on_default_backend(data):
    return search().fit(*data)


def test_the_cluster_listens_on_localhost_only(cluster):
    info = cluster.scheduler_info()
    addresses = [info["address"], *info["workers"]]
    assert all(address.startswith("tcp://127.0.0.1:") for address in addresses), addresses


def test_every_fit_runs_in_a_worker_process(cluster, on_dask):
    workers = set(cluster.run(os.getpid).values())
    splits = [on_dask.cv_results_[f"split{i}_test_pid"] for i in range(3)]
    fitted_in = {int(pid) for split in splits for pid in split}
    assert len(workers) == 2 and os.getpid() not in workers
    assert fitted_in == workers, f"fits ran in {fitted_in}, workers are {workers}"


def test_each_fit_on_a_worker_uses_one_thread(on_dask):
    threads = {int(n) for i in range(3) for n in on_dask.cv_results_[f"split{i}_test_threads"]}
    assert threads == {1}, f"fits on the workers ran with {max(threads)} torch or BLAS threads"


def test_dask_finds_what_the_default_backend_finds(on_dask, on_default_backend):
    assert (
        on_dask.best_params_ == on_default_backend.best_params_ == {"lr": 0.03, "method": "softmax"}
    )
    assert on_dask.best_index_ == on_default_backend.best_index_
    dask_results, local_results = on_dask.cv_results_, on_default_backend.cv_results_
    assert dask_results["params"] == local_results["params"]
    for name in ("log_loss", "accuracy"):
        for key in (f"mean_test_{name}", *(f"split{i}_test_{name}" for i in range(3))):
            np.testing.assert_allclose(dask_results[key], local_results[key], rtol=0, atol=1e-9)
        assert list(dask_results[f"rank_test_{name}"]) == list(local_results[f"rank_test_{name}"])


def test_the_refitted_model_predicts_as_the_default_backend_one(on_dask, on_default_backend, data):
    X, _ = data
    np.testing.assert_allclose(
        on_dask.predict_proba(X), on_default_backend.predict_proba(X), rtol=0, atol=1e-9
    )
