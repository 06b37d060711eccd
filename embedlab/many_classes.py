"""Output layers for many classes, trained on glyphs, and what they cost as K grows (lesson 7).

One body (an MLP on the glyph pixels) and four output layers ("heads") on its `hidden` features:

- "softmax": a Linear(hidden, K) layer and cross-entropy: hidden·K + K parameters;
- "cosine": a Linear(hidden, d) layer, cross-entropy over scale·cosine(output, code) with fixed,
  spread-out unit codes (the "fixed classifier" of Hoffer et al., 2018): hidden·d + d + 1;
- "mse": the same layer regressed onto the codes with a squared error (lesson 3), decoded to the
  nearest code: hidden·d + d;
- "learned": a distance cross-entropy onto learned class vectors (Yang et al., 2018, lesson 5):
  hidden·d + d + K·d.

Every score is computed as a matrix product ((n, d) @ (d, K)), never by broadcasting an (n, K, d)
difference, so 100,000 classes fit in memory.
"""

import functools
import math
import time
from importlib import resources

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from embedlab.codebooks import sphere_codes
from embedlab.glyphs import GlyphSplit, accuracy_up_to_homoglyphs, jitter, top_k_accuracy

METHODS = ("softmax", "cosine", "mse", "learned")
RESULTS = ("accuracy", "homoglyphs", "cost", "decoding")
# Learned class vectors start tiny. Two classes shown the same images get the same gradients, so
# only their initial difference keeps them apart: N(0, 1) starts kept every homoglyph pair apart
# (0 of 34 recovered on Latin/Greek/Cyrillic capitals), 0.01·N(0, 1) starts joined 28 of 34.
LEARNED_INIT_SCALE = 0.01


def load_many_classes_results(part: str) -> pd.DataFrame:
    """The results `benchmarks/many_classes.py` (`make bench`) wrote and embedlab ships:
    "accuracy" (per method, K and seed), "homoglyphs" (recovery by class vectors), "cost"
    (training step, prediction and memory per method and K), "decoding" (exact vs HNSW)."""
    if part not in RESULTS:
        raise ValueError(f"unknown part {part!r}; choose one of {', '.join(RESULTS)}")
    with resources.files("embedlab").joinpath(f"many_classes_{part}.csv").open() as handle:
        return pd.read_csv(handle)


def fixed_codes(n_classes: int, dim: int, seed: int = 0) -> torch.Tensor:
    """(K, d) unit codes: spread over the sphere by repulsion up to K = 2000, random beyond."""
    return _fixed_codes(n_classes, dim, seed).clone()


@functools.cache
def _fixed_codes(n_classes: int, dim: int, seed: int) -> torch.Tensor:
    if n_classes <= 2000:
        return sphere_codes(n_classes, dim, seed=seed, steps=200)
    generator = torch.Generator().manual_seed(seed)
    return F.normalize(torch.randn(n_classes, dim, generator=generator), dim=1)


def squared_distances(outputs: torch.Tensor, vectors: torch.Tensor) -> torch.Tensor:
    """(n, K) squared distances ‖o‖² + ‖v‖² − 2 o·v between outputs (n, d) and vectors (K, d)."""
    return (
        outputs.pow(2).sum(1, keepdim=True) + vectors.pow(2).sum(1) - 2 * outputs @ vectors.T
    ).clamp_min(0)


class OutputLayer(nn.Module):
    """The head of one method on (n, hidden) features; `scores` ranks the K classes."""

    def __init__(self, method: str, hidden: int, n_classes: int, dim: int = 64, seed: int = 0):
        super().__init__()
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        if isinstance(dim, bool) or not isinstance(dim, int) or dim < 2:
            raise ValueError(f"dim must be an integer >= 2, got {dim!r}")
        self.method = method
        self.linear = nn.Linear(hidden, n_classes if method == "softmax" else dim)
        if method in ("cosine", "mse"):
            self.register_buffer("codes", fixed_codes(n_classes, dim, seed))
        if method == "cosine":
            self.log_scale = nn.Parameter(torch.tensor(math.log(16.0)))
        if method == "learned":  # small start: look-alike classes can end up together
            generator = torch.Generator().manual_seed(seed)
            start = LEARNED_INIT_SCALE * torch.randn(n_classes, dim, generator=generator)
            self.codes = nn.Parameter(start)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        """(n, K) logits for softmax, else the (n, d) point in code space."""
        return self.linear(features)

    def scores(self, output: torch.Tensor) -> torch.Tensor:
        """(n, K) class scores, higher is better (the logits the loss sees, except for mse).

        For mse and learned: minus the squared distance to each code, up to a per-row constant.
        """
        if self.method == "softmax":
            return output
        if self.method == "cosine":
            return self.log_scale.exp() * F.normalize(output, dim=1) @ self.codes.T
        # -‖o − c‖² without the −‖o‖² that every class shares: same ranking, same softmax
        return 2 * output @ self.codes.T - self.codes.pow(2).sum(dim=1)

    def loss(self, output: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.method == "mse":
            return (output - self.codes[y]).pow(2).sum(1).mean()
        loss = F.cross_entropy(self.scores(output), y)
        if self.method == "learned":  # Yang et al.'s pull towards the own class vector
            loss = loss + 1e-3 * 0.5 * (output - self.codes[y]).pow(2).sum(1).mean()
        return loss

    def n_parameters(self) -> int:
        """Trained numbers in the output layer (fixed codes are not trained)."""
        return sum(p.numel() for p in self.parameters())


class GlyphNet(nn.Module):
    """MLP body n_inputs → width → hidden (ReLU) followed by one method's `OutputLayer`."""

    def __init__(self, n_inputs: int, n_classes: int, method: str = "softmax", dim: int = 64,
                 hidden: int = 256, seed: int = 0, width: int = 512):  # fmt: skip
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_inputs, width), nn.ReLU(), nn.Linear(width, hidden), nn.ReLU()
        )
        self.head = OutputLayer(method, hidden, n_classes, dim, seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x))

    @torch.no_grad()
    def scores(self, x: torch.Tensor) -> torch.Tensor:
        """(n, K) class scores for images x (n, S·S)."""
        self.eval()
        return self.head.scores(self(x))


