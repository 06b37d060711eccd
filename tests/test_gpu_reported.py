"""tests/gpu_reported.py: the GPU it reports reaches embedlab and notebook code, and only them.

The lessons run with a GPU reported in `make test-colab-gpu` (scripts/colab_stack.py lessons
--gpu-reported); these tests prove the wrapper that run relies on: the estimator's "auto" device
path is told True, torch's own code is told the truth, and the IPython startup file installs the
wrapper in a fresh process.
"""

import os
import subprocess
import sys

import gpu_reported
import pytest
import torch

from embedlab import fitting


@pytest.fixture
def reported(tmp_path):
    log = tmp_path / "calls.log"
    gpu_reported.install(log)
    yield log
    gpu_reported.uninstall()


def ask_as(module: str) -> bool:
    """torch.cuda.is_available() called from code whose module is `module`."""
    scope = {"__name__": module, "torch": torch}
    exec(compile("answer = torch.cuda.is_available()", f"<{module}>", "exec"), scope)
    return scope["answer"]


def test_the_estimators_auto_device_is_told_there_is_a_gpu(reported):
    fitting.resolve_device("auto")
    assert "call embedlab.fitting True" in reported.read_text().splitlines()


def test_notebook_code_is_told_there_is_a_gpu(reported):
    assert ask_as("__main__") is True
    assert ask_as("embedlab.widgets.softmax") is True


@pytest.mark.parametrize("module", ["torch.optim.adam", "torch.optim.optimizer", "sklearn.base"])
def test_torch_and_other_libraries_are_told_the_truth(reported, module):
    assert ask_as(module) is torch.cuda.is_available.real()
    assert ask_as("embedlabx") is torch.cuda.is_available.real()  # only the package itself


def test_uninstall_restores_torchs_own_function(reported):
    wrapper = torch.cuda.is_available
    gpu_reported.uninstall()
    assert torch.cuda.is_available is wrapper.real
    gpu_reported.install()  # twice installed, still one wrapper over torch's own function
    gpu_reported.install()
    assert torch.cuda.is_available.real is wrapper.real


def test_the_startup_file_installs_the_wrapper_in_a_new_ipython_process(tmp_path):
    env = {**os.environ, **gpu_reported.kernel_environment(tmp_path)}
    code = "import torch; from embedlab import fitting; print(torch.cuda.is_available())"
    result = subprocess.run(
        [sys.executable, "-m", "IPython", "-c", code],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    calls = gpu_reported.read_log(tmp_path)
    assert calls.installed == 1 and calls.callers == ("__main__ True",)
    assert result.stdout.strip().endswith("True")
    assert gpu_reported.read_log(tmp_path).installed == 0  # read once, then cleared
