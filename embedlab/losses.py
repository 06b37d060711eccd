"""Regression losses onto class codes (introduced in lessons 3 and 4; lesson 5 adds learned codes).

All take a batch of network outputs and the (n, d) targets, i.e. `codes[y]`, and return a scalar.
"""

import torch


def _check_pair(prediction: torch.Tensor, target: torch.Tensor, name: str = "prediction") -> None:
    if prediction.shape != target.shape:
        raise ValueError(
            f"{name} has shape {tuple(prediction.shape)} but target has {tuple(target.shape)}"
        )


def beta_nll_loss(
    mean: torch.Tensor, target: torch.Tensor, variance: torch.Tensor, beta: float = 0.5
) -> torch.Tensor:
    """β-NLL (Seitzer et al., ICLR 2022): the Gaussian NLL of each element weighted by
    stopgrad(variance ** β), averaged. β=0 is plain NLL; β=1 gives the mean the MSE gradient.

    Plain NLL divides the mean's gradient by the variance, so points the model finds hard get a
    large variance and are then ignored; the weight undoes part of that.
    """
    if not beta >= 0:
        raise ValueError(f"beta must be >= 0, got {beta}")
    _check_pair(mean, target, "mean")
    _check_pair(variance, target, "variance")
    nll = 0.5 * (variance.log() + (target - mean).pow(2) / variance)
    if beta > 0:
        nll = nll * variance.detach().pow(beta)
    return nll.mean()
