"""Colab's package stack as a test target (`make test-colab`, issue 20).

Colab publishes the packages of its runtime: `pip-freeze.txt` in the public repository
googlecolab/backend-info, updated with each runtime release. `constraints/colab.txt` is a copy of
that list (every `name==version`; a URL entry reduced to its version) with its source and date in
the header. Four commands:

- `refresh FREEZE --date YYYY-MM-DD --python X.Y.Z [--commit SHA]`: rewrite constraints/colab.txt
  from a copy of Colab's pip-freeze.txt (download it from the repository above). Run it when Colab
  changes its stack, then `make test-colab`.
- `constraints`: print the constraints `make test-colab` builds its environment with: Colab's
  versions of everything, torch included, except torch's CUDA companions. Colab's torch is a +cpu
  wheel from PyTorch's own index, which this machine cannot reach; PyPI's wheel of the same version
  is the CUDA build (several GB: nvidia-*, cuda-*, triton), whose CPU code is the same. Those
  companions are left free, since Colab's CPU runtime pins some of them for other packages.
- `check REPORT`: read `pip install --dry-run --report REPORT` of embedlab into that environment
  and exit 1 if installing embedlab would install, upgrade or downgrade a package Colab already
  has. Prints one line per package pip would install.
- `lessons --python PY NOTEBOOK...`: run each lesson with that Python's nbval (stored outputs
  compared by the tolerance rule of tests/nbval_tolerance.py), print seconds and pass/fail.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "constraints" / "colab.txt"
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
# Front ends set none of these: the lessons must set their threads and backend themselves.
HIDDEN = {"OMP_NUM_THREADS", "MKL_NUM_THREADS", "MPLBACKEND", "PYTHONPATH", "VIRTUAL_ENV"}
SOURCE = "https://github.com/googlecolab/backend-info/blob/main/pip-freeze.txt"
# PyPI's torch for Linux is the CUDA build; these companions of it are left free.
CUDA_COMPANION = re.compile(r"^(nvidia-|cuda-|triton$)")
REQUIREMENT = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:==\s*([^\s;#]+)|@\s*(\S+))")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_freeze(text: str) -> dict[str, tuple[str, str]]:
    """{canonical name: (name as written, version)} from a pip freeze; a URL entry's version is
    read from its wheel file name, and entries with no version (git checkouts) are left out."""
    packages = {}
    for line in text.splitlines():
        match = REQUIREMENT.match(line.strip())
        if not match:
            continue
        name, version, url = match.groups()
        if url:
            wheel = re.search(r"/[^/]+?-(\d[^-/]*?)(?:%2B|\+)[^-/]*-", url) or re.search(
                r"/[^/]+?-(\d[^-/]*?)-(?:cp|py)", url
            )
            if not wheel:
                continue
            version = wheel.group(1)
        packages[canonical(name)] = (name, version.split("+")[0])
    return packages


def read_record(path: Path = RECORD) -> dict[str, tuple[str, str]]:
    return parse_freeze(path.read_text())


def header_value(key: str, path: Path = RECORD) -> str:
    for line in path.read_text().splitlines():
        if line.startswith(f"# {key}:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit(f"{path}: no '# {key}:' line in the header")


def _by_name(package: tuple[str, str]) -> str:
    return canonical(package[0])


def refresh(freeze: Path, commit: str, date: str, python: str) -> None:
    packages = parse_freeze(freeze.read_text())
    if not packages:
        raise SystemExit(f"{freeze}: no 'name==version' lines; is it Colab's pip-freeze.txt?")
    lines = [
        "# Colab's runtime packages (CPU runtime): `python scripts/colab_stack.py refresh`.",
        f"# source: {SOURCE}",
        f"# commit: {commit}",
        f"# date: {date}",
        f"# python: {python}",
        "# Do not edit by hand: refresh from a newer pip-freeze.txt, then run `make test-colab`.",
        *(f"{name}=={version}" for name, version in sorted(packages.values(), key=_by_name)),
    ]
    RECORD.parent.mkdir(exist_ok=True)
    RECORD.write_text("\n".join(lines) + "\n")
    print(f"wrote {RECORD}: {len(packages)} packages, Colab of {date}")


def constraints() -> str:
    """Colab's versions as pip constraints, torch's CUDA companions left free."""
    record = read_record()
    lines = [f"{name}=={version}" for key, (name, version) in sorted(record.items())
             if not CUDA_COMPANION.match(key)]  # fmt: skip
    return "\n".join(lines) + "\n"


def run_lessons(python: str, notebooks: list[Path]) -> int:
    """Run each lesson under `python` (Colab's stack); a table of seconds and results."""
    # The tolerance plugin comes from tests/ alone (no conftest: Colab's pytest 8.4 does not
    # import tests.nbval_tolerance through the root conftest); embedlab comes from the wheel.
    env = {k: v for k, v in os.environ.items() if k not in HIDDEN}
    env["PYTHONPATH"] = str(ROOT / "tests")
    failed = []
    print(f"{'lesson':<40} {'seconds':>8}  result")
    for notebook in notebooks:
        command = [python, "-m", "pytest", "--nbval", str(notebook), "--nbval-current-env",
                   "--nbval-cell-timeout=120", "--nbval-sanitize-with", str(SANITIZE),
                   "-q", "-p", "no:cacheprovider", "--noconftest",
                   "-p", "nbval_tolerance"]  # fmt: skip
        start = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        verdict = "pass" if result.returncode == 0 else "FAIL"
        print(f"{Path(notebook).stem:<40} {seconds:8.1f}  {verdict}", flush=True)
        if result.returncode:
            failed.append((notebook, result.stdout[-4000:] + result.stderr[-2000:]))
    for notebook, output in failed:
        print(f"\n==== {notebook} ====\n{output}")
    return 1 if failed else 0


def check(report_path: Path) -> int:
    """0 when pip's dry-run report installs nothing that Colab already has, else 1."""
    record = read_record()
    report = json.loads(report_path.read_text())
    changed, added = [], []
    for item in report.get("install", []):
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        key = canonical(name)
        if key == "embedlab":
            print(f"  installs {name} {version} (the course itself)")
        elif key in record:
            changed.append(f"{name}: Colab has {record[key][1]}, embedlab would install {version}")
        else:
            added.append(f"{name} {version}")
    for line in added:
        print(f"  adds {line} (Colab does not have it)")
    for line in changed:
        print(f"  CHANGES {line}")
    if changed:
        print(f"{len(changed)} of Colab's packages would change: relax embedlab's lower bounds")
        return 1
    print(f"no Colab package changes ({len(record)} packages in the record of "
          f"{header_value('date')})")  # fmt: skip
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    refresh_parser = commands.add_parser("refresh", help="rewrite constraints/colab.txt")
    refresh_parser.add_argument("freeze", type=Path, help="a copy of Colab's pip-freeze.txt")
    refresh_parser.add_argument("--commit", default="unknown", help="backend-info commit")
    refresh_parser.add_argument("--date", required=True, help="that commit's date, YYYY-MM-DD")
    refresh_parser.add_argument("--python", required=True, help="Colab's Python, from os-info.txt")
    commands.add_parser("constraints", help="print the constraints make test-colab uses")
    check_parser = commands.add_parser("check", help="check pip's --dry-run --report of embedlab")
    check_parser.add_argument("report", type=Path)
    lessons_parser = commands.add_parser("lessons", help="run every lesson under Colab's stack")
    lessons_parser.add_argument("--python", required=True, help="the Colab environment's python")
    lessons_parser.add_argument("notebooks", nargs="+", type=Path)
    args = parser.parse_args()
    if args.command == "lessons":
        return run_lessons(args.python, args.notebooks)
    if args.command == "refresh":
        refresh(args.freeze, args.commit, args.date, args.python)
    elif args.command == "constraints":
        sys.stdout.write(constraints())
    else:
        return check(args.report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
