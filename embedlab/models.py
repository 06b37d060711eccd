"""Networks for every lesson: a plain MLP (lesson 2), a Gaussian regressor (lesson 4) and
models whose class vectors are learned (lesson 5).

They are ordinary `nn.Module`s; the lesson is in what the output means (logits, a point in
embedding space, a mean and a variance) and in the loss it is trained with.
"""

import torch
import torch.nn.functional as F
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "gelu": nn.GELU, "identity": nn.Identity}


def check_size(value, name: str) -> int:
    """`value` if it is a positive integer; else a ValueError naming `name`."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def _check_hidden(hidden) -> tuple:
    if isinstance(hidden, str) or not isinstance(hidden, (tuple, list)):
        raise ValueError(
            f"hidden must be a tuple of layer sizes such as (100, 100), got {hidden!r}"
        )
    return tuple(hidden)


def mlp(
    in_features: int, hidden: tuple[int, ...], out_features: int, activation: str = "relu"
) -> nn.Sequential:
    """Linear -> activation blocks for each size in `hidden`, then a final Linear.

    Input (n, in_features) -> output (n, out_features). `activation="identity"` rebuilds the
    write-up's mistake of no non-linearity between two layers.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}"
        )
    hidden = _check_hidden(hidden)
    sizes = [check_size(in_features, "in_features")]
    sizes += [check_size(h, "hidden size") for h in hidden]
    layers: list[nn.Module] = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        layers += [nn.Linear(n_in, n_out), ACTIVATIONS[activation]()]
    layers.append(nn.Linear(sizes[-1], check_size(out_features, "out_features")))
    return nn.Sequential(*layers)


def mlp_body(in_features: int, hidden: tuple[int, ...]) -> nn.Sequential:
    """Linear -> ReLU for every size in `hidden`: the shared features (n, hidden[-1]) that the
    heads of a two-headed model read. The last ReLU is a module, so printing the model shows it."""
    return nn.Sequential(*mlp(in_features, hidden[:-1], hidden[-1]), nn.ReLU())


class GaussianRegressor(nn.Module):
    """An MLP body with two heads: a mean (n, dim) and a variance (n, dim).

    The variance is softplus(raw) + `min_variance`, so it is positive and never smaller than the
    floor, which keeps 1/variance (and the mean's gradient) bounded. The default floor 1e-3 is
    the smallest power of ten at which plain NLL stopped collapsing (digits, lr 1e-2, 10 seeds,
    float64: worst seed 0.34 with a floor of 1e-4, 0.90 with 1e-3); lesson 4 uses torch's 1e-6
    to show the collapse, and a floor of 1e-2 to cure it.
    """

    def __init__(
        self, in_features: int, hidden: tuple[int, ...], dim: int, min_variance: float = 1e-3
    ):
        super().__init__()
        if not min_variance > 0:
            raise ValueError(f"min_variance must be > 0, got {min_variance}")
        if not _check_hidden(hidden):
            raise ValueError("hidden must name at least one layer size for a Gaussian regressor")
        self.body = mlp_body(in_features, hidden)
        self.mean_head = nn.Linear(hidden[-1], check_size(dim, "dim"))
        self.variance_head = nn.Linear(hidden[-1], dim)
        self.min_variance = min_variance

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.body(X)
        variance = F.softplus(self.variance_head(features)) + self.min_variance
        return self.mean_head(features), variance


class LearnedCodeModel(nn.Module):
    """An MLP that maps inputs to points (n, dim), plus a learned table of class codes (K, dim).

    One model, three lessons' worth of losses (lesson 5): regress onto the codes with MSE (which
    collapses), add a separation penalty, or use the codes as prototypes for a distance-based
    cross-entropy. `codes` is an `nn.Embedding`, so `max_norm` behaves as shown in lesson 1.

    The codes start as `init_scale`·N(0, 1): drawn from torch's global generator after the body,
    or, with `code_seed`, from a generator of their own, so that networks of different sizes can
    start from the same codes.
    """

    def __init__(
        self,
        in_features: int,
        hidden: tuple[int, ...],
        n_classes: int,
        dim: int,
        init_scale: float = 1.0,
        max_norm: float | None = None,
        code_seed: int | None = None,
    ):
        super().__init__()
        if not init_scale > 0:
            raise ValueError(f"init_scale must be > 0, got {init_scale}")
        if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
            raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
        if max_norm is not None and not max_norm > 0:
            raise ValueError(f"max_norm must be None (off) or > 0, got {max_norm}")
        self.body = mlp(in_features, hidden, check_size(dim, "dim"))
        self.codes = nn.Embedding(n_classes, dim, max_norm=max_norm)
        generator = None if code_seed is None else torch.Generator().manual_seed(code_seed)
        nn.init.normal_(self.codes.weight, std=init_scale, generator=generator)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.body(X)

    def class_codes(self) -> torch.Tensor:
        """The (K, dim) code table, detached: for decoding and pictures."""
        return self.codes.weight.detach().clone()


class LabelEmbeddingNetwork(nn.Module):
    """The Label Embedding Network of Sun et al. (2017), for an MLP (lesson 5).

    A shared body gives features h. Head 1 classifies from h; head 2 classifies from h with the
    gradient stopped, so it only watches. A learned (K, K) label embedding, initialised to the
    identity, turns each class into a soft target softmax(E[y]) that head 1 also learns from.
    `forward` returns (head-1 logits, head-2 logits), each (n, K); predict with head 1.
    """

    def __init__(self, in_features: int, hidden: tuple[int, ...], n_classes: int):
        super().__init__()
        if not _check_hidden(hidden):
            raise ValueError("hidden must name at least one layer size")
        if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
            raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
        self.body = mlp_body(in_features, hidden)
        self.head = nn.Linear(hidden[-1], n_classes)
        self.watcher = nn.Linear(hidden[-1], n_classes)
        self.label_embedding = nn.Parameter(torch.eye(n_classes))

    def forward(self, X: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.body(X)
        return self.head(features), self.watcher(features.detach())
