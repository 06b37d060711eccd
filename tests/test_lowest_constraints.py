"""scripts/lowest_constraints.py: `make test-lowest` installs every runtime dependency at the lower
bound pyproject.toml declares (torch excepted: it stays at the pinned build)."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def constraints() -> dict[str, str]:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "lowest_constraints.py")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return dict(line.split("==") for line in done.stdout.split())


def test_every_dependency_is_constrained_to_its_declared_lower_bound_and_torch_to_its_pin():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = dict(
        line.split("==") for line in (ROOT / "requirements-pinned.txt").read_text().split()
        if "==" in line
    )  # fmt: skip
    got = constraints()
    assert len(got) == len(declared)
    for requirement in declared:
        name, bound = requirement.split(">=")
        assert got[name] == (pins["torch"] if name == "torch" else bound), requirement
    assert got["scikit-learn"] == "1.6.1" and got["numpy"] == "1.25"
    assert got["torch"] == pins["torch"] != "2.4"


def test_the_test_lowest_target_installs_with_these_constraints_and_ci_runs_it():
    makefile = (ROOT / "Makefile").read_text()
    target = makefile.split("\ntest-lowest:")[1].split("\n\n")[0]
    assert "scripts/lowest_constraints.py > $(LOWEST)/constraints.txt" in target
    assert "-c $(LOWEST)/constraints.txt" in target
    assert "--nbval-lax $(NOTEBOOKS)" in target
    assert "\nmake test-lowest" in (ROOT / ".ci" / "run").read_text()
