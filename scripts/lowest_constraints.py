"""Print pip constraints that put every runtime dependency of embedlab at its lower bound.

`make test-lowest` installs with them, so each `>=` in pyproject.toml is a version that is tested.
torch is the exception: it stays at the pinned build (older CPU wheels are not on this machine);
its bound is chosen from the features embedlab uses (see the comment in pyproject.toml).
"""

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = dict(
        line.split("==") for line in (ROOT / "requirements-pinned.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )  # fmt: skip
    for requirement in dependencies:
        match = re.fullmatch(r"([A-Za-z][\w.-]*)>=([\w.]+)", requirement.split(";")[0].strip())
        if not match:
            sys.exit(f"not a plain lower bound: {requirement}")
        name, lowest = match.groups()
        print(f"{name}=={pins[name].split()[0]}" if name == "torch" else f"{name}=={lowest}")


if __name__ == "__main__":
    main()
