"""Write the learner's exercise notebooks from the solution notebooks (their one source).

Each `exercises/solutions/NN_<lesson>_solutions.ipynb` holds every exercise of a lesson with its
worked solution, marked the way otter-grader marks them:

- a line ending in `# SOLUTION` becomes `<left side> = ...` (or `...`) for the learner;
- the lines between `# BEGIN SOLUTION` and `# END SOLUTION` become `# your code here` and `...`
  at the same indentation (a function body stays valid);
- a markdown cell tagged `solution` is dropped.

The learner's `exercises/NN_<lesson>_exercises.ipynb` is written from it with no outputs, and both
get their Colab badge and install cell from pyproject.toml (as `make badges` does for the lessons).
`--check` writes nothing and exits 1 when a learner notebook is out of date (a test runs it).
"""

import argparse
import ast
import re
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import colab_badges  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "exercises" / "solutions"
SOLUTION_LINE = re.compile(r"^(?P<indent>\s*)(?P<code>.*?)\s*# SOLUTION\s*$")
LEARNER_TITLE, SOLUTION_TITLE = "# Exercises for lesson", "# Solutions: exercises for lesson"
ASSIGNMENT = re.compile(r"^(?P<target>[\w.\[\]\"', ]+?)\s*(?P<op>[+\-*/]?=)(?!=)")


def strip_solutions(source: str) -> str:
    """The learner's version of one code cell's source."""
    lines, inside = [], False
    for line in source.split("\n"):
        marker = line.strip()
        if marker == "# BEGIN SOLUTION":
            if inside:
                raise ValueError("nested # BEGIN SOLUTION")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            lines += [f"{indent}# your code here", f"{indent}..."]
            continue
        if marker == "# END SOLUTION":
            if not inside:
                raise ValueError("# END SOLUTION without # BEGIN SOLUTION")
            inside = False
            continue
        if inside:
            continue
        match = SOLUTION_LINE.match(line)
        if match:
            assignment = ASSIGNMENT.match(match["code"])
            stub = f"{assignment['target']} = ..." if assignment else "..."
            lines.append(match["indent"] + stub)
        else:
            lines.append(line)
    if inside:
        raise ValueError("# BEGIN SOLUTION without # END SOLUTION")
    stub = "\n".join(lines)
    try:
        ast.parse(stub)
    except SyntaxError as error:  # e.g. "# SOLUTION" on the last line of a wrapped statement
        raise ValueError(f"the stub is not valid Python ({error}); use a BEGIN/END block") from None
    return stub


def learner_path(solution_path: Path) -> Path:
    return ROOT / "exercises" / solution_path.name.replace("_solutions", "_exercises")


def with_badge_and_install(notebook, path: Path, repo: str):
    """Set the badge (first line of the first cell) and the install cell for `path`."""
    first = notebook.cells[0]
    lines = first.source.split("\n")
    lines[0] = colab_badges.badge(repo, path.relative_to(ROOT).as_posix())
    first.source = "\n".join(lines)
    for cell in notebook.cells:
        if cell.cell_type == "code" and (
            "google.colab" in cell.source or cell.source.startswith("# install cell")
        ):
            cell.source = colab_badges.install_cell(repo, colab_badges.version())
            break
    return notebook


def cleaned(notebook):
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebook


def learner_notebook(solution_path: Path, repo: str):
    notebook = nbformat.read(solution_path, as_version=4)
    notebook.cells = [
        c
        for c in notebook.cells
        if not (c.cell_type == "markdown" and "solution" in c.metadata.get("tags", []))
    ]
    for cell in notebook.cells:
        if cell.cell_type == "code" and "google.colab" not in cell.source:
            cell.source = strip_solutions(cell.source)
    notebook.cells[0].source = notebook.cells[0].source.replace(SOLUTION_TITLE, LEARNER_TITLE)
    return cleaned(with_badge_and_install(notebook, learner_path(solution_path), repo))


def solution_notebook(solution_path: Path, repo: str):
    notebook = nbformat.read(solution_path, as_version=4)
    notebook.cells[0].source = notebook.cells[0].source.replace(LEARNER_TITLE, SOLUTION_TITLE)
    return cleaned(with_badge_and_install(notebook, solution_path, repo))


def outputs(repo: str) -> dict[Path, str]:
    """Every file this script writes, with its text."""
    files = {}
    for path in sorted(SOLUTIONS.glob("*_solutions.ipynb")):
        files[path] = nbformat.writes(solution_notebook(path, repo)) + "\n"
        files[learner_path(path)] = nbformat.writes(learner_notebook(path, repo)) + "\n"
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args()
    stale = []
    for path, text in outputs(colab_badges.repository()).items():
        if not path.exists() or path.read_text() != text:
            stale.append(path.relative_to(ROOT).as_posix())
            if not args.check:
                path.write_text(text)
    if args.check and stale:
        print(f"out of date: {', '.join(stale)}; run python scripts/build_exercises.py")
        return 1
    print(f"{'checked' if args.check else 'wrote'} exercises: {len(stale)} file(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
