"""Judges for exercise answers that are functions or several numbers (`embedlab.exercises`).

Each judge takes the learner's answer and returns (passed, hint). A function is tried on hidden
cases chosen so that the plausible wrong answers fail (tests/test_exercises.py lists them); a
function that raises becomes a hint, never a trace.
"""

import numpy as np
import torch
from torch import nn

from embedlab.checking import close


def _call(answer, *args):
    """(answer(*args), None), or (None, the start of a hint) when the learner's function raises."""
    try:
        return answer(*args), None
    except Exception as error:  # a learner's function may fail in any way: report it as a hint
        return None, f"your function raised {type(error).__name__}: {error}. "


def matmul_lookup(answer):
    hint = (
        "one_hot(ids, num_classes=table.num_embeddings) is (n, K) of integers: make it float "
        "(same dtype as table.weight) and multiply it by table.weight, (n, K) @ (K, d)."
    )
    if not callable(answer):
        return False, "pass the function itself, e.g. check('1.3', lookup_by_matmul). " + hint
    generator = torch.Generator().manual_seed(0)
    table = nn.Embedding(7, 3)
    with torch.no_grad():
        table.weight.copy_(torch.randn(7, 3, generator=generator))
    ids = torch.tensor([4, 0, 4, 2])  # no id 6: one_hot without num_classes gives 5 columns
    rows, failure = _call(answer, table, ids)
    if failure:
        return False, failure + hint
    ok = isinstance(rows, torch.Tensor) and rows.shape == (4, 3)
    ok = ok and torch.allclose(rows.to(table.weight.dtype), table(ids), atol=1e-5)
    return bool(ok), hint


def merged_linear(answer):
    hint = (
        "second(first(h)) = W2 (W1 h + b1) + b2, so the merged weight is W2 @ W1 and the merged "
        "bias W2 @ b1 + b2; copy them into a new nn.Linear under torch.no_grad()."
    )
    if not callable(answer):
        return False, "pass the function itself, e.g. check('2.2', merge_linear). " + hint
    generator = torch.Generator().manual_seed(1)
    first, second = nn.Linear(5, 4), nn.Linear(4, 2)
    with torch.no_grad():
        for parameter in [*first.parameters(), *second.parameters()]:
            parameter.copy_(torch.randn(parameter.shape, generator=generator))
    h = torch.randn(6, 5, generator=generator)
    try:
        merged = answer(first, second)
        ok = isinstance(merged, nn.Linear) and torch.allclose(
            merged(h), second(first(h)), atol=1e-4
        )
    except Exception as error:  # report a learner's failing function as a hint
        return False, f"your function raised {type(error).__name__}: {error}. " + hint
    return bool(ok), hint


def seed_summary(answer):
    hint = (
        "return {'mean': ..., 'worst': ...} over the 5 accuracies; the worst is the smallest. "
        "The 5 seeds 0-4 of lesson 2's baseline give a mean near 0.94 and a worst seed below it."
    )
    if not isinstance(answer, dict) or not {"mean", "worst"} <= set(answer):
        return False, hint
    mean, worst = answer["mean"], answer["worst"]
    # a worst seed equal to the mean would mean five identical seeds: not what training gives
    ok = close(mean, 0.94, abs_tol=0.04) and 0.8 <= float(worst) < float(mean)
    return ok, hint


def beta_gradients(answer):
    hint = (
        "the mean's gradient of ½(log v + (μ − y)²/v)·v^β is (μ − y)/v · v^β (v^β carries no "
        "gradient): with μ = 0, y = 1, v = 4 that is −1/4 · 4^β. Give {0: ..., 0.5: ..., 1: ...}."
    )
    if not isinstance(answer, dict):
        return False, hint
    expected = {0: -0.25, 0.5: -0.5, 1: -1.0}
    ok = all(close(answer.get(beta, answer.get(float(beta))), g) for beta, g in expected.items())
    return ok, hint


