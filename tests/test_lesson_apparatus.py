"""scripts/lesson_apparatus.py: headers, references and links written into lessons from data.

Runs on temporary copies of the lesson notebooks; the lead applies it to notebooks/ itself.
"""

import json
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import colab_badges  # noqa: E402
import lesson_apparatus as apparatus  # noqa: E402

LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
REPO, VERSION = colab_badges.repository(), colab_badges.version()


def without_apparatus(path: Path, folder: Path) -> Path:
    """A copy of a lesson with the script's cells taken out again, as a lesson is before it runs."""
    notebook = nbformat.read(path, as_version=4)
    notebook.cells = [c for c in notebook.cells if not apparatus.is_apparatus(c)]
    copy = folder / path.name
    nbformat.write(notebook, copy)
    return copy


@pytest.fixture
def copies(tmp_path):
    for path in LESSONS:
        without_apparatus(path, tmp_path)
    return tmp_path


def run_script(folder: Path, *options: str) -> int:
    """The script's exit code, run in this process (a subprocess per run costs seconds)."""
    return apparatus.main(["--notebooks", str(folder), *options])


def updated(path: Path, times=None):
    times = {path.stem: 12.3} if times is None else times
    return apparatus.updated_notebook(path, apparatus.load_data(), times, REPO, VERSION)


def test_header_follows_the_title_with_prerequisites_and_both_times():
    path = next(p for p in LESSONS if p.name.startswith("04_"))
    notebook = updated(path)
    title_at = next(i for i, c in enumerate(notebook.cells) if "# Lesson 4" in c.source)
    header = notebook.cells[title_at + 1]
    assert apparatus.is_apparatus(header, "header")
    assert apparatus.load_data()["lessons"]["4"]["prerequisites"] in header.source
    assert "min to read" in header.source
    assert "about 15 s to run (measured by `make notebooks`)" in header.source


def test_footer_lists_the_lessons_references_with_year_and_link():
    path = next(p for p in LESSONS if p.name.startswith("04_"))
    footer = updated(path).cells[-1]
    assert apparatus.is_apparatus(footer, "footer")
    assert footer.source.startswith("## References")
    assert "Seitzer, Arash Tavakoli, Dimitrije Antic, Georg Martius (2022)" in footer.source
    assert "<https://arxiv.org/abs/2203.09168>" in footer.source
    assert "[glossary](https://github.com/" in footer.source


def test_the_report_link_opens_an_issue_form_naming_the_lesson():
    path = next(p for p in LESSONS if p.name.startswith("02_"))
    url = apparatus.report_link(REPO, path.name, "Lesson 2", VERSION)
    parsed = urlparse(url)
    assert f"{parsed.scheme}://{parsed.netloc}{parsed.path}" == (
        f"https://github.com/{REPO}/issues/new"
    )
    query = parse_qs(parsed.query)
    assert query["title"] == ["Lesson 2: "]
    assert f"notebooks/{path.name}" in query["body"][0]
    assert VERSION in query["body"][0]
    assert f"]({url})" in updated(path).cells[-1].source


def test_only_markdown_apparatus_is_added_and_code_cells_are_untouched(tmp_path):
    for lesson in LESSONS:
        path = without_apparatus(lesson, tmp_path)
        before = nbformat.read(path, as_version=4)
        after = updated(path)
        assert len(after.cells) == len(before.cells) + 2
        code_before = [(c.source, c.outputs) for c in before.cells if c.cell_type == "code"]
        code_after = [(c.source, c.outputs) for c in after.cells if c.cell_type == "code"]
        assert code_before == code_after


def test_script_is_idempotent_and_check_reports_stale_lessons(copies, capsys):
    assert run_script(copies, "--check") == 1
    assert "out of date" in capsys.readouterr().out
    assert run_script(copies) == 0
    first = {p.name: p.read_text() for p in copies.glob("*.ipynb")}
    assert run_script(copies) == 0
    assert {p.name: p.read_text() for p in copies.glob("*.ipynb")} == first
    assert run_script(copies, "--check") == 0
    for text in first.values():
        cells = json.loads(text)["cells"]
        parts = [c["metadata"].get("embedlab", {}).get("apparatus") for c in cells]
        assert parts.count("header") == 1 and parts.count("footer") == 1


def test_a_new_measured_time_rewrites_the_header(copies):
    path = copies / LESSONS[0].name
    assert run_script(copies) == 0
    slow = updated(path, {path.stem: 41.0})
    [header] = [c for c in slow.cells if apparatus.is_apparatus(c, "header")]
    assert "about 45 s to run" in header.source


def test_reading_time_counts_prose_and_code():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("word " * 400),  # 2 minutes at 200 words a minute
        nbformat.v4.new_code_cell("\n".join(["x = 1"] * 15)),  # 1 minute at 15 lines a minute
        nbformat.v4.new_code_cell('import sys\nif "google.colab" in sys.modules:\n    pass'),
    ]
    assert apparatus.reading_minutes(notebook) == 3


def test_run_time_rounds_up_to_five_seconds_and_says_when_unmeasured():
    assert apparatus.run_time_text(12.3) == "about 15 s to run (measured by `make notebooks`)"
    assert apparatus.run_time_text(15.0).startswith("about 15 s")
    assert "not measured yet" in apparatus.run_time_text(None)


def test_every_lesson_has_data_references_and_a_measured_run_time():
    data, times = apparatus.load_data(), apparatus.load_times()
    for path in LESSONS:
        number = apparatus.lesson_number(path)
        assert number in data["lessons"], path.name
        assert data["lessons"][number]["references"], path.name
        assert times.get(path.stem, 0) > 0, f"{path.name}: run `make notebooks` to time it"
    for key, reference in data["references"].items():
        assert {"authors", "title", "year"} <= set(reference), key
        assert reference.get("url", "https://").startswith("https://"), key


def test_unknown_reference_key_is_a_clear_error(tmp_path):
    bad = tmp_path / "lessons.toml"
    bad.write_text(
        '[lessons.1]\nprerequisites = "none"\nconcepts = "x"\nreferences = ["nobody1999"]\n'
        "[references]\n"
    )
    with pytest.raises(ValueError, match="nobody1999"):
        apparatus.load_data(bad)


def test_a_notebook_without_a_number_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="NN_"):
        apparatus.lesson_number(tmp_path / "intro.ipynb")


def test_the_lessons_carry_their_apparatus_up_to_date(capsys):
    """Fails until `make apparatus` (or `make notebooks`, which ends with it) has run."""
    assert run_script(ROOT / "notebooks", "--check") == 0, capsys.readouterr().out


def test_hand_written_prerequisites_or_references_are_reported():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Lesson 9 — x\n\n**Prerequisites:** lesson 8"),
        nbformat.v4.new_markdown_cell("## References\n\n1. Someone (2020)."),
    ]
    found = apparatus.hand_written_apparatus(notebook)
    assert len(found) == 2 and "cell 0" in found[0] and "cell 1" in found[1]
