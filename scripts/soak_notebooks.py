"""Execute notebooks many times the way course pipelines do, and count the runs that stall.

    python scripts/soak_notebooks.py --runs 30 --runner nbconvert [notebooks ...]
    python scripts/soak_notebooks.py --runs 10 --runner papermill [notebooks ...]

Each run executes a copy of the notebook in a scratch folder (`jupyter nbconvert --to notebook
--execute`, or `papermill`), with OMP_NUM_THREADS=1 and a generous per-run limit (`--limit`, default
300 s; a cell timeout of the same size is passed to the runner). A run that has not finished by
then is killed and counted as a stall. Prints, per notebook and runner: runs, stalls, failures,
median and worst seconds; `--json FILE` also writes them. `make soak` runs the full soak (about an
hour on 2 cores); it is not part of `make test`. A run slower than 3x the median (and by 20 s)
is reported as slow: a stall that the runner's own cell timeout cut short looks like that.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def command_for(runner: str, notebook: Path, output: Path, limit: int) -> list[str]:
    if runner == "nbconvert":
        return [
            sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
            f"--ExecutePreprocessor.timeout={limit}", "--output", str(output), str(notebook),
        ]  # fmt: skip
    if runner == "papermill":
        return [
            sys.executable, "-m", "papermill", "--no-progress-bar", "--log-level", "ERROR",
            "--execution-timeout", str(limit), str(notebook), str(output),
        ]  # fmt: skip
    raise SystemExit(f"--runner must be nbconvert or papermill, got {runner!r}")


def soak(notebook: Path, runner: str, runs: int, limit: int) -> dict:
    seconds, stalls, failures = [], 0, []
    env = dict(os.environ, OMP_NUM_THREADS="1")
    env.pop("MPLBACKEND", None)
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / notebook.name
        shutil.copy(notebook, copy)
        for run in range(runs):
            output = Path(scratch) / f"out-{run}.ipynb"
            start = time.perf_counter()
            process = subprocess.Popen(
                command_for(runner, copy, output, limit),
                cwd=scratch,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            try:
                _, stderr = process.communicate(timeout=limit + 60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.communicate()
                stalls += 1
                print(f"  {notebook.name} run {run}: STALLED, killed after {limit + 60} s")
                continue
            elapsed = time.perf_counter() - start
            if process.returncode != 0:
                stalled = "Timeout" in stderr or "timed out" in stderr.lower()
                stalls += stalled
                failures.append(stderr.strip().splitlines()[-1] if stderr.strip() else "?")
                print(f"  {notebook.name} run {run}: {'STALLED' if stalled else 'FAILED'}")
                continue
            seconds.append(elapsed)
            output.unlink(missing_ok=True)
    # A lost wake-up that the runner's own timeout ended still shows as a run far above the rest.
    median = statistics.median(seconds) if seconds else 0
    slow = sum(s > max(3 * median, median + 20) for s in seconds)
    return {
        "notebook": notebook.name,
        "runner": runner,
        "runs": runs,
        "stalls": stalls,
        "failures": len(failures) - stalls if failures else 0,
        "slow_runs": slow,
        "median_s": round(statistics.median(seconds), 1) if seconds else None,
        "worst_s": round(max(seconds), 1) if seconds else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--runner", default="nbconvert", choices=["nbconvert", "papermill"])
    parser.add_argument("--limit", type=int, default=300, help="seconds before a run is a stall")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    results = []
    for notebook in notebooks:
        result = soak(notebook.resolve(), args.runner, args.runs, args.limit)
        results.append(result)
        print(
            f"{result['notebook']:40s} {args.runner:9s} runs {result['runs']:3d}  "
            f"stalls {result['stalls']}  slow {result['slow_runs']}  "
            f"failures {result['failures']}  "
            f"median {result['median_s']} s  worst {result['worst_s']} s",
            flush=True,
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 1 if any(r["stalls"] or r["failures"] or r["slow_runs"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
