"""Colab's widget world: every lesson in the classic Notebook front end Colab's image ships.

Colab's own front end cannot be reached from here. What its image ships can: classic Notebook
6.5 with widgetsnbextension 3.6 and ipywidgets 7.7 (constraints/colab.txt). `make test-colab`
builds that environment (.venv-colab) and points EMBEDLAB_CLASSIC_JUPYTER at its `jupyter`; each
lesson is then opened in headless Chromium, run with Run All, checked for errors, and its widget's
slider moved (ipywidgets 7 draws jQuery-UI sliders) until the picture redraws. Each lesson's kernel
is shut down after it, as a learner's tab would be. Screenshots go to tests/artifacts/classic-*.png.
"""

import os
import shutil
import time
from pathlib import Path

import pytest
from chromium import CHROMIUM, INSTALL_HINT, move_slider_and_wait_for_redraw
from notebook_server import free_port, running

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "tests" / "artifacts"
TOKEN = "embedlab-classic-test"
JUPYTER = os.environ.get("EMBEDLAB_CLASSIC_JUPYTER")

pytestmark = pytest.mark.colab


@pytest.fixture(scope="module")
def classic(tmp_path_factory):
    """Classic Notebook from Colab's stack on 127.0.0.1, serving copies of the lessons."""
    if not JUPYTER or not Path(JUPYTER).exists():
        pytest.fail(
            "EMBEDLAB_CLASSIC_JUPYTER must name .venv-colab/bin/jupyter: run make test-colab"
        )
    if CHROMIUM is None:
        pytest.fail(f"no chromium on the PATH: {INSTALL_HINT}")
    home = tmp_path_factory.mktemp("classic")
    for notebook in NOTEBOOKS:
        shutil.copy(notebook, home / notebook.name)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"MPLBACKEND", "OMP_NUM_THREADS"}}
    env.update(JUPYTER_RUNTIME_DIR=str(home / ".runtime"), JUPYTER_CONFIG_DIR=str(home / ".config"))
    command = [
        JUPYTER, "notebook", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--NotebookApp.token={TOKEN}", f"--notebook-dir={home}", "--allow-root",
    ]  # fmt: skip
    with running(command, env, home / "server.log", port, TOKEN, "Notebook") as url:
        yield url


def widget_manager_ready(page, console: list[str]) -> None:
    """Wait until the widget manager has asked the kernel which widgets exist, and had its answer.

    On connecting, widgetsnbextension 3.6 first tries ipywidgets' control comm (ipykernel 6.17
    with ipywidgets 7.7 has none: "Failed to fetch ipywidgets through the jupyter.widget.control
    comm channel"), then asks for the open widget comms. A Run All sent before that question
    queues it behind every cell; its late answer then lists the widgets the lesson made, the
    manager re-creates each one, and the widget already on the page is removed (its output is
    left empty and hidden). A learner who clicks Run All in the first second meets the same
    race; this test waits, as a learner reading the first paragraph does. Our own comm_info
    request, answered after the manager's, marks the end.
    """
    deadline = time.time() + 15
    while time.time() < deadline and not any("jupyter.widget.control" in m for m in console):
        page.wait_for_timeout(100)
    page.evaluate(
        "() => new Promise(done => Jupyter.notebook.kernel.comm_info('jupyter.widget', done))"
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_lesson_runs_and_its_widget_redraws_in_classic_notebook(classic, browser, notebook):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors, console = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: console.append(message.text))
    try:
        page.goto(f"{classic}/notebooks/{notebook.name}?token={TOKEN}")
        page.wait_for_function(
            "() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel "
            "&& Jupyter.notebook.kernel.is_connected()",
            timeout=60_000,
        )
        widget_manager_ready(page, console)
        # Forget the stored outputs and prompts, then Run All (the Cell menu's command).
        page.evaluate(
            """() => {
                Jupyter.notebook.clear_all_output();
                for (const cell of Jupyter.notebook.get_cells()) {
                    if (cell.cell_type === 'code') cell.set_input_prompt();
                }
                Jupyter.notebook.execute_all_cells();
            }"""
        )
        page.wait_for_function(
            """() => {
                const code = Jupyter.notebook.get_cells().filter(c => c.cell_type === 'code');
                return code.every(c => typeof c.input_prompt_number === 'number')
                    && !document.querySelector('.cell.running')
                    && document.querySelector('#kernel_indicator_icon.kernel_idle_icon');
            }""",
            timeout=180_000,
        )
        failed = page.locator(".output_error").all_inner_texts()
        assert not failed, f"{notebook.name} shows an error:\n{failed[0][:2000]}"

        move_slider_and_wait_for_redraw(page, ".ui-slider-handle", notebook.name)
        assert not errors, f"JavaScript errors in the page: {errors}"
    finally:
        page.screenshot(path=str(ARTIFACTS / f"classic-{notebook.stem}.png"), full_page=False)
        page.evaluate("() => Jupyter.notebook && Jupyter.notebook.session.delete()")
        page.close()
