"""embedlab.checking: tolerances, blank answers and the tools every exercise judge relies on."""

import math
import random

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from embedlab.checking import (
    Result,
    call,
    close,
    forbidden,
    fresh_rng,
    needs,
    replaced,
    sandbox,
    unanswered,
)


def test_close_uses_a_relative_and_an_absolute_tolerance():
    assert close(1.0005, 1.0)  # within 1e-3 relative
    assert not close(1.002, 1.0)
    assert close(1e-7, 0.0)  # the absolute part lets 0 be answered in floating point
    assert close(torch.tensor(2.0, dtype=torch.float32), 2.0)


def test_close_rejects_what_is_not_a_finite_number():
    assert not close(float("nan"), 1.0)
    assert not close(math.inf, math.inf)
    assert not close("1.0 or so", 1.0)
    assert not close([1.0, 2.0], 1.0)
    assert not close(torch.ones(3), 1.0)  # a tensor of several numbers is not one number


def test_a_blank_answer_or_a_blank_part_of_one_is_unanswered():
    assert unanswered(...) and unanswered(None)
    assert unanswered({"lr": 1e-2, "run": ...}) and unanswered([..., "virginica"])
    assert not unanswered({"lr": 1e-2, "run": print}) and not unanswered(0.0)
    assert not unanswered(np.zeros(3))  # an array is an answer, not a list of blanks


def test_call_turns_a_learners_exception_into_the_start_of_a_hint():
    def broken():
        raise KeyError("rows")

    assert call(broken) == (None, "your code raised KeyError: 'rows'. ")
    assert call(lambda a, b=1: a + b, 2, b=3) == (5, None)


def test_needs_names_the_missing_keys_and_gives_an_example():
    assert needs({"lr": 1, "run": 2}, ("lr", "run"), "{...}") is None
    hint = needs({"lr": 1}, ("lr", "run"), "{'lr': ..., 'run': run}")
    assert "'lr', 'run'" in hint and "{'lr': ..., 'run': run}" in hint
    assert needs(0.01, ("lr",), "{}") is not None


def test_fresh_rng_draws_differently_on_each_check():
    draws = {int(fresh_rng().integers(2**62)) for _ in range(5)}
    assert len(draws) == 5


def test_sandbox_restores_random_states_dtype_and_threads():
    random.seed(1), np.random.seed(1), torch.manual_seed(1)
    expected = (random.random(), np.random.rand(), torch.rand(1).item())
    random.seed(1), np.random.seed(1), torch.manual_seed(1)
    threads = torch.get_num_threads()
    with sandbox(threads=1):
        torch.manual_seed(99), random.seed(99), np.random.seed(99)
        torch.set_default_dtype(torch.float64)
        assert torch.get_num_threads() == 1
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == expected
    assert torch.get_default_dtype() == torch.float32 and torch.get_num_threads() == threads


def test_sandbox_restores_even_after_an_error():
    with pytest.raises(RuntimeError), sandbox():
        torch.set_default_dtype(torch.float64)
        raise RuntimeError("judge failed")
    assert torch.get_default_dtype() == torch.float32


def test_forbidden_blocks_a_function_imported_by_name_and_gives_it_back():
    gaussian_nll_loss = F.gaussian_nll_loss  # as `from torch.nn.functional import ...` would
    x = torch.ones(2, 1)
    with forbidden([F.gaussian_nll_loss], "write it yourself"):
        with pytest.raises(RuntimeError, match="write it yourself"):
            gaussian_nll_loss(x, x, x)
        with pytest.raises(RuntimeError, match="write it yourself"):
            nn.GaussianNLLLoss()(x, x, x)  # the module calls the same function
    assert gaussian_nll_loss(x, x, x).item() == pytest.approx(0.0)  # restored, defaults too
    assert F.gaussian_nll_loss(x, x, x, full=True).item() == pytest.approx(
        0.5 * math.log(2 * math.pi)
    )


def test_replaced_blocks_a_class_constructor_and_restores_it():
    with replaced(nn.Embedding, "__init__", "count by hand"):
        with pytest.raises(RuntimeError, match="count by hand"):
            nn.Embedding(3, 2)
    assert nn.Embedding(3, 2).weight.shape == (3, 2)


def test_result_shows_a_mark_and_is_truthy_only_when_passed():
    assert repr(Result("2.1", True, "correct.")) == "✅ Exercise 2.1: correct."
    assert repr(Result("2.1", False, "not yet.")).startswith("❌")
    assert not Result("2.1", False, "")
