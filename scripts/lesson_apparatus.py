"""Write each lesson's apparatus: a header after its title, and references and links at its end.

What it writes comes from data, never typed into a notebook by hand:

- docs/lessons.toml: prerequisites, concepts and references of every lesson (one list, cited by
  key), and the section of docs/theory.md the lesson leans on;
- docs/lesson_times.json: the run time of each lesson, measured by `make notebooks`
  (scripts/execute_notebooks.py);
- the notebook itself: the reading time, from its words (prose at 200 words a minute, code at 15
  lines a minute, rounded up to a whole minute);
- pyproject.toml: the repository URL, from which the glossary, theory, exercise and
  "report a problem" links are built (the last opens a GitHub issue form naming the lesson).

The header is a markdown cell right after the title cell, the footer the last cell; both carry
`metadata.embedlab.apparatus` so a rerun replaces them (idempotent). Code cells are untouched, so
stored outputs stay valid. `--check` writes nothing and exits 1 if a lesson is out of date.

    python scripts/lesson_apparatus.py [--check] [--notebooks DIR]
"""

import argparse
import json
import math
import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import colab_badges  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "docs" / "lessons.toml"
TIMES = ROOT / "docs" / "lesson_times.json"
KEY = "embedlab"
WORDS_PER_MINUTE, CODE_LINES_PER_MINUTE = 200, 15


def load_data(path: Path = LESSONS) -> dict:
    data = tomllib.loads(path.read_text())
    for number, lesson in data["lessons"].items():
        missing = [key for key in lesson.get("references", []) if key not in data["references"]]
        if missing:
            raise ValueError(f"lesson {number} cites unknown references {missing} in {path.name}")
    return data


def load_times(path: Path = TIMES) -> dict[str, float]:
    return json.loads(path.read_text())["seconds"] if path.exists() else {}


def is_apparatus(cell, part: str | None = None) -> bool:
    found = cell.get("metadata", {}).get(KEY, {}).get("apparatus")
    return found is not None and (part is None or found == part)


def lesson_number(path: Path) -> str:
    match = re.match(r"(\d+)_", path.name)
    if not match:
        raise ValueError(f"{path.name}: a lesson notebook's name starts with its number, NN_")
    return str(int(match.group(1)))


def reading_minutes(notebook) -> int:
    """Minutes to read the lesson: prose words and code lines, apparatus and badge excluded."""
    words = code_lines = 0
    for cell in notebook.cells:
        if is_apparatus(cell):
            continue
        if cell.cell_type == "markdown":
            text = re.sub(r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)", "", cell.source)  # badges
            words += len(re.findall(r"\w+", text))
        elif cell.cell_type == "code" and "google.colab" not in cell.source:
            code_lines += sum(1 for line in cell.source.splitlines() if line.strip())
    return max(1, math.ceil(words / WORDS_PER_MINUTE + code_lines / CODE_LINES_PER_MINUTE))


def run_time_text(seconds: float | None) -> str:
    if seconds is None:
        return "run time not measured yet (`make notebooks` measures it)"
    return f"about {5 * math.ceil(seconds / 5)} s to run (measured by `make notebooks`)"


def github_file(repo: str, path: str) -> str:
    return f"https://github.com/{repo}/blob/main/{path}"


def report_link(repo: str, notebook: str, title: str, version: str) -> str:
    """A GitHub 'new issue' form, prefilled with the lesson's name."""
    issue_title = f"{title}: "
    body = (
        f"Lesson: `notebooks/{notebook}` (embedlab {version})\n"
        "Cell or section:\n\n"
        "What I expected:\n\n"
        "What happened (paste the error or output):\n\n"
        "Where I ran it (Colab, JupyterLab, other) and Python version:\n"
    )
    return f"https://github.com/{repo}/issues/new?title={quote(issue_title)}&body={quote(body)}"


def lesson_title(notebook) -> str:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^# (Lesson \d+)\b", cell.source, re.M)
            if match:
                return match.group(1)
    raise ValueError("no '# Lesson N — ...' title found")


def exercises_notebook(path: Path) -> str | None:
    found = sorted((ROOT / "exercises").glob(f"{path.name[:2]}_*_exercises.ipynb"))
    return found[0].relative_to(ROOT).as_posix() if found else None


