"""Colab's widget world: every lesson in the classic Notebook front end Colab's image ships.

Colab's own front end cannot be reached from here. What its image ships can: classic Notebook
6.5 with widgetsnbextension 3.6 and ipywidgets 7.7 (constraints/colab.txt). `make test-colab`
builds that environment (.venv-colab) and points EMBEDLAB_CLASSIC_JUPYTER at its `jupyter`; each
lesson is then opened in headless Chromium and Run All is pressed the moment its kernel is ready,
as a learner who opens a lesson and runs everything at once does; the test checks that no cell
shows an error, that the lesson shows exactly one playground, and moves its slider (ipywidgets 7
draws jQuery-UI sliders) until the picture redraws. Each lesson's kernel is shut down after it, as
a learner's tab would be. Screenshots go to tests/artifacts/classic-*.png. `make test-colab-gpu`
runs the same on Colab's GPU runtime stack with EMBEDLAB_GPU_REPORTED=1: every kernel is told
there is a GPU (tests/gpu_reported.py).
"""

import os
import shutil
import time
from pathlib import Path

import gpu_reported
import pytest
from chromium import CHROMIUM, INSTALL_HINT, move_slider_and_wait_for_redraw
from notebook_server import free_port, running

from embedlab.playground import _ReShow

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "tests" / "artifacts"
TOKEN = "embedlab-classic-test"
JUPYTER = os.environ.get("EMBEDLAB_CLASSIC_JUPYTER")
GPU_REPORTED = os.environ.get("EMBEDLAB_GPU_REPORTED") == "1"

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
    if GPU_REPORTED:  # as on Colab's GPU runtime: torch reports a GPU to embedlab and the lessons
        env.update(gpu_reported.kernel_environment(home))
    command = [
        JUPYTER, "notebook", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--NotebookApp.token={TOKEN}", f"--notebook-dir={home}", "--allow-root",
    ]  # fmt: skip
    with running(command, env, home / "server.log", port, TOKEN, "Notebook") as url:
        yield url


def manager_answered(page) -> None:
    """Wait until the widget manager's first question to the kernel has had its answer.

    widgetsnbextension 3.6 asks the kernel which widgets exist when the page opens; a Run All
    pressed at once queues that question behind every cell, and its late answer re-renders (and
    used to blank) the lesson's widget; embedlab then shows it again (embedlab.playground._ReShow).
    Our own question, sent now, is answered after the manager's: the widget is checked after that.
    """
    page.evaluate(
        "() => new Promise(done => Jupyter.notebook.kernel.comm_info('jupyter.widget', done))"
    )
    page.wait_for_timeout(int((_ReShow.DELAY + 1) * 1000))


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
            polling=20,
        )
        # At once: forget the stored outputs and prompts, then Run All (the Cell menu's command).
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
        manager_answered(page)
        shown = page.locator(".embedlab-playground").count()
        assert shown == 1, (
            f"{notebook.name} shows {shown} playgrounds after Run All, not 1; console:\n"
            + "\n".join(m[:300] for m in console[-20:])
        )

        move_slider_and_wait_for_redraw(page, ".ui-slider-handle", notebook.name)
        assert not errors, f"JavaScript errors in the page: {errors}"
    finally:
        page.screenshot(path=str(ARTIFACTS / f"classic-{notebook.stem}.png"), full_page=False)
        page.evaluate("() => Jupyter.notebook && Jupyter.notebook.session.delete()")
        page.close()


class FakeKernel:
    """What _ReShow uses of an ipykernel kernel: its handlers, the cell's request, iopub."""

    def __init__(self, cell: dict):
        self.shell_handlers = {"comm_info_request": lambda stream, ident, parent: None}
        self.cell, self.sent, self.session, self.iopub_socket = cell, [], self, "iopub"

    def get_parent(self, channel):
        return self.cell

    def _topic(self, topic):
        return topic.encode()

    def send(self, socket, msg_type, content, parent, ident):
        self.sent.append((msg_type, content, parent))


def test_a_late_question_from_the_page_that_ran_the_cell_shows_its_playground_again(monkeypatch):
    """The kernel side of the fix, without a browser: one display, to the cell, for that page."""
    import ipywidgets

    from embedlab.playground import Playground

    cell = {"header": {"msg_id": "cell-1", "session": "page-A"}}
    kernel = FakeKernel(cell)
    monkeypatch.setattr("embedlab.playground._kernel", lambda: kernel)
    monkeypatch.setattr(_ReShow, "DELAY", 0.0)
    monkeypatch.setattr(_ReShow, "shown", [])
    playground = Playground(lambda x: None, x=ipywidgets.IntSlider(1))
    _ReShow.displayed(playground)

    def ask(session, target="jupyter.widget"):
        question = {"header": {"session": session}, "content": {"target_name": target}}
        # No asyncio.run: Playwright's loop may be running in this thread; the fake's own
        # handler awaits nothing, so the wrapper's coroutine finishes at its first step.
        with pytest.raises(StopIteration):
            kernel.shell_handlers["comm_info_request"](None, None, question).send(None)
        time.sleep(0.3)  # the re-show runs on a timer thread

    ask("page-B")  # another tab: its own page never showed this playground
    ask("page-A", target="other.target")
    assert kernel.sent == []
    ask("page-A")
    [(clear, wait, parent), (show, content, parent_too)] = kernel.sent
    assert (clear, wait, show) == ("clear_output", {"wait": True}, "display_data")
    assert parent is cell and parent_too is cell  # the cell's outputs: replaced, not added to
    view = content["data"]["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == playground.model_id
    ask("page-A")  # asked once: shown again once
    assert len(kernel.sent) == 2
