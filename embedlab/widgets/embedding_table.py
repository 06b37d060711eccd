"""Lesson 1's playground: an embedding table, some rows looked up, the table and its gradient."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from torch import nn

from embedlab import plots
from embedlab.playground import Playground
from embedlab.seeding import seed_everything


def parse_ids(text: str) -> list[int]:
    """Turn "3, 0, 3" into [3, 0, 3]; raise a ValueError naming `ids` for anything else."""
    try:
        ids = [int(part) for part in text.replace(",", " ").split()]
    except ValueError:
        raise ValueError(f"ids must be whole numbers separated by commas, got {text!r}") from None
    if not ids:
        raise ValueError("ids must name at least one row to look up, got none")
    return ids


def embedding_table_demo(
    num_embeddings: int = 8,
    dim: int = 2,
    padding_idx: int | None = None,
    max_norm: float = 0.0,
    ids: list[int] | None = None,
    seed: int = 0,
) -> dict:
    """Build an nn.Embedding, look up `ids` (default: every row once), backpropagate the sum of
    the looked-up rows, and report the table before and after and each row's gradient.

    `padding_idx` is read as `nn.Embedding` reads it: None is no padding row, and a negative
    index counts from the end (-1 is the last row); `max_norm=0` means no renormalisation. The
    gradient of sum(table(ids)) with respect to row r is (times r was looked up) in every
    coordinate, except for the padding row, whose gradient is always zero. Returned tensors:
    weight_before, weight_after and gradient are (num_embeddings, dim); uses is (num_embeddings,).
    """
    ids = list(range(num_embeddings)) if ids is None else list(ids)
    if padding_idx is not None and not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(
            f"padding_idx must be None (no padding row) or a row of the {num_embeddings}-row "
            f"table, from -{num_embeddings} to {num_embeddings - 1}, got {padding_idx}"
        )
    if max_norm < 0:
        raise ValueError(f"max_norm must be >= 0 (0 = off), got {max_norm}")
    if not ids or any(not 0 <= i < num_embeddings for i in ids):
        raise ValueError(
            f"ids must be rows in [0, {num_embeddings - 1}] of the {num_embeddings}-row table, "
            f"got {ids}"
        )
    seed_everything(seed)
    table = nn.Embedding(
        num_embeddings,
        dim,
        padding_idx=padding_idx,
        max_norm=max_norm or None,
    )
    before = table.weight.detach().clone()
    looked_up = table(torch.tensor(ids))
    looked_up.sum().backward()
    after = table.weight.detach().clone()
    return {
        "ids": ids,
        "weight_before": before,
        "weight_after": after,
        "looked_up": looked_up.detach(),
        "gradient": table.weight.grad.clone(),
        "uses": torch.bincount(torch.tensor(ids), minlength=num_embeddings),
        "changed_rows": (after != before).any(dim=1).nonzero().flatten().tolist(),
        "max_row_norm_before": before.norm(dim=1).max().item(),
        "max_row_norm_after": after.norm(dim=1).max().item(),
    }


def _draw(result: dict, padding_idx: int | None, max_norm: float) -> None:
    dim = result["weight_before"].shape[1]
    fig, (left, middle, right) = plt.subplots(1, 3, figsize=(13, 3.8))
    view = "" if dim == 2 else f" (first 2 of {dim} dims)"
    plots.plot_embedding_table(
        result["weight_before"][:, :2], padding_idx, ax=left, title="before the lookup" + view
    )
    plots.plot_embedding_table(
        result["weight_after"][:, :2], padding_idx, ax=middle, title="after the lookup" + view
    )
    looked = sorted(set(result["ids"]))
    middle.scatter(*result["weight_after"][looked, :2].T.numpy(), s=140, facecolors="none",
                   edgecolors="C1", label="looked up")  # fmt: skip
    middle.legend(fontsize="small", loc="best")
    if max_norm and dim == 2:  # in more dims the circle would not bound what is drawn
        for ax in (left, middle):
            ax.add_patch(plt.Circle((0, 0), max_norm, fill=False, ls="--", color="C3"))
    rows = range(len(result["uses"]))
    colors = ["0.6" if r == padding_idx else "C0" for r in rows]
    right.bar(list(rows), result["gradient"][:, 0].tolist(), color=colors)
    right.set_xticks(list(rows))
    right.set_xlabel("row")
    right.set_ylabel("gradient (each coordinate)")
    right.set_title("gradient of sum(table(ids))")
    fig.suptitle(
        f"ids {result['ids']}: rows changed by the lookup {result['changed_rows'] or 'none'}; "
        f"largest row norm {result['max_row_norm_before']:.2f} before, "
        f"{result['max_row_norm_after']:.2f} after",
        fontsize="medium",
    )


NO_PADDING = "none"  # the widget's choice for padding_idx=None


def embedding_table_widget() -> Playground:
    """Rows, dimension, looked-up ids, padding index, max_norm and seed; redraws the table
    before and after the lookup and the gradient each row receives."""

    def show(num_embeddings, dim, ids, padding_idx, max_norm, seed):
        padding_idx = None if padding_idx == NO_PADDING else padding_idx
        result = embedding_table_demo(
            num_embeddings, dim, padding_idx, max_norm, parse_ids(ids), seed
        )
        pad = None if padding_idx is None else padding_idx % num_embeddings
        _draw(result, pad, max_norm)
        if max_norm and dim > 2:
            print(f"max_norm acts on all {dim} coordinates; no circle is drawn in this 2-D view.")
        return result

    return Playground(
        show,
        num_embeddings=widgets.IntSlider(8, 2, 20, description="rows"),
        dim=widgets.IntSlider(2, 2, 8, description="dimension"),
        ids=widgets.Text("0, 1, 3, 3", description="ids", continuous_update=False),
        padding_idx=widgets.Dropdown(  # "none" (a None value would show as no selection)
            options=[("none", NO_PADDING), *((str(i), i) for i in range(-1, 20))],
            value=NO_PADDING,
            description="padding_idx",
        ),
        max_norm=widgets.FloatSlider(0.0, min=0.0, max=3.0, step=0.25, description="max_norm"),
        seed=widgets.IntSlider(0, 0, 9, description="seed"),
    )
