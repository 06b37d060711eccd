"""Build the course website into build/site/ (`make site`): every lesson with its stored outputs.

1. Stage the sources in build/site-src: README.md becomes the home page (index.md), every
   notebooks/*.ipynb a lesson page, GLOSSARY.md and docs/*.md (when present) reference pages.
   In the staged copies only: each lesson's Colab badge line becomes a bar with "Open in Colab"
   (the URL made from pyproject.toml, as scripts/colab_badges.py does) and a download link to the
   unchanged notebook; each widget's output becomes its static stand-in: the picture stored with
   it (Playground adds one to its display), else one drawn here (scripts/site_widgets.py);
   links to repository files that are not pages point to GitHub.
2. Run Sphinx with myst-nb (configuration in site/conf.py): notebooks are not executed
   (nb_execution_mode = "off"); MathJax, the theme and the search index are all local files.

    python scripts/build_site.py [--out build/site]

myst-nb writes its image files to the output folder's parent (build/jupyter_execute) and Sphinx
its doctrees beside it (build/site-doctrees), so the output folder holds only the site.
"""

import argparse
import base64
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from colab_badges import BADGE_IMAGE, colab_url, repository  # noqa: E402
from site_widgets import shows_widget, stand_in, widget_call  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
STAGE = ROOT / "build" / "site-src"
ORIGINALS = "_notebooks"  # unchanged copies for the download links (not pages)
LOCAL_BADGE = "/colab-badge.svg"  # a copy of site/colab-badge.svg: no request leaves the site
LINK = re.compile(r"(!?)\[([^\[\]]*)\]\(([^)\s]+)\)")  # [label](target), ![alt](image)
IMAGE_SUFFIXES = {".png", ".svg", ".jpg", ".jpeg", ".gif"}


def pages() -> dict[str, str]:
    """Repository path -> staged page path, for everything that becomes a page."""
    mapping = {"README.md": "index.md"}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        mapping[f"notebooks/{path.name}"] = f"notebooks/{path.name}"
    if (ROOT / "GLOSSARY.md").exists():
        mapping["GLOSSARY.md"] = "glossary.md"
    for path in sorted((ROOT / "docs").glob("*.md")):
        mapping[f"docs/{path.name}"] = f"docs/{path.name}"
    return mapping


def relink(text: str, source: str, mapping: dict[str, str], repo: str) -> str:
    """Rewrite relative links in markdown from repository paths to staged pages, local images,
    or the repository on GitHub; links to a page's file on GitHub become links to the page; the
    Colab badge image becomes a local copy."""
    here = Path(source).parent
    staged_here = Path(mapping[source]).parent

    def replace(match: re.Match) -> str:
        bang, label, target = match.groups()
        if target == BADGE_IMAGE:
            return f"{bang}[{label}]({LOCAL_BADGE})"
        on_github = f"https://github.com/{repo}/blob/main/"
        if target.startswith(on_github) and target[len(on_github) :].split("#")[0] in mapping:
            target = "/".join([".."] * len(here.parts) + [target[len(on_github) :]])
        if re.match(r"^[a-z]+:|^#|^/", target):
            return match.group(0)
        path, _, anchor = target.partition("#")
        resolved = (ROOT / here / path).resolve()
        if not resolved.is_relative_to(ROOT):
            return match.group(0)
        repo_path = resolved.relative_to(ROOT).as_posix()
        if repo_path in mapping:
            new = Path(mapping[repo_path])
            relative = Path(*[".."] * len(staged_here.parts), new) if staged_here.parts else new
            return f"{bang}[{label}]({relative.as_posix()}{'#' + anchor if anchor else ''})"
        if bang and resolved.suffix.lower() in IMAGE_SUFFIXES and resolved.exists():
            (STAGE / repo_path).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(resolved, STAGE / repo_path)
            return match.group(0)
        if resolved.exists():
            kind = "tree" if resolved.is_dir() else "blob"
            url = f"https://github.com/{repo}/{kind}/main/{repo_path}"
            return f"{bang}[{label}]({url}{'#' + anchor if anchor else ''})"
        return match.group(0)

    return LINK.sub(replace, text)


