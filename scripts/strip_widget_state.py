"""Drop live-widget state from stored notebooks, so two clean runs store the same files.

A widget's stored output carries a random model id, and the notebook metadata a snapshot of every
widget model: both change on every run and neither can be shown without a running kernel. We keep
the widget's text form (its controls and their values) and drop the rest. `make notebooks` runs this
after executing the notebooks; pass the notebook paths as arguments.
"""

import sys

import nbformat

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def strip(path: str) -> None:
    notebook = nbformat.read(path, as_version=4)
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(WIDGET_VIEW, None)
    nbformat.write(notebook, path)


if __name__ == "__main__":
    for path in sys.argv[1:]:
        strip(path)
