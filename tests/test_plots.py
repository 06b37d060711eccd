import numpy as np
import pytest
import torch

from embedlab import plots
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
