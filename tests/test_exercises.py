"""Exercises (embedlab.exercises, exercises/): every worked solution passes its check, every
unanswered stub does not, checks use tolerances and give hints, learner notebooks are up to date.

The notebooks run in this process, cell by cell (the Colab install cell skipped): a kernel per
notebook would cost more than the solutions themselves, which are kept to a few seconds each.
"""

import ast
import math
import sys
from pathlib import Path

import nbformat
import pytest
import torch

from embedlab import exercises
from embedlab.exercises import EXERCISES, check, exercises_of

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "exercises" / "solutions").glob("*_solutions.ipynb"))
sys.path.insert(0, str(ROOT / "scripts"))
import build_exercises  # noqa: E402


def run_in_process(path: Path) -> list[exercises.Result]:
    """Execute a notebook's code cells like IPython does (the last expression is displayed) and
    return every `check` result shown, in order."""
    namespace: dict = {"__name__": "__main__"}
    shown = []
    default_dtype = torch.get_default_dtype()
    try:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code" or "google.colab" in cell.source:
                continue
            tree = ast.parse(cell.source)
            last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
            exec(compile(tree, f"{path.name}", "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), path.name, "eval"), namespace)
                if isinstance(value, exercises.Result):
                    shown.append(value)
    finally:
        torch.set_default_dtype(default_dtype)
    return shown


def lesson_of(path: Path) -> int:
    return int(path.name[:2])


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_every_solution_passes_its_check(path):
    results = run_in_process(path)
    assert [r.name for r in results] == [e.name for e in exercises_of(lesson_of(path))]
    failed = [repr(r) for r in results if not r.passed]
    assert not failed, failed


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_every_unanswered_stub_runs_and_fails_its_check(path):
    results = run_in_process(build_exercises.learner_path(path))
    assert [r.name for r in results] == [e.name for e in exercises_of(lesson_of(path))]
    passed = [repr(r) for r in results if r.passed]
    assert not passed, passed


def test_every_lesson_has_three_to_five_exercises_with_a_time():
    for lesson in range(1, 8):
        found = exercises_of(lesson)
        assert 3 <= len(found) <= 5, lesson
        assert all(1 <= e.minutes <= 20 for e in found)


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_each_exercise_says_what_to_do_how_long_and_what_correct_looks_like(path):
    notebook = nbformat.read(build_exercises.learner_path(path), as_version=4)
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for exercise in exercises_of(lesson_of(path)):
        heading = f"### Exercise {exercise.name} — {exercise.title} (about {exercise.minutes} min)"
        assert heading in markdown
    assert markdown.count("**A correct result:**") == len(exercises_of(lesson_of(path)))
    assert markdown.count("<summary>Hint</summary>") == len(exercises_of(lesson_of(path)))


def test_learner_notebooks_show_no_solution_and_are_up_to_date():
    written = build_exercises.outputs(build_exercises.colab_badges.repository())
    stale = [p.name for p, text in written.items() if p.read_text() != text]
    assert not stale, f"run python scripts/build_exercises.py: {stale}"
    for path in SOLUTIONS:
        text = build_exercises.learner_path(path).read_text()
        assert "SOLUTION" not in text


def test_strip_solutions_replaces_marked_lines_and_blocks():
    source = (
        "x = 1\n"
        "answer = compute(x)  # SOLUTION\n"
        "def f(a):\n"
        "    # BEGIN SOLUTION\n"
        "    return a + 1\n"
        "    # END SOLUTION\n"
        "check('1.1', answer)"
    )
    assert build_exercises.strip_solutions(source) == (
        "x = 1\nanswer = ...\ndef f(a):\n    # your code here\n    ...\ncheck('1.1', answer)"
    )


def test_strip_solutions_rejects_an_unclosed_block():
    with pytest.raises(ValueError, match="BEGIN SOLUTION"):
        build_exercises.strip_solutions("# BEGIN SOLUTION\nx = 1")


def test_strip_solutions_rejects_a_marker_on_a_wrapped_line():
    with pytest.raises(ValueError, match="not valid Python"):
        build_exercises.strip_solutions("x = f(\n    1\n)  # SOLUTION")


def test_numbers_pass_within_tolerance_not_only_when_exactly_equal():
    exact = math.log(1 + 9 / math.e)
    assert check("2.1", exact + 1e-4).passed  # another float path, another rounding
    assert check("2.1", torch.tensor(exact, dtype=torch.float32)).passed
    assert not check("2.1", math.log(1 + 2 / math.e)).passed  # the 3-class floor


def test_a_wrong_answer_gets_a_hint_and_a_blank_one_is_not_answered():
    wrong = check("3.1", -0.5)
    assert not wrong.passed and "Hint" in repr(wrong) and "−1/(K − 1)" in repr(wrong)
    assert "not answered yet" in repr(check("3.1", ...))
    assert not check("3.1", None).passed
    assert not check("3.1", "a lot").passed  # a non-number is a wrong answer, not a crash


def _one_hot_lookup_without_num_classes(table, ids):
    return torch.nn.functional.one_hot(ids).to(table.weight.dtype) @ table.weight


def _merge_without_the_first_bias(first, second):
    merged = torch.nn.Linear(first.in_features, second.out_features)
    with torch.no_grad():
        merged.weight.copy_(second.weight @ first.weight)
        merged.bias.copy_(second.bias)
    return merged


def _is_learning_by_gradient_only(parameter, optimizer):
    return parameter.grad is not None


def _nearest_by_dot_product(outputs, codes):
    return (outputs @ codes.T).argmax(dim=1)


def _plain_accuracy(y_true, y_pred, groups):
    return (torch.as_tensor(y_true) == torch.as_tensor(y_pred)).float().mean().item()


def _groups_of_truth_against_classes(y_true, y_pred, groups):
    groups = torch.as_tensor(groups)
    return (groups[y_true] == y_pred).float().mean().item()


# A plausible wrong answer for every exercise, and the slip it stands for: each must fail its
# check, so that a check cannot pass everything near the right answer.
PLAUSIBLE_WRONG = {
    "1.1": (17_000, "a bias per row, which nn.Embedding does not have"),
    "1.2": (1.0, "one use of the row counted, not three"),
    "1.3": (_one_hot_lookup_without_num_classes, "one_hot sized by the largest id seen"),
    "1.4": (4, "every occurrence counted, not distinct rows"),
    "2.1": (math.log(1 + 2 / math.e), "the 3-class floor"),
    "2.2": (_merge_without_the_first_bias, "the first layer's bias dropped"),
    "2.3": ("double_softmax", "the change that only lifts the loss's floor"),
    "2.4": ({"mean": 0.94, "worst": 0.97}, "the best seed reported as the worst"),
    "3.1": (-0.5, "-1/(K - 3) or a guess"),
    "3.2": (1.0, "the circle's radius, not the side of the triangle"),
    "3.3": (176, "a count out of 1000, not a share"),
    "4.1": (2.0, "full=True's constant left out"),
    "4.2": ({0: -0.25, 0.5: -0.125, 1: -0.0625}, "divided by v^β instead of multiplied"),
    "4.3": (3e-3, "the gentle rate, where both losses are level"),
    "5.1": (_is_learning_by_gradient_only, "a gradient alone, not a place in the optimizer"),
    "5.2": ({"mse": 0.9, "penalty": 0.9}, "untrained codes, before any epoch"),
    "5.3": (["setosa", "versicolor"], "a pair that does not share mass"),
    "5.4": (0.0, "a perfect output costs nothing"),
    "6.1": (0.5 * (0.9 - 1 / 3) + 0.5 * 0.4, "bins averaged without their shares"),
    "6.2": (1.0, "the scores as trained"),
    "6.3": (1.0, "the training score instead of cross-validation"),
    "7.1": ({"softmax": 256 * 959, "learned": 256 * 16 + 16}, "no biases, no vector table"),
    "7.2": (_nearest_by_dot_product, "the largest dot product: right only for codes of one length"),
    "7.3": (_plain_accuracy, "plain accuracy, which charges look-alikes"),
}


def test_every_exercise_has_a_plausible_wrong_answer_listed():
    assert set(PLAUSIBLE_WRONG) == set(EXERCISES)


@pytest.mark.parametrize("name", sorted(PLAUSIBLE_WRONG))
def test_a_plausible_wrong_answer_fails(name):
    answer, slip = PLAUSIBLE_WRONG[name]
    assert not check(name, answer).passed, f"{name} accepts {slip}"


def test_homoglyph_accuracy_rejects_comparing_groups_with_class_indices():
    assert not check("7.3", _groups_of_truth_against_classes).passed


def test_a_function_answer_that_raises_becomes_a_hint():
    def broken(table, ids):
        raise RuntimeError("oops")

    result = check("1.3", broken)
    assert not result.passed and "RuntimeError: oops" in result.message


def test_unknown_exercise_name_is_a_clear_error():
    with pytest.raises(ValueError, match="exercise name"):
        check("9.9", 1)


def test_the_registry_is_ordered_by_lesson():
    names = [e.name for lesson in range(1, 8) for e in exercises_of(lesson)]
    assert names == sorted(EXERCISES, key=lambda n: tuple(map(int, n.split("."))))


@pytest.mark.parametrize("path", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_exercise_notebooks_open_on_colab_with_the_released_package(path):
    repo, version = (
        build_exercises.colab_badges.repository(),
        build_exercises.colab_badges.version(),
    )
    for notebook_path in [path, build_exercises.learner_path(path)]:
        notebook = nbformat.read(notebook_path, as_version=4)
        relative = notebook_path.relative_to(ROOT).as_posix()
        first_line = notebook.cells[0].source.split("\n")[0]
        assert first_line == build_exercises.colab_badges.badge(repo, relative)
        installs = [
            c for c in notebook.cells if c.cell_type == "code" and "google.colab" in c.source
        ]
        assert [c.source for c in installs] == [
            build_exercises.colab_badges.install_cell(repo, version)
        ]


def test_decoding_exercise_rejects_cdist_and_gives_it_back():
    cdist = torch.cdist
    assert not check("7.2", lambda outputs, codes: torch.cdist(outputs, codes).argmin(1)).passed
    assert torch.cdist is cdist  # the judge restores it, even after a failing answer
