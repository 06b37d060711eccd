"""Execute notebooks in place, one clean top-to-bottom run each, and record how long each took.

`make notebooks` runs this (then scripts/finish_notebooks.py). Each notebook is executed by
`jupyter nbconvert --execute --inplace` as before; the wall time of that run (starting the kernel
included: what Run All costs a learner) is written to docs/lesson_times.json, which the lesson
headers quote (scripts/lesson_apparatus.py). The time is measured, never typed in.

    python scripts/execute_notebooks.py notebooks/*.ipynb [--times docs/lesson_times.json]
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMES = ROOT / "docs" / "lesson_times.json"


def execute(path: Path, timeout: int = 60) -> float:
    """Run one notebook in place; return the seconds it took. Raises if a cell fails."""
    command = [
        str(Path(sys.executable).parent / "jupyter"),
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--inplace",
        f"--ExecutePreprocessor.timeout={timeout}",
        "--ExecutePreprocessor.record_timing=False",
        str(path),
    ]
    start = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - start


def record(times: dict[str, float], path: Path = TIMES) -> None:
    """Merge `times` (notebook stem -> seconds) into the times file, with how they were taken."""
    data = json.loads(path.read_text()) if path.exists() else {}
    data.setdefault("seconds", {}).update({k: round(v, 1) for k, v in times.items()})
    data["measured_with"] = (
        f"jupyter nbconvert --execute, wall time with kernel start; {os.cpu_count()} CPU cores, "
        f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}, "
        f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f} at the end "
        "(other work on the machine slows the runs)"
    )
    data["seconds"] = dict(sorted(data["seconds"].items()))
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--times", type=Path, default=TIMES, help="JSON file to update")
    parser.add_argument("--timeout", type=int, default=60, help="seconds per cell")
    args = parser.parse_args()
    for path in args.notebooks:  # recorded one by one: a later failure keeps earlier times
        seconds = execute(path, args.timeout)
        record({path.stem: seconds}, args.times)
        print(f"{path.name}: {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
