"""The parts of an exercise check that do not depend on the exercise (used by
`embedlab.exercises` and its judges, for the exercise notebooks of lessons 1-7).

An `Exercise` has a `judge(answer) -> (ok, text)`: `text` is the success message when `ok`, the
hint otherwise. Judges run the learner's code on cases drawn when the check runs (`fresh_rng`)
and compare it with their own computation, within a tolerance (`close`) — never exact float
equality, so a correct answer computed on another CPU, in float32 or in another order still
passes. `Result` is what the learner sees under the cell.

Tools for judges: `call` turns a learner's exception into the start of a hint; `sandbox` keeps
the learner's random state, default dtype and thread count as they were; `forbidden` makes a
function raise while a learner's code runs (to block a shortcut the exercise rules out).
"""

import contextlib
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch

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
    """One exercise: its lesson, title, time in minutes, and a `judge(answer) -> (ok, text)`."""

    name: str
    lesson: int
    title: str
    minutes: int
    judge: Callable[[object], tuple[bool, str]]


def unanswered(answer) -> bool:
    """True for `...`/None, or a dict, list or tuple whose parts are still `...`/None."""
    if any(answer is blank for blank in UNANSWERED):
        return True
    parts = answer.values() if isinstance(answer, dict) else answer
    if isinstance(answer, (dict, list, tuple)):
        return any(any(p is blank for blank in UNANSWERED) for p in parts)
    return False


def close(value, expected: float, rel: float = 1e-3, abs_tol: float = 1e-6) -> bool:
    """True when `value` is a real number within rel·|expected| + abs_tol of `expected`."""
    try:
        number = float(value)
    except (TypeError, ValueError, RuntimeError):
        return False
    return math.isfinite(number) and abs(number - expected) <= rel * abs(expected) + abs_tol


def fresh_rng() -> np.random.Generator:
    """A generator seeded from the operating system: each check draws cases nobody has seen."""
    return np.random.default_rng()


def torch_generator(rng: np.random.Generator) -> torch.Generator:
    """A torch generator seeded from `rng` (so torch draws are fresh too)."""
    return torch.Generator().manual_seed(int(rng.integers(2**62)))


def call(answer, *args, **kwargs):
    """(answer(*args), None), or (None, the start of a hint) when the learner's code raises."""
    try:
        return answer(*args, **kwargs), None
    except Exception as error:  # a learner's function may fail in any way: report it as a hint
        return None, f"your code raised {type(error).__name__}: {error}. "


def needs(answer, keys: tuple[str, ...], example: str) -> str | None:
    """None when `answer` is a dict holding `keys`; otherwise the start of a hint."""
    if not isinstance(answer, dict) or not set(keys) <= set(answer):
        return f"answer a dict with the keys {', '.join(map(repr, keys))}, e.g. {example}. "
    return None


def not_a_function(name: str) -> str:
    return (
        f"pass your function itself, e.g. check(..., {name}) — a number or a copied result is "
        "not enough: the check runs your code on cases it draws now. "
    )


@contextlib.contextmanager
def sandbox(threads: int = 1) -> Iterator[None]:
    """Run a judge without changing the learner's random state, default dtype or threads."""
    python, numpy, torch_state = random.getstate(), np.random.get_state(), torch.get_rng_state()
    dtype, n_threads = torch.get_default_dtype(), torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        random.setstate(python)
        np.random.set_state(numpy)
        torch.set_rng_state(torch_state)
        torch.set_default_dtype(dtype)
        torch.set_num_threads(n_threads)


@contextlib.contextmanager
def forbidden(functions: list[Callable], reason: str) -> Iterator[None]:
    """While inside, each of `functions` (plain Python functions) raises RuntimeError(reason).

    Their code object is swapped, so a learner who imported the function by name is blocked too;
    everything is restored on the way out, even after an error.
    """
    namespace: dict = {}
    exec(f"def blocked(*args, **kwargs):\n    raise RuntimeError({reason!r})", namespace)
    saved = [(f, f.__code__, f.__defaults__, f.__kwdefaults__) for f in functions]
    try:
        for f in functions:
            f.__code__, f.__defaults__, f.__kwdefaults__ = namespace["blocked"].__code__, None, None
        yield
    finally:
        for f, code, defaults, kwdefaults in saved:
            f.__code__, f.__defaults__, f.__kwdefaults__ = code, defaults, kwdefaults


@contextlib.contextmanager
def replaced(owner, attribute: str, reason: str) -> Iterator[None]:
    """While inside, `owner.attribute` (e.g. a class's `__init__`) raises RuntimeError(reason)."""

    def blocked(*args, **kwargs):
        raise RuntimeError(reason)

    saved = owner.__dict__[attribute]
    setattr(owner, attribute, blocked)
    try:
        yield
    finally:
        setattr(owner, attribute, saved)
