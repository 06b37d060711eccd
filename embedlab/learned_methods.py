"""Lesson 5's bookkeeping for comparing ways to learn class vectors: which model each method
trains, where its class vectors are, and how it turns an output into a class.

The losses themselves are the lesson, so they stay in the notebook; this module holds the rest.
Methods:

- "softmax": an MLP with K logits, predicted by argmax;
- "fixed simplex": an MLP regressing onto fixed simplex codes (lesson 3), nearest code;
- "mse", "distance_ce", "cosine": a `LearnedCodeModel` (2-D codes by default), nearest learned
  code — by angle for "cosine", whose loss ignores the codes' lengths;
- "label embedding network": a `LabelEmbeddingNetwork`, argmax of head 1; its class vectors are
  the rows of softmax(E), the soft targets.
"""

import torch
import torch.nn.functional as F
from torch import nn

from embedlab.codebooks import nearest_code, simplex_codes
from embedlab.models import LabelEmbeddingNetwork, LearnedCodeModel, mlp

METHODS = ("softmax", "fixed simplex", "mse", "distance_ce", "cosine", "label embedding network")
LEARNED = ("mse", "distance_ce", "cosine")


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    return method


def build_model(
    method: str,
    n_features: int,
    n_classes: int,
    hidden: tuple[int, ...] = (100, 100),
    dim: int = 2,
    **code_options,
) -> nn.Module:
    """The network `method` trains: (n, n_features) inputs, outputs as the method's loss expects.

    `dim` is the size of learned codes; `code_options` (init_scale, max_norm) go to
    `LearnedCodeModel`. Seed before calling: the weights are drawn here.
    """
    _check_method(method)
    if method == "softmax":
        return mlp(n_features, hidden, n_classes)
    if method == "fixed simplex":
        return mlp(n_features, hidden, n_classes - 1)
    if method == "label embedding network":
        return LabelEmbeddingNetwork(n_features, hidden, n_classes)
    return LearnedCodeModel(n_features, hidden, n_classes, dim, **code_options)


def class_vectors(method: str, model: nn.Module) -> torch.Tensor | None:
    """The (K, d) class vectors a method learns, as its decoding sees them (detached), or None.

    Learned codes as they are, except for "cosine", whose codes are scaled to length 1 (only
    their directions count); for the Label Embedding Network the rows of softmax(E).
    """
    _check_method(method)
    if method in LEARNED:
        codes = model.class_codes()
        return F.normalize(codes, dim=1) if method == "cosine" else codes
    if method == "label embedding network":
        return torch.softmax(model.label_embedding.detach(), dim=1)
    return None


def predict(method: str, model: nn.Module, X: torch.Tensor) -> torch.Tensor:
    """(n,) predicted classes for inputs X (n, n_features), decoded the way `method` decodes."""
    _check_method(method)
    with torch.no_grad():
        output = model(X)
        if method == "softmax":
            return output.argmax(dim=1)
        if method == "label embedding network":
            return output[0].argmax(dim=1)
        if method == "fixed simplex":
            return nearest_code(output, simplex_codes(output.shape[1] + 1))
        metric = "cosine" if method == "cosine" else "euclidean"
        return nearest_code(output, model.class_codes(), metric=metric)