def fit_glyph_net(split: GlyphSplit, method: str = "softmax", dim: int = 64, epochs: int = 20,
                  seed: int = 0, augment: bool = True, batch_size: int = 256,
                  lr: float = 2e-3, hidden: int = 256, width: int = 512) -> GlyphNet:  # fmt: skip
    """Train a `GlyphNet` on `split` with Adam and a cosine-decaying learning rate.

    With `augment`, every epoch sees the training images moved again by a fresh small jitter
    (the body then learns shapes, not pixels). Seeded: same arguments, same model.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = GlyphNet(split.X_train.shape[1], split.n_classes, method, dim, hidden, seed, width)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * math.ceil(len(split.y_train) / batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    size = split.image_size
    for _ in range(epochs):
        model.train()
        X = split.X_train
        if augment:
            images = X.reshape(-1, size, size).numpy()
            moved = jitter(images, rng, shift=0.5, scale=0.04, rotation=3.0, noise=0.03)
            X = torch.from_numpy(moved.reshape(len(X), -1))
        for batch in torch.randperm(len(X)).split(batch_size):
            optimizer.zero_grad()
            model.head.loss(model(X[batch]), split.y_train[batch]).backward()
            optimizer.step()
            schedule.step()
    model.eval()
    return model


def evaluate(model: GlyphNet, split: GlyphSplit, groups) -> dict[str, float]:
    """Test accuracy plainly, up to homoglyphs (`groups` from `homoglyph_groups`), and top-5."""
    scores = model.scores(split.X_test)
    predicted = scores.argmax(dim=1)
    return {
        "accuracy": (predicted == split.y_test).float().mean().item(),
        "homoglyph_accuracy": accuracy_up_to_homoglyphs(split.y_test, predicted, groups),
        "top5": top_k_accuracy(scores, split.y_test, k=min(5, split.n_classes)),
    }


def most_similar_pairs(vectors: torch.Tensor, n_pairs: int) -> list[tuple[int, int]]:
    """The `n_pairs` class pairs (i < j) whose (K, d) vectors are closest (Euclidean)."""
    distances = torch.cdist(vectors.double(), vectors.double())
    upper = torch.triu(torch.ones_like(distances, dtype=torch.bool), diagonal=1)
    rows, cols = upper.nonzero(as_tuple=True)
    order = distances[rows, cols].argsort()[:n_pairs]
    return sorted(zip(rows[order].tolist(), cols[order].tolist(), strict=True))


def homoglyph_recovery(vectors: torch.Tensor, pairs: list[tuple[int, int]]) -> float:
    """Share of the N homoglyph `pairs` that are among the N most similar pairs of `vectors`."""
    if not pairs:
        raise ValueError("pairs must hold at least one homoglyph pair")
    closest = set(most_similar_pairs(vectors, len(pairs)))
    return sum(pair in closest for pair in pairs) / len(pairs)


def time_training_step(head: OutputLayer, batch_size: int = 256, repeats: int = 5) -> float:
    """Median seconds of one training step of `head` on random (batch, hidden) features:
    forward, loss, backward and an Adam step, after one warm-up step."""
    torch.manual_seed(0)
    optimizer = torch.optim.Adam(head.parameters(), lr=1e-3)
    features = torch.randn(batch_size, head.linear.in_features)
    y = torch.randint(len(head.codes) if head.method != "softmax" else head.linear.out_features,
                      (batch_size,))  # fmt: skip
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        optimizer.zero_grad()
        head.loss(head(features), y).backward()
        optimizer.step()
        times.append(time.perf_counter() - start)
    return float(np.median(times[1:]))


@torch.no_grad()
def time_prediction(head: OutputLayer, n_samples: int = 1024, repeats: int = 3) -> float:
    """Best-of-`repeats` seconds to score every class and pick the best for `n_samples` inputs
    (exact decoding: one matrix product and an argmax)."""
    features = torch.randn(n_samples, head.linear.in_features)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        head.scores(head(features)).argmax(dim=1)
        best = min(best, time.perf_counter() - start)
    return best
