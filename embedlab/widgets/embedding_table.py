"""Lesson 1's playground: an embedding table, looked up and redrawn."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch
from torch import nn

from embedlab import plots
from embedlab.playground import Playground
from embedlab.seeding import seed_everything


def embedding_table_demo(
    num_embeddings: int = 8,
    dim: int = 2,
    padding_idx: int = -1,
    max_norm: float = 0.0,
    seed: int = 0,
) -> dict:
    """Build an nn.Embedding, look up every row once, and report the table before and after.

    `padding_idx=-1` means no padding row; `max_norm=0` means no renormalisation.
    """
    if not 0 <= padding_idx < num_embeddings and padding_idx != -1:
        raise ValueError(
            f"padding_idx must be -1 (none) or in [0, {num_embeddings}), got {padding_idx}"
        )
    if max_norm < 0:
        raise ValueError(f"max_norm must be >= 0 (0 = off), got {max_norm}")
    seed_everything(seed)
    table = nn.Embedding(
        num_embeddings,
        dim,
        padding_idx=None if padding_idx == -1 else padding_idx,
        max_norm=max_norm or None,
    )
    before = table.weight.detach().clone()
    with torch.no_grad():
        looked_up = table(torch.arange(num_embeddings))
    return {
        "weight_before": before,
        "weight_after": table.weight.detach().clone(),
        "looked_up": looked_up,
        "max_row_norm_before": before.norm(dim=1).max().item(),
        "max_row_norm_after": table.weight.detach().norm(dim=1).max().item(),
    }


def embedding_table_widget() -> Playground:
    """Rows, dimension, padding index and max_norm of an embedding table; redraws its picture."""

    def show(num_embeddings, dim, padding_idx, max_norm, seed):
        padding_idx = min(padding_idx, num_embeddings - 1)
        result = embedding_table_demo(num_embeddings, dim, padding_idx, max_norm, seed)
        fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.8))
        pad = None if padding_idx == -1 else padding_idx
        plots.plot_embedding_table(
            result["weight_before"][:, :2], pad, ax=left, title="before lookup (first 2 dims)"
        )
        plots.plot_embedding_table(
            result["weight_after"][:, :2], pad, ax=right, title="after lookup (first 2 dims)"
        )
        if max_norm:
            for ax in (left, right):
                ax.add_patch(plt.Circle((0, 0), max_norm, fill=False, ls="--", color="C3"))
        fig.suptitle(
            f"largest row norm: {result['max_row_norm_before']:.2f} before, "
            f"{result['max_row_norm_after']:.2f} after"
        )
        return result

    return Playground(
        show,
        num_embeddings=widgets.IntSlider(8, 2, 20, description="rows"),
        dim=widgets.IntSlider(2, 2, 8, description="dimension"),
        padding_idx=widgets.IntSlider(-1, -1, 19, description="padding_idx"),
        max_norm=widgets.FloatSlider(0.0, min=0.0, max=3.0, step=0.25, description="max_norm"),
        seed=widgets.IntSlider(0, 0, 9, description="seed"),
    )
