"""Judges for the exercises of lesson 5 (learned embeddings). Same contract as
`embedlab.exercise_judges`: (passed, success message or hint). Experiments are answered with the
learner's function, which the judge runs on a seed (and settings) drawn now and compares with its
own run; numbers the learner reports are compared with the judge's own runs.
"""

import math

import numpy as np
import torch
from torch import nn

from embedlab import losses
from embedlab.checking import (
    call,
    close,
    fresh_rng,
    needs,
    not_a_function,
)
from embedlab.codebooks import separation, simplex_codes
from embedlab.data import load_split
from embedlab.models import LabelEmbeddingNetwork, LearnedCodeModel
from embedlab.seeding import seed_everything
from embedlab.training import train

# ---------------------------------------------------------------- lesson 5


def is_learning(answer):
    hint = (
        "True only if parameter.grad is not None AND the parameter OBJECT is one of the "
        "optimizer's, in any of its param_groups: any(p is parameter for group in "
        "optimizer.param_groups for p in group['params']) — `in` and torch.equal compare values."
    )
    if not callable(answer):
        return False, not_a_function("is_learning") + hint
    rng = fresh_rng()
    a, b = int(rng.integers(2, 6)), int(rng.integers(2, 6))
    first, second = nn.Linear(a, b), nn.Linear(b, 1)
    optimizer = torch.optim.SGD(
        [{"params": first.parameters()}, {"params": second.parameters(), "lr": 0.01}], lr=0.1
    )
    twin = nn.Parameter(second.bias.detach().clone())  # same values, not in the optimizer
    stale = first.bias
    first.bias = nn.Parameter(stale.detach().clone())  # the write-up's trap: replaced afterwards
    before, failure = call(answer, first.weight, optimizer)
    if failure:
        return False, failure + hint
    if before is not False:
        return False, f"before any backward pass you answered {before!r}. " + hint
    (second(first(torch.randn(4, a))).sum() + twin.sum()).backward()
    cases = [(stale, False, "the optimizer's old bias, replaced in the model: no gradient")]
    cases += [
        (first.weight, True, "a parameter of the first param group, after backward"),
        (second.bias, True, "a parameter of the SECOND param group, after backward"),
        (twin, False, "a copy with the same values that the optimizer never saw"),
        (first.bias, False, "a parameter assigned after the optimizer was built"),
    ]
    for i in rng.permutation(len(cases)):
        parameter, expected, what = cases[i]
        found, failure = call(answer, parameter, optimizer)
        if failure:
            return False, failure + hint
        if not isinstance(found, (bool, np.bool_)):
            return False, f"return True or False, not {type(found).__name__}. " + hint
        if bool(found) is not expected:
            return False, f"for {what} you answered {found!r}. " + hint
    return (
        True,
        "a gradient AND a place in the optimizer: the two things the traps of lesson 5 break.",
    )


def _collapse(seed: int, margin: float | None, epochs: int) -> float:
    split = load_split("iris", seed=seed)
    seed_everything(seed)
    model = LearnedCodeModel(4, (8,), n_classes=3, dim=2, init_scale=5.0, max_norm=1.0)
    with torch.no_grad():
        model.codes(torch.arange(3))  # the first lookup applies max_norm
    mse = losses.learned_code_loss(model, "mse")

    def loss(output, y):
        return mse(output, y) + losses.separation_penalty(model.codes.weight, margin=margin)

    train(
        model, split.X_train, split.y_train, mse if margin is None else loss, epochs=epochs, lr=1e-2
    )
    return separation(model.class_codes())["min_distance"]


def separation_remedy(answer):
    hint = (
        "smallest_distance(seed, margin, epochs) must build a fresh LearnedCodeModel(4, (8,), "
        "n_classes=3, dim=2, init_scale=5.0, max_norm=1.0) after seed_everything(seed) on "
        "load_split('iris', seed=seed), apply max_norm with one lookup of all codes, train with "
        "MSE onto the codes — plus separation_penalty(model.codes.weight, margin) unless margin "
        "is None — at lr 1e-2, and return the smallest distance between two codes. Report "
        "'mse' and 'penalty' at seed 0, 600 epochs, margin 1.0."
    )
    missing = needs(
        answer,
        ("mse", "penalty", "experiment"),
        "{'mse': ..., 'penalty': ..., 'experiment': smallest_distance}",
    )
    if missing:
        return False, missing + hint
    experiment = answer["experiment"]
    if not callable(experiment):
        return False, not_a_function("smallest_distance") + hint
    rng = fresh_rng()
    seed, margin, epochs = (
        int(rng.integers(1, 10_000)),
        float(rng.uniform(0.6, 1.4)),
        int(rng.integers(100, 200)),
    )
    for case in [(seed, None, epochs), (seed, margin, epochs)]:
        found, failure = call(experiment, *case)
        if failure:
            return False, failure + hint
        reference = _collapse(*case)
        if not close(found, reference, rel=1e-3, abs_tol=1e-4):
            return (
                False,
                f"smallest_distance{case} gives {found}; that run ends at {reference:.4f}. " + hint,
            )
    mse, penalty = _collapse(0, None, 600), _collapse(0, 1.0, 600)
    if not (
        close(answer["mse"], mse, 1e-3, 1e-4) and close(answer["penalty"], penalty, 1e-3, 1e-4)
    ):
        return False, "your function is right; report it at seed 0, 600 epochs, margin 1.0. " + hint
    return True, (
        f"yes: with the penalty the closest codes end {penalty:.2f} apart, near the margin, while "
        f"MSE alone pulls them to {mse:.2f}. The penalty supplies the push apart MSE lacks."
    )


