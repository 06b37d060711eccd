"""embedlab.checking: tolerances and judges behind every exercise check."""

import math

import torch

from embedlab.checking import Result, choice, close, count, in_range, number, same_names


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


def test_number_judge_returns_its_hint_either_way():
    judge = number(0.25, "think of −1/(K − 1)")
    assert judge(0.2500001) == (True, "think of −1/(K − 1)")
    assert judge(0.3) == (False, "think of −1/(K − 1)")


def test_count_has_no_tolerance_beyond_rounding():
    judge = count(16_000, "rows × dim")
    assert judge(16_000)[0] and judge(16_000.0)[0]
    assert not judge(16_001)[0]


def test_in_range_includes_both_ends_and_rejects_non_numbers():
    judge = in_range(0.5, 2.0, "hint")
    assert judge(0.5)[0] and judge(2.0)[0] and judge(torch.tensor(1.0))[0]
    assert not judge(0.49)[0] and not judge(float("nan"))[0] and not judge(None)[0]


def test_choice_and_same_names_ignore_case_and_order():
    assert choice("sgd", "hint")(" SGD ")[0]
    assert not choice("sgd", "hint")(["sgd"])[0]
    judge = same_names({"versicolor", "virginica"}, "hint")
    assert judge(["Virginica", "versicolor"])[0]
    assert not judge(["setosa", "virginica"])[0]
    assert not judge(3)[0]


def test_result_shows_a_mark_and_is_truthy_only_when_passed():
    assert repr(Result("2.1", True, "correct.")) == "✅ Exercise 2.1: correct."
    assert repr(Result("2.1", False, "not yet.")).startswith("❌")
    assert not Result("2.1", False, "")