def lesson_bar(repo: str, notebook: str) -> str:
    name = Path(notebook).name
    return (
        f"[![Open In Colab]({LOCAL_BADGE})]({colab_url(repo, notebook)})"
        f" &nbsp; {{download}}`Download the notebook <../{ORIGINALS}/{name}>`"
    )


def standin_note(sentence: str, stored: bool) -> str:
    when = "when the notebook was run" if stored else "when this site was built"
    return (
        ":::{note}\n"
        "**Interactive widget.** When the notebook runs (Colab, JupyterLab), this cell shows "
        f"controls and a picture that redraws as you move them: {sentence} Above is its picture "
        f"at the default settings, drawn {when}.\n"
        ":::"
    )


def stage_notebook(source: str, mapping: dict[str, str], repo: str) -> None:
    notebook = nbformat.read(ROOT / source, as_version=4)
    shutil.copy(ROOT / source, STAGE / ORIGINALS / Path(source).name)
    first = notebook.cells[0]
    if first.cell_type == "markdown" and first.source.startswith("[![Open In Colab]"):
        first.source = "\n".join([lesson_bar(repo, source), *first.source.split("\n")[1:]])
    else:
        notebook.cells.insert(0, nbformat.v4.new_markdown_cell(lesson_bar(repo, source)))
    cells, earlier = [], []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = relink(cell.source, source, mapping, repo)
        cells.append(cell)
        if cell.cell_type != "code":
            continue
        if widget_call(cell.source) or shows_widget(cell):
            stored = [o.data["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
            try:
                widget = stand_in(earlier, cell.source, draw=not stored)
            except Exception as error:
                message = (
                    f"{source}: widget cell {cell.source!r} has no stored picture (run `make "
                    f"notebooks`: Playground stores one) and the build cannot draw it: {error}"
                )
                raise SystemExit(message) from error
            png = stored[-1] if stored else base64.b64encode(widget.png).decode()
            cell.outputs = [
                nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": ""})
            ]
            if widget.text:
                cell.outputs.append(
                    nbformat.v4.new_output("stream", name="stdout", text=widget.text)
                )
            cells.append(nbformat.v4.new_markdown_cell(standin_note(widget.sentence, bool(stored))))
        earlier.append(cell.source)
    notebook.cells = cells
    nbformat.write(notebook, STAGE / mapping[source])


def toctree(caption: str, entries: list[str]) -> str:
    lines = "\n".join(e.removesuffix(".md").removesuffix(".ipynb") for e in entries)
    return f"\n\n```{{toctree}}\n:hidden:\n:caption: {caption}\n:maxdepth: 1\n\n{lines}\n```\n"


def stage() -> None:
    repo = repository()
    mapping = pages()
    shutil.rmtree(STAGE, ignore_errors=True)
    (STAGE / ORIGINALS).mkdir(parents=True)
    (STAGE / "notebooks").mkdir()
    shutil.copy(ROOT / "site" / "colab-badge.svg", STAGE / "colab-badge.svg")
    for source, target in mapping.items():
        if source.endswith(".ipynb"):
            stage_notebook(source, mapping, repo)
        else:
            (STAGE / target).parent.mkdir(parents=True, exist_ok=True)
            text = relink((ROOT / source).read_text(), source, mapping, repo)
            (STAGE / target).write_text(text)
    lessons = [t for s, t in mapping.items() if s.endswith(".ipynb")]
    reference = [t for s, t in mapping.items() if s != "README.md" and s.endswith(".md")]
    index = STAGE / "index.md"
    extra = toctree("Lessons", lessons) + (toctree("Reference", reference) if reference else "")
    index.write_text(index.read_text() + extra)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "build" / "site"), help="output folder")
    args = parser.parse_args()
    stage()
    command = [
        sys.executable, "-m", "sphinx", "-b", "html", "-c", str(ROOT / "site"),
        "-d", f"{args.out.rstrip('/')}-doctrees",
        "-W", "--keep-going", "-q", "-j", "1", str(STAGE), args.out,
    ]  # fmt: skip
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
