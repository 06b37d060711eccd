"""Pictures for the lessons; every function draws on an Axes and returns it (lesson 1 onwards).

Pass `ax=` to place a plot in your own figure; without it a new figure is made. Colours follow
seaborn's default palette so that class k has the same colour in every picture of a lesson.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
import torch
from matplotlib.patches import Ellipse

from embedlab.calibration import expected_calibration_error, reliability_table
from embedlab.training import History


def axes_or_new(ax, figsize=(4.5, 4)):
    """`ax`, or the axes of a new figure of `figsize` when `ax` is None."""
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _numpy(values) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values)


def class_colors(n_classes: int) -> list:
    """One colour per class, the same in every plot."""
    return sns.color_palette("tab10" if n_classes <= 10 else "husl", n_classes)


def plot_points_2d(
    points, labels=None, class_names: list[str] | None = None, ax=None, title: str = "", **kwargs
):
    """Scatter (n, 2) points, coloured by integer labels (n,) if given."""
    points = _numpy(points)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (n, 2), got {points.shape}")
    ax = axes_or_new(ax)
    if labels is None:
        ax.scatter(points[:, 0], points[:, 1], **kwargs)
    else:
        labels = _numpy(labels)
        if len(labels) != len(points):
            raise ValueError(f"labels has {len(labels)} entries but points has {len(points)} rows")
        n_classes = len(class_names) if class_names else int(labels.max()) + 1
        colors = class_colors(n_classes)
        for k in range(n_classes):
            mask = labels == k
            name = class_names[k] if class_names else str(k)
            ax.scatter(points[mask, 0], points[mask, 1], color=colors[k], label=name, **kwargs)
        ax.legend(fontsize="small")
    ax.set_title(title)
    ax.set_aspect("equal", adjustable="datalim")
    return ax


def plot_training_curves(histories: dict[str, History] | History, ax=None, log: bool = False):
    """Training loss per epoch, one line per named History."""
    if isinstance(histories, History):
        histories = {"loss": histories}
    ax = axes_or_new(ax, figsize=(5, 3.5))
    for name, history in histories.items():
        ax.plot(history.loss, label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    if log:
        ax.set_yscale("log")
    ax.legend(fontsize="small")
    return ax


def plot_confusion(frame: pd.DataFrame, ax=None, title: str = "confusion matrix"):
    """Heatmap of a confusion DataFrame from `metrics.confusion_frame`."""
    ax = axes_or_new(ax, figsize=(4, 3.5))
    sns.heatmap(frame, annot=True, fmt="d", cmap="Blues", cbar=False, ax=ax)
    ax.set_title(title)
    return ax


def plot_seed_results(
    results: pd.DataFrame, x: str, metric: str = "accuracy", ax=None, title: str = ""
):
    """One dot per seed and a box per group `x`, for `metric` of a (seed, metric, value) table."""
    data = results[results["metric"] == metric]
    if data.empty:
        raise ValueError(f"results has no rows for metric {metric!r}")
    ax = axes_or_new(ax, figsize=(5.5, 3.5))
    with warnings.catch_warnings():  # seaborn 0.13 uses an argument matplotlib 3.11 deprecates
        warnings.simplefilter("ignore", category=DeprecationWarning)
        sns.boxplot(data=data, x=x, y="value", color="0.9", showfliers=False, ax=ax)
    sns.stripplot(data=data, x=x, y="value", hue=x, legend=False, size=5, jitter=0.15, ax=ax)
    ax.set_ylabel(metric)
    ax.set_xlabel("")
    ax.set_title(title)
    return ax


def plot_embedding_table(weight, padding_idx: int | None = None, ax=None, title: str = ""):
    """Rows of a (num_embeddings, 2) embedding table as labelled points; the padding row in grey."""
    weight = _numpy(weight)
    if weight.ndim != 2 or weight.shape[1] != 2:
        raise ValueError(f"weight must have shape (rows, 2) to draw in 2-D, got {weight.shape}")
    ax = axes_or_new(ax)
    for row, (a, b) in enumerate(weight):
        is_padding = row == padding_idx
        ax.scatter(a, b, color="0.6" if is_padding else "C0", s=40)
        ax.annotate(
            f"{row}{' (pad)' if is_padding else ''}",
            (a, b),
            textcoords="offset points",
            xytext=(4, 4),
            fontsize=8,
        )
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.axvline(0, color="0.85", lw=0.8, zorder=0)
    ax.set_title(title)
    ax.set_xlabel("coordinate 0")
    ax.set_ylabel("coordinate 1")
    ax.set_aspect("equal", adjustable="datalim")
    return ax


def plot_embedding_space(
    outputs,
    labels,
    codes,
    class_names: list[str] | None = None,
    variance=None,
    ax=None,
    title: str = "",
    regions: bool = True,
):
    """Network outputs (n, 2) coloured by true class (n,), class codes (K, 2) as stars, and the
    regions that nearest-code decoding assigns to each class. With `variance` (n, 2), each point
    gets its 1-σ ellipse. The axes are labelled "output 1" and "output 2"."""
    outputs, labels, codes = _numpy(outputs), _numpy(labels), _numpy(codes)
    if outputs.ndim != 2 or outputs.shape[1] != 2 or codes.ndim != 2 or codes.shape[1] != 2:
        raise ValueError(
            f"outputs and codes must be 2-D points, got {outputs.shape} and {codes.shape}"
        )
    ax = axes_or_new(ax)
    k = len(codes)
    colors = class_colors(k)
    everything = np.vstack([outputs, codes])
    low, high = everything.min(0), everything.max(0)
    pad = 0.15 * (high - low).max() + 1e-3
    if regions:
        xs = np.linspace(low[0] - pad, high[0] + pad, 200)
        ys = np.linspace(low[1] - pad, high[1] + pad, 200)
        grid = np.stack(np.meshgrid(xs, ys), axis=-1)
        nearest = ((grid[:, :, None, :] - codes[None, None]) ** 2).sum(-1).argmin(-1)
        ax.contourf(xs, ys, nearest, levels=np.arange(k + 1) - 0.5, colors=colors, alpha=0.12)
    if variance is not None:
        std = np.sqrt(_numpy(variance))
        for (x, y), (sx, sy), label in zip(outputs, std, labels, strict=True):
            ax.add_patch(
                Ellipse((x, y), 2 * sx, 2 * sy, color=colors[int(label)], alpha=0.12, lw=0)
            )
    for c in range(k):
        name = class_names[c] if class_names else str(c)
        mask = labels == c
        ax.scatter(outputs[mask, 0], outputs[mask, 1], s=12, color=colors[c], label=name)
        ax.scatter(*codes[c], marker="*", s=300, color=colors[c], edgecolor="black", zorder=3)
    ax.legend(fontsize="small", loc="best")
    ax.set_xlim(low[0] - pad, high[0] + pad)
    ax.set_ylim(low[1] - pad, high[1] + pad)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("output 1")  # a caller drawing a projection relabels them
    ax.set_ylabel("output 2")
    ax.set_title(title)
    return ax


def plot_accuracy_coverage(
    curves: dict[str, pd.DataFrame],
    ax=None,
    title: str = "",
    min_coverage: float = 0.0,
    overall: bool = False,
):
    """Accuracy against coverage, one line per named table from `metrics.accuracy_coverage`.

    `min_coverage` cuts the noisy left end (a handful of kept points); `overall=True` draws the
    accuracy on all points (coverage 1) as a dotted line, the level a useless ranking stays at.
    """
    if not 0 <= min_coverage < 1:
        raise ValueError(f"min_coverage must be in [0, 1), got {min_coverage}")
    ax = axes_or_new(ax, figsize=(5, 3.5))
    for name, curve in curves.items():
        kept = curve[curve["coverage"] >= min_coverage]
        ax.plot(kept["coverage"], kept["accuracy"], label=name)
    if overall and curves:
        level = next(iter(curves.values()))["accuracy"].iloc[-1]
        ax.axhline(level, color="0.4", ls=":", lw=1.2, label=f"all points kept ({level:.3f})")
    ax.set_xlabel("coverage (fraction of test points kept, most certain first)")
    ax.set_ylabel("accuracy on kept points")
    ax.invert_xaxis()
    ax.legend(fontsize="small")
    ax.set_title(title)
    return ax


def plot_uncertainty_by_correctness(
    uncertainty, is_correct, ax=None, title: str = "", kind: str = "strip"
):
    """Uncertainty (n,) of right versus wrong predictions (n,).

    kind "strip": one dot per prediction, with boxes (fine for tens of points); "histogram": the
    share of each group per log-spaced bin, which stays readable for thousands of points.
    """
    if kind not in ("strip", "histogram"):
        raise ValueError(f"kind must be 'strip' or 'histogram', got {kind!r}")
    frame = pd.DataFrame(
        {
            "uncertainty": _numpy(uncertainty),
            "prediction": np.where(_numpy(is_correct).astype(bool), "right", "wrong"),
        }
    )
    ax = axes_or_new(ax, figsize=(4, 3.5))
    order = ["right", "wrong"]
    if kind == "histogram":
        values = frame["uncertainty"].to_numpy()
        if not (values > 0).all():
            raise ValueError("a histogram on a log scale needs uncertainty > 0")
        bins = np.geomspace(values.min(), values.max(), 30)
        for name in order:
            group = frame.loc[frame["prediction"] == name, "uncertainty"]
            weights = np.full(len(group), 1 / max(len(group), 1))
            ax.hist(group, bins=bins, weights=weights, histtype="step", lw=2, label=name)
        ax.set_xscale("log")
        ax.set_xlabel("uncertainty")
        ax.set_ylabel("share of the group")
        ax.legend(fontsize="small", title="prediction")
        ax.set_title(title)
        return ax
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=DeprecationWarning)
        sns.boxplot(
            data=frame, x="prediction", y="uncertainty", order=order, color="0.9",
            showfliers=False, ax=ax,
        )  # fmt: skip
    sns.stripplot(data=frame, x="prediction", y="uncertainty", order=order, size=4, ax=ax)
    ax.set_yscale("log")
    ax.set_title(title)
    return ax


def plot_code_trajectories(
    trajectory,
    class_names: list[str] | None = None,
    ax=None,
    title="",
    max_norm: float | None = None,
):
    """Paths of K class codes in 2-D over training: trajectory is (snapshots, K, 2).

    A circle marks where each code started, a star where it ended (the legend says so). With
    `max_norm`, a dashed circle of that radius shows the ball `nn.Embedding` keeps rows inside.
    """
    trajectory = _numpy(trajectory)
    if trajectory.ndim != 3 or trajectory.shape[2] != 2:
        raise ValueError(f"trajectory must have shape (snapshots, K, 2), got {trajectory.shape}")
    ax = axes_or_new(ax)
    colors = class_colors(trajectory.shape[1])
    for k in range(trajectory.shape[1]):
        name = class_names[k] if class_names else str(k)
        path = trajectory[:, k]
        ax.plot(path[:, 0], path[:, 1], color=colors[k], lw=1.5, label=name)
        ax.scatter(*path[0], color=colors[k], marker="o", s=40, edgecolor="black")
        ax.scatter(*path[-1], color=colors[k], marker="*", s=250, edgecolor="black", zorder=3)
    ax.scatter([], [], marker="o", s=40, color="white", edgecolor="black", label="start")
    ax.scatter([], [], marker="*", s=150, color="white", edgecolor="black", label="end")
    if max_norm is not None:
        circle = plt.Circle((0, 0), max_norm, fill=False, ls="--", color="0.5", lw=1)
        ax.add_patch(circle)
        ax.plot([], [], ls="--", color="0.5", lw=1, label=f"max_norm = {max_norm:g}")
    ax.legend(fontsize="small")
    ax.set_xlabel("code coordinate 1")
    ax.set_ylabel("code coordinate 2")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_title(title or "class codes during training")
    return ax


def wrap_xticklabels(ax, width: int = 10):
    """Wrap long x tick labels onto several lines so that neighbours do not collide."""
    import textwrap

    ticks = ax.get_xticks()
    labels = [textwrap.fill(t.get_text(), width) for t in ax.get_xticklabels()]
    ax.set_xticks(ticks, labels)
    return ax


def plot_paired_differences(
    table: pd.DataFrame, reference: str, metric: str = "accuracy", ax=None, title: str = ""
):
    """Per-seed differences (column − reference) of a `metrics.per_seed_table`, one dot per seed
    and a box per column, with a line at zero: above it the column beat the reference on that
    seed (lesson 2). Pairing by seed removes what a hard split does to every method alike."""
    if reference not in table.columns:
        raise ValueError(
            f"reference must be one of the columns {list(table.columns)}, got {reference!r}"
        )
    differences = table.drop(columns=reference).sub(table[reference], axis=0)
    long = differences.melt(var_name="column", value_name="difference").dropna()
    ax = axes_or_new(ax, figsize=(5.5, 3.5))
    ax.axhline(0, color="black", lw=1, zorder=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=DeprecationWarning)
        sns.boxplot(data=long, x="column", y="difference", color="0.9", showfliers=False, ax=ax)
    palette = dict(zip(table.columns, sns.color_palette(n_colors=len(table.columns)), strict=True))
    sns.stripplot(
        data=long, x="column", y="difference", hue="column", legend=False, size=5, jitter=0.15,
        palette=palette, ax=ax,
    )  # fmt: skip
    ax.set_xlabel("")
    ax.set_ylabel(f"{metric} − {reference}\n(same seed)")
    ax.set_title(title)
    wrap_xticklabels(ax)
    return ax


RELIABILITY_KEY = "a bin with 50 % of points"


def _bin_marker_area(share):
    """Marker area (points²) for a reliability bin holding `share` of all predictions."""
    return 10 + 200 * share


def plot_reliability(y_true, proba, classes=None, ax=None, label: str = "", n_bins: int = 15):
    """Reliability diagram (lesson 6): accuracy against confidence per bin of
    `calibration.reliability_table`, with the diagonal of honest probabilities. Points below the
    diagonal are over-confident. Marker area follows the share of predictions in the bin (a grey
    key marker shows 50 %); the legend, below the axes, gives the expected calibration error over
    the same `n_bins` bins (15, as in Guo et al.). Call again with the same `ax` to compare."""
    table = reliability_table(y_true, proba, classes, n_bins)
    ece = expected_calibration_error(y_true, proba, classes, n_bins)
    ax = axes_or_new(ax, figsize=(4.5, 4.5))
    if not ax.lines:
        ax.plot([0, 1], [0, 1], color="0.6", linestyle="--", linewidth=1)
        ax.scatter([], [], s=_bin_marker_area(0.5), color="0.6", label=RELIABILITY_KEY)
    sizes = _bin_marker_area(table["count"] / table["count"].sum())
    (line,) = ax.plot(
        table["confidence"], table["accuracy"], marker="", label=f"{label} ECE {ece:.3f}"
    )
    ax.scatter(table["confidence"], table["accuracy"], s=sizes, color=line.get_color(), zorder=3)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("confidence (top probability)")
    ax.set_ylabel("accuracy")
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: labels[i] == RELIABILITY_KEY)  # key last
    # below the axes: any corner inside may hold a bin (an uncalibrated model fills odd ones)
    ax.legend([handles[i] for i in order], [labels[i] for i in order], fontsize="small",
              loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=2, frameon=False)  # fmt: skip
    return ax
