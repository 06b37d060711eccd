"""Judges for the exercises of lessons 6 and 7 (the comparison, calibration, many classes).

Same contract as `embedlab.exercise_judges`: (passed, success message or hint), the learner's code
run on cases drawn now and compared with the judge's own computation. 7.2's judge watches every
torch call the learner's function makes (`SizeGuard`), so the (n, K, d) broadcast it rules out
fails however it is written.
"""

import numpy as np
import torch
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from torch.overrides import TorchFunctionMode

from embedlab import heads
from embedlab.calibration import temperature_log_loss
from embedlab.checking import call, close, forbidden, fresh_rng, not_a_function, torch_generator
from embedlab.data import load_dataset
from embedlab.estimator import EmbeddingClassifier

# ---------------------------------------------------------------- lesson 6


def ece_by_bins(answer):
    hint = (
        "one bin per distinct confidence; for each bin, (its share of all predictions) × "
        "|its accuracy − its mean confidence|, summed over bins — a bin with three times the "
        "predictions weighs three times as much, and the gaps are absolute."
    )
    if not callable(answer):
        return False, not_a_function("ece") + hint
    rng = fresh_rng()
    for _ in range(3):
        # bins of unequal sizes, over-confident and under-confident ones (so that one overall
        # gap, or signed gaps, cannot come out right by chance)
        levels = int(rng.integers(2, 6))
        values = rng.choice(np.arange(40, 91) / 100, size=levels, replace=False)
        sizes = rng.integers(2, 12, size=levels)
        confidence = np.repeat(values, sizes)
        accuracies = [
            rng.uniform(0, c - 0.2) if i % 2 == 0 else rng.uniform(c + 0.05, 1)
            for i, c in enumerate(values)
        ]
        correct = np.concatenate(
            [
                rng.permutation(np.arange(k) < round(a * k))
                for a, k in zip(accuracies, sizes, strict=True)
            ]
        )
        order = rng.permutation(len(confidence))
        confidence, correct, n = confidence[order], correct[order], len(confidence)
        expected = sum(
            (confidence == c).mean() * abs(correct[confidence == c].mean() - c)
            for c in np.unique(confidence)
        )
        found, failure = call(answer, confidence.copy(), correct.copy())
        if failure:
            return False, failure + hint
        if not close(found, expected, rel=1e-6, abs_tol=1e-9):
            return False, f"on {n} predictions in {levels} bins you gave {found}. " + hint
    return True, (
        "each bin's absolute gap weighted by its share: over-confidence in one bin and "
        "under-confidence in another both count, and cannot cancel."
    )


def best_temperature(answer):
    hint = (
        "scores = model.decision_scores(X); the true classes as INDICES, y_index = "
        "np.searchsorted(model.classes_, y) (labels need not be 0..K−1); then the grid value "
        "with the LOWEST temperature_log_loss(scores, y_index, T). Not model.temperature_, which "
        "was fitted on training data, and not predict_proba, which is already divided by it."
    )
    if not callable(answer):
        return False, not_a_function("best_temperature") + hint
    rng = fresh_rng()
    X, y, _, _ = load_dataset("iris")
    y = 3 + 5 * y  # labels 3, 8, 13: class indices are not labels
    order = rng.permutation(len(y))
    train, test = order[:75], order[75:]
    model = EmbeddingClassifier("fixed", random_state=int(rng.integers(10_000)))
    model.fit(X[train], y[train])
    scores = model.decision_scores(X[test])
    y_index = np.searchsorted(model.classes_, y[test])
    for size in range(25, 400, 25):  # a grid on which the test set's best is not simply the
        # grid point nearest the estimator's own temperature_
        grid = np.geomspace(rng.uniform(0.02, 0.1), rng.uniform(1.5, 4), size)
        expected = grid[np.argmin([temperature_log_loss(scores, y_index, t) for t in grid])]
        if expected != grid[np.argmin(abs(np.log(grid / model.temperature_)))]:
            break
    found, failure = call(answer, model, X[test], y[test], grid.copy())
    if failure:
        return False, failure + hint
    if not close(found, expected, rel=1e-9, abs_tol=0):
        return False, f"on a fresh Iris split and a grid of {len(grid)} you gave {found}. " + hint
    ratio = max(expected, model.temperature_) / min(expected, model.temperature_)
    all_right = bool((scores.argmax(axis=1) == y_index).all())
    return True, (
        f"on this check's split the {len(test)} test flowers prefer T = {expected:.3f}; the "
        f"estimator's own temperature_, fitted on held-out training scores without touching the "
        f"test set, is {model.temperature_:.3f} (a ratio of {ratio:.1f}). Each is fitted on few "
        "examples, so on a split this small the two can differ by a factor of 2 or more"
        + (
            "; here every test flower is right, so the lower T, the lower the log loss, and the "
            "grid's smallest T wins."
            if all_right
            else "."
        )
    )


