"""One home per classification method: its network, its loss and its class scores (lesson 6).

Every method turns features into a network output, and the output into **scores** (n, K): class
log-probabilities up to a constant per row, at temperature 1. Probabilities are
softmax(scores / T) for a temperature T (fitted by `EmbeddingClassifier`, see `calibration`);
the predicted class is the argmax of the scores, whatever T.

method     network output                     loss                    scores
softmax    K logits                           cross-entropy           the logits
fixed      a point in code space (lesson 3)   MSE to the class code   -squared distance to codes
gaussian   a mean and a variance (lesson 4)   β-NLL                   -squared distance of mean
learned    a point; codes learned (lesson 5)  distance cross-entropy  -squared distance to codes

`EmbeddingClassifier`, the benchmark and the lessons all use these classes. A new method is one
new subclass of `Method` here and one entry in `METHODS`.
"""

import torch
import torch.nn.functional as F
from torch import nn

from embedlab.codebooks import CODEBOOKS, make_codebook, squared_distances
from embedlab.losses import beta_nll_loss, distance_cross_entropy
from embedlab.models import GaussianRegressor, LearnedCodeModel, mlp


class Method:
    """The settings of one method and what it does with them; holds no trained state.

    Subclasses set `name` and implement `build`, `loss`, `scores`, `points`, `class_vectors`.
    `model` is always the module returned by `build`; class codes a method keeps fixed live on it
    as the buffer `model.codes` (K, dim), so the trained model carries everything needed.
    """

    name = ""
    uses_codebook = False  # whether `codebook` matters
    has_dim = True  # whether `dim` matters

    def __init__(
        self,
        hidden: tuple[int, ...] = (100, 100),
        dim: int | None = None,
        codebook: str = "simplex",
        beta: float = 0.5,
        min_variance: float = 1e-3,
    ):
        self.hidden = tuple(hidden)
        self.dim = dim
        self.codebook = codebook
        self.beta = beta
        self.min_variance = min_variance
        self.check()

    def check(self) -> None:
        """Raise a ValueError naming the setting when one is impossible for this method."""
        if self.dim is not None:
            if not self.has_dim:
                raise ValueError(
                    f"dim: method={self.name!r} outputs one logit per class and has no embedding "
                    f"dimension; leave dim=None, got dim={self.dim!r}"
                )
            if isinstance(self.dim, bool) or not isinstance(self.dim, int) or self.dim < 1:
                raise ValueError(f"dim must be None or an integer >= 1, got dim={self.dim!r}")
        if self.uses_codebook and self.codebook not in CODEBOOKS:
            raise ValueError(
                f"unknown code book {self.codebook!r}; choose one of {', '.join(CODEBOOKS)}"
            )

    def build(self, n_features: int, n_classes: int, seed: int) -> nn.Module:
        """A fresh network; its initial weights come from torch's global generator."""
        raise NotImplementedError

    def loss(self, model: nn.Module, output, y: torch.Tensor) -> torch.Tensor:
        """The training loss of `output = model(X)` for integer labels y (n,)."""
        raise NotImplementedError

    def scores(self, model: nn.Module, output) -> torch.Tensor:
        """(n, K) class scores: log-probabilities up to a constant per row, at temperature 1."""
        raise NotImplementedError

    def points(self, model: nn.Module, X: torch.Tensor) -> torch.Tensor:
        """(n, dim) outputs in the space where `class_vectors` live."""
        raise NotImplementedError

    def class_vectors(self, model: nn.Module) -> torch.Tensor:
        """(K, dim) one vector per class, in the space of `points`."""
        return model.codes.detach().clone()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(hidden={self.hidden}, dim={self.dim})"


class Softmax(Method):
    """K logits trained with cross-entropy (lesson 2). Its class vectors are the rows of the last
    layer's weight, in the space of the last hidden layer."""

    name = "softmax"
    has_dim = False

    def build(self, n_features, n_classes, seed):
        return mlp(n_features, self.hidden, n_classes)

    def loss(self, model, output, y):
        return F.cross_entropy(output, y)

    def scores(self, model, output):
        return output

    def points(self, model, X):
        return model[:-1](X)

    def class_vectors(self, model):
        return model[-1].weight.detach().clone()


class FixedCodes(Method):
    """Regression onto a fixed code book with MSE (lesson 3); decoded by the nearest code."""

    name = "fixed"
    uses_codebook = True

    def build(self, n_features, n_classes, seed):
        codes = make_codebook(self.codebook, n_classes, self.dim, seed=seed)
        model = mlp(n_features, self.hidden, codes.shape[1])
        model.register_buffer("codes", codes)
        return model

    def loss(self, model, output, y):
        return F.mse_loss(output, model.codes[y])

    def scores(self, model, output):
        return -squared_distances(output, model.codes)

    def points(self, model, X):
        return model(X)


class GaussianCodes(Method):
    """A mean and a variance per code coordinate, trained with β-NLL (lesson 4); decoded by the
    nearest code to the mean. The variance is returned by `variance`."""

    name = "gaussian"
    uses_codebook = True

    def build(self, n_features, n_classes, seed):
        codes = make_codebook(self.codebook, n_classes, self.dim, seed=seed)
        model = GaussianRegressor(n_features, self.hidden, codes.shape[1], self.min_variance)
        model.register_buffer("codes", codes)
        return model

    def loss(self, model, output, y):
        mean, variance = output
        return beta_nll_loss(mean, model.codes[y], variance, self.beta)

    def scores(self, model, output):
        return -squared_distances(output[0], model.codes)

    def points(self, model, X):
        return model(X)[0]

    def variance(self, model, X) -> torch.Tensor:
        """(n, dim) predicted variance of each output coordinate."""
        return model(X)[1]


class LearnedCodes(Method):
    """Points and a learned code table, trained with a distance cross-entropy (lesson 5): the
    codes are prototypes, and the cross-entropy keeps them apart."""

    name = "learned"

    def build(self, n_features, n_classes, seed):
        dim = self.dim if self.dim is not None else max(2, n_classes - 1)
        return LearnedCodeModel(n_features, self.hidden, n_classes, dim)

    def loss(self, model, output, y):
        return distance_cross_entropy(output, y, model.codes.weight)

    def scores(self, model, output):
        return -squared_distances(output, model.codes.weight)

    def points(self, model, X):
        return model(X)

    def class_vectors(self, model):
        return model.class_codes()


METHODS: dict[str, type[Method]] = {
    method.name: method for method in (Softmax, FixedCodes, GaussianCodes, LearnedCodes)
}


def make_method(name: str, **settings) -> Method:
    """The method called `name` with its settings (hidden, dim, codebook, beta, min_variance)."""
    if name not in METHODS:
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(METHODS)}")
    return METHODS[name](**settings)
