import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

# One thread, as every lesson's set_threads(1): pinned values come from one thread. Set here
# directly, not through embedlab.seeding, which `make mutation` mutates (a mutant must not break
# the import of every test).
torch.set_num_threads(1)
threadpool_limits(1)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="session")
def iris():
    from embedlab.data import load_split

    return load_split("iris", seed=0)


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for the browser and site tests (tests/chromium.py says which and how)."""
    from chromium import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
