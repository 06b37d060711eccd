"""nbval, made to hold on any CPU and to catch stale notebooks (loaded by the root conftest.py).

nbval compares every re-executed cell's output with the stored one, character for character (after
`tests/nbval_sanitize.cfg`). Two additions:

1. **Numbers that come out of floating-point computation are compared within a tolerance, by
   default.** Another CPU (AVX2 instead of AVX-512, AMX, another MKL blocking) rounds the last bit
   differently, and training turns that into visible differences: a CPU we had never simulated
   printed 0.754 where 0.755 was stored. So every number written with a decimal point or an
   exponent is compared within DEFAULT_TOLERANCE × max(1, |stored|): absolute (0.01) for
   accuracies, losses and other numbers up to 1, relative (1 %) for larger ones. Integers (counts,
   epochs, shapes) and all words and layout are compared exactly. A cell tagged ``tolerance-0.05``
   compares every number, integers included, within 0.05 × max(1, |stored|): for cells whose
   numbers move further on other float paths (``make notebooks-float-paths`` measures it). The
   prose must not quote a number more precisely than the tolerance (tests/test_notebooks.py).

2. **An edited cell whose outputs were not regenerated fails**, even where the numbers would still
   agree: `make notebooks` stamps each code cell's source hash into its metadata
   (``scripts/finish_notebooks.py``); here each cell's source must still match its stamp.

A failure names the notebook's cell, the number stored, the number computed and the tolerance.
"""

from __future__ import annotations

import configparser
import hashlib
import re
from pathlib import Path

import pytest

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
TOLERANCE_TAG = re.compile(r"^tolerance-(\d+(?:\.\d+)?)$")
DEFAULT_TOLERANCE = 0.01  # for numbers written with a decimal point or an exponent
STAMP_KEY = "embedlab"
SANITIZE_FILE = Path(__file__).with_name("nbval_sanitize.cfg")


def source_hash(source: str) -> str:
    """The stamp `make notebooks` stores for a code cell (trailing whitespace ignored)."""
    text = "\n".join(line.rstrip() for line in source.strip().splitlines())
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cell_tolerance(metadata: dict) -> float | None:
    """The tolerance a cell's tag sets for all its numbers, or None: the default rule."""
    tolerances = [
        float(m.group(1)) for tag in metadata.get("tags", []) if (m := TOLERANCE_TAG.match(tag))
    ]
    if len(tolerances) > 1:
        raise ValueError(f"a cell has more than one tolerance tag: {metadata.get('tags')}")
    return tolerances[0] if tolerances else None


def split_numbers(text: str) -> tuple[list[str], list[float]]:
    """Split a text into its words (whitespace folded) and its numbers."""
    words = [" ".join(part.split()) for part in NUMBER.split(text)]
    return words, [float(n) for n in NUMBER.findall(text)]


def number_tolerances(text: str, tolerance: float | None) -> list[float]:
    """The tolerance for each number of `text`: the tag's for all, or by default
    DEFAULT_TOLERANCE for numbers with a decimal point or an exponent and 0 for integers."""
    if tolerance is not None:
        return [tolerance] * len(NUMBER.findall(text))
    return [
        DEFAULT_TOLERANCE if any(mark in n for mark in ".eE") else 0.0 for n in NUMBER.findall(text)
    ]


def compare_within(stored: str, computed: str, tolerance: float | None = None) -> str | None:
    """None when `computed` matches `stored` (each number within its tolerance: the tag's, or
    the default rule's when `tolerance` is None), else why not."""
    if stored == computed:
        return None
    stored_words, stored_numbers = split_numbers(stored)
    computed_words, computed_numbers = split_numbers(computed)
    if stored_words != computed_words or len(stored_numbers) != len(computed_numbers):
        return "the text differs, not only its numbers"
    allowed = number_tolerances(stored, tolerance)
    for index, (a, b) in enumerate(zip(stored_numbers, computed_numbers, strict=True)):
        if abs(a - b) > allowed[index] * max(1.0, abs(a)) + 1e-9:
            context = NUMBER.sub("#", stored)
            line = next((x for x in context.splitlines() if "#" in x), "")
            return (
                f"number {index + 1} of the output: stored {a:g}, computed {b:g}, "
                f"differs by {abs(a - b):.4g}, more than {allowed[index]:g} × max(1, |stored|) "
                f"(stored output, numbers as #: {line.strip()[:120]!r})"
            )
    return None


