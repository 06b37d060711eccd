"""Learners meet the notebooks in JupyterLab: open each one in a real (headless) Chromium, Run
All, check that no cell and no widget shows an error, move one widget control, check it redraws.

Runs with `make browser-test` (part of `make test`). Without a `chromium` on the PATH the tests are
skipped, and the summary says so; with EMBEDLAB_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser
is a failure. Screenshots go to tests/artifacts/.
"""

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from chromium import CHROMIUM, INSTALL_HINT, REQUIRE_BROWSER, move_slider_and_wait_for_redraw
from notebook_server import free_port, running

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "tests" / "artifacts"
TOKEN = "embedlab-browser-test"
RUN_ALL_TIMEOUT_MS = 120_000

# Collected either way, so that pytest reports each lesson as skipped (exit code 0) rather than
# collecting nothing (exit code 5). Under EMBEDLAB_REQUIRE_BROWSER=1 (.ci/run) a skip is a failure.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None and not REQUIRE_BROWSER,
        reason=f"browser tests SKIPPED: no chromium on the PATH ({INSTALL_HINT})",
    ),
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving copies of the notebooks (autosave stays away
    from the real files), with throwaway settings and workspaces; stopped afterwards."""
    if CHROMIUM is None:
        pytest.fail(f"EMBEDLAB_REQUIRE_BROWSER=1 but no chromium on the PATH: {INSTALL_HINT}")
    home = tmp_path_factory.mktemp("lab")
    work = home / "notebooks"
    work.mkdir()
    for notebook in NOTEBOOKS:
        shutil.copy(notebook, work / notebook.name)
    settings = home / "settings"
    news = settings / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
    port = free_port()
    env = dict(
        os.environ,
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
    )
    env.pop("MPLBACKEND", None)  # conftest sets Agg for unit tests; the kernel needs inline
    env.pop("OMP_NUM_THREADS", None)  # as in a learner's JupyterLab: the lessons set threads
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={work}",
        "--ServerApp.open_browser=False", "--LabApp.news_url=None",
    ]  # fmt: skip
    if os.geteuid() == 0:
        command.append("--allow-root")
    with running(command, env, home / "server.log", port, TOKEN, "JupyterLab") as url:
        yield url


def run_menu_command(page, menu: str, command: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).first.click()
    page.locator(f'li[data-command="{command}"]').click()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_notebook_runs_and_its_widget_responds(lab, browser, notebook):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{lab}/lab/workspaces/{notebook.stem}/tree/{notebook.name}?token={TOKEN}")
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=60_000)
        page.locator("#jp-main-statusbar").get_by_text("Idle").wait_for(timeout=60_000)

        # Clear the stored outputs first: a prompt that shows a number again was run here.
        run_menu_command(page, "Edit", "editmenu:clear-all")
        page.wait_for_function(
            """() => ![...document.querySelectorAll(
                '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')]
                .some(p => /\\[\\d+\\]/.test(p.textContent))"""
        )
        run_menu_command(page, "Run", "runmenu:run-all")
        code_cells = page.locator(".jp-NotebookPanel:visible .jp-CodeCell")
        # Run All is done when the last code cell has an execution count and the kernel is idle.
        page.wait_for_function(
            """() => {
                const prompts = [...document.querySelectorAll(
                    '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')];
                return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
            }""",
            timeout=RUN_ALL_TIMEOUT_MS,
        )
        assert code_cells.count() > 0
        page.locator("#jp-main-statusbar").get_by_text("Idle").wait_for(timeout=60_000)

        outputs = page.locator(".jp-NotebookPanel:visible .jp-OutputArea-output")
        texts = outputs.all_inner_texts()
        failed = [t for t in texts if "Traceback" in t or "Error:" in t.split("\n")[0]]
        assert not failed, f"{notebook.name} shows an error:\n{failed[0][:2000]}"

        move_slider_and_wait_for_redraw(page, ".noUi-handle", notebook.name)
        assert not errors, f"JavaScript errors in the page: {errors}"
    finally:
        page.screenshot(path=str(ARTIFACTS / f"{notebook.stem}.png"), full_page=False)
        page.close()
