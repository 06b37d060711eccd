"""Output heads: one home per classification method (lessons 2-7).

A head reads the features (n, in_features) of a network's body and turns them into an output,
a loss and class **scores** (n, K): log-probabilities up to a constant per row, at temperature 1.
The predicted class is the argmax of the scores; probabilities are softmax(scores / T).

name             output (n, ·)            loss                             scores
softmax          K logits                 cross-entropy                    the logits
sampled_softmax  the features             cross-entropy over y and S drawn  all K logits
fixed            a point, d numbers       MSE to the fixed class code      -‖o - c_k‖²
cosine           a point, d numbers       cross-entropy over s·cos(o, c_k)  s·cos(o, c_k)
gaussian         a mean and a variance    β-NLL (Seitzer et al. 2022)      -‖mean - c_k‖²
learned          a point, d numbers       distance cross-entropy, learned  -‖o - m_k‖²
learned_cosine   a point, d numbers       cross-entropy over s·cos(o, m_k)  s·cos(o, m_k)
label_embedding  two sets of K logits     Label Embedding Network loss     head 1's logits

Fixed codes c_k come from `embedlab.codebooks`; learned vectors m_k and the scale s are trained;
the cosine heads follow Hoffer et al. (2018, fixed) and Mettes et al. (2019, learned); the
distance cross-entropy Yang et al. (2018); the label embedding Sun et al. (2017).
`EmbeddingClassifier`, lessons 5-7, the widgets and the benchmarks all build heads here:
a new head is one subclass of `Head` (`embedlab.head_base`: the contract every head keeps) and
one entry in `HEADS`.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from embedlab.codebooks import squared_distances
from embedlab.head_base import Head, cosine_dim
from embedlab.losses import beta_nll_loss, distance_cross_entropy, label_embedding_loss
from embedlab.models import check_size, mlp_body


class SoftmaxHead(Head):
    """K logits and cross-entropy (lesson 2); its class vectors are the weight rows."""

    name = "softmax"
    has_dim = False

    def __init__(self, in_features, n_classes, dim=None, codebook=None, seed=0):
        super().__init__(in_features, n_classes, dim)
        self.linear = nn.Linear(in_features, n_classes)

    def forward(self, features):
        return self.linear(features)

    def loss(self, output, y):
        return F.cross_entropy(output, y)

    def scores(self, output):
        return output

    def points(self, features, output):
        return features

    def class_vectors(self):
        return self.linear.weight.detach().clone()


class SampledSoftmaxHead(SoftmaxHead):
    """Softmax's layer trained on each row's class and S sampled ones (lesson 7): sampled softmax
    with the log-Q correction (Bengio & Senécal 2008; Jean et al. 2015). Each step draws
    `n_sampled` classes (with replacement, shared by the batch) from the proposal Q, uniform
    unless `class_prior` is given, subtracts log(S·Q(k)) from each scored logit and masks a draw
    of the row's own class. A step reads B + S of the K weight rows (Adam still updates all K:
    dense gradients); `scores` computes all K logits, so predictions are exact softmax's. With
    uniform Q the correction shifts every logit alike and changes nothing."""

    name = "sampled_softmax"

    def __init__(self, in_features, n_classes, dim=None, codebook=None, seed=0,
                 n_sampled: int = 64, class_prior: torch.Tensor | None = None):  # fmt: skip
        super().__init__(in_features, n_classes, dim)
        if isinstance(n_sampled, bool) or not isinstance(n_sampled, int) or n_sampled < 1:
            raise ValueError(f"n_sampled must be an integer >= 1, got {n_sampled!r}")
        prior = torch.ones(n_classes) if class_prior is None else torch.as_tensor(class_prior)
        if prior.shape != (n_classes,) or not bool((prior > 0).all()):
            raise ValueError(f"class_prior must hold n_classes={n_classes} positive numbers")
        self.register_buffer("log_q", (prior / prior.sum()).log().float())
        self.n_sampled = n_sampled

    def forward(self, features):
        return features  # the output is the features: training never forms all K logits

    def loss(self, output, y):
        drawn = torch.multinomial(self.log_q.exp(), self.n_sampled, replacement=True)
        weight, bias = self.linear.weight, self.linear.bias
        own = (output * weight[y]).sum(1, keepdim=True) + bias[y, None]  # (B, 1)
        other = output @ weight[drawn].T + bias[drawn]  # (B, S)
        logits = torch.cat([own - self.log_q[y, None], other - self.log_q[drawn]], 1)
        hit = torch.cat([torch.zeros_like(own, dtype=torch.bool), drawn == y[:, None]], 1)
        logits = logits.masked_fill(hit, float("-inf")) - math.log(self.n_sampled)
        return F.cross_entropy(logits, torch.zeros_like(y))

    def scores(self, output):
        return self.linear(output)


class FixedCodesHead(Head):
    """Regression onto fixed class codes with MSE (lesson 3), decoded to the nearest code."""

    name = "fixed"
    codebook_default = "simplex"
    options = ("codebook",)

    def __init__(self, in_features, n_classes, dim=None, codebook=None, seed=0):
        super().__init__(in_features, n_classes, dim, codebook)
        codes = self._fixed_codes(dim, seed)
        self.linear = nn.Linear(in_features, codes.shape[1])

    def forward(self, features):
        return self.linear(features)

    def loss(self, output, y):
        return F.mse_loss(output, self.codes[y])

    def scores(self, output):
        return -squared_distances(output, self.codes)


class CosineCodesHead(Head):
    """Cross-entropy over s·cosine(output, code) with fixed, spread-out unit codes and a learned
    scale s (Hoffer et al. 2018; lesson 7). Only directions count. Within 2 points of
    MLPClassifier everywhere measured (README, "where it is weak")."""

    name = "cosine"
    codebook_default = "simplex"
    options = ("codebook",)

    def __init__(self, in_features, n_classes, dim=None, codebook=None, seed=0, scale=16.0):
        super().__init__(in_features, n_classes, dim, codebook)
        codes = self._fixed_codes(dim if dim is not None else cosine_dim(n_classes), seed)
        self.codes = F.normalize(codes, dim=1)
        self.linear = nn.Linear(in_features, codes.shape[1])
        self.log_scale = nn.Parameter(torch.tensor(math.log(scale)))

    def forward(self, features):
        return self.linear(features)

    def loss(self, output, y):
        return F.cross_entropy(self.scores(output), y)

    def scores(self, output):
        return self.log_scale.exp() * F.normalize(output, dim=1) @ self.codes.T


class GaussianHead(Head):
    """A mean and a variance per code coordinate, trained with β-NLL (lesson 4), decoded to the
    nearest code to the mean. The variance is softplus(raw) + `min_variance`. The weakest head at
    1-10k rows of hard data: 2-8 points below MLPClassifier (README, "where it is weak")."""

    name = "gaussian"
    codebook_default = "simplex"
    options = ("codebook", "beta", "min_variance")

    def __init__(self, in_features, n_classes, dim=None, codebook=None, seed=0,
                 beta: float = 0.5, min_variance: float = 1e-3):  # fmt: skip
        super().__init__(in_features, n_classes, dim, codebook)
        if not beta >= 0:
            raise ValueError(f"beta must be >= 0, got {beta}")
        if not min_variance > 0:
            raise ValueError(f"min_variance must be > 0, got {min_variance}")
        codes = self._fixed_codes(dim, seed)
        self.mean_head = nn.Linear(in_features, codes.shape[1])
        self.variance_head = nn.Linear(in_features, codes.shape[1])
        self.beta, self.min_variance = beta, min_variance

    def forward(self, features):
        variance = F.softplus(self.variance_head(features)) + self.min_variance
        return self.mean_head(features), variance

    def loss(self, output, y):
        mean, variance = output
        return beta_nll_loss(mean, self.codes[y], variance, self.beta)

    def scores(self, output):
        return -squared_distances(output[0], self.codes)

    def points(self, features, output):
        return output[0]


class LearnedCodesHead(Head):
    """Points and learned class vectors (prototypes), trained with a distance cross-entropy plus
    a small pull to the own vector (Yang et al. 2018; lesson 5). The cross-entropy pushes each
    point away from the other classes' vectors, so they spread instead of collapsing.

    The vectors are the rows of an `nn.Embedding` (lesson 1), started as `init_scale`·N(0, 1)
    from torch's global generator. The loss reads the whole table, never looks rows up, so a
    `max_norm` would never act (lesson 5): there is none. A small start lets look-alike classes
    end up together (lesson 7); lesson 5's pictures start them at 1 or 5. Within 2 points of
    MLPClassifier everywhere measured (README, "where it is weak").
    """

    name = "learned"

    def __init__(self, in_features, n_classes, dim=None, codebook=None, seed=0,
                 init_scale: float = 1.0, pull: float = 1e-3):  # fmt: skip
        super().__init__(in_features, n_classes, dim)
        if not init_scale > 0:
            raise ValueError(f"init_scale must be > 0, got {init_scale}")
        dim = dim if dim is not None else max(2, n_classes - 1)
        self.linear = nn.Linear(in_features, dim)
        self.codes = nn.Embedding(n_classes, dim)
        nn.init.normal_(self.codes.weight, std=init_scale)
        self.pull = pull

    def forward(self, features):
        return self.linear(features)

    def loss(self, output, y):
        return distance_cross_entropy(output, y, self.codes.weight, pull=self.pull)

    def scores(self, output):
        return -squared_distances(output, self.codes.weight)

    def class_vectors(self):
        return self.codes.weight.detach().clone()


class LearnedCosineHead(LearnedCodesHead):
    """Learned class vectors compared by angle: cross-entropy over s·cos(output, m_k) with a
    learned scale s (lesson 7; lesson 5 borrows its geometry with a fixed temperature and does not
    train the scale). Mettes et al. (2019) compare by angle too, but fix their prototypes in advance
    and minimise (1 - cos)². Class vectors are unit length. Weak on hard data at 2k rows, where
    early stopping starts: 2.5 points below MLPClassifier (README, "where it is weak")."""

    name = "learned_cosine"

    def __init__(self, in_features, n_classes, dim=None, codebook=None, seed=0,
                 init_scale: float = 1.0, scale: float = 16.0):  # fmt: skip
        dim = dim if dim is not None else cosine_dim(n_classes)
        super().__init__(in_features, n_classes, dim, init_scale=init_scale)
        self.log_scale = nn.Parameter(torch.tensor(math.log(scale)))

    def loss(self, output, y):
        return F.cross_entropy(self.scores(output), y)

    def scores(self, output):
        unit = F.normalize(self.codes.weight, dim=1)
        return self.log_scale.exp() * F.normalize(output, dim=1) @ unit.T

    def class_vectors(self):
        return F.normalize(self.codes.weight.detach(), dim=1)


class LabelEmbeddingHead(Head):
    """The Label Embedding Network (Sun et al. 2017; lesson 5): head 1 classifies, head 2 sees
    the features with the gradient stopped, and a learned (K, K) label embedding E, started at
    the identity, gives each class a soft target softmax(E[y]). Class vectors: softmax(E) rows."""

    name = "label_embedding"
    has_dim = False

    def __init__(self, in_features, n_classes, dim=None, codebook=None, seed=0,
                 hinge_reduction: str = "sum"):  # fmt: skip
        super().__init__(in_features, n_classes, dim)
        self.head = nn.Linear(in_features, n_classes)
        self.watcher = nn.Linear(in_features, n_classes)
        self.label_embedding = nn.Parameter(torch.eye(n_classes))
        self.hinge_reduction = hinge_reduction

    def forward(self, features):
        return self.head(features), self.watcher(features.detach())

    def loss(self, output, y):
        return label_embedding_loss(
            *output, y, self.label_embedding, hinge_reduction=self.hinge_reduction
        )

    def scores(self, output):
        return output[0]

    def points(self, features, output):
        return output[0]

    def class_vectors(self):
        return torch.softmax(self.label_embedding.detach(), dim=1)


HEADS: dict[str, type[Head]] = {
    head.name: head
    for head in (SoftmaxHead, SampledSoftmaxHead, FixedCodesHead, CosineCodesHead, GaussianHead,
                 LearnedCodesHead, LearnedCosineHead, LabelEmbeddingHead)
}  # fmt: skip


def make_head(name: str, in_features: int, n_classes: int, **settings) -> Head:
    """The head called `name` (see `HEADS`) on `in_features` features for `n_classes` classes;
    `settings` are its constructor's (dim, codebook, seed, and the head's own)."""
    if name not in HEADS:
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(HEADS)}")
    return HEADS[name](in_features, n_classes, **settings)


class HeadNetwork(nn.Module):
    """An MLP body (Linear -> ReLU for each size in `hidden`) and one head on its features."""

    def __init__(self, n_features: int, hidden: tuple[int, ...], n_classes: int, method: str,
                 **settings):  # fmt: skip
        super().__init__()
        hidden = tuple(check_size(h, "hidden size") for h in hidden)
        if not hidden:
            raise ValueError("hidden must name at least one layer size (the head reads features)")
        self.body = mlp_body(n_features, hidden)
        self.head = make_head(method, hidden[-1], n_classes, **settings)

    def forward(self, X: torch.Tensor):
        return self.head(self.body(X))

    def loss(self, output, y: torch.Tensor) -> torch.Tensor:
        return self.head.loss(output, y)

    def scores(self, X: torch.Tensor) -> torch.Tensor:
        """(n, K) class scores of inputs X (n, n_features)."""
        return self.head.scores(self(X))

    def points(self, X: torch.Tensor) -> torch.Tensor:
        """(n, d) the inputs in the space of the head's class vectors."""
        features = self.body(X)
        return self.head.points(features, self.head(features))
