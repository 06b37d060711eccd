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
