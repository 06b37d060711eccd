"""The headless Chromium that the browser tests (tests/test_browser.py, tests/test_site.py) drive.

Debian's `chromium`, launched by Playwright without `playwright install`. The flags keep it from
reaching for the network at start (this machine's network is closed) and let it run as root.
Without a `chromium` the tests are skipped with INSTALL_HINT; with EMBEDLAB_REQUIRE_BROWSER=1
(set by .ci/run) a missing browser is a failure.
"""

import os
import shutil

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("EMBEDLAB_REQUIRE_BROWSER") == "1"
INSTALL_HINT = "sudo apt-get install chromium (Debian/Ubuntu), or put a chromium on the PATH"


def move_slider_and_wait_for_redraw(page, handle_selector: str, name: str) -> None:
    """Press → on the first slider of the lesson's playground (`handle_selector`: ipywidgets 8
    draws `.noUi-handle`, ipywidgets 7 `.ui-slider-handle`) and wait for a new picture; fail
    with the lesson's `name` if none comes or the widget shows an error."""
    import pytest
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    playground = page.locator(".embedlab-playground").first
    playground.wait_for(timeout=30_000)
    playground.scroll_into_view_if_needed()
    playground.locator("img").first.wait_for(timeout=30_000)
    before = playground.locator("img").first.get_attribute("src") or ""
    handle = playground.locator(handle_selector).first
    handle.focus()
    handle.press("ArrowRight")
    try:
        page.wait_for_function(
            """(before) => {
                const img = document.querySelector('.embedlab-playground img');
                return img && img.src && img.src !== before;
            }""",
            arg=before,
            timeout=30_000,
        )
    except PlaywrightTimeoutError:
        pytest.fail(f"{name}: the widget did not redraw after a control moved")
    text = playground.inner_text()
    assert "Callback failed" not in text and "Traceback" not in text, text[:2000]
