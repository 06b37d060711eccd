import numpy as np
import pandas as pd
import pytest
import torch

from embedlab import plots
from embedlab.calibration import expected_calibration_error, reliability_table
from embedlab.metrics import confusion_frame, repeat_over_seeds
from embedlab.training import History


def test_points_coloured_by_class():
    ax = plots.plot_points_2d(torch.randn(9, 2), torch.tensor([0, 1, 2] * 3), ["a", "b", "c"])
    assert len(ax.collections) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c"]


def test_points_must_be_2d():
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        plots.plot_points_2d(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="labels has 2 entries"):
        plots.plot_points_2d(np.zeros((4, 2)), [0, 1])


def test_training_curves_one_line_per_history():
    ax = plots.plot_training_curves(
        {"a": History(loss=[3, 2, 1]), "b": History(loss=[2, 1])}, log=True
    )
    assert len(ax.lines) == 2 and ax.get_yscale() == "log"


def test_confusion_heatmap_shows_counts():
    ax = plots.plot_confusion(confusion_frame([0, 1, 1], [0, 1, 0], ["a", "b"]))
    assert sorted(t.get_text() for t in ax.texts) == ["0", "1", "1", "1"]


def test_seed_results_strip():
    results = repeat_over_seeds(lambda s: {"accuracy": 0.9}, range(3)).assign(method="m")
    ax = plots.plot_seed_results(results, x="method")
    assert ax.get_ylabel() == "accuracy"
    with pytest.raises(ValueError, match="no rows for metric 'loss'"):
        plots.plot_seed_results(results, x="method", metric="loss")


def test_embedding_table_marks_the_padding_row():
    ax = plots.plot_embedding_table(torch.randn(4, 2), padding_idx=2)
    assert "2 (pad)" in [t.get_text() for t in ax.texts]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("coordinate 0", "coordinate 1")
    with pytest.raises(ValueError, match="rows, 2"):
        plots.plot_embedding_table(torch.randn(4, 3))


def test_embedding_space_marks_codes_regions_and_ellipses():
    outputs = torch.randn(12, 2)
    labels = torch.arange(12) % 3
    codes = torch.tensor([[1.0, 0.0], [-0.5, 0.87], [-0.5, -0.87]])
    ax = plots.plot_embedding_space(
        outputs, labels, codes, ["a", "b", "c"], variance=torch.rand(12, 2)
    )
    assert len(ax.patches) == 12  # one ellipse per point
    kinds = [type(c).__name__ for c in ax.collections]
    assert kinds == ["QuadContourSet"] + ["PathCollection"] * 6  # regions, 3 clouds + 3 stars
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("output 1", "output 2")  # axes say what they show
    stars = [c for c in ax.collections[1:] if len(c.get_offsets()) == 1]
    assert [tuple(c.get_offsets()[0]) for c in stars] == [tuple(row.tolist()) for row in codes]
    with pytest.raises(ValueError, match="2-D points"):
        plots.plot_embedding_space(torch.randn(4, 3), labels[:4], torch.randn(3, 3))


def test_accuracy_coverage_and_uncertainty_plots():
    from embedlab.metrics import accuracy_coverage

    curve = accuracy_coverage([0.1, 0.5, 0.3], [True, False, True])
    ax = plots.plot_accuracy_coverage({"variance": curve})
    assert len(ax.lines) == 1 and ax.xaxis_inverted()
    ax = plots.plot_uncertainty_by_correctness(np.array([0.1, 0.5, 0.3]), np.array([1, 0, 1]))
    assert ax.get_yscale() == "log"


def test_code_trajectories():
    ax = plots.plot_code_trajectories(torch.randn(5, 3, 2), ["a", "b", "c"])
    assert len(ax.lines) == 3
    with pytest.raises(ValueError, match="snapshots, K, 2"):
        plots.plot_code_trajectories(torch.randn(5, 3))


def test_wrap_xticklabels_breaks_long_names():
    results = repeat_over_seeds(lambda s: {"accuracy": 0.9}, range(2))
    results = pd.concat([results.assign(m="random, dim 2"), results.assign(m="simplex, dim 2")])
    ax = plots.wrap_xticklabels(plots.plot_seed_results(results, x="m"), width=8)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["random,\ndim 2", "simplex,\ndim 2"]


def test_paired_differences_plot_one_strip_per_method_and_a_zero_line():
    table = pd.DataFrame({"ref": [0.9, 0.8, 0.7], "a": [0.95, 0.8, 0.6], "b": [0.9, 0.9, 0.9]})
    ax = plots.plot_paired_differences(table, reference="ref")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b"]
    assert any(list(line.get_ydata()) == [0, 0] for line in ax.lines)  # the zero line
    dots = [c.get_offsets()[:, 1] for c in ax.collections if len(c.get_offsets()) == 3]
    assert sorted(np.round(dots[0], 4)) == [-0.1, 0.0, 0.05]
    with pytest.raises(ValueError, match="reference"):
        plots.plot_paired_differences(table, reference="c")


