"""The course website works without a kernel: build it, open every page in headless Chromium.

Runs with `make site-test` (marker `site`; it installs the docs extra first). The site is built
into a temporary folder by scripts/build_site.py and served on 127.0.0.1; any request to another
host is blocked and reported, so the pages must work offline. Skipped, and the summary says why,
without a `chromium` on the PATH or without the docs extra; with EMBEDLAB_REQUIRE_BROWSER=1
(.ci/run) a missing chromium is a failure. Screenshots go to tests/artifacts/site-*.png.
"""

import functools
import http.server
import importlib.util
import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest
from chromium import CHROMIUM, REQUIRE_BROWSER

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
from colab_badges import colab_url, repository  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
ARTIFACTS = ROOT / "tests" / "artifacts"
HAS_SPHINX = importlib.util.find_spec("sphinx") is not None and (
    importlib.util.find_spec("myst_nb") is not None
)
# Collected either way, so that pytest reports each check as skipped rather than collecting nothing.
pytestmark = [
    pytest.mark.site,
    pytest.mark.skipif(
        CHROMIUM is None and not REQUIRE_BROWSER,
        reason="site tests SKIPPED: no chromium on the PATH (sudo apt-get install chromium)",
    ),
    pytest.mark.skipif(
        not HAS_SPHINX,
        reason="site tests SKIPPED: the docs extra is not installed (make site-test installs it)",
    ),
]


def stored_outputs(notebook: Path) -> list[dict]:
    cells = json.loads(notebook.read_text())["cells"]
    return [output for cell in cells for output in cell.get("outputs", [])]


def markdown_of(notebook: Path) -> str:
    cells = json.loads(notebook.read_text())["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")


def is_widget_cell(cell: dict) -> bool:
    """A cell that shows a widget: a stored widget output, or a last line calling a `*_widget`."""
    lines = "".join(cell["source"]).strip().splitlines()
    calls = cell["cell_type"] == "code" and bool(lines)
    calls = calls and re.fullmatch(r"\w+_widget\(.*\)", lines[-1].strip()) is not None
    stored = any(
        "application/vnd.jupyter.widget-view+json" in o.get("data", {})
        or re.match(r"\w+\(children=", "".join(o.get("data", {}).get("text/plain", "")))
        for o in cell.get("outputs", [])
    )
    return calls or stored


def widget_cells(notebook: Path) -> int:
    return sum(is_widget_cell(c) for c in json.loads(notebook.read_text())["cells"])


def stored_figures(notebook: Path) -> int:
    """Stored pictures outside widget cells (a widget's stored picture is its stand-in)."""
    cells = json.loads(notebook.read_text())["cells"]
    return sum(
        "image/png" in o.get("data", {})
        for c in cells
        if not is_widget_cell(c)
        for o in c.get("outputs", [])
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site, built from this checkout, served on 127.0.0.1; the server stops afterwards."""
    if CHROMIUM is None:
        pytest.fail("EMBEDLAB_REQUIRE_BROWSER=1 but no chromium on the PATH")
    out = tmp_path_factory.mktemp("site")
    build = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_site.py"), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, f"the site build failed:\n{build.stdout}\n{build.stderr}"
    handler = functools.partial(QuietHandler, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class Visit:
    """A page opened with every console error, script error, failed and off-site request noted."""

    def __init__(self, browser, base: str):
        self.base = base
        self.page = browser.new_page(viewport={"width": 1300, "height": 1000})
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.page.on(
            "console",
            lambda m: m.type == "error" and self.problems.append(f"console error: {m.text}"),
        )
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        self.page.route(
            re.compile(r"^(?!http://127\.0\.0\.1|file://)[a-z]+://.*"),
            lambda route: (
                self.problems.append(f"off-site request: {route.request.url}"),
                route.abort(),
            ),
        )

    def open(self, path: str) -> None:
        self.page.goto(f"{self.base}/{path}", wait_until="load")
        self.page.wait_for_load_state("networkidle")

    def broken_images(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "img", "els => els.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)"
        )

    def close(self) -> None:
        self.page.close()


def typeset_math(page) -> dict:
    """Wait for MathJax; count math elements and those it rendered without an error."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        page.wait_for_function(
            "window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=15_000
        )
    except PlaywrightTimeoutError:
        pytest.fail(f"MathJax did not load on {page.url} (it must be served from _static)")
    page.evaluate("MathJax.startup.promise")
    return page.evaluate(
        """() => {
            const all = [...document.querySelectorAll('span.math, div.math')];
            return {
                total: all.length,
                rendered: all.filter(e => e.querySelector('mjx-container')).length,
                errors: document.querySelectorAll('mjx-merror').length,
            };
        }"""
    )