def links(repo: str, path: Path, title: str, lesson: dict, version: str) -> str:
    parts = []
    exercises = exercises_notebook(path)
    if exercises:
        parts.append(
            f"[exercises]({github_file(repo, exercises)}) "
            f"([open in Colab]({colab_badges.colab_url(repo, exercises)}))"
        )
    parts.append(f"[glossary]({github_file(repo, 'GLOSSARY.md')})")
    if lesson.get("theory"):
        parts.append(f"[the formulas]({github_file(repo, 'docs/theory.md')}#{lesson['theory']})")
    parts.append(f"[report a problem]({report_link(repo, path.name, title, version)})")
    return " · ".join(parts)


def header(notebook, path: Path, lesson: dict, seconds: float | None, repo: str, version: str):
    title = lesson_title(notebook)
    return (
        "**Before you start**\n"
        f"- **Prerequisites:** {lesson['prerequisites']}. Concepts: {lesson['concepts']}.\n"
        f"- **Time:** about {reading_minutes(notebook)} min to read; {run_time_text(seconds)}.\n"
        f"- **Also:** {links(repo, path, title, lesson, version)}"
    )


def reference_line(reference: dict) -> str:
    line = f"{reference['authors']} ({reference['year']}). *{reference['title']}*."
    if reference.get("venue"):
        line += f" {reference['venue']}."
    if reference.get("url"):
        line += f" <{reference['url']}>"
    return line


def footer(notebook, path: Path, lesson: dict, references: dict, repo: str, version: str):
    title = lesson_title(notebook)
    lines = ["## References", ""]
    lines += [
        f"{i}. {reference_line(references[key])}" for i, key in enumerate(lesson["references"], 1)
    ]
    lines += ["", "---", f"{title} · {links(repo, path, title, lesson, version)}"]
    return "\n".join(lines)


def apparatus_cell(source: str, part: str, existing=None):
    cell = existing if existing is not None else nbformat.v4.new_markdown_cell()
    cell.source = source
    cell.metadata.setdefault(KEY, {})["apparatus"] = part
    return cell


def updated_notebook(path: Path, data: dict, times: dict, repo: str, version: str):
    """The notebook with its header and footer cells written (or rewritten) from the data."""
    notebook = nbformat.read(path, as_version=4)
    number = lesson_number(path)
    if number not in data["lessons"]:
        raise ValueError(f"{path.name}: no [lessons.{number}] entry in docs/lessons.toml")
    lesson = data["lessons"][number]
    seconds = times.get(path.stem)
    top = header(notebook, path, lesson, seconds, repo, version)
    bottom = footer(notebook, path, lesson, data["references"], repo, version)
    old_header = next((c for c in notebook.cells if is_apparatus(c, "header")), None)
    old_footer = next((c for c in notebook.cells if is_apparatus(c, "footer")), None)
    notebook.cells = [c for c in notebook.cells if not is_apparatus(c)]
    title_at = next(
        i
        for i, c in enumerate(notebook.cells)
        if c.cell_type == "markdown" and re.search(r"^# Lesson \d+", c.source, re.M)
    )
    notebook.cells.insert(title_at + 1, apparatus_cell(top, "header", old_header))
    notebook.cells.append(apparatus_cell(bottom, "footer", old_footer))
    return notebook


def hand_written_apparatus(notebook) -> list[str]:
    """Cells that say by hand what the apparatus writes (they would say it twice)."""
    found = []
    for i, cell in enumerate(notebook.cells):
        if cell.cell_type != "markdown" or is_apparatus(cell):
            continue
        for pattern in [r"\*\*Prerequisites", r"^#+ References", r"issues/new"]:
            if re.search(pattern, cell.source, re.M):
                found.append(f"cell {i} has {pattern.strip('^#+ *').replace(chr(92), '')!r}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--notebooks", type=Path, default=ROOT / "notebooks")
    args = parser.parse_args(argv)
    data, times = load_data(), load_times()
    repo, version = colab_badges.repository(), colab_badges.version()
    stale = []
    for path in sorted(args.notebooks.glob("[0-9][0-9]_*.ipynb")):
        for warning in hand_written_apparatus(nbformat.read(path, as_version=4)):
            print(f"warning: {path.name}: {warning}")
        before = nbformat.writes(nbformat.read(path, as_version=4)) + "\n"
        after = nbformat.writes(updated_notebook(path, data, times, repo, version)) + "\n"
        if before != after:
            stale.append(path.name)
            if not args.check:
                path.write_text(after)
    if args.check and stale:
        print(f"apparatus out of date: {', '.join(stale)}; run python scripts/lesson_apparatus.py")
        return 1
    print(f"{'checked' if args.check else 'wrote'} lesson apparatus: {len(stale)} file(s) changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
