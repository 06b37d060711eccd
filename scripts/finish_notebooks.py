"""Finish freshly executed notebooks: drop live-widget state, stamp each code cell's source.

`make notebooks` runs this after executing the notebooks; pass the notebook paths as arguments.

- A widget's stored output carries a random model id, and the notebook metadata a snapshot of every
  widget model: both change on every run and neither can be shown without a running kernel. We keep
  the widget's text form (its controls and their values) and drop the rest, so two clean runs store
  the same files.
- Each code cell gets `metadata.embedlab.source_hash`, the hash of the source its stored outputs
  came from. The notebook tests fail on a cell edited after that (tests/nbval_tolerance.py).
"""

import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from nbval_tolerance import STAMP_KEY, source_hash  # noqa: E402

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def finish(path: str) -> None:
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
        if cell.cell_type == "code":
            cell.metadata.setdefault(STAMP_KEY, {})["source_hash"] = source_hash(cell.source)
    nbformat.write(notebook, path)


if __name__ == "__main__":
    for path in sys.argv[1:]:
        finish(path)