def test_every_page_opens_offline_with_no_error_broken_link_image_or_formula(site, browser):
    out, base = site
    pages = sorted(
        p.relative_to(out).as_posix()
        for p in out.rglob("*.html")
        if not p.relative_to(out).parts[0].startswith("_")  # the theme's template parts, assets
    )
    assert "index.html" in pages and len(pages) >= len(NOTEBOOKS) + 1
    visit = Visit(browser, base)
    ids: dict[str, set[str]] = {}
    links: list[tuple[str, str]] = []
    problems = []
    for path in pages:
        visit.open(path)
        ids[path] = set(visit.page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        hrefs = visit.page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
        links += [(path, href) for href in hrefs if href.startswith(base)]
        problems += [f"{path}: {p}" for p in visit.problems]
        problems += [f"{path}: broken image {src}" for src in visit.broken_images()]
        if visit.page.locator("span.math, div.math").count():  # e.g. docs/theory.md
            math = typeset_math(visit.page)
            if math["rendered"] != math["total"] or math["errors"]:
                problems.append(f"{path}: formulas not rendered: {math}")
        visit.problems.clear()
    visit.close()
    for page, href in links:
        url, fragment = urldefrag(href)
        target = urlparse(url).path.lstrip("/") or "index.html"
        if target.endswith("/"):
            target += "index.html"
        if not (out / target).is_file():
            problems.append(f"{page}: broken link {href}")
        elif fragment and target in ids and fragment not in ids[target]:
            problems.append(f"{page}: link to a missing anchor {href}")
    assert not problems, "\n".join(problems)


def test_home_page_is_the_readme_and_links_every_lesson(site, browser):
    _, base = site
    visit = Visit(browser, base)
    visit.open("index.html")
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(ARTIFACTS / "site-home.png"))
    title = (ROOT / "README.md").read_text().splitlines()[0].removeprefix("# ")
    assert visit.page.locator("h1").first.inner_text().strip().startswith(title)
    hrefs = visit.page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
    for notebook in NOTEBOOKS:
        assert any(h.endswith(f"/notebooks/{notebook.stem}.html") for h in hrefs), notebook.name
    visit.close()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_lesson_page_shows_its_outputs_formulas_widget_colab_and_download(site, browser, notebook):
    out, base = site
    visit = Visit(browser, base)
    visit.open(f"notebooks/{notebook.stem}.html")
    page = visit.page
    outputs = stored_outputs(notebook)
    figures = stored_figures(notebook)
    widgets = widget_cells(notebook)
    stand_ins = page.get_by_text("Interactive widget.", exact=False).count()
    assert stand_ins == widgets, f"{widgets} widget cells, {stand_ins} stand-ins"
    shown = page.eval_on_selector_all(
        ".cell_output img", "els => els.filter(i => i.naturalWidth > 0).length"
    )
    assert shown == figures + widgets, f"{shown} pictures shown, {figures} stored + {widgets}"
    # a screen reader announces what each figure shows, not its hashed file name
    alts = page.eval_on_selector_all(".cell_output img", "els => els.map(i => i.alt)")
    unnamed = [alt for alt in alts if len(alt) < 40 or alt.endswith(".png")]
    assert not unnamed, f"pictures without alt text: {unnamed}"
    captions = page.locator("main figure figcaption").count()
    assert captions >= figures, f"{captions} captions for {figures} figures"
    tables = sum("<table" in "".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert page.locator(".cell_output table").count() >= tables
    text = page.inner_text("main")
    assert "interactive(children=" not in text and "Playground(children=" not in text
    if page.locator("span.math, div.math").count():  # lessons 1-6 write formulas as text
        math = typeset_math(page)
        assert math["rendered"] == math["total"] and not math["errors"], math
    colab = page.eval_on_selector_all(
        "a[href*='colab.research.google.com']", "els => els.map(a => a.href)"
    )
    expected = colab_url(repository(), f"notebooks/{notebook.name}")
    exercises = colab_url(repository(), f"exercises/{notebook.stem}_exercises.ipynb")
    assert expected in colab and set(colab) <= {expected, exercises}, colab  # its own exercises
    download = page.locator("a.download", has_text="Download the notebook")
    href = download.get_attribute("href")
    local = (out / "notebooks" / href).resolve()
    assert local.name == notebook.name and local.read_bytes() == notebook.read_bytes()
    if notebook == NOTEBOOKS[-1]:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "site-lesson.png"))
    assert not visit.problems, visit.problems
    visit.close()


