"""What every lesson notebook must carry, checked without running it (nbval runs it)."""

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
sys.path.insert(0, str(ROOT / "scripts"))
import colab_badges  # noqa: E402
from nbval_tolerance import STAMP_KEY, source_hash  # noqa: E402


def code_cells(notebook):
    return [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]


@pytest.fixture(params=NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_there_are_lessons():
    assert len(NOTEBOOKS) >= 5


def test_badge_points_at_the_declared_repository(notebook):
    path, nb = notebook
    expected = colab_badges.badge(colab_badges.repository(), f"notebooks/{path.name}")
    assert nb.cells[0].cell_type == "markdown"
    assert nb.cells[0].source.split("\n")[0] == expected


def bare_asserts(source: str) -> list[int]:
    """Lines of `assert` statements without a message in a code cell (magics left out)."""
    lines = source.splitlines()
    magic = ("%", "!")  # IPython lines: `pass` at the same indentation keeps the code parseable
    code = "\n".join(
        line[: len(line) - len(line.lstrip())] + "pass" if line.lstrip().startswith(magic) else line
        for line in lines
    )
    tree = ast.parse(code)
    return [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Assert) and n.msg is None]


def test_a_failing_check_speaks(notebook):
    """A learner who halves the epochs or changes the learning rate meets a check that says what
    the lesson claimed and what was measured (`claim(...)`, or an assert with a message), never a
    bare AssertionError."""
    path, nb = notebook
    found = {i: lines for i, c in enumerate(nb.cells) if c.cell_type == "code"
             if (lines := bare_asserts(c.source))}  # fmt: skip
    assert not found, (
        f"{path.name}: bare asserts (cell: lines) {found}; use claim(holds, text, measured)"
    )


def test_a_bare_assert_is_found():
    source = "%pip install x\nassert ok\nassert ok, 'says what'\nclaim(ok, 'text', 'measured')"
    assert bare_asserts(source) == [2]


def test_first_code_cell_installs_only_on_colab(notebook):
    _, nb = notebook
    first = code_cells(nb)[0].source
    assert 'if "google.colab" in sys.modules and find_spec("embedlab") is None:' in first
    assert f"git+https://github.com/{colab_badges.repository()}" in first
    assert all("google.colab" not in c.source for c in code_cells(nb)[1:])


def test_story_shape_title_widget_takeaways(notebook):
    _, nb = notebook
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert re.search(r"^# Lesson \d+ — ", markdown, re.M)
    assert "**You will learn**" in markdown
    assert "## Takeaways" in markdown
    widget_cells = [
        c for c in code_cells(nb) if "nbval-ignore-output" in c.metadata.get("tags", [])
    ]
    assert any(
        c.source.strip().endswith("widget()") or "_widget(" in c.source for c in widget_cells
    )
    assert any(  # a lesson checks its prose on its numbers
        c.source.lstrip().startswith("assert") or "\nassert " in c.source or "claim(" in c.source
        for c in code_cells(nb)
    )


def test_stored_outputs_come_from_one_clean_run(notebook):
    _, nb = notebook
    counts = [c.execution_count for c in code_cells(nb)]
    assert counts == list(range(1, len(counts) + 1))
    for cell in code_cells(nb):
        assert all(o.output_type != "error" for o in cell.outputs)


def test_nothing_depends_on_this_machine(notebook):
    path, _ = notebook
    text = path.read_text()
    for place in ["/work/", "/root/", "/tmp/", "/home/", str(ROOT)]:
        assert place not in text, f"{path.name} mentions {place}"
    sources = ["".join(c["source"]) for c in json.loads(text)["cells"] if c["cell_type"] == "code"]
    assert not any("../" in source for source in sources)


def test_badges_and_readme_are_up_to_date():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "colab_badges.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_fork_gets_its_own_badges_and_install_url():
    path = NOTEBOOKS[0]
    updated = colab_badges.updated_notebook(path, "someone/fork")
    assert "github/someone/fork/blob/main/notebooks/" in updated.cells[0].source
    install = next(c.source for c in updated.cells if "google.colab" in c.source)
    assert "git+https://github.com/someone/fork" in install
    readme = colab_badges.updated_readme((ROOT / "README.md").read_text(), "someone/fork")
    assert readme.count("github/someone/fork/blob/main/notebooks/") == len(NOTEBOOKS)


def test_no_live_widget_state_is_stored(notebook):
    path, nb = notebook
    assert "widgets" not in nb.metadata
    assert "widget-view+json" not in path.read_text()


