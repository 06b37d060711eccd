import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import torch

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


def _benchmark(name, monkeypatch):
    """Import benchmarks/<name>.py as its command line does: with benchmarks/ on the path."""
    import importlib.util

    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_small_data_goal_table_marks_each_goal_per_dataset_and_head(monkeypatch):
    import pandas as pd

    small_data = _benchmark("small_data", monkeypatch)
    rows = [
        # dataset, n_train, method, accuracy, log_loss, fit_seconds (two seeds each)
        ("big", 2000, "MLPClassifier", 0.80, 0.50, 2.0),
        ("big", 2000, "MLPClassifier", 0.80, 0.50, 4.0),
        ("big", 2000, "softmax", 0.795, 0.55, 3.0),
        ("big", 2000, "softmax", 0.795, 0.55, 3.0),
        ("big", 2000, "fixed", 0.78, 0.56, 1.0),
        ("big", 2000, "fixed", 0.78, 0.56, 1.0),
        ("tiny", 30, "MLPClassifier", 0.9, 0.2, 0.1),
        ("tiny", 30, "MLPClassifier", 0.9, 0.2, 0.1),
        ("tiny", 30, "softmax", 0.5, 0.2, 0.05),
        ("tiny", 30, "softmax", 0.5, 0.2, 0.05),
    ]
    columns = ["dataset", "n_train", "method", "accuracy", "log_loss", "fit_seconds"]
    results = pd.DataFrame(rows, columns=columns).assign(load_1min=0.5, busy=False)
    table = small_data.goal_table(results).set_index(["dataset", "method"])
    softmax, fixed = table.loc[("big", "softmax")], table.loc[("big", "fixed")]
    assert softmax["accuracy_points"] == pytest.approx(-0.5)
    assert softmax["log_loss_ratio"] == pytest.approx(1.1) and softmax["log_loss_met"]
    assert softmax["fit_ratio"] == pytest.approx(1.0) and softmax["fit_met"]  # median 3 vs 3
    assert softmax["accuracy_met"] == True  # noqa: E712  (within 1 point)
    assert fixed["accuracy_met"] == False and not fixed["log_loss_met"]  # noqa: E712
    tiny = table.loc[("tiny", "softmax")]
    assert pd.isna(tiny["accuracy_met"])  # below 1,000 rows the accuracy goal does not count
    text = small_data.markdown(small_data.goal_table(results), results)
    assert "Goals met (cells): accuracy 1/2, log_loss 2/3, fit 3/3" in text


def test_benchmarks_refuse_a_busy_machine_unless_told(monkeypatch):
    machine = _benchmark("machine", monkeypatch)
    monkeypatch.setattr(machine, "cores_in_use", lambda seconds=2.0: 1.2)
    with pytest.raises(SystemExit, match="busy"):
        machine.refuse_if_busy(False)
    machine.refuse_if_busy(True)  # allowed: runs, and every row records the load
    monkeypatch.setattr(machine, "cores_in_use", lambda seconds=2.0: 0.1)
    machine.refuse_if_busy(False)
    assert set(machine.load()) == {"load_1min", "busy", "threads"}


def test_scaling_benchmark_measures_one_fit(tmp_path, monkeypatch):
    import numpy as np

    scaling = _benchmark("scaling", monkeypatch)
    X, y, X_test, y_test = scaling.make_data(300)
    assert X.shape == (300, 20) and X_test.shape == (scaling.N_TEST, 20)
    assert set(np.unique(y)) == set(range(10))
    np.savez(tmp_path / "data.npz", X=X[:300], y=y[:300], X_test=X_test[:500], y_test=y_test[:500])
    row = scaling.one_fit("fixed", 300, tmp_path / "data.npz")
    assert row["n_train"] == 300 and row["classifier"] == "fixed" and row["epochs"] == 100
    assert 0.1 < row["accuracy"] <= 1 and row["fit_memory_mb"] >= 0


