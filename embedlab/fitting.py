"""How `EmbeddingClassifier` trains a network at any data size: mini-batches, a budget of epochs,
stopping when the loss (or a validation score) stops improving, a progress bar (lesson 6).

`fit_network` is `embedlab.train` plus what scikit-learn's `MLPClassifier` does at scale:
- `batch_size`: samples per step; memory on the device is bounded by the batch, not by n;
- `epochs`: the most passes over the data (the budget); each pass shows every sample once,
  so it means the same at any n;
- with validation data (early stopping) it stops once the validation score has not improved by
  `tol` for `n_iter_no_change` epochs, and keeps the best epoch's weights; without, it runs the
  whole budget. (It does not stop on the training loss as `MLPClassifier` does: β-NLL's value
  rises while a Gaussian fit improves, as its weights var^β shrink, so it is no convergence test.)
- `verbose=True` shows a `tqdm.auto` bar with the current loss (notebook or terminal).
A full-batch run does exactly what `embedlab.train` does, step for step.
"""

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm.auto import trange

PREDICT_CHUNK = 8192  # rows per forward pass when scoring: bounds memory at any n


@dataclass
class FitLog:
    """What happened: the mean training loss of each epoch, the validation score after each epoch
    (early stopping only), and whether early stopping ended training before the budget did."""

    loss_curve: list[float] = field(default_factory=list)
    validation_scores: list[float] = field(default_factory=list)
    converged: bool = False

    @property
    def n_iter(self) -> int:
        return len(self.loss_curve)

    @property
    def best_epoch(self) -> int:
        """The number of epochs whose weights were kept: that of the best validation score (the
        first, on ties), or every epoch run without validation."""
        if not self.validation_scores:
            return self.n_iter
        return max(range(len(self.validation_scores)), key=self.validation_scores.__getitem__) + 1


def resolve_device(device) -> torch.device:
    """ "auto": the GPU torch finds (CUDA, Colab), else the CPU; or any name torch accepts."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(device)
    except (RuntimeError, TypeError) as error:
        raise ValueError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}") from error


def in_chunks(function: Callable, X: torch.Tensor, device: torch.device) -> torch.Tensor:
    """function(X[i:i + PREDICT_CHUNK]) on `device` for every chunk, concatenated on the CPU."""
    parts = [
        function(X[start : start + PREDICT_CHUNK].to(device)).cpu()
        for start in range(0, len(X), PREDICT_CHUNK)
    ]
    return torch.cat(parts)


def fit_network(
    model: nn.Module,
    loss_fn: Callable,
    X: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    lr: float,
    batch_size: int,
    tol: float = 1e-4,
    n_iter_no_change: int = 10,
    validation_score: Callable[[nn.Module], float] | None = None,
    verbose: bool = False,
    device: torch.device | str = "cpu",
    weight_decay: float = 0.0,
) -> FitLog:
    """Train `model` (moved to `device`) with Adam on X (n, d) float32 and labels y (n,) int64
    kept on the CPU; each step computes `loss_fn(model(X_batch), y_batch)`.

    `validation_score(model)` (higher is better), if given, is called in eval mode after every
    epoch and drives early stopping; without it every epoch of the budget runs. Batches are
    drawn with torch's global generator. `weight_decay` is Adam's: it adds weight_decay·w to the
    gradient of every parameter w (an L2 penalty of weight_decay/2·‖w‖²).
    """
    device = torch.device(device)
    model.to(device)
    optimizer = torch.optim.Adam(
        model.parameters(), lr=lr, weight_decay=weight_decay, fused=device.type in ("cpu", "cuda")
    )
    n = len(X)
    step = min(batch_size, n)
    log = FitLog()
    best_score, best_state, stale = -math.inf, None, 0
    bar = trange(epochs, disable=not verbose, desc="training", unit="epoch")
    for epoch in bar:
        model.train()
        if step == n:  # full batch: no shuffling, as in embedlab.train
            batches = [slice(None)]
        else:
            order = torch.randperm(n)
            batches = [order[start : start + step] for start in range(0, n, step)]
        epoch_loss = 0.0
        for batch in batches:
            X_batch, y_batch = X[batch].to(device), y[batch].to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(X_batch), y_batch)
            loss.backward()
            optimizer.step()
            epoch_loss += loss.item() * len(y_batch) / n
        if not math.isfinite(epoch_loss):
            raise FloatingPointError(
                f"the loss became {epoch_loss} at epoch {epoch}; try a smaller lr (now {lr}) "
                "or check the inputs"
            )
        log.loss_curve.append(epoch_loss)
        if validation_score is None:
            bar.set_postfix(loss=f"{epoch_loss:.4g}")
            continue
        model.eval()
        with torch.no_grad():
            score = float(validation_score(model))
        log.validation_scores.append(score)
        stale = 0 if score > best_score + tol else stale + 1
        if score > best_score:
            best_score, best_state = score, copy.deepcopy(model.state_dict())
        bar.set_postfix(loss=f"{epoch_loss:.4g}", validation=f"{score:.4f}")
        if stale >= n_iter_no_change:
            log.converged = True
            break
    bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    model.eval()
    return log