def test_paired_differences_keep_the_seed_plot_colours():
    import seaborn as sns

    table = pd.DataFrame({"ref": [0.9, 0.8], "a": [0.95, 0.8], "b": [0.9, 0.9]})
    ax = plots.plot_paired_differences(table, reference="ref")
    strips = [c for c in ax.collections if len(c.get_offsets()) == 2]
    palette = sns.color_palette(n_colors=3)
    assert np.allclose(strips[0].get_facecolor()[0][:3], palette[1])  # "a" is the 2nd column
    assert np.allclose(strips[1].get_facecolor()[0][:3], palette[2])


def test_reliability_diagram_points_and_legend():
    proba = np.array([[0.95, 0.05], [0.95, 0.05], [0.35, 0.65], [0.35, 0.65]])
    y_true = np.array([0, 0, 0, 1])
    ax = plots.plot_reliability(y_true, proba, label="model")
    assert len(ax.lines) == 2  # the diagonal and the model's line
    assert ax.lines[1].get_xdata().tolist() == pytest.approx([0.65, 0.95])
    assert ax.lines[1].get_ydata().tolist() == pytest.approx([0.5, 1.0])
    texts = [text.get_text() for text in ax.get_legend().get_texts()]
    assert texts == ["model ECE 0.100", "a bin with 50 % of points"]
    key = ax.get_legend().legend_handles[-1]
    assert key.get_sizes().tolist() == [110.0]  # the area of a bin holding half the points
    bins = ax.collections[1].get_sizes().tolist()
    assert bins == [110.0, 110.0]  # two bins, two points each
    plots.plot_reliability(y_true, proba[:, ::-1], label="flipped", ax=ax)
    assert len(ax.lines) == 3  # no second diagonal
    texts = [text.get_text() for text in ax.get_legend().get_texts()]
    assert texts.count("a bin with 50 % of points") == 1


def test_reliability_diagram_ece_uses_the_plotted_bins():
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.ones(3), size=200)
    y_true = rng.integers(0, 3, size=200)
    for n_bins in (4, 15):
        ax = plots.plot_reliability(y_true, proba, label="m", n_bins=n_bins)
        ece = expected_calibration_error(y_true, proba, n_bins=n_bins)
        assert ax.get_legend().get_texts()[0].get_text() == f"m ECE {ece:.3f}"
        assert len(ax.lines[1].get_xdata()) == len(reliability_table(y_true, proba, n_bins=n_bins))
    assert expected_calibration_error(y_true, proba, n_bins=4) != pytest.approx(
        expected_calibration_error(y_true, proba, n_bins=15)
    )  # so the test above can tell the two apart


def test_code_trajectories_keep_their_key_and_draw_the_max_norm_ball():
    ax = plots.plot_code_trajectories(torch.randn(5, 3, 2), ["a", "b", "c"], title="mine")
    labels = ax.get_legend_handles_labels()[1]
    assert {"start", "end"} <= set(labels) and ax.get_title() == "mine"
    assert ax.get_xlabel() and ax.get_ylabel()
    assert not ax.patches
    ax = plots.plot_code_trajectories(torch.randn(5, 3, 2), max_norm=1.0)
    (circle,) = ax.patches
    assert circle.get_radius() == 1.0 and "max_norm = 1" in ax.get_legend_handles_labels()[1]


def test_accuracy_coverage_cuts_the_noisy_end_and_shows_the_overall_level():
    from embedlab.metrics import accuracy_coverage

    curve = accuracy_coverage([0.1, 0.2, 0.3, 0.4], [False, True, True, True])
    ax = plots.plot_accuracy_coverage({"variance": curve}, min_coverage=0.5, overall=True)
    line, level = ax.lines
    assert list(line.get_xdata()) == [0.5, 0.75, 1.0]
    assert list(level.get_ydata()) == [0.75, 0.75]  # 3 of 4 right with every point kept
    with pytest.raises(ValueError, match="min_coverage"):
        plots.plot_accuracy_coverage({"variance": curve}, min_coverage=1.0)


def test_uncertainty_histogram_compares_shares_of_each_group():
    uncertainty = np.array([0.1, 0.2, 0.3, 5.0, 6.0])
    correct = np.array([1, 1, 1, 0, 1])
    ax = plots.plot_uncertainty_by_correctness(uncertainty, correct, kind="histogram")
    assert ax.get_xscale() == "log" and len(ax.patches) == 2  # one step outline per group
    heights = [p.get_path().vertices[:, 1].max() for p in ax.patches]
    # 30 log-spaced bins from 0.1 to 6: the 4 right points fall in 4 bins (1/4 each), the one
    # wrong point is all of its group
    assert heights == pytest.approx([0.25, 1.0])
    with pytest.raises(ValueError, match="kind"):
        plots.plot_uncertainty_by_correctness(uncertainty, correct, kind="violin")