def test_step_memory_counts_state_exactly_and_measures_the_steps_own_peak(monkeypatch):
    step_memory = _benchmark("step_memory", monkeypatch)
    from embedlab.many_classes import glyph_head

    torch.set_num_threads(1)
    fixed = step_memory.step_memory(glyph_head("fixed", 256, 2000, dim=64))
    size = (256 * 64 + 64) * 4  # float32 weight and bias; the codes are not trained
    assert (fixed["parameter_bytes"], fixed["gradient_bytes"]) == (size, size)
    assert fixed["optimizer_bytes"] == 2 * size  # Adam's two moments (its step counter left out)
    softmax = step_memory.step_memory(glyph_head("softmax", 256, 2000))
    logits = 256 * 2000 * 4  # a batch of 256 rows, 2000 logits each
    assert softmax["parameter_bytes"] == (256 * 2000 + 2000) * 4
    assert 2 * logits <= softmax["step_peak_bytes"] < 20 * logits  # logits, their gradient, ...
    assert fixed["step_peak_bytes"] < logits / 4  # MSE onto the row's own code: no K-wide tensor
    with step_memory.PeakAllocation() as peak:
        torch.ones(1_000_000)  # 4 MB
    assert 4_000_000 <= peak.peak < 4_100_000


@pytest.mark.parametrize("method", ["softmax", "fixed", "cosine", "learned", "learned_cosine"])
def test_exact_decoding_is_the_best_class_by_each_heads_comparison(monkeypatch, method):
    decoding = _benchmark("decoding", monkeypatch)
    vectors, bias, queries = decoding.decoding_case(method, 300, n_queries=50)
    compare = decoding.DECODERS[method][1]
    found = decoding.exact_decode(vectors, bias, queries, compare)
    if compare == "inner product":
        expected = (queries @ vectors.T + bias).argmax(1)
    elif compare == "distance":
        expected = torch.cdist(queries.double(), vectors.double()).argmin(1)
    else:
        expected = torch.nn.functional.cosine_similarity(
            queries[:, None].double(), vectors[None].double(), dim=-1
        ).argmax(1)
    assert torch.equal(found, expected)


def test_ensemble_table_compares_one_network_and_the_vote_per_head(monkeypatch):
    import pandas as pd

    ensemble = _benchmark("ensemble", monkeypatch)
    rows = [("set", 100, 0, "MLPClassifier", "-", 0.90, 0.50)]
    for method in ensemble.HEADS:
        rows += [
            ("set", 100, 0, method, "single", 0.88, 0.60),  # 1.2x MLPClassifier's log loss
            ("set", 100, 0, method, "ensemble", 0.91, 0.54),  # 1.08x
        ]
    columns = ["dataset", "n_train", "seed", "method", "predictor", "accuracy", "log_loss"]
    text = ensemble.markdown(pd.DataFrame(rows, columns=columns))
    assert "| set (100) | softmax | -2.0 → +1.0 | 1.20 → 1.08 ✓ |" in text
    assert f"Met in 0 of {len(ensemble.HEADS)} cells by one network, {len(ensemble.HEADS)}" in text


def test_one_network_table_divides_by_mlpclassifier(monkeypatch):
    import pandas as pd

    one_network = _benchmark("one_network", monkeypatch)
    rows = []
    for name in one_network.SETS:
        for variant, (accuracy, loss, seconds) in zip(
            one_network.VARIANTS,
            [(0.9, 0.2, 0.1), (0.92, 0.18, 0.2), (0.89, 0.5, 0.09)],
            strict=True,
        ):
            rows.append((name, variant, 0, accuracy, loss, seconds, 0.5, False))
    columns = ["dataset", "variant", "seed", "accuracy", "log_loss", "fit_seconds"]
    results = pd.DataFrame(rows, columns=[*columns, "load_1min", "busy"])
    text = one_network.markdown(results)
    assert "| iris | 0.100 | 2.00, 0.90, +2.0 | 0.90, 2.50, -1.0 |" in text
