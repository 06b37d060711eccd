"""Judges for the exercises of lesson 1 (embedding tables); the judges of the other lessons are in
`exercise_judges_baseline` (2), `_codes` (3), `_gaussian` (4), `_learned` (5) and `_scale` (6-7).

Each judge takes the learner's answer and returns (passed, text): the success message, or a hint
that points at the likely slip. Answers are functions the judge runs on cases it draws now (sizes,
ids, seeds), compared with its own computation; tests/test_exercises.py lists the wrong answers
each judge must reject.
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from embedlab.checking import (
    call,
    close,
    fresh_rng,
    not_a_function,
    replaced,
    torch_generator,
)

# ---------------------------------------------------------------- lesson 1


def table_parameters(answer):
    hint = (
        "a table holds one trainable number per row and column, and nothing else (no bias): "
        "count it by hand from num_embeddings and embedding_dim."
    )
    if not callable(answer):
        return False, not_a_function("table_parameters") + hint
    rng = fresh_rng()
    cases = [(int(rng.integers(2, 10**6)), int(rng.integers(1, 513))) for _ in range(3)]
    with replaced(nn.Embedding, "__init__", "count by hand: no nn.Embedding inside the check"):
        for rows, dim in cases:
            found, failure = call(answer, rows, dim)
            if failure:
                return False, failure + hint
            if not close(found, rows * dim, rel=0, abs_tol=0.01):
                return False, f"for ({rows}, {dim}) you gave {found!r}. " + hint
    return True, (
        f"{cases[0][0]:,} × {cases[0][1]} = {cases[0][0] * cases[0][1]:,} and so on: one number "
        "per id and dimension, and no bias."
    )


def row_gradient(answer):
    hint = (
        "each use of a row adds its upstream gradient once (the upstream gradient of a sum is 1), "
        "so the row's gradient is the number of times it was looked up, in every entry; a row "
        "never looked up gets 0. Return table.weight.grad[row], a (d,) tensor."
    )
    if not callable(answer):
        return False, not_a_function("row_gradient") + hint
    rng = fresh_rng()
    for uses in [int(rng.integers(2, 7)), 1, 0]:
        rows, dim = int(rng.integers(6, 40)), int(rng.integers(2, 9))
        row = int(rng.integers(rows))
        others = [int(i) for i in rng.integers(rows, size=int(rng.integers(2, 8))) if i != row]
        ids = others + [row] * uses
        ids = [ids[i] for i in rng.permutation(len(ids))]
        table = nn.Embedding(rows, dim)
        found, failure = call(answer, table, torch.tensor(ids), row)
        if failure:
            return False, failure + hint
        expected = torch.full((dim,), float(uses))
        ok = isinstance(found, torch.Tensor) and found.shape == (dim,)
        if not (ok and torch.allclose(found.detach().double(), expected.double(), atol=1e-6)):
            return False, f"ids {ids}, row {row}: you gave {found!r}. " + hint
    return True, "gradients of repeated lookups add up, once per use; unused rows get zero."


def _graph_names(tensor: torch.Tensor) -> set[str]:
    """Names of the autograd nodes behind `tensor`."""
    names, stack, seen = set(), [tensor.grad_fn], set()
    while stack:
        node = stack.pop()
        if node is None or node in seen:
            continue
        seen.add(node)
        names.add(type(node).__name__)
        stack.extend(parent for parent, _ in node.next_functions)
    return names


SHORTCUTS = ("Embedding", "Index", "Select", "Gather", "Take", "Slice", "Unbind", "Split")


def matmul_lookup(answer):
    hint = (
        "F.one_hot(ids, num_classes=table.num_embeddings) is (n, K) of integers: make it "
        "`.to(table.weight.dtype)` (the table may be float64) and multiply it by table.weight, "
        "(n, K) @ (K, d)."
    )
    if not callable(answer):
        return False, not_a_function("lookup_by_matmul") + hint
    rng = fresh_rng()
    generator = torch_generator(rng)
    for dtype in (torch.float32, torch.float64):
        rows, dim = int(rng.integers(6, 30)), int(rng.integers(2, 9))
        table = nn.Embedding(rows, dim).to(dtype)
        # the last two ids never occur: one_hot without num_classes makes too few columns
        ids = torch.tensor(rng.integers(rows - 2, size=int(rng.integers(4, 12))))
        found, failure = call(answer, table, ids)
        if failure:
            return False, failure + hint
        if not isinstance(found, torch.Tensor) or found.shape != (len(ids), dim):
            shape = getattr(found, "shape", None)
            return False, f"expected ({len(ids)}, {dim}) rows, got {shape}. " + hint
        if not torch.allclose(found.detach().to(dtype), table(ids).detach(), atol=1e-5):
            return False, "your rows differ from table(ids). " + hint
        names = _graph_names(found)
        if not found.requires_grad:
            return False, "your rows carry no gradient back to table.weight (detached?). " + hint
        shortcut = [n for n in names if any(s in n for s in SHORTCUTS)]
        if shortcut or not any("mm" in n.lower() for n in names):
            return False, (
                f"your rows were picked out of the table ({', '.join(sorted(names))} in their "
                "autograd graph), not computed by a matrix product. " + hint
            )
        upstream = torch.randn(found.shape, generator=generator, dtype=dtype)
        (found * upstream).sum().backward()
        mine = table.weight.grad.clone()
        table.weight.grad = None
        (table(ids) * upstream).sum().backward()
        if not torch.allclose(mine, table.weight.grad, atol=1e-5):
            return False, "the gradient your rows send to table.weight is not a lookup's. " + hint
    return True, (
        "the one-hot product gives the same rows and the same gradients: an embedding is a "
        "bias-free linear layer fed one-hot vectors."
    )


def rows_rewritten(answer):
    hint = (
        "max_norm rescales, in place, only rows that are looked up AND longer than max_norm; a row "
        "looked up several times is one row, and a short row stays as it is."
    )
    if not callable(answer):
        return False, not_a_function("rows_rewritten") + hint
    rng = fresh_rng()
    generator = torch_generator(rng)
    for target in rng.permutation(np.arange(1, 6))[:3]:  # three tables, three different counts
        rows, dim, max_norm = (
            int(rng.integers(12, 30)),
            int(rng.integers(2, 6)),
            rng.uniform(0.5, 3),
        )
        order = rng.permutation(rows)
        longs, shorts = order[: target + 1], order[target + 1 :]  # one long row stays unused
        long = np.isin(np.arange(rows), longs) | (rng.random(rows) < 0.3)
        long[shorts[:2]] = False
        scale = np.where(long, rng.uniform(1.5, 10, rows), rng.uniform(0.2, 0.8, rows)) * max_norm
        weight = F.normalize(torch.randn(rows, dim, generator=generator), dim=1)
        weight = weight * torch.tensor(scale, dtype=weight.dtype)[:, None]
        chosen = [*longs[:target], shorts[0], shorts[1]]  # long rows, and short ones looked up
        looked = chosen + list(rng.choice(chosen, size=int(rng.integers(2, 6))))  # repeats
        looked = [int(looked[i]) for i in rng.permutation(len(looked))]
        expected = int(sum(long[i] for i in set(looked)))
        table = nn.Embedding(rows, dim, max_norm=max_norm)
        with torch.no_grad():
            table.weight.copy_(weight)
        found, failure = call(answer, table, torch.tensor(looked))
        if failure:
            return False, failure + hint
        if not close(found, expected, rel=0, abs_tol=0.01):
            where = f"ids {looked} in a table with max_norm {max_norm:.2f}"
            return False, f"{where}: you gave {found}. " + hint
    return True, (
        "only looked-up rows longer than max_norm are rewritten, once each, however often they "
        "appear. Lesson 5 meets this: the network it replays keeps its three class codes in "
        "nn.Embedding(3, 2, max_norm=True), and its first lookup cuts every looked-up code longer "
        "than 1 back to length 1 — the table changes before anything is learned."
    )
