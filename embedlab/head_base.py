"""The output head's contract (lessons 2-7): what every head in `embedlab.heads` provides.

A head reads the features (n, in_features) of a network's body and turns them into an output, a
loss and class scores (n, K): log-probabilities up to a constant per row, at temperature 1. Its
settings are checked here once, so every head names a bad `dim` or `codebook` the same way.
"""

import torch
from torch import nn

from embedlab.codebooks import CODEBOOKS, make_codebook


class Head(nn.Module):
    """The output layer of one method on (n, in_features) features; subclasses set `name`."""

    name = ""
    has_dim = True  # whether `dim` means anything to this head
    codebook_default: str | None = None  # fixed code book, for heads that use one
    options: tuple[str, ...] = ()  # settings of its own that `EmbeddingClassifier` passes on

    def __init__(self, in_features: int, n_classes: int, dim: int | None = None,
                 codebook: str | None = None):  # fmt: skip
        """Checks the sizes and settings; `codebook` only for heads with fixed codes (the seed
        that draws the codes is the subclass's: see `_fixed_codes`)."""
        super().__init__()
        if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
            raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
        self.check_settings(dim, codebook)
        self.codebook = (codebook or self.codebook_default) if self.codebook_default else None
        self.in_features, self.n_classes = in_features, n_classes

    @classmethod
    def check_settings(cls, dim: int | None, codebook: str | None = None) -> None:
        """Raise a ValueError naming `dim` or `codebook` when this head cannot take it."""
        if dim is not None and not cls.has_dim:
            raise ValueError(
                f"dim: method={cls.name!r} outputs one logit per class and has no embedding "
                f"dimension; leave dim=None, got dim={dim!r}"
            )
        if dim is not None and (isinstance(dim, bool) or not isinstance(dim, int) or dim < 1):
            raise ValueError(f"dim must be None or an integer >= 1, got dim={dim!r}")
        if cls.codebook_default and codebook is not None and codebook not in CODEBOOKS:
            raise ValueError(
                f"unknown code book {codebook!r}; choose one of {', '.join(CODEBOOKS)}"
            )

    def _fixed_codes(self, dim: int | None, seed: int) -> torch.Tensor:
        """Registers and returns the (K, d) fixed class codes, a buffer that moves with the head."""
        self.register_buffer("codes", make_codebook(self.codebook, self.n_classes, dim, seed))
        return self.codes

    def loss(self, output, y: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def scores(self, output) -> torch.Tensor:
        """(n, K) class scores: log-probabilities up to a constant per row, at temperature 1."""
        raise NotImplementedError

    def points(self, features: torch.Tensor, output) -> torch.Tensor:
        """(n, d) outputs in the space where `class_vectors` live."""
        return output

    def class_vectors(self) -> torch.Tensor:
        """(K, d) one vector per class, in the space of `points` (detached)."""
        return self.codes.detach().clone()

    def n_parameters(self) -> int:
        """Numbers the head trains (fixed codes are not trained)."""
        return sum(p.numel() for p in self.parameters())


def cosine_dim(n_classes: int) -> int:
    """The default dimension of the cosine heads: K, and at least 3. With only the K - 1 that a
    simplex needs, directions live on a circle for K = 3, and an output pointing away from its
    class cannot turn past a wrong code: Iris stayed at 0.65 training accuracy (one class never
    predicted), against 0.99 with 3 dimensions. A 1-D output's direction (its sign) has no
    gradient at all."""
    return max(3, n_classes)
