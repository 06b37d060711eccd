"""The Pythons we name are the Pythons the pinned install works on.

pyproject.toml's classifiers name the supported versions; README says the same; and for each one
pip's resolver, asked for wheels for that Python (it downloads metadata only, installs nothing),
resolves requirements-pinned.txt. Needs the package index, as `make test` does for its set-up.
"""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PINS = ROOT / "requirements-pinned.txt"
COLAB_PYTHON = "3.12"


def supported() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    prefix = "Programming Language :: Python :: "
    return [c.removeprefix(prefix) for c in project["classifiers"] if re.fullmatch(r".*3\.\d+", c)]


def test_requires_python_readme_and_classifiers_agree():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    versions = supported()
    assert versions == sorted(versions, key=lambda v: int(v.split(".")[1])) and versions
    assert project["requires-python"] == f">={versions[0]}"
    assert COLAB_PYTHON in versions
    readme = (ROOT / "README.md").read_text()
    assert f"Python {', '.join(versions[:-1])} or {versions[-1]}" in readme
    conda = re.search(r"- python=(3\.\d+)", (ROOT / "environment.yml").read_text()).group(1)
    assert conda in versions
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in versions


@pytest.mark.slow
def test_the_pinned_file_resolves_for_every_supported_python(tmp_path):
    runs = {
        version: subprocess.Popen(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--dry-run",
                "--quiet",
                "--ignore-installed",
                "--only-binary=:all:",
                "--python-version",
                version,
                "--target",
                str(tmp_path / version),
                "-r",
                str(PINS),
            ],  # fmt: skip
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for version in supported()
    }
    failed = {}
    for version, run in runs.items():
        output, _ = run.communicate(timeout=600)
        if run.returncode != 0:
            errors = [line for line in output.splitlines() if line.startswith("ERROR")]
            failed[version] = "\n".join(errors[-3:])
    assert not failed, f"requirements-pinned.txt does not install on: {failed}"