def onehot_pipeline(answer):
    hint = (
        "make_pipeline(StandardScaler(), EmbeddingClassifier(method='fixed', codebook='onehot', "
        "random_state=0)): the scaler INSIDE the pipeline, so each fold is scaled with its own "
        "training statistics (scaling all of X first leaks the test folds' means); answer the "
        "pipeline itself, not its score."
    )
    if not isinstance(answer, Pipeline):
        return False, "answer the pipeline (not its score: the check runs it). " + hint
    first, last = answer.steps[0][1], answer.steps[-1][1]
    if len(answer.steps) != 2 or type(first) is not StandardScaler:
        return False, "the pipeline must be a StandardScaler, then the classifier. " + hint
    if type(last) is not EmbeddingClassifier:
        return False, f"its last step is a {type(last).__name__}. " + hint
    seed = last.random_state if isinstance(last.random_state, int) else 0
    reference = Pipeline(
        [
            (answer.steps[0][0], StandardScaler()),
            (
                answer.steps[1][0],
                EmbeddingClassifier(method="fixed", codebook="onehot", random_state=seed),
            ),
        ]
    )
    mine, theirs = answer.get_params(), reference.get_params()
    differ = sorted(
        k for k in theirs if k != "steps" and "__" in k and repr(mine.get(k)) != repr(theirs[k])
    )
    if differ:
        return False, "these settings differ from the exercise's: " + ", ".join(
            f"{k}={mine.get(k)!r}" for k in differ
        ) + ". " + hint
    rng = fresh_rng()
    X, y, _, _ = load_dataset("wine")
    folds = StratifiedKFold(3, shuffle=True, random_state=int(rng.integers(10_000)))
    # a quicker case than the exercise's (fewer epochs, no temperature fit): the same pipeline
    # must give the same folds' scores as the judge's own
    quick = {f"{answer.steps[1][0]}__epochs": 20, f"{answer.steps[1][0]}__temperature": 1.0}
    found = cross_val_score(clone(answer).set_params(**quick), X, y, cv=folds).mean()
    expected = cross_val_score(reference.set_params(**quick), X, y, cv=folds).mean()
    if not close(found, expected, rel=0, abs_tol=1e-9):
        return False, "your pipeline scores differently from the exercise's on other folds. " + hint
    return True, (
        "to stay fast, the check re-ran your pipeline, and one it built as the exercise asks, "
        "with 20 epochs and a fixed temperature instead of the full training, on 3 folds it "
        f"drew: both had a mean held-out accuracy of {expected:.3f}, so yours is built as asked. "
        "Inside the pipeline the scaler is fitted on each training fold only, so no test fold's "
        "statistics leak into training."
    )


# ---------------------------------------------------------------- lesson 7


def _output_parameters(name: str, n_features: int, n_classes: int, dim: int) -> int:
    if name == "softmax":
        return (n_features + 1) * n_classes
    return (n_features + 1) * dim + n_classes * dim


def output_parameters(answer):
    hint = (
        "a Linear(a, b) holds a·b weights and b biases. Softmax is one Linear(n_features, K); "
        "learned vectors are a Linear(n_features, dim) plus the (K, dim) table of class vectors, "
        "which trains too. Count by hand: make_head is switched off during the check."
    )
    if not callable(answer):
        return False, not_a_function("output_parameters") + hint
    rng = fresh_rng()
    for name in ("softmax", "learned", "softmax", "learned"):
        sizes = (
            int(rng.integers(8, 1024)),
            int(rng.integers(2, 200_000)),
            int(rng.integers(2, 128)),
        )
        with forbidden([heads.make_head], "count by hand: make_head is off during the check"):
            found, failure = call(answer, name, *sizes)
        if failure:
            return False, failure + hint
        if not close(found, _output_parameters(name, *sizes), rel=0, abs_tol=0.01):
            return False, f"{name} with (n_features, K, dim) = {sizes}: you gave {found}. " + hint
    softmax, learned = (
        _output_parameters("softmax", 256, 959, 16),
        _output_parameters("learned", 256, 959, 16),
    )
    return True, (
        f"at 256 features and K = 959: {softmax:,} for softmax against {learned:,} for 16-D "
        f"learned vectors, {softmax / learned:.1f} times fewer — and the gap grows with K."
    )


PRODUCTS = {
    "matmul",
    "mm",
    "__matmul__",
    "__rmatmul__",
    "einsum",
    "linear",
    "addmm",
    "tensordot",
    "inner",
    "bmm",
}
BLOCKED = {"cdist", "numpy", "tolist", "__array__", "pairwise_distance", "cosine_similarity"}


