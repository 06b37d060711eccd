"""nbval, made to hold on any CPU and to catch stale notebooks (loaded by the root conftest.py).

nbval compares every re-executed cell's output with the stored one, character for character (after
`tests/nbval_sanitize.cfg`). Two additions:

1. **Numbers that come out of training are compared within a tolerance.** Another CPU (AVX2 instead
   of AVX-512, another MKL code path) rounds the last bit differently, and training turns that into
   visible differences. A code cell tagged ``tolerance-0.02`` has each number in its output compared
   with the stored one to within 0.02 × max(1, |stored|): absolute for accuracies, losses and other
   numbers up to 1, relative (2 %) for larger ones such as counts. Everything else in its output
   (words, layout, the count of numbers) must still match exactly. Untagged cells are compared
   exactly, as before. Choose a cell's tolerance from measurements on other float paths
   (``make notebooks-float-paths``) and keep it below the size of the effect the cell shows.

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
STAMP_KEY = "embedlab"
SANITIZE_FILE = Path(__file__).with_name("nbval_sanitize.cfg")


def source_hash(source: str) -> str:
    """The stamp `make notebooks` stores for a code cell (trailing whitespace ignored)."""
    text = "\n".join(line.rstrip() for line in source.strip().splitlines())
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cell_tolerance(metadata: dict) -> float:
    """The absolute tolerance a cell's tags allow its numbers; 0 means exact."""
    tolerances = [
        float(m.group(1)) for tag in metadata.get("tags", []) if (m := TOLERANCE_TAG.match(tag))
    ]
    if len(tolerances) > 1:
        raise ValueError(f"a cell has more than one tolerance tag: {metadata.get('tags')}")
    return tolerances[0] if tolerances else 0.0


def split_numbers(text: str) -> tuple[list[str], list[float]]:
    """Split a text into its words (whitespace folded) and its numbers."""
    words = [" ".join(part.split()) for part in NUMBER.split(text)]
    return words, [float(n) for n in NUMBER.findall(text)]


def compare_within(stored: str, computed: str, tolerance: float) -> str | None:
    """None when `computed` matches `stored` (numbers within `tolerance`), else why not."""
    if stored == computed:
        return None
    stored_words, stored_numbers = split_numbers(stored)
    computed_words, computed_numbers = split_numbers(computed)
    if stored_words != computed_words or len(stored_numbers) != len(computed_numbers):
        return "the text differs, not only its numbers"
    for index, (a, b) in enumerate(zip(stored_numbers, computed_numbers, strict=True)):
        if abs(a - b) > tolerance * max(1.0, abs(a)) + 1e-9:
            context = NUMBER.sub("#", stored)
            line = next((x for x in context.splitlines() if "#" in x), "")
            return (
                f"number {index + 1} of the output: stored {a:g}, computed {b:g}, "
                f"differs by {abs(a - b):.4g}, more than {tolerance:g} × max(1, |stored|) "
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
        if tolerance == 0:
            self.comparison_traceback[:0] = [f"cell {self.cell_num} (compared exactly):", *reasons]
            return False
        if reasons:
            self.comparison_traceback = [
                f"cell {self.cell_num} (tagged tolerance-{tolerance:g}): outputs differ beyond "
                "the tolerance — the stored outputs are stale, or the tolerance too tight:",
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