MATH_NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "id": "a", "metadata": {}, "source": "# Formulas\n\n"
         "Inline $\\sigma^2 = \\mathrm{softplus}(r) + \\epsilon$ and displayed:\n\n"
         "$$\\tfrac12\\left(\\log\\sigma^2 + \\frac{(y-\\mu)^2}{\\sigma^2}\\right)$$"},
        {"cell_type": "code", "id": "b", "execution_count": 1, "metadata": {}, "source": "f()",
         "outputs": [{"output_type": "display_data", "metadata": {},
                      "data": {"text/latex": "$\\ln(1 + 2/e)$", "text/plain": "ln"}}]},
    ],
    "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5,
}  # fmt: skip


def test_dollar_math_renders_offline_with_the_site_configuration(tmp_path, browser):
    """The lessons may write formulas as $...$: the site's configuration renders inline, display
    and LaTeX-output math with its local MathJax (a two-page site built with site/conf.py)."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "index.md").write_text("# Home\n\n```{toctree}\nformulas\n```\n")
    (source / "formulas.ipynb").write_text(json.dumps(MATH_NOTEBOOK))
    build = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(ROOT / "site"), "-W", "-q",
         str(source), str(tmp_path / "out")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert build.returncode == 0, build.stderr
    visit = Visit(browser, (tmp_path / "out").as_uri())
    visit.open("formulas.html")
    math = typeset_math(visit.page)
    assert math == {"total": 3, "rendered": 3, "errors": 0}
    assert not visit.problems, visit.problems
    visit.close()


def distinctive_word(notebook: Path) -> str:
    """A word in this lesson's text and in no other page's source."""
    others = (
        " ".join(markdown_of(n) for n in NOTEBOOKS if n != notebook)
        + (ROOT / "README.md").read_text()
    )
    seen = set(re.findall(r"[a-z]+", others.lower()))
    words = re.findall(r"\b[a-z]{7,}\b", markdown_of(notebook).lower())
    unique = [w for w in words if w not in seen]
    assert unique, f"{notebook.name} has no word of its own to search for"
    return unique[0]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_search_finds_the_lesson_by_a_word_from_its_text(site, browser, notebook):
    _, base = site
    word = distinctive_word(notebook)
    visit = Visit(browser, base)
    visit.open(f"search.html?q={word}")
    result = visit.page.locator(f"#search-results a[href*='{notebook.stem}']").first
    result.wait_for(timeout=15_000)
    assert not visit.problems, visit.problems
    visit.close()