def needed_tolerance(stored: str, computed: str) -> float | str:
    """The smallest tag value under which `computed` matches `stored` (0 if equal), or why none."""
    if stored == computed:
        return 0.0
    stored_words, stored_numbers = split_numbers(stored)
    computed_words, computed_numbers = split_numbers(computed)
    if stored_words != computed_words or len(stored_numbers) != len(computed_numbers):
        return "the text differs"
    pairs = zip(stored_numbers, computed_numbers, strict=True)
    return max(abs(a - b) / max(1.0, abs(a)) for a, b in pairs)


def sanitize(text: str) -> str:
    """Apply tests/nbval_sanitize.cfg, as the notebook tests do before comparing."""
    config = configparser.ConfigParser()
    config.read(SANITIZE_FILE)
    for section in config.sections():
        text = re.sub(config[section]["regex"], config[section]["replace"], text)
    return text


def required_tolerance(stored: list[str], computed: list[str]) -> float | str:
    """Over a cell's text outputs: the tolerance it needs (0 if none), or why none would do."""
    if len(stored) != len(computed):
        return "a different number of outputs"
    needs = [
        needed_tolerance(sanitize(a), sanitize(b)) for a, b in zip(stored, computed, strict=True)
    ]
    words = [n for n in needs if isinstance(n, str)]
    return words[0] if words else max(needs, default=0.0)


def _patch_nbval() -> None:
    from nbval import plugin

    cell_class = plugin.IPyNbCell
    if getattr(cell_class, "_embedlab_patched", False):
        return
    original_compare = cell_class.compare_outputs
    original_runtest = cell_class.runtest

    def compare_outputs(self, test, ref, skip_compare=None):
        tolerance = cell_tolerance(self.cell.metadata)
        if original_compare(self, test, ref, skip_compare):
            return True
        # Compare again, number by number, for each output field in order (with no tolerance
        # this only finds the first number that differs, to name it).
        skip = skip_compare or self.parent.skip_compare
        stored = _texts(plugin.transform_streams_for_comparison(ref), skip, self.sanitize)
        computed = _texts(plugin.transform_streams_for_comparison(test), skip, self.sanitize)
        if sorted(stored) != sorted(computed) or any(
            len(stored[k]) != len(computed[k]) for k in stored
        ):
            return False  # keep nbval's own explanation
        reasons = []
        for key in stored:
            for a, b in zip(stored[key], computed[key], strict=True):
                if not isinstance(a, str) or not isinstance(b, str):
                    if a != b:
                        reasons.append(f"{key}: non-text output differs")
                    continue
                why = compare_within(a, b, tolerance)
                if why:
                    reasons.append(f"{key}: {why}")
        if reasons:
            rule = (
                f"tagged tolerance-{tolerance:g}"
                if tolerance is not None
                else f"decimals within {DEFAULT_TOLERANCE:g}, integers exact"
            )
            self.comparison_traceback = [
                f"cell {self.cell_num} ({rule}): outputs differ beyond the tolerance — the "
                "stored outputs are stale, or the tolerance too tight:",
                *reasons,
            ]
            return False
        self.comparison_traceback = []
        return True

    def runtest(self):
        stamp = self.cell.metadata.get(STAMP_KEY, {}).get("source_hash")
        if self.options.get("check") and stamp is not None:
            if stamp != source_hash(self.cell.source):
                self.raise_cell_error(
                    "Cell source edited after its outputs were stored",
                    f"cell {self.cell_num} no longer matches the source its stored outputs came "
                    "from. Regenerate the outputs with `make notebooks` (one clean run).",
                )
        return original_runtest(self)

    cell_class.compare_outputs = compare_outputs
    cell_class.runtest = runtest
    cell_class._embedlab_patched = True


def _texts(outputs, skip, sanitize) -> dict:
    texts: dict[str, list] = {}
    for output in outputs:
        for key, value in output.items():
            if key in skip:
                continue
            if key == "data":
                for mime, data in value.items():
                    if mime not in skip:
                        texts.setdefault(mime, []).append(sanitize(data))
            else:
                texts.setdefault(key, []).append(sanitize(value))
    return texts


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    if config.pluginmanager.hasplugin("nbval"):
        _patch_nbval()
