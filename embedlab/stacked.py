"""Several networks of one shape trained at once: the estimator's small fits (lesson 6).

Below 2,000 samples `EmbeddingClassifier` trains four networks: one on all the data and three
out-of-fold ones, each on two thirds, whose scores on the third they did not see calibrate the
temperature (and which join the first in an ensemble). On small data a training step costs mostly
its fixed overhead (a few dozen PyTorch operations), not arithmetic, so four networks trained one
after the other cost about four fits. `fit_stacked` trains them together: their bodies' weights
are stacked, (F, in, out) per layer, and every layer of all F bodies is one batched matrix product
(`torch.baddbmm`); every step reads one batch of rows, and each network's head computes its loss
on the rows of that batch that belong to its own part of the data; one Adam step updates them all.
Adam works element by element, so each network follows its own gradient as it would alone; only
the order of floating-point operations differs.
"""

import math

import torch
from torch import nn
from tqdm.auto import trange

from embedlab.heads import HeadNetwork


class StackedBody(nn.Module):
    """The MLP bodies (Linear -> ReLU per layer) of F networks of the same sizes, as one module:
    inputs (F, n, in_features) -> features (F, n, hidden[-1])."""

    def __init__(self, bodies: list[nn.Sequential]):
        super().__init__()
        layers = [[m for m in body if isinstance(m, nn.Linear)] for body in bodies]
        self.weights = nn.ParameterList(
            nn.Parameter(torch.stack([net[i].weight.detach().T for net in layers]))
            for i in range(len(layers[0]))
        )
        self.biases = nn.ParameterList(
            nn.Parameter(torch.stack([net[i].bias.detach()[None] for net in layers]))
            for i in range(len(layers[0]))
        )

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        for weight, bias in zip(self.weights, self.biases, strict=True):
            X = torch.baddbmm(bias, X, weight).relu()
        return X

    @torch.no_grad()
    def copy_into(self, bodies: list[nn.Sequential]) -> None:
        """Write network f's trained weights back into `bodies[f]`."""
        for f, body in enumerate(bodies):
            linears = [m for m in body if isinstance(m, nn.Linear)]
            for layer, weight, bias in zip(linears, self.weights, self.biases, strict=True):
                layer.weight.copy_(weight[f].T)
                layer.bias.copy_(bias[f, 0])


def fit_stacked(
    networks: list[HeadNetwork],
    X: torch.Tensor,
    y: torch.Tensor,
    parts: torch.Tensor,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    weight_decay: float = 0.0,
    device: torch.device | str = "cpu",
    verbose: bool = False,
) -> list[list[float]]:
    """Train every `networks[f]` on the rows of X (n, d) float32 and y (n,) int64 where
    `parts[f]` (F, n) bool is True, all at once, with Adam, for `epochs` passes.

    Parts of (nearly) equal size (folds, at most 2 rows apart): each epoch every network takes a
    fresh random `min(n_f)` of its rows, in batches of `batch_size`, so each step gives every
    network equally many rows of its own. Parts of unequal size (all the data beside folds): each
    epoch draws the batches `fitting.fit_network` draws for all n rows (a fresh permutation, none
    when one batch holds all n), and network f's loss is its head's loss on the batch rows in its
    part; a network that owns every row trains step for step as `fit_network` would train it
    alone (a step with none of a network's rows gives it no loss). Batches are drawn with torch's
    global generator. Returns each network's mean training loss per epoch; the networks are left
    trained, in eval mode, on `device`. `verbose` shows a `tqdm.auto` bar with the first
    network's loss.
    """
    device = torch.device(device)
    parts = torch.as_tensor(parts, dtype=torch.bool)
    if parts.shape != (len(networks), len(X)) or not bool(parts.any(dim=1).all()):
        raise ValueError(f"parts must be (F, n) = ({len(networks)}, {len(X)}), each with a row")
    for network in networks:
        network.to(device).train()
    body = StackedBody([net.body for net in networks])
    heads = nn.ModuleList(net.head for net in networks)
    optimizer = torch.optim.Adam(
        [*body.parameters(), *heads.parameters()], lr=lr, weight_decay=weight_decay,
        fused=device.type in ("cpu", "cuda"),
    )  # fmt: skip
    X, y, n_networks = X.to(device), y.to(device), len(networks)
    sizes = parts.sum(dim=1).tolist()
    parts = parts.to(device)
    own = [part.nonzero().squeeze(1) for part in parts]
    equal = max(sizes) - min(sizes) <= 2
    n = min(sizes) if equal else len(X)
    step = min(batch_size, n)
    curves = [[] for _ in networks]
    bar = trange(epochs, disable=not verbose, desc="training", unit="epoch")
    for epoch in bar:
        if equal:  # (F, n): each network's rows of this epoch
            order = torch.stack([rows[torch.randperm(len(rows))[:n].to(device)] for rows in own])
        else:
            order = None if step == n else torch.randperm(n).to(device)
        totals = [0.0] * n_networks
        for start in range(0, n, step):
            if equal:
                rows = order[:, start : start + step]
                features, targets = body(X[rows]), y[rows]
            else:
                rows = slice(None) if order is None else order[start : start + step]
                features = body(X[rows].expand(n_networks, -1, -1))
            optimizer.zero_grad()
            losses = []
            for f, head in enumerate(heads):
                if equal or sizes[f] == len(X):
                    output, target = features[f], targets[f] if equal else y[rows]
                else:
                    mine = own[f] if order is None else parts[f, rows].nonzero().squeeze(1)
                    if len(mine) == 0:
                        continue
                    output, target = features[f, mine], y[rows][mine]
                losses.append(head.loss(head(output), target))
                totals[f] += losses[-1].item() * len(target) / (n if equal else sizes[f])
            sum(losses).backward()
            optimizer.step()
        if not all(map(math.isfinite, totals)):
            raise FloatingPointError(
                f"the loss became {totals} at epoch {epoch}; try a smaller lr (now {lr})"
            )
        for curve, total in zip(curves, totals, strict=True):
            curve.append(total)
        bar.set_postfix(loss=f"{totals[0]:.4g}")
    bar.close()
    body.copy_into([net.body for net in networks])
    for network in networks:
        network.eval()
    return curves
