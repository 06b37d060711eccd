"""Colab's package stacks as test targets (`make test-colab`, issues 20 and 29).

Colab publishes the packages of its runtimes in the public repository googlecolab/backend-info,
updated with each runtime release: `pip-freeze.txt` (CPU runtime) and `pip-freeze.gpu.txt` (GPU
runtime). `constraints/colab.txt` and `constraints/colab-gpu.txt` are copies of those lists (every
`name==version`; a URL entry reduced to its version, a local version such as +cu128 dropped) with
source, commit, date and Python in the header. Every command takes `--stack cpu|gpu` (default cpu):

- `refresh FREEZE --date YYYY-MM-DD --python X.Y.Z [--commit SHA] [--note TEXT]...`: rewrite the
  stack's record from a copy of Colab's list (download it from the repository above). Run it when
  Colab changes its stack, then `make test-colab`.
- `constraints`: print the constraints `make test-colab` builds its environment with: Colab's
  versions of everything, torch included, except torch's CUDA companions. Colab's torch is a +cpu
  (CPU runtime) or +cu128 (GPU runtime) wheel from PyTorch's own index, which this machine cannot
  reach; PyPI's wheel of the same version is the CUDA 13 build (several GB: nvidia-*, cuda-*,
  triton), whose CPU code is the same and whose CUDA libraries go unused here (no GPU). Those
  companions are left free: PyPI's torch needs its own CUDA 13 set, not the GPU runtime's cu12 one.
- `check REPORT`: read `pip install --dry-run --report REPORT` of embedlab into that environment
  and exit 1 if installing embedlab would install, upgrade or downgrade a package Colab already
  has. Prints one line per package pip would install.
- `lessons --python PY [--gpu-reported] NOTEBOOK...`: run each lesson with that Python's nbval
  (stored outputs compared by the tolerance rule of tests/nbval_tolerance.py), print seconds and
  pass/fail. With --gpu-reported, torch.cuda.is_available() answers True to embedlab and to the
  notebook's own code in every lesson's kernel, as on a GPU runtime (tests/gpu_reported.py).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "constraints" / "colab.txt"
# Each stack: its record and the list in googlecolab/backend-info it is copied from.
STACKS = {
    "cpu": (RECORD, "pip-freeze.txt", "CPU runtime"),
    "gpu": (ROOT / "constraints" / "colab-gpu.txt", "pip-freeze.gpu.txt", "GPU runtime"),
}
SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
# Front ends set none of these: the lessons must set their threads and backend themselves.
HIDDEN = {"OMP_NUM_THREADS", "MKL_NUM_THREADS", "MPLBACKEND", "PYTHONPATH", "VIRTUAL_ENV"}
SOURCE = "https://github.com/googlecolab/backend-info/blob/{commit}/{name}"
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


def record_path(stack: str = "cpu") -> Path:
    """The record of a stack ("cpu" or "gpu"); the cpu one is RECORD (tests replace it)."""
    return RECORD if stack == "cpu" else STACKS[stack][0]


def read_record(path: Path | None = None) -> dict[str, tuple[str, str]]:
    return parse_freeze((path or RECORD).read_text())


def header_value(key: str, path: Path | None = None) -> str:
    path = path or RECORD
    for line in path.read_text().splitlines():
        if line.startswith(f"# {key}:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit(f"{path}: no '# {key}:' line in the header")


def _by_name(package: tuple[str, str]) -> str:
    return canonical(package[0])


def refresh(freeze: Path, commit: str, date: str, python: str, stack: str = "cpu",
            notes: tuple[str, ...] = ()) -> None:  # fmt: skip
    """Rewrite the stack's record from a copy of Colab's list, with its source in the header."""
    packages = parse_freeze(freeze.read_text())
    if not packages:
        raise SystemExit(f"{freeze}: no 'name==version' lines; is it Colab's pip-freeze list?")
    path, name, runtime = record_path(stack), STACKS[stack][1], STACKS[stack][2]
    lines = [
        f"# Colab's runtime packages ({runtime}): `python scripts/colab_stack.py refresh`.",
        f"# source: {SOURCE.format(commit=commit if commit != 'unknown' else 'main', name=name)}",
        f"# commit: {commit}",
        f"# date: {date}",
        f"# python: {python}",
        *(f"# note: {note}" for note in notes),
        f"# Do not edit by hand: refresh from a newer {name}, then run `make test-colab`.",
        *(f"{name}=={version}" for name, version in sorted(packages.values(), key=_by_name)),
    ]
    path.parent.mkdir(exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    print(f"wrote {path}: {len(packages)} packages, Colab's {runtime} of {date}")


def constraints(path: Path | None = None) -> str:
    """Colab's versions as pip constraints, torch's CUDA companions left free."""
    record = read_record(path)
    lines = [f"{name}=={version}" for key, (name, version) in sorted(record.items())
             if not CUDA_COMPANION.match(key)]  # fmt: skip
    return "\n".join(lines) + "\n"


def run_lessons(python: str, notebooks: list[Path], gpu_reported: bool = False) -> int:
    """Run each lesson under `python` (Colab's stack); a table of seconds and results."""
    # The tolerance plugin comes from tests/ alone (no conftest: Colab's pytest 8.4 does not
    # import tests.nbval_tolerance through the root conftest); embedlab comes from the wheel.
    env = {k: v for k, v in os.environ.items() if k not in HIDDEN}
    env["PYTHONPATH"] = str(ROOT / "tests")
    if gpu_reported:
        sys.path.insert(0, str(ROOT / "tests"))
        import gpu_reported as gpu  # noqa: PLC0415 (a test helper, not a dependency)

        home = Path(tempfile.mkdtemp(prefix="embedlab-gpu-reported-"))
        env.update(gpu.kernel_environment(home))
        print("torch.cuda.is_available() answers True to embedlab and the lessons' own code")
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
        if gpu_reported:  # the patch must have reached the kernel, or the run proves nothing
            calls = gpu.read_log(home)
            if not calls.installed:
                verdict, result.returncode = "FAIL (patch not installed in the kernel)", 1
            told = sorted({call.split()[0] for call in calls.callers if call.endswith(" True")})
            verdict += f"  (told of a GPU {calls.answered_true}x: {', '.join(told) or '-'})"
        print(f"{Path(notebook).stem:<40} {seconds:8.1f}  {verdict}", flush=True)
        if result.returncode:
            failed.append((notebook, result.stdout[-4000:] + result.stderr[-2000:]))
    for notebook, output in failed:
        print(f"\n==== {notebook} ====\n{output}")
    return 1 if failed else 0


def check(report_path: Path, path: Path | None = None) -> int:
    """0 when pip's dry-run report installs nothing that Colab already has, else 1."""
    record = read_record(path)
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
          f"{header_value('date', path)})")  # fmt: skip
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    refresh_parser = commands.add_parser("refresh", help="rewrite constraints/colab.txt")
    refresh_parser.add_argument("freeze", type=Path, help="a copy of Colab's pip-freeze.txt")
    refresh_parser.add_argument("--commit", default="unknown", help="backend-info commit")
    refresh_parser.add_argument("--date", required=True, help="that commit's date, YYYY-MM-DD")
    refresh_parser.add_argument("--python", required=True, help="Colab's Python, from os-info.txt")
    refresh_parser.add_argument("--note", action="append", default=[], help="a header line")
    constraints_parser = commands.add_parser("constraints", help="print make test-colab's pins")
    check_parser = commands.add_parser("check", help="check pip's --dry-run --report of embedlab")
    check_parser.add_argument("report", type=Path)
    lessons_parser = commands.add_parser("lessons", help="run every lesson under Colab's stack")
    lessons_parser.add_argument("--python", required=True, help="the Colab environment's python")
    lessons_parser.add_argument("--gpu-reported", action="store_true", help="as on a GPU runtime")
    lessons_parser.add_argument("notebooks", nargs="+", type=Path)
    for sub in (refresh_parser, constraints_parser, check_parser, lessons_parser):
        sub.add_argument("--stack", choices=sorted(STACKS), default="cpu", help="Colab's runtime")
    args = parser.parse_args()
    path = record_path(args.stack)
    if args.command == "lessons":
        return run_lessons(args.python, args.notebooks, args.gpu_reported)
    if args.command == "refresh":
        refresh(args.freeze, args.commit, args.date, args.python, args.stack, tuple(args.note))
    elif args.command == "constraints":
        sys.stdout.write(constraints(path))
    else:
        return check(args.report, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
