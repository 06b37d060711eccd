"""Output heads for many classes, trained on glyphs, and what they cost as K grows (lesson 7).

One body (an MLP on the glyph pixels) and one head from `embedlab.heads` on its `hidden`
features. Lesson 7 compares (parameters for `hidden` features, code dimension d):

- "softmax": a Linear(hidden, K) layer and cross-entropy: hidden·K + K;
- "sampled_softmax": the same layer trained on each row's class and N_SAMPLED drawn ones
  (Jean et al., 2015), exact at prediction: hidden·K + K;
- "cosine": a Linear(hidden, d) layer, cross-entropy over s·cosine(output, code) with fixed,
  spread-out unit codes (the "fixed classifier" of Hoffer et al., 2018): hidden·d + d + 1;
- "fixed": the same layer regressed onto the codes with MSE (lesson 3): hidden·d + d;
- "learned": a distance cross-entropy onto learned class vectors (Yang et al., 2018, lesson 5),
  started small: hidden·d + d + K·d;
- "learned_cosine": learned vectors compared by angle, with a learned scale: hidden·d + d + K·d + 1;
- "label_embedding": the Label Embedding Network (Sun et al., 2017): two K-way layers and a
  K × K label embedding, 2·(hidden·K + K) + K².

Every score is a matrix product ((n, d) @ (d, K)), never an (n, K, d) difference, so 100,000
classes fit in memory.
"""

import math
import time
from importlib import resources

import numpy as np
import pandas as pd
import torch
from torch import nn

from embedlab.glyphs import GlyphSplit, accuracy_up_to_homoglyphs, jitter, top_k_accuracy
from embedlab.heads import Head, make_head
from embedlab.models import mlp_body

METHODS = (
    "softmax",
    "sampled_softmax",
    "cosine",
    "fixed",
    "learned",
    "learned_cosine",
    "label_embedding",
)
RESULTS = ("accuracy", "curves", "homoglyphs", "cost", "decoding", "epochs", "sampling")
# Learned class vectors start tiny. Two classes shown the same images get the same gradients, so
# only their initial difference keeps them apart: N(0, 1) starts kept every homoglyph pair apart
# (0 of 34 recovered on Latin/Greek/Cyrillic capitals), 0.01·N(0, 1) starts joined 28 of 34.
LEARNED_INIT_SCALE = 0.01
N_SAMPLED = 256  # sampled softmax's draws per step, chosen in load_many_classes_results("sampling")


def load_many_classes_results(part: str) -> pd.DataFrame:
    """The results `benchmarks/many_classes.py` (`make bench`) wrote and embedlab ships:
    "accuracy" (per method, K and seed), "curves" (held-out accuracy by epoch at K = 959),
    "homoglyphs" (recovery by class vectors), "cost" (training step, prediction and memory in
    bytes per method and K), "decoding" (exact vs HNSW for every head's kind of class vectors),
    "epochs" (seconds of one training epoch per head at K = 959, idle) and "sampling" (sampled
    softmax's accuracy after 20 epochs for each number of draws S, beside full softmax)."""
    if part not in RESULTS:
        raise ValueError(f"unknown part {part!r}; choose one of {', '.join(RESULTS)}")
    with resources.files("embedlab").joinpath(f"many_classes_{part}.csv").open() as handle:
        return pd.read_csv(handle)


def glyph_head(method: str, hidden: int, n_classes: int, dim: int = 64, seed: int = 0,
               n_sampled: int | None = None) -> Head:  # fmt: skip
    """The head `method` as lesson 7 uses it: fixed codes spread on the sphere, learned vectors
    started small; softmax and the label embedding have no code dimension."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < 2:
        raise ValueError(f"dim must be an integer >= 2, got {dim!r}")
    if method in ("softmax", "label_embedding"):
        return make_head(method, hidden, n_classes)
    if method == "sampled_softmax":
        return make_head(method, hidden, n_classes, n_sampled=n_sampled or N_SAMPLED)
    if method in ("cosine", "fixed"):
        return make_head(method, hidden, n_classes, dim=dim, codebook="sphere", seed=seed)
    return make_head(method, hidden, n_classes, dim=dim, init_scale=LEARNED_INIT_SCALE)


class GlyphNet(nn.Module):
    """MLP body n_inputs → width → hidden (ReLU) followed by one method's head."""

    def __init__(self, n_inputs: int, n_classes: int, method: str = "softmax", dim: int = 64,
                 hidden: int = 256, seed: int = 0, width: int = 512,
                 n_sampled: int | None = None):  # fmt: skip
        super().__init__()
        self.body = mlp_body(n_inputs, (width, hidden))
        self.head = glyph_head(method, hidden, n_classes, dim, seed, n_sampled)

    def forward(self, x: torch.Tensor):
        return self.head(self.body(x))

    @torch.no_grad()
    def scores(self, x: torch.Tensor) -> torch.Tensor:
        """(n, K) class scores for images x (n, S·S)."""
        self.eval()
        return self.head.scores(self(x))


def fit_glyph_net(split: GlyphSplit, method: str = "softmax", dim: int = 64, epochs: int = 20,
                  seed: int = 0, augment: bool = True, batch_size: int = 256,
                  lr: float = 2e-3, hidden: int = 256, width: int = 512,
                  on_epoch=None, n_sampled: int | None = None) -> GlyphNet:  # fmt: skip
    """Train a `GlyphNet` on `split` with Adam and a cosine-decaying learning rate.

    With `augment`, every epoch sees the training images moved again by a fresh small jitter
    (the body then learns shapes, not pixels). `on_epoch(epoch, model)`, if given, is called
    after each epoch (1, 2, ...): for learning curves. `n_sampled`: sampled softmax's draws per
    step (default `N_SAMPLED`). Seeded: same arguments, same model.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = GlyphNet(
        split.X_train.shape[1], split.n_classes, method, dim, hidden, seed, width, n_sampled
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * math.ceil(len(split.y_train) / batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    size = split.image_size
    for epoch in range(epochs):
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
        if on_epoch is not None:
            on_epoch(epoch + 1, model)
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


def time_training_step(head: Head, in_features: int = 256, batch_size: int = 256,
                       repeats: int = 5) -> float:  # fmt: skip
    """Best-of-`repeats` seconds of one training step of `head` on random (batch, in_features)
    features: forward, loss, backward and an Adam step, after one warm-up step. The best of
    several is the least disturbed by anything else the machine does."""
    torch.manual_seed(0)
    optimizer = torch.optim.Adam(head.parameters(), lr=1e-3)
    features = torch.randn(batch_size, in_features)
    y = torch.randint(head.n_classes, (batch_size,))
    times = []
    for _ in range(repeats + 1):
        start = time.perf_counter()
        optimizer.zero_grad()
        head.loss(head(features), y).backward()
        optimizer.step()
        times.append(time.perf_counter() - start)
    return float(min(times[1:]))


@torch.no_grad()
def time_prediction(head: Head, in_features: int = 256, n_samples: int = 1024,
                    repeats: int = 3) -> float:  # fmt: skip
    """Best-of-`repeats` seconds to score every class and pick the best for `n_samples` inputs
    (exact decoding: one matrix product and an argmax)."""
    features = torch.randn(n_samples, in_features)
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        head.scores(head(features)).argmax(dim=1)
        best = min(best, time.perf_counter() - start)
    return best
