"""Several networks of one shape trained at once: the estimator's out-of-fold fits (lesson 6).

`EmbeddingClassifier` calibrates small fits on out-of-fold scores: three networks, each trained
on two thirds of the data, score the third they did not see. On small data a training step
costs mostly its fixed overhead (a few dozen PyTorch operations), not arithmetic, so three
networks trained one after the other cost about three fits. `fit_stacked` trains them together:
their bodies' weights are stacked, (F, in, out) per layer, and every layer of all F bodies is one
batched matrix product (`torch.baddbmm`); each network keeps its own head, loss and data; one
Adam step updates them all. Adam works element by element, so each network follows its own
gradient as it would alone; only the order of floating-point operations differs.
"""

import math

import torch
from torch import nn

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
    X_parts: list[torch.Tensor],
    y_parts: list[torch.Tensor],
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    weight_decay: float = 0.0,
) -> list[HeadNetwork]:
    """Train `networks[f]` on (X_parts[f] (n_f, d) float32, y_parts[f] (n_f,) int64) for every f
    at once, with Adam, for `epochs` passes of mini-batches of `batch_size`, on the CPU.

    The parts may differ in size by a row or so (folds): each epoch every network trains on a
    fresh random `min(n_f)` of its rows, so every step sees equally many rows per network.
    Batches are drawn with torch's global generator. Returns the networks, trained, in eval mode.
    """
    if max(map(len, X_parts)) - min(map(len, X_parts)) > 2:
        raise ValueError("the parts must hold (nearly) equally many rows: at most 2 apart")
    body = StackedBody([net.body for net in networks])
    heads = nn.ModuleList(net.head for net in networks)
    optimizer = torch.optim.Adam(
        [*body.parameters(), *heads.parameters()], lr=lr, weight_decay=weight_decay, fused=True
    )
    n = min(len(X) for X in X_parts)
    step = min(batch_size, n)
    for epoch in range(epochs):
        orders = torch.stack([torch.randperm(len(X))[:n] for X in X_parts])  # (F, n)
        for start in range(0, n, step):
            rows = orders[:, start : start + step]
            X = torch.stack([part[r] for part, r in zip(X_parts, rows, strict=True)])
            optimizer.zero_grad()
            features = body(X)
            loss = sum(
                head.loss(head(features[f]), y_parts[f][rows[f]]) for f, head in enumerate(heads)
            )
            loss.backward()
            optimizer.step()
        if not math.isfinite(loss.item()):
            raise FloatingPointError(
                f"the loss became {loss.item()} at epoch {epoch}; try a smaller lr (now {lr})"
            )
    body.copy_into([net.body for net in networks])
    return [net.eval() for net in networks]