def _label_embedding(seed: int) -> torch.Tensor:
    split = load_split("iris", seed=seed)
    seed_everything(seed)
    model = LabelEmbeddingNetwork(4, (100, 100), 3)

    def loss(output, y):
        return losses.label_embedding_loss(
            output[0], output[1], y, model.label_embedding, hinge_reduction="sum"
        )

    train(model, split.X_train, split.y_train, loss, epochs=100, lr=3e-3)
    return torch.softmax(model.label_embedding.detach(), dim=1)


def shared_mass(answer):
    hint = (
        "soft_targets(seed) must train LabelEmbeddingNetwork(4, (100, 100), 3) on "
        "load_split('iris', seed=seed) after seed_everything(seed), 100 epochs, lr 3e-3, the "
        "hinge summed, and return softmax(E) with each ROW summing to 1 (dim=1). A pair (a, b) "
        "shares soft[a, b] + soft[b, a]; name the pair that shares most at seed 0."
    )
    missing = needs(
        answer, ("pair", "soft_targets"), "{'pair': [...], 'soft_targets': soft_targets}"
    )
    if missing:
        return False, missing + hint
    experiment = answer["soft_targets"]
    if not callable(experiment):
        return False, not_a_function("soft_targets") + hint
    seed = int(fresh_rng().integers(1, 10_000))
    found, failure = call(experiment, seed)
    if failure:
        return False, failure + hint
    reference = _label_embedding(seed)
    if not isinstance(found, torch.Tensor) and hasattr(found, "shape"):  # a NumPy array
        found = torch.as_tensor(found)
    if not isinstance(found, torch.Tensor) or found.shape != (3, 3):
        return False, "return softmax(E), a (3, 3) tensor. " + hint
    if not torch.allclose(found.detach().to(reference.dtype), reference, atol=1e-4):
        return False, f"at seed {seed} your soft targets differ from that run's. " + hint
    soft = _label_embedding(0)
    names = load_split("iris").class_names
    shares = {(a, b): (soft[a, b] + soft[b, a]).item() for a in range(3) for b in range(a + 1, 3)}
    a, b = max(shares, key=shares.get)
    try:
        given = {str(n).strip().lower() for n in answer["pair"]}
    except TypeError:
        return False, "answer the pair as two class names. " + hint
    if given != {names[a], names[b]}:
        return False, "your function is right; now read the pair at seed 0. " + hint
    return True, (
        f"{names[a]} and {names[b]} share {shares[(a, b)]:.2f} of their mass at seed 0: the pair "
        "the data itself mixes up."
    )


def perfect_output_loss(answer):
    hint = (
        "logits are −‖f − m_k‖²/T; for f = m_y the true logit is 0 and the others are "
        "−(squared distance between two simplex codes)/T = −(2K/(K − 1))/T, so the loss is "
        "ln(1 + (K − 1)·exp(−2K/((K − 1)T)))."
    )
    if not callable(answer):
        return False, not_a_function("perfect_output_loss") + hint
    rng = fresh_rng()
    measured = []
    for k, temperature in [
        (int(rng.integers(3, 8)), rng.uniform(0.3, 3)),
        (int(rng.integers(8, 60)), rng.uniform(0.3, 3)),
    ]:
        codes = simplex_codes(k)
        expected = losses.distance_cross_entropy(codes, torch.arange(k), codes, temperature, 0.0)
        found, failure = call(answer, k, float(temperature))
        if failure:
            return False, failure + hint
        if not close(found, expected.item(), rel=1e-4):
            return False, f"for K = {k}, T = {temperature:.3f} you gave {found}. " + hint
        measured.append(f"{expected.item():.4f} at K = {k}, T = {temperature:.2f}")
    return True, (
        f"ln(1 + 2e⁻³) ≈ {math.log(1 + 2 * math.exp(-3)):.4f} for K = 3, T = 1: even a perfect "
        "output pays a little, because the other codes are only √3 away. It grows with K and "
        "with T, as ln(1 + (K − 1)·exp(−2K/((K − 1)T))) does: "
        f"{' and '.join(measured)} in this check."
    )
