"""The set-up files agree with each other, so the two install routes cannot drift apart."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"pytorch": "torch", "python-build": "build"}  # conda-forge name -> PyPI name


def requirement_name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = pyproject()["project"]
    wanted = {requirement_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        wanted |= {requirement_name(r) for r in extra}
    conda = set()
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("dependencies:")[1].splitlines():
        # conda-forge packages, and (six spaces in) those pip installs: conda-forge lacks them
        match = re.match(r"^(?:  |      )- ([A-Za-z][\w.-]*)", line)
        if match and match.group(1) not in {"python", "pip"}:
            name = requirement_name(match.group(1))
            conda.add(CONDA_NAMES.get(name, name))
    assert conda == wanted
    assert "      - -e ." in text


def test_every_dependency_is_pinned_exactly_and_torch_is_the_cpu_build_on_disk():
    pins = {}
    for line in (ROOT / "requirements-pinned.txt").read_text().splitlines():
        line = line.split(" #")[0].strip()
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not an exact pin: {line}"
            pins[requirement_name(name)] = version
    project = pyproject()["project"]
    everything = project["dependencies"] + sum(project["optional-dependencies"].values(), [])
    for requirement in everything:
        assert requirement_name(requirement) in pins, f"{requirement} has no pin"
    assert pins["torch"] == "2.13.0"


def test_the_readme_test_command_is_what_ci_runs():
    assert "make test" in (ROOT / "README.md").read_text()
    ci = [line for line in (ROOT / ".ci/run").read_text().splitlines() if "make test" in line]
    assert ci, ".ci/run must run make test"


def test_every_embedlab_package_is_in_the_wheel():
    declared = set(pyproject()["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "embedlab").rglob("__init__.py")
    }
    assert found <= declared, f"packages missing from pyproject.toml: {sorted(found - declared)}"


def test_the_build_backend_is_bounded_and_the_license_is_an_spdx_string():
    """setuptools deprecated the `license` table (builds with it stop working after 2027-02-18);
    an unbounded backend could break a fresh `make test` on the day of its next major release."""
    toml = pyproject()
    (requirement,) = toml["build-system"]["requires"]
    assert re.fullmatch(r"setuptools>=77,<\d+", requirement), requirement
    assert toml["project"]["license"] == "MIT"
    assert all((ROOT / name).is_file() for name in toml["project"]["license-files"])


def test_the_lesson_data_ships_in_the_wheel():
    data = pyproject()["tool"]["setuptools"]["package-data"]["embedlab"]
    for name in ("glyphs_20px.npz", "benchmark.csv"):
        assert name in data and (ROOT / "embedlab" / name).is_file()
