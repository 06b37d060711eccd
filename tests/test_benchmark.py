import subprocess
import sys
from pathlib import Path

import pandas as pd

from embedlab.benchmark import load_benchmark_results, summary_table

ROOT = Path(__file__).resolve().parents[1]


def test_shipped_results_are_the_full_run():
    shipped = load_benchmark_results()
    assert shipped.equals(pd.read_csv(ROOT / "benchmarks" / "results" / "benchmark.csv"))
    assert set(shipped["dataset"]) == {"iris", "wine", "breast_cancer", "digits"}
    assert shipped.groupby(["dataset", "classifier"]).size().eq(10).all()  # 10 seeds each
    assert (ROOT / "benchmarks" / "results" / "benchmark.png").exists()


def test_readme_table_matches_the_results():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- benchmark:start -->\n")[1].split("\n<!-- benchmark:end -->")[0]
    assert table == summary_table(load_benchmark_results())


def test_benchmark_smoke_run():
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run_benchmark.py"), "--smoke"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = Path(result.stdout.strip().splitlines()[-1].removeprefix("wrote "))
    smoke = pd.read_csv(out / "benchmark.csv")
    shipped = load_benchmark_results()
    assert list(smoke.columns) == list(shipped.columns)
    assert set(smoke["dataset"]) == {"iris"} and set(smoke["seed"]) == {0}
    assert sorted(smoke["classifier"]) == sorted(set(shipped["classifier"]))  # one row each
    same = shipped[(shipped["dataset"] == "iris") & (shipped["seed"] == 0)]
    merged = smoke.merge(same, on="classifier", suffixes=("", "_shipped"))
    # the same seed and split as the shipped run: the same accuracy, up to another CPU's rounding
    assert (merged["accuracy"] - merged["accuracy_shipped"]).abs().max() <= 0.05
    assert summary_table(smoke) in result.stdout  # the printed table is the one for these rows
    assert (out / "benchmark.png").exists()


def test_scaling_benchmark_measures_one_fit(tmp_path):
    import importlib.util

    import numpy as np

    spec = importlib.util.spec_from_file_location("scaling", ROOT / "benchmarks" / "scaling.py")
    scaling = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scaling)
    X, y, X_test, y_test = scaling.make_data(300)
    assert X.shape == (300, 20) and X_test.shape == (scaling.N_TEST, 20)
    assert set(np.unique(y)) == set(range(10))
    np.savez(tmp_path / "data.npz", X=X[:300], y=y[:300], X_test=X_test[:500], y_test=y_test[:500])
    row = scaling.one_fit("fixed", 300, tmp_path / "data.npz")
    assert row["n_train"] == 300 and row["classifier"] == "fixed" and row["epochs"] == 100
    assert 0.1 < row["accuracy"] <= 1 and row["fit_memory_mb"] >= 0
