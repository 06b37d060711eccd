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
A full-batch run does exactly what `embedlab.train` does, step for step. `check_fit_settings`
names any impossible training setting of `EmbeddingClassifier` before a fit starts.
"""

import copy
import math
import numbers
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


# device="auto" uses a GPU only from this many floating-point operations per training step
# (about 6 x batch x parameters: forward, backward, weight gradients). A step launches some 40
# kernels whatever its size (3 layers, the loss, their gradients, Adam); at ~5 us per CUDA launch
# (NVIDIA's figure) plus PyTorch's own ~10 us per operation, a GPU step costs at least ~0.5-1 ms.
# One CPU thread here does 30-65 GFLOP/s on these layers: the default (100, 100) network on 200
# rows (1.4e7 operations) steps in ~0.35-0.5 ms, a (300, 300) one (1.4e8) in ~2 ms. From 1e8
# operations the CPU step is ~2.5 ms or more, past the GPU's floor; below, the CPU is as fast or
# faster, and keeps the CPU's arithmetic (lesson 6's stored numbers).
GPU_MIN_STEP_FLOPS = 1e8


def resolve_device(device, step_flops: float | None = None) -> torch.device:
    """The device to train on. "auto": CUDA if torch finds a GPU and a training step costs at
    least `GPU_MIN_STEP_FLOPS` (`step_flops`, if given; none given counts as large), else the
    CPU; or any name torch accepts ("cpu", "cuda", "cuda:1")."""
    if device == "auto":
        small = step_flops is not None and step_flops < GPU_MIN_STEP_FLOPS
        return torch.device("cuda" if not small and torch.cuda.is_available() else "cpu")
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


def check_fit_settings(
    *, batch_size, early_stopping, validation_fraction, n_iter_no_change, tol, device,
    temperature, alpha,
) -> None:  # fmt: skip
    """Raise a ValueError naming the setting when one of `EmbeddingClassifier`'s training
    settings is impossible (its docstring says what each one may be)."""
    if batch_size not in ("auto", None) and (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, numbers.Integral)
        or batch_size < 1
    ):
        raise ValueError(
            f"batch_size must be 'auto', None (full batch) or an integer >= 1, got {batch_size!r}"
        )
    if early_stopping not in ("auto", True, False):
        raise ValueError(f"early_stopping must be 'auto', True or False, got {early_stopping!r}")
    if not (isinstance(validation_fraction, numbers.Real) and 0 < validation_fraction < 1):
        raise ValueError(
            f"validation_fraction must be a number in (0, 1), got {validation_fraction!r}"
        )
    if isinstance(n_iter_no_change, bool) or not (
        isinstance(n_iter_no_change, numbers.Integral) and n_iter_no_change >= 1
    ):
        raise ValueError(f"n_iter_no_change must be an integer >= 1, got {n_iter_no_change!r}")
    if not (isinstance(tol, numbers.Real) and 0 <= tol < math.inf):
        raise ValueError(f"tol must be a finite number >= 0, got {tol!r}")
    resolve_device(device)
    if temperature != "auto" and not (
        isinstance(temperature, numbers.Real)
        and not isinstance(temperature, bool)
        and 0 < temperature < math.inf
    ):
        raise ValueError(f"temperature must be 'auto' or a finite number > 0, got {temperature!r}")
    if isinstance(alpha, bool) or not (isinstance(alpha, numbers.Real) and 0 <= alpha < math.inf):
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha!r}")
