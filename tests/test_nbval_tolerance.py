"""The notebook checker (tests/nbval_tolerance.py): numbers within a cell's tolerance pass, anything
else fails, and a stale notebook — edited code, or an edited stored result — fails with a message
that names the cell and the number."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from nbval_tolerance import (
    DEFAULT_TOLERANCE,
    cell_tolerance,
    compare_within,
    needed_tolerance,
    number_tolerances,
    required_tolerance,
    sanitize,
    source_hash,
    split_numbers,
)

ROOT = Path(__file__).resolve().parents[1]
LESSON = ROOT / "notebooks" / "02_softmax_baseline.ipynb"


def test_numbers_within_the_tolerance_match():
    assert compare_within("mean 0.942, worst 0.908", "mean 0.951, worst 0.899", 0.01) is None


def test_a_number_beyond_the_tolerance_is_named():
    why = compare_within("mean 0.942, worst 0.908", "mean 0.942, worst 0.878", 0.02)
    assert "number 2" in why and "stored 0.908" in why and "computed 0.878" in why
    assert "more than 0.02 × max(1, |stored|)" in why and "worst #" in why


def test_words_must_match_exactly_even_with_a_tolerance():
    assert compare_within("softmax 0.94", "fixed 0.94", 0.5) == (
        "the text differs, not only its numbers"
    )
    assert compare_within("0.94 0.95", "0.94", 0.5) == "the text differs, not only its numbers"


def test_layout_whitespace_may_shift_with_a_number_width():
    assert compare_within("a   9.5\nb  10.0", "a  10.1\nb  10.0", 0.7) is None


def test_zero_tolerance_means_exact():
    assert compare_within("0.9417", "0.9417", 0.0) is None
    assert compare_within("0.9417", "0.9418", 0.0) is not None


def test_numbers_are_parsed_with_sign_and_exponent():
    words, numbers = split_numbers("loss -1.5e-3 after 100 epochs, 2.1e-07")
    assert numbers == [-1.5e-3, 100.0, 2.1e-07]
    assert words == ["loss", "after", "epochs,", ""]


def test_by_default_decimals_may_move_by_a_hundredth_and_integers_not_at_all():
    # the CPU with AMX that no simulated float path foresaw: 0.755 stored, 0.754 computed
    assert compare_within("mean 0.755 over 10 seeds", "mean 0.754 over 10 seeds") is None
    assert compare_within("loss 1.0965", "loss 1.1050") is None  # 1 % of a number above 1
    assert compare_within("loss 1.0965", "loss 1.1100") is not None
    why = compare_within("mean 0.755 over 10 seeds", "mean 0.770 over 10 seeds")
    assert "stored 0.755, computed 0.77" in why and "more than 0.01 × max(1, |stored|)" in why
    assert "mean # over # seeds" in why
    assert compare_within("117 of 120 right", "116 of 120 right") is not None  # a count
    assert compare_within("tiny 2.1e-07", "tiny 3.5e-07") is None  # an exponent is a decimal
    assert number_tolerances("a 0.5, 12 rows, 1e-3", None) == [0.01, 0.0, 0.01]
    assert number_tolerances("a 0.5, 12 rows", 0.05) == [0.05, 0.05]  # a tag covers integers


def test_tolerance_comes_from_one_tag():
    assert cell_tolerance({"tags": ["tolerance-0.03"]}) == 0.03
    assert cell_tolerance({"tags": ["nbval-ignore-output"]}) is None
    assert cell_tolerance({}) is None
    with pytest.raises(ValueError, match="more than one tolerance tag"):
        cell_tolerance({"tags": ["tolerance-0.03", "tolerance-0.1"]})


def test_source_hash_ignores_trailing_whitespace_only():
    assert source_hash("x = 1  \ny = 2\n") == source_hash("x = 1\ny = 2")
    assert source_hash("x = 1\ny = 2") != source_hash("x = 1\ny = 3")


def run_nbval(notebook: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "pytest", "--nbval", str(notebook), "--nbval-current-env"]
    command += [
        "-p",
        "nbval_tolerance",
        "--nbval-sanitize-with",
        str(ROOT / "tests" / "nbval_sanitize.cfg"),
    ]
    command += ["-x", "-q", "-p", "no:cacheprovider", "--nbval-cell-timeout=120"]
    # No thread variables: the lesson sets its thread count itself, as on Colab or VS Code.
    env = dict(os.environ, PYTHONPATH=str(ROOT / "tests"))
    for name in ("MPLBACKEND", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env.pop(name, None)
    return subprocess.run(
        command, cwd=notebook.parent, env=env, capture_output=True, text=True, timeout=600
    )


def edited_copy(tmp_path: Path, edit) -> Path:
    notebook = json.loads(LESSON.read_text())
    edit(notebook["cells"])
    copy = tmp_path / LESSON.name
    copy.write_text(json.dumps(notebook))
    return copy


def cell_with(cells, text: str) -> dict:
    return next(c for c in cells if c["cell_type"] == "code" and text in "".join(c["source"]))


@pytest.mark.stale
def test_a_changed_hyperparameter_without_new_outputs_fails(tmp_path):
    def halve_the_epochs(cells):
        """Change the first training cell's epochs, leaving its stored outputs as they were."""
        cell = next(
            c for c in cells if c["cell_type"] == "code" and "epochs=" in "".join(c["source"])
        )
        source = "".join(cell["source"])
        epochs = int(re.search(r"epochs=(\d+)", source).group(1))
        cell["source"] = source.replace(f"epochs={epochs}", f"epochs={epochs // 2}", 1)

    result = run_nbval(edited_copy(tmp_path, halve_the_epochs))
    assert result.returncode == 1, result.stdout[-3000:]
    assert "Cell source edited after its outputs were stored" in result.stdout
    assert "make notebooks" in result.stdout


