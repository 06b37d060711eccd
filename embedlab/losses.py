"""Losses onto class codes: β-NLL (lesson 4), and the losses that learn the codes (lesson 5).

Each returns a scalar for a batch. `learned_code_loss` picks one for a `LearnedCodeModel` and
returns it as `loss(output, y)`, the form `embedlab.train` expects.
"""

import torch
import torch.nn.functional as F

from embedlab.codebooks import squared_distances


def _check_pair(prediction: torch.Tensor, target: torch.Tensor, name: str) -> None:
    if prediction.shape != target.shape:
        raise ValueError(
            f"{name} has shape {tuple(prediction.shape)} but target has {tuple(target.shape)}"
        )


def _check_class_labels(y: torch.Tensor, n_samples: int, n_classes: int) -> None:
    """y must be (n_samples,) integer labels in [0, n_classes): torch's own errors do not say."""
    if not isinstance(y, torch.Tensor) or y.ndim != 1 or len(y) != n_samples:
        raise ValueError(
            f"y must be a 1-D tensor of {n_samples} labels, got {getattr(y, 'shape', type(y))}"
        )
    if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool:
        raise ValueError(f"y must hold integer class labels, got dtype {y.dtype}")
    if len(y) and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(
            f"y must hold labels in [0, {n_classes}), got values from {int(y.min())} to "
            f"{int(y.max())}"
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
    if (variance <= 0).any():
        raise ValueError(f"variance must be > 0 everywhere, got a minimum of {variance.min()}")
    nll = 0.5 * (variance.log() + (target - mean).pow(2) / variance)
    if beta > 0:
        nll = nll * variance.detach().pow(beta)
    return nll.mean()


def separation_penalty(codes: torch.Tensor, margin: float) -> torch.Tensor:
    """Mean over class pairs of relu(margin - distance)²: zero once every pair is `margin` apart.

    Added to an MSE onto learned codes, it supplies the push apart that MSE alone lacks.
    """
    if not margin > 0:
        raise ValueError(f"margin must be > 0, got {margin}")
    if codes.ndim != 2 or len(codes) < 2:
        raise ValueError(f"codes must be (n_classes >= 2, dim), got {tuple(codes.shape)}")
    k = len(codes)
    upper = torch.triu(torch.ones(k, k, dtype=torch.bool, device=codes.device), diagonal=1)
    differences = codes[:, None, :] - codes[None, :, :]
    distances = (differences.pow(2).sum(-1)[upper] + 1e-12).sqrt()
    return F.relu(margin - distances).pow(2).mean()


def distance_cross_entropy(
    features: torch.Tensor,
    y: torch.Tensor,
    prototypes: torch.Tensor,
    temperature: float = 1.0,
    pull: float = 1e-3,
) -> torch.Tensor:
    """Distance-based cross-entropy with learned prototypes (Yang et al., 2018).

    Logits are -||f - m_k||² / temperature, so the cross-entropy pulls each point (n, d) to its
    class prototype (K, d) and pushes it away from the others; `pull` adds ½·||f - m_y||².
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    if not pull >= 0:
        raise ValueError(f"pull must be >= 0, got {pull}")
    if features.ndim != 2 or prototypes.ndim != 2 or features.shape[1] != prototypes.shape[1]:
        raise ValueError(
            f"features (n, d) and prototypes (K, d) must share d, got "
            f"{tuple(features.shape)} and {tuple(prototypes.shape)}"
        )
    _check_class_labels(y, len(features), len(prototypes))
    squared = squared_distances(features, prototypes)
    return (
        F.cross_entropy(-squared / temperature, y)
        + pull * 0.5 * squared.gather(1, y[:, None]).mean()
    )


def label_embedding_loss(
    head_logits: torch.Tensor,
    watcher_logits: torch.Tensor,
    y: torch.Tensor,
    label_embedding: torch.Tensor,
    tau: float = 2.0,
    alpha: float = 0.9,
    beta: float = 0.5,
    hinge_reduction: str = "mean",
) -> torch.Tensor:
    """The Label Embedding Network objective (Sun et al., 2017), for logits (n, K) and E (K, K).

    - head 1 learns from the hard labels (weight β) and from the soft targets softmax(E[y]);
    - head 2 (which sees stop-gradient features) learns from the hard labels;
    - E learns to match head 2's softened predictions softmax(o2 / τ), on samples head 2 gets right;
    - a hinge relu(p_o2(y) - α) keeps head 2's probability of the true class below α, so the
      targets stay soft. `hinge_reduction="mean"` averages it over the batch; "sum" adds it up,
      as the authors' code does (github.com/lancopku/label-embedding-network), which makes it
      n times stronger for a batch of n.

    τ = 2, α = 0.9 and β = 0.5 are the paper's defaults.
    """
    if not tau > 0:
        raise ValueError(f"tau must be > 0, got {tau}")
    if not 0 < alpha <= 1:
        raise ValueError(f"alpha must be in (0, 1], got {alpha}")
    if not 0 <= beta <= 1:
        raise ValueError(f"beta must be in [0, 1], got {beta}")
    if hinge_reduction not in ("mean", "sum"):
        raise ValueError(f"hinge_reduction must be 'mean' or 'sum', got {hinge_reduction!r}")
    if (
        head_logits.ndim != 2
        or head_logits.shape != watcher_logits.shape
        or label_embedding.shape[0] != head_logits.shape[1]
    ):
        raise ValueError(
            f"head logits {tuple(head_logits.shape)}, watcher logits {tuple(watcher_logits.shape)} "
            f"and label embedding {tuple(label_embedding.shape)} do not fit together"
        )
    n, k = head_logits.shape
    if label_embedding.shape != (k, k):
        raise ValueError(
            f"label_embedding must be square (K, K) = ({k}, {k}) for logits with K = {k} columns, "
            f"got {tuple(label_embedding.shape)}"
        )
    _check_class_labels(y, n, k)
    soft_targets = torch.softmax(label_embedding[y], dim=1).detach()
    head = beta * F.cross_entropy(head_logits, y) + (1 - beta) * F.cross_entropy(
        head_logits, soft_targets
    )
    watcher = F.cross_entropy(watcher_logits, y)
    right = watcher_logits.argmax(dim=1) == y
    watcher_soft = torch.softmax(watcher_logits.detach() / tau, dim=1)
    if right.any():
        embedding = F.cross_entropy(label_embedding[y[right]], watcher_soft[right])
    else:
        embedding = label_embedding.sum() * 0.0
    watcher_true = torch.softmax(watcher_logits, dim=1).gather(1, y[:, None]).squeeze(1)
    hinge = F.relu(watcher_true - alpha)
    hinge = hinge.sum() if hinge_reduction == "sum" else hinge.mean()
    return head + watcher + embedding + hinge


LEARNED_METHODS = ("mse", "distance_ce", "cosine")


def learned_code_loss(model, method: str, temperature: float = 0.5):
    """`loss(output, y)` for a `LearnedCodeModel` (lesson 5), by method:

    - "mse": regress onto the learned codes (nothing pushes classes apart: they collapse);
    - "distance_ce": the codes as prototypes of a distance cross-entropy (Yang et al. 2018);
    - "cosine": cross-entropy over cosine(output, code) / temperature, both normalised.
    """
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    if method == "mse":
        return lambda output, y: F.mse_loss(output, model.codes(y))
    if method == "distance_ce":
        return lambda output, y: distance_cross_entropy(output, y, model.codes.weight)
    if method == "cosine":
        return lambda output, y: F.cross_entropy(
            F.normalize(output, dim=1) @ F.normalize(model.codes.weight, dim=1).T / temperature, y
        )
    raise ValueError(f"unknown method {method!r}; choose one of {', '.join(LEARNED_METHODS)}")