def is_learning(answer):
    hint = (
        "True only if parameter.grad is not None AND the parameter object is one of the "
        "optimizer's: any(p is parameter for group in optimizer.param_groups for p in "
        "group['params'])."
    )
    if not callable(answer):
        return False, "pass the function itself. " + hint
    layer = nn.Linear(2, 1)
    optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
    outsider = nn.Parameter(torch.zeros(1))
    try:
        before = answer(layer.weight, optimizer)  # no gradient yet
        (layer(torch.ones(1, 2)).sum() + outsider.sum()).backward()
        after = answer(layer.weight, optimizer)
        stranger = answer(outsider, optimizer)  # has a gradient, not in the optimizer
    except Exception as error:  # report a learner's failing function as a hint
        return False, f"your function raised {type(error).__name__}: {error}. " + hint
    return (before is False and after is True and stranger is False), hint


def separation_with_and_without(answer):
    hint = (
        "answer {'mse': ..., 'penalty': ...}: the smallest distance between two codes after 600 "
        "epochs with MSE alone, and after 600 epochs with MSE + separation_penalty(codes, 1.0), "
        "each from a fresh model (seed 0). The codes start 1.21 apart; MSE alone ends at about "
        "a tenth of that."
    )
    if not isinstance(answer, dict) or not {"mse", "penalty"} <= set(answer):
        return False, hint
    try:
        mse, penalty = float(answer["mse"]), float(answer["penalty"])
    except (TypeError, ValueError):
        return False, hint
    return (mse < 0.3 and 0.5 <= penalty <= 2.0), hint  # from 1.21 at the start


def output_parameters(answer):
    hint = (
        "a Linear(256, K) holds 256·K weights and K biases. Learned vectors are a Linear(256, 16) "
        "(256·16 + 16) plus the (K, 16) table of class vectors, which trains too. "
        "make_head(name, 256, 959, dim=16).n_parameters() counts them for you."
    )
    expected = {"softmax": 257 * 959, "learned": 257 * 16 + 959 * 16}
    if not isinstance(answer, dict) or not set(expected) <= set(answer):
        return False, "answer {'softmax': ..., 'learned': ...}. " + hint
    try:
        ok = all(int(answer[name]) == value for name, value in expected.items())
    except (TypeError, ValueError):
        return False, hint
    return ok, hint


def nearest_by_product(answer):
    hint = (
        "‖o − c‖² = ‖o‖² − 2·o·c + ‖c‖², and ‖o‖² is the same for every code: the nearest code "
        "maximises 2·o·c − ‖c‖². One (n, d) @ (d, K) product, subtract the squared lengths, "
        "argmax over dim 1. Without the −‖c‖² term, longer codes win too often."
    )
    if not callable(answer):
        return False, "pass the function itself, e.g. check('7.2', nearest). " + hint
    generator = torch.Generator().manual_seed(0)
    outputs = torch.randn(64, 8, generator=generator)
    codes = torch.randn(500, 8, generator=generator)
    codes = codes * torch.empty(500, 1).uniform_(0.5, 2.0, generator=generator)  # unequal lengths
    expected = torch.cdist(outputs, codes).argmin(dim=1)
    cdist = torch.cdist

    def no_cdist(*args, **kwargs):
        raise RuntimeError("the exercise asks for one matrix product, not torch.cdist")

    torch.cdist = no_cdist
    try:
        found, failure = _call(answer, outputs, codes)
    finally:
        torch.cdist = cdist
    if failure:
        return False, failure + hint
    ok = isinstance(found, torch.Tensor) and found.shape == (64,)
    return bool(ok and torch.equal(found.long(), expected)), hint


def up_to_homoglyphs(answer):
    hint = (
        "a prediction counts as right when its class is in the true class's homoglyph group: "
        "(groups[y_pred] == groups[y_true]).float().mean(); groups holds a group number per "
        "class, not per sample."
    )
    if not callable(answer):
        return False, "pass the function itself. " + hint
    groups = np.array([0, 0, 0, 1, 2, 2])  # {O, Ο, О}, {x}, {P, Р}
    y_true = torch.tensor([0, 1, 2, 3, 4, 5, 0, 3])
    y_pred = torch.tensor([1, 1, 0, 3, 5, 3, 2, 4])
    found, failure = _call(lambda: float(answer(y_true, y_pred, groups)))
    if failure:
        return False, failure + hint
    return close(found, 0.75), hint  # exact matches alone give 0.25
