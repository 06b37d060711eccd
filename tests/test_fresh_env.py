"""The notebooks need nothing but the installed package, as on Colab.

Build the wheel, install it into a brand-new virtual environment with only embedlab's runtime
dependencies plus a kernel and the notebook runner (ipykernel, pytest, nbval), copy the notebooks to
a folder outside the repository and execute every cell there (nbval in lax mode: errors fail,
outputs are not compared). Takes about a minute; part of `make test` (`make fresh-env-test`).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
PINS = ROOT / "requirements-pinned.txt"


def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, (
        f"{' '.join(map(str, command))} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    )
    return result


def test_notebooks_run_from_the_installed_wheel_alone(tmp_path):
    dist = tmp_path / "dist"
    built = run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, ROOT]
    )
    # setuptools announced the end of builds it warns about: a build must stay warning-free
    assert "Deprecat" not in built.stdout + built.stderr, built.stderr[-3000:]
    wheel = next(dist.glob("embedlab-*.whl"))

    venv = tmp_path / "venv"
    base_python = getattr(sys, "_base_executable", sys.executable)
    run([base_python, "-m", "venv", "--without-pip", venv])
    python = venv / "bin" / "python"
    run([
        sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-compile",
        "-c", PINS, wheel, "ipykernel", "pytest", "nbval",
    ])  # fmt: skip

    lessons = tmp_path / "lessons"
    lessons.mkdir()
    for notebook in (ROOT / "notebooks").glob("*.ipynb"):
        shutil.copy(notebook, lessons / notebook.name)

    hidden = {"PYTHONPATH", "MPLBACKEND", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env.pop("OMP_NUM_THREADS", None)  # the lessons set their threads themselves
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    where = run([python, "-c", "import embedlab; print(embedlab.__file__)"], cwd=lessons, env=env)
    assert str(venv) in where.stdout and str(ROOT) not in where.stdout

    # Two runners side by side (the machine has two cores), each on half of the notebooks.
    notebooks = sorted(lessons.glob("*.ipynb"))
    command = [python, "-m", "pytest", "--nbval-lax", "--nbval-current-env"]
    command += ["--nbval-cell-timeout=120", "-p", "no:cacheprovider", "-q"]
    runners = [
        subprocess.Popen(
            command + half,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=lessons,
            env=env,
        )  # fmt: skip
        for half in (notebooks[0::2], notebooks[1::2])
    ]
    for runner in runners:
        output, _ = runner.communicate(timeout=600)
        assert runner.returncode == 0, output[-6000:]
