"""Sphinx configuration of the course website; `make site` runs it through scripts/build_site.py.

Sphinx + myst-nb + sphinx-book-theme: pure Python, builds offline, and shows the notebooks' stored
outputs without running them (README, "The course website", says why this stack).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from colab_badges import project, repository  # noqa: E402

project_name = project()["name"]
project = project_name  # Sphinx reads `project`
release = version = __import__("colab_badges").version()
html_title = "embedlab: label embeddings for multi-class classification"
author = "the embedlab authors"
copyright = "the embedlab authors"

# MathJax 3 served from _static (no CDN); githubpages writes .nojekyll (Pages would hide _static)
extensions = ["myst_nb", "sphinx-mathjax-offline", "sphinx.ext.githubpages"]
nb_execution_mode = "off"  # show exactly the stored outputs (what nbval checks); never execute
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]  # a skipped heading level is style, not a broken page (-W)
exclude_patterns = ["_notebooks/**", "jupyter_execute", ".ipynb_checkpoints"]

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_css_files = ["site.css"]
html_theme_options = {
    "repository_url": f"https://github.com/{repository()}",
    "repository_branch": "main",
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": False,  # each lesson has its own link to the unchanged notebook
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "show_toc_level": 2,
    "navigation_with_keys": True,
}
html_show_sourcelink = False
html_copy_source = False
html_context = {"default_mode": "light"}  # an explicit mode (the theme logs an error without one)
nb_ipywidgets_js = {}  # widgets are static stand-ins: do not load the widget manager from a CDN
