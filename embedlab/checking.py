"""The parts of an exercise check that do not depend on the exercise (used by
`embedlab.exercises`, for the exercise notebooks of lessons 1-6).

An `Exercise` has a `judge(answer) -> (ok, hint)`; the factories below build judges that compare
within a tolerance — never exact float equality, so a correct answer computed on another CPU, in
float32 or in another order still passes. `Result` is what the learner sees under the cell.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

UNANSWERED = (Ellipsis, None)


@dataclass(frozen=True)
class Result:
    """The outcome of `check`: `passed`, and the message shown under the cell."""

    name: str
    passed: bool
    message: str

    def __repr__(self) -> str:
        mark = "✅" if self.passed else "❌"
        return f"{mark} Exercise {self.name}: {self.message}"

    def __bool__(self) -> bool:
        return self.passed


@dataclass(frozen=True)
class Exercise:
    """One exercise: its lesson, title, time in minutes, and a `judge(answer) -> (ok, hint)`."""

    name: str
    lesson: int
    title: str
    minutes: int
    judge: Callable[[object], tuple[bool, str]]
    success: str


def close(value, expected: float, rel: float = 1e-3, abs_tol: float = 1e-6) -> bool:
    """True when `value` is a real number within rel·|expected| + abs_tol of `expected`."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    return math.isfinite(number) and abs(number - expected) <= rel * abs(expected) + abs_tol


def number(expected: float, hint: str, rel: float = 1e-3, abs_tol: float = 1e-6):
    def judge(answer):
        return close(answer, expected, rel, abs_tol), hint

    return judge


def count(expected: int, hint: str):
    """A whole number: right only when it rounds to `expected` (a count has no tolerance)."""
    return number(expected, hint, rel=0, abs_tol=0.01)


def in_range(low: float, high: float, hint: str):
    def judge(answer):
        try:
            number = float(answer)
        except (TypeError, ValueError):
            return False, hint
        return low <= number <= high, hint

    return judge


def choice(expected: str, hint: str):
    def judge(answer):
        return isinstance(answer, str) and answer.strip().lower() == expected, hint

    return judge


def same_names(expected: set[str], hint: str):
    def judge(answer):
        try:
            names = {str(a).strip().lower() for a in answer}
        except TypeError:
            return False, hint
        return names == expected, hint

    return judge
