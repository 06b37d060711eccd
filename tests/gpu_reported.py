"""A GPU reported to the lessons and the package, on a machine without one (issue 29).

On Colab's GPU runtime `torch.cuda.is_available()` is True. A lesson or embedlab code that asks
it would move its networks to the GPU there, into other arithmetic than the stored outputs were
made with. To test that nothing does so without a GPU, `install()` wraps
`torch.cuda.is_available` so that it answers True to callers in embedlab and in the notebook's own
code (`__main__`, an IPython cell) and the real answer (False here) to everyone else: torch's own
code asks too (its Adam in some releases), and would fail if told there is a GPU.

`kernel_environment(home)` gives the environment variables that install the wrapper in every
IPython kernel started with them (a startup file under a temporary IPYTHONDIR), as nbval's and
the classic Notebook's kernels are; each kernel writes to a log in `home` that `read_log` reads,
so a run can prove the wrapper was there.
"""

import os
import sys
from pathlib import Path
from typing import NamedTuple

TESTS = Path(__file__).resolve().parent
LOG_VARIABLE = "EMBEDLAB_GPU_REPORTED_LOG"
STARTUP = f"""\
# Written by tests/gpu_reported.py: torch reports a GPU to embedlab and the notebook's code.
import os, sys
sys.path.insert(0, {str(TESTS)!r})
import gpu_reported
gpu_reported.install(os.environ.get({LOG_VARIABLE!r}))
sys.path.remove({str(TESTS)!r})
"""


def told_of_a_gpu(module: str) -> bool:
    """Whether a caller in `module` (its __name__) is told there is a GPU."""
    return module == "__main__" or module == "embedlab" or module.startswith("embedlab.")


def install(log: str | os.PathLike | None = None) -> None:
    """Wrap torch.cuda.is_available (once); each call's caller and answer go to `log`."""
    import torch

    real = getattr(torch.cuda.is_available, "real", torch.cuda.is_available)

    def is_available() -> bool:
        module = sys._getframe(1).f_globals.get("__name__", "")
        answer = True if told_of_a_gpu(module) else real()
        _write(log, f"call {module} {answer}")
        return answer

    is_available.real = real
    torch.cuda.is_available = is_available
    _write(log, f"installed {os.getpid()}")


def uninstall() -> None:
    """Put torch's own torch.cuda.is_available back."""
    import torch

    torch.cuda.is_available = getattr(torch.cuda.is_available, "real", torch.cuda.is_available)


def _write(log, line: str) -> None:
    if log:
        with open(log, "a") as f:
            f.write(line + "\n")


def kernel_environment(home: Path) -> dict[str, str]:
    """IPYTHONDIR (with the startup file that installs the wrapper) and the log's path."""
    startup = home / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-gpu-reported.py").write_text(STARTUP)
    return {"IPYTHONDIR": str(home / "ipython"), LOG_VARIABLE: str(home / "gpu-reported.log")}


class Calls(NamedTuple):
    installed: int  # kernels that installed the wrapper
    answered_true: int  # calls from embedlab or notebook code, told there is a GPU
    callers: tuple[str, ...]  # every caller's module and answer, in order


def read_log(home: Path, clear: bool = True) -> Calls:
    """What the kernels started with kernel_environment(home) logged since the last read."""
    path = home / "gpu-reported.log"
    lines = path.read_text().splitlines() if path.exists() else []
    if clear and path.exists():
        path.unlink()
    calls = tuple(line[len("call ") :] for line in lines if line.startswith("call "))
    return Calls(
        installed=sum(line.startswith("installed ") for line in lines),
        answered_true=sum(call.endswith(" True") for call in calls),
        callers=calls,
    )
