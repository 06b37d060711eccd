"""Write the "Open in Colab" badges and the Colab install cell from pyproject.toml.

The repository URL is declared once, in pyproject.toml ([project.urls] Repository), and so is
the version. Every notebook's install cell installs the release tag `v<version>` (the package the
stored outputs were made with), not a moving branch. After a fork changes the URL, or a release
bumps the version, `python scripts/colab_badges.py` rewrites every notebook's badge and install
cell and the README's lesson table. `--check` changes nothing and exits 1 if anything is out of
date (a test runs it).
"""

import argparse
import re
import sys
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
COLAB_LINK = re.compile(
    r"https://colab\.research\.google\.com/github/[^)\s]+?/(notebooks/[\w.-]+\.ipynb)"
)


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def version() -> str:
    return project()["version"]


def install_cell(repo: str, release: str) -> str:
    """The first code cell of every lesson: on Colab only, install the tagged release unless it
    is there already. embedlab's bounds admit Colab's own versions, so pip installs embedlab and
    nothing else (`make test-colab` checks it): no package changes, no restart prompt."""
    return (
        "# On Google Colab, install the embedlab release these lessons were run with (once per\n"
        "# session). It changes none of Colab's own packages, so no restart is needed.\n"
        "import sys\n"
        "from importlib.util import find_spec\n"
        "\n"
        'if "google.colab" in sys.modules and find_spec("embedlab") is None:\n'
        f'    %pip install -q "embedlab @ git+https://github.com/{repo}@v{release}"'
    )


def repository() -> str:
    """'owner/name' from the Repository URL in pyproject.toml."""
    url = project()["urls"]["Repository"]
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+?)(?:\.git)?/?", url)
    if not match:
        raise SystemExit(
            f"pyproject.toml: Repository must be https://github.com/OWNER/NAME, got {url}"
        )
    return match.group(1)


def colab_url(repo: str, notebook: str) -> str:
    return f"https://colab.research.google.com/github/{repo}/blob/main/{notebook}"


def badge(repo: str, notebook: str) -> str:
    return f"[![Open In Colab]({BADGE_IMAGE})]({colab_url(repo, notebook)})"


def updated_notebook(path: Path, repo: str, release: str | None = None):
    """The notebook with its badge (first line of the first cell) and install cell up to date."""
    release = release or version()
    notebook = nbformat.read(path, as_version=4)
    relative = path.relative_to(ROOT).as_posix()
    first = notebook.cells[0]
    lines = first.source.split("\n") if first.cell_type == "markdown" else []
    if lines and lines[0].startswith("[![Open In Colab]"):
        lines[0] = badge(repo, relative)
        first.source = "\n".join(lines)
    else:
        notebook.cells.insert(0, nbformat.v4.new_markdown_cell(badge(repo, relative)))
    for cell in notebook.cells:
        if cell.cell_type == "code" and "google.colab" in cell.source:
            cell.source = install_cell(repo, release)
    return notebook


def updated_readme(text: str, repo: str) -> str:
    return COLAB_LINK.sub(lambda m: colab_url(repo, m.group(1)), text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="report what is out of date, write nothing"
    )
    args = parser.parse_args()
    repo = repository()
    stale = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        before = path.read_text()
        after = nbformat.writes(updated_notebook(path, repo)) + "\n"
        if nbformat.writes(nbformat.reads(before, as_version=4)) + "\n" != after:
            stale.append(path.name)
            if not args.check:
                path.write_text(after)
    readme = ROOT / "README.md"
    if updated_readme(readme.read_text(), repo) != readme.read_text():
        stale.append("README.md")
        if not args.check:
            readme.write_text(updated_readme(readme.read_text(), repo))
    if args.check and stale:
        print(f"out of date for {repo}: {', '.join(stale)}; run python scripts/colab_badges.py")
        return 1
    print(
        f"{'checked' if args.check else 'updated'} badges for {repo}: {len(stale)} file(s) changed"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