class SizeGuard(TorchFunctionMode):
    """Records every torch call made inside: a product with an (n, K) result, any tensor larger
    than `limit` numbers, and calls that leave torch or compute all distances directly."""

    def __init__(self, n: int, k: int, limit: int):
        super().__init__()
        self.n, self.k, self.limit = n, k, limit
        self.products, self.calls, self.problem, self.largest = 0, 0, None, 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        name = getattr(func, "__name__", str(func))
        self.calls += 1
        if name in BLOCKED:
            self.problem = self.problem or f"{name} is not allowed here"
            raise RuntimeError(f"the exercise asks for one matrix product, not {name}")
        out = func(*args, **(kwargs or {}))
        if isinstance(out, torch.Tensor):
            self.largest = max(self.largest, out.numel())
            if out.numel() > self.limit:
                self.problem = (
                    self.problem or f"a {tuple(out.shape)} tensor ({out.numel():,} numbers)"
                )
                raise RuntimeError(f"a {tuple(out.shape)} tensor is too large here")
            if name in PRODUCTS and out.shape == (self.n, self.k):
                self.products += 1
        return out


def nearest_by_product(answer):
    hint = (
        "‖o − c‖² = ‖o‖² − 2·o·c + ‖c‖², and ‖o‖² is the same for every code: the nearest code "
        "maximises 2·o·c − ‖c‖². One (n, d) @ (d, K) product, subtract the (K,) squared lengths, "
        "argmax over dim 1 — never an (n, K, d) difference, a loop, or torch.cdist."
    )
    if not callable(answer):
        return False, not_a_function("nearest") + hint
    rng = fresh_rng()
    generator = torch_generator(rng)
    n, k, d = int(rng.integers(40, 100)), int(rng.integers(300, 800)), int(rng.integers(4, 12))
    outputs = torch.randn(n, d, generator=generator)
    codes = torch.randn(k, d, generator=generator) * torch.empty(k, 1).uniform_(
        0.2, 2.0, generator=generator
    )
    distances = torch.cdist(outputs.double(), codes.double())
    guard = SizeGuard(n, k, limit=2 * n * k + 2 * (n + k) * d)
    with guard:
        found, failure = call(answer, outputs.clone(), codes.clone())
    if guard.problem:
        return (
            False,
            f"your function made {guard.problem}: that is what the exercise rules out. " + hint,
        )
    if failure:
        return False, failure + hint
    if guard.calls > 60 or guard.products == 0:
        return False, (
            f"your function made {guard.calls} torch calls and {guard.products} (n, K) matrix "
            "products: the exercise asks for one product, no loop. " + hint
        )
    if not isinstance(found, torch.Tensor) or found.shape != (n,):
        return False, f"return the ({n},) tensor of indices. " + hint
    chosen = distances.gather(1, found.long().clamp(0, k - 1)[:, None])[:, 0]
    if not (
        found.long().min() >= 0 and torch.allclose(chosen, distances.min(dim=1).values, rtol=1e-5)
    ):
        return (
            False,
            f"on {n} outputs and {k} codes of unequal lengths some indices are not the nearest. "
            + hint,
        )
    return True, (
        f"the nearest codes without an (n, K, d) tensor ({n}·{k}·{d} numbers here; your largest "
        f"held {guard.largest:,}): this is how exact decoding scales to K = 100,000."
    )


def up_to_homoglyphs(answer):
    hint = (
        "a prediction counts as right when its class is in the true class's group: groups holds "
        "one group number per CLASS, so compare groups[y_pred] with groups[y_true] and take the "
        "mean (a share, not a count)."
    )
    if not callable(answer):
        return False, not_a_function("up_to_homoglyphs") + hint
    rng = fresh_rng()
    k = int(rng.integers(8, 40))
    groups = np.sort(rng.integers(k // 2, size=k))  # several classes per group
    _, groups = np.unique(groups, return_inverse=True)
    n = int(rng.integers(30, 200))
    y_true = rng.integers(k, size=n)
    twins = [rng.choice(np.flatnonzero(groups == groups[t])) for t in y_true]
    y_pred = np.where(rng.random(n) < 0.6, twins, rng.integers(k, size=n))
    expected = float((groups[y_pred] == groups[y_true]).mean())
    found, failure = call(answer, torch.as_tensor(y_true), torch.as_tensor(y_pred), groups.copy())
    if failure:
        return False, failure + hint
    if not close(found, expected, rel=1e-6):
        return False, f"on {n} predictions over {k} classes you gave {found}. " + hint
    plain = float((y_pred == y_true).mean())
    return True, (
        f"{expected:.3f} up to look-alikes against {plain:.3f} plain here: plain accuracy charges "
        "the network for O versus Ο, which no pixel can tell apart."
    )
