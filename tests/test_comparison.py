"""Lesson 6's comparison tables and diagnosis, on small hand-made results."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from embedlab.comparison import goal_table, output_code_diagnosis, plot_benchmark_dataset


def fake_results():
    rows = []
    for seed, (mlp, ours) in enumerate([(0.90, 0.92), (0.80, 0.78), (0.85, 0.85)]):
        rows.append(("toy", "MLPClassifier", seed, mlp, 0.2))
        rows.append(("toy", "softmax", seed, ours, 0.3))
    return pd.DataFrame(rows, columns=["dataset", "classifier", "seed", "accuracy", "log_loss"])


def test_goal_table_compares_means_worst_seeds_and_seed_by_seed():
    row = goal_table(fake_results(), ours=("softmax",)).iloc[0]
    assert row["mean gap"] == pytest.approx(0.0)
    assert row["worst gap"] == pytest.approx(-0.02)
    assert row["worst paired"] == pytest.approx(-0.02)
    assert (row["better"], row["worse"]) == (1, 1)
    assert row["log loss ratio"] == pytest.approx(1.5)


def test_goal_table_names_a_missing_reference():
    with pytest.raises(ValueError, match="reference 'LogisticRegression'"):
        goal_table(fake_results(), reference="LogisticRegression", ours=("softmax",))


def test_plot_benchmark_dataset_marks_means_and_the_reference():
    ax = plot_benchmark_dataset(fake_results(), "toy", ylim=(0.5, 1.0))
    assert ax.get_ylim() == (0.5, 1.0)
    means = [line.get_ydata()[0] for line in ax.lines if line.get_color() == "black"]
    assert means == pytest.approx([0.85, 0.85])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["MLPClassifier mean"]
    with pytest.raises(ValueError, match="dataset 'none'"):
        plot_benchmark_dataset(fake_results(), "none")
    plt.close("all")


def test_output_code_diagnosis_on_iris(iris):
    result = output_code_diagnosis(iris, code_size=1.5, seed=0)
    assert result["bits"] == 4
    assert 0 <= result["min_hamming"] <= 4
    assert (
        0.5 < result["bit_accuracy"] <= 1 and result["worst_bit_accuracy"] <= result["bit_accuracy"]
    )
    more = output_code_diagnosis(iris, code_size=4, seed=0)
    assert more["bits"] == 12