def embedlab_names(source: str) -> set[tuple[str, str]]:
    """(module, name) pairs a cell imports or reads from embedlab, e.g. ('embedlab.plots', 'x')."""
    # IPython magics (%pip, !ls) are not Python: keep their indentation, drop their text.
    code = "\n".join(
        line[: len(line) - len(line.lstrip())] + "pass" if line.lstrip()[:1] in ("%", "!") else line
        for line in source.splitlines()
    )
    names = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("embedlab"):
            names |= {(node.module, alias.name) for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {(a.name, "") for a in node.names if a.name.startswith("embedlab")}
        elif isinstance(node, ast.Attribute):
            chain, value = [node.attr], node.value
            while isinstance(value, ast.Attribute):
                chain.insert(0, value.attr)
                value = value.value
            if isinstance(value, ast.Name) and value.id == "embedlab":
                names.add((".".join(["embedlab", *chain[:-1]]), chain[-1]))
    return names


def missing_names(names: set[tuple[str, str]]) -> list[str]:
    missing = []
    for module_name, name in sorted(names):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing.append(module_name)
            continue
        if name and not hasattr(module, name):
            missing.append(f"{module_name}.{name}")
    return missing


def test_every_embedlab_name_a_notebook_uses_exists_in_the_package(notebook):
    path, nb = notebook
    names = set().union(*(embedlab_names(c.source) for c in code_cells(nb)))
    assert names, f"{path.name} uses nothing from embedlab"
    assert not missing_names(names), (
        f"{path.name} uses names embedlab lacks: {missing_names(names)}"
    )


def test_a_name_the_package_lacks_is_caught():
    source = "from embedlab.plots import plot_nothing\nimport embedlab\nembedlab.losses.gone(1)"
    assert missing_names(embedlab_names(source)) == [
        "embedlab.losses.gone",
        "embedlab.plots.plot_nothing",
    ]


def test_every_code_cell_carries_the_stamp_of_its_source(notebook):
    path, nb = notebook
    for index, cell in enumerate(code_cells(nb)):
        stamp = cell.metadata.get(STAMP_KEY, {}).get("source_hash")
        assert stamp == source_hash(cell.source), (
            f"{path.name} code cell {index}: outputs were not made from this source; "
            "run `make notebooks`"
        )


def test_the_install_cell_installs_this_release():
    _, nb = NOTEBOOKS[0], nbformat.read(NOTEBOOKS[0], as_version=4)
    first = code_cells(nb)[0].source
    assert first == colab_badges.install_cell(colab_badges.repository(), colab_badges.version())
    assert f"@v{colab_badges.version()}" in first and "%pip install" in first


# Numbers the prose may quote to more than two decimals: exact arithmetic, set values, or values
# read from a shipped file, none of which moves from CPU to CPU. Anything a lesson computes is
# compared within 0.01 (tests/nbval_tolerance.py), so the prose quotes it to two decimals at most.
EXACT_IN_PROSE = {
    "02_softmax_baseline": {"0.551"},  # ln(1 + 2/e)
    "03_fixed_embedding_regression": {"0.008"},  # one flower of 120
    "04_gaussian_regression": {"0.0001"},  # a residual the demo sets, not a measurement
    "05_learned_embeddings": {"0.001", "0.085"},  # the paper's lambda; 1/(e + 9)
    "07_many_classes": {"0.997"},  # a recall read from the shipped benchmark file
}
PRECISE_NUMBER = re.compile(r"(?<![\w.])\d*\.\d{3,}(?![\w.])")


def too_precise(markdown: str, allowed: set[str]) -> list[str]:
    """Numbers in `markdown` (links and references aside) quoted to 3+ decimals, not allowed."""
    if markdown.lstrip().startswith("## References"):
        return []
    text = re.sub(r"https?://\S+", "", markdown)
    return [n for n in PRECISE_NUMBER.findall(text) if n not in allowed]


def test_prose_quotes_no_number_more_precisely_than_the_outputs_hold(notebook):
    path, nb = notebook
    allowed = EXACT_IN_PROSE.get(path.stem, set())
    found = {
        index: numbers
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "markdown" and (numbers := too_precise(cell.source, allowed))
    }
    assert not found, f"{path.name}: cells quote numbers to 3+ decimals: {found}"


def test_a_too_precise_number_is_found():
    assert too_precise("log loss falls 0.143 → 0.116 (ECE 0.02)", set()) == ["0.143", "0.116"]
    assert too_precise("ln(1 + 2/e) ≈ 0.551", {"0.551"}) == []
    assert too_precise("see <https://arxiv.org/abs/1706.04599>", set()) == []


def test_every_figure_has_alt_text_and_a_caption_for_the_site(notebook):
    """myst-nb reads `mystnb.image.alt` and `mystnb.figure.caption` from a cell's metadata: a
    screen reader then announces what the figure shows, not its hashed file name."""
    path, nb = notebook
    missing = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if not any("image/png" in output.get("data", {}) for output in cell.outputs):
            continue
        settings = cell.metadata.get("mystnb", {})
        alt = settings.get("image", {}).get("alt", "")
        caption = settings.get("figure", {}).get("caption", "")
        if len(alt) < 40 or not caption or alt.endswith(".png"):
            missing.append(index)
    assert not missing, f"{path.name}: figures without alt text or caption in cells {missing}"