@pytest.mark.stale
def test_an_edited_stored_result_fails_and_names_the_number(tmp_path):
    edited = {}

    def improve_a_mean_accuracy(cells):
        """Add 3 points to the first printed mean accuracy (a number after 'mean')."""
        for cell in cells:
            for output in cell.get("outputs", []) if cell["cell_type"] == "code" else []:
                text = "".join(output.get("text", ""))
                match = re.search(r"mean (0\.\d{3})", text)
                if match and not edited:
                    old = match.group(1)
                    edited.update(old=old, new=f"{float(old) + 0.03:.3f}")
                    output["text"] = text.replace(f"mean {old}", f"mean {edited['new']}", 1)
        assert edited, "lesson 2 prints no mean accuracy any more: update this test"

    result = run_nbval(edited_copy(tmp_path, improve_a_mean_accuracy))
    assert result.returncode == 1, result.stdout[-3000:]
    assert "Cell outputs differ" in result.stdout
    # the computed value is the stored one on this CPU, within the cell's tolerance on another
    assert f"stored {edited['new']}, computed " in result.stdout


@pytest.mark.stale
def test_a_lesson_run_without_thread_variables_matches_its_stored_outputs(tmp_path):
    """Colab, VS Code and a plain `jupyter lab` set no OMP_NUM_THREADS: the lesson's own
    set_threads(1) must give the stored numbers there too."""
    copy = tmp_path / LESSON.name
    copy.write_text(LESSON.read_text())
    result = run_nbval(copy)
    assert result.returncode == 0, result.stdout[-3000:]
    assert DEFAULT_TOLERANCE == 0.01


def test_needed_tolerance_is_the_largest_scaled_difference():
    assert needed_tolerance("acc 0.940, count 120", "acc 0.946, count 123") == pytest.approx(0.025)
    assert needed_tolerance("same 1.0", "same 1.0") == 0.0
    assert needed_tolerance("a 1", "b 1") == "the text differs"


def test_required_tolerance_sanitizes_first_and_spans_all_outputs():
    # float tails beyond 4 decimals are masked before comparing, as in the notebook run
    assert required_tolerance(["x 0.123456"], ["x 0.123499"]) == 0.0
    assert required_tolerance(["a 0.5", "b 0.25"], ["a 0.5", "b 0.2"]) == pytest.approx(0.05)
    assert required_tolerance(["a 0.5"], ["a 0.5", "b"]) == "a different number of outputs"
    assert sanitize("at 0x7f3a2b1c9d80") == "at 0xADDRESS"
