"""How far each notebook cell's numbers move on other CPUs' float paths: the evidence for its tag.

Runs every notebook (or those named) under each float path below, into a scratch folder, and
compares each code cell's outputs with the stored ones as the notebook tests do
(tests/nbval_tolerance.py): the words must match; the numbers may differ. For every cell whose
numbers move, it prints the smallest tolerance that would pass on every path, next to the tag the
cell carries. `make notebooks-float-paths` runs it (several minutes; not part of `make test`).

    python scripts/float_paths.py [--write-tags] [notebooks/04_gaussian_regression.ipynb ...]

With --write-tags each cell whose numbers moved gets the smallest of TOLERANCE_STEPS at least twice
what it needed (its old tag is replaced; source and outputs are untouched, so its stamp still
holds). A cell needing more than the largest step, or whose words changed, is listed for a person
to fix: print fewer digits, assert a bound instead, or make the computation steadier.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from nbval_tolerance import TOLERANCE_TAG, cell_tolerance, required_tolerance  # noqa: E402

TOLERANCE_STEPS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05)

# The float paths of ordinary CPUs, forced on this one (REFERENCE.md §3).
FLOAT_PATHS = {
    "avx2": {"ATEN_CPU_CAPABILITY": "avx2"},
    "default": {"ATEN_CPU_CAPABILITY": "default"},
    "default+mkl-compatible": {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE"},
}


def outputs_text(cell) -> list[str]:
    """A cell's text outputs, streams joined per name (a kernel may split them anywhere, and nbval
    joins them before comparing too)."""
    streams: dict[str, str] = {}
    texts = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            streams[output.name] = streams.get(output.name, "") + output.text
        for mime, data in output.get("data", {}).items():
            if mime.startswith("text/"):
                texts.append(data)
    return [streams[name] for name in sorted(streams)] + texts


def execute(notebook: Path, env: dict, folder: Path) -> Path:
    out = folder / notebook.name
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute"]
    command += ["--ExecutePreprocessor.timeout=300", "--output-dir", str(folder), str(notebook)]
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=900)
    return out


def tag_for(need: float) -> float | None:
    """The smallest step at least twice `need`, or None if no step is large enough."""
    return next((step for step in TOLERANCE_STEPS if step >= 2 * need), None)


def write_tags(notebook: Path, needs: dict[int, float]) -> None:
    """Replace each listed code cell's tolerance tag; leave everything else as it is."""
    nb = nbformat.read(notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    for index, need in needs.items():
        tags = [t for t in code[index].metadata.get("tags", []) if not TOLERANCE_TAG.match(t)]
        code[index].metadata["tags"] = tags + [f"tolerance-{tag_for(need):g}"]
    nbformat.write(nb, notebook)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--write-tags", action="store_true")
    parser.add_argument("--path", action="append", choices=list(FLOAT_PATHS), help="only these")
    parser.add_argument("--json", type=Path, help="also save what each cell needs, for --combine")
    parser.add_argument("--combine", type=Path, nargs="+", help="report (and tag) from saved runs")
    args = parser.parse_args()
    if args.combine:
        needs: dict = {}
        for saved in args.combine:
            for row in json.loads(saved.read_text()):
                needs.setdefault((row["notebook"], row["cell"]), {})[row["path"]] = row["need"]
        return report(needs, args.write_tags)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    needs: dict[tuple[str, int], dict[str, float | str]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, settings in FLOAT_PATHS.items():
            if args.path and name not in args.path:
                continue
            env = dict(os.environ, OMP_NUM_THREADS="1", **settings)
            env.pop("MPLBACKEND", None)
            folder = Path(scratch) / name
            folder.mkdir()
            for notebook in notebooks:
                stored = nbformat.read(notebook, as_version=4)
                executed = execute(notebook, env, folder)
                if isinstance(executed, str):
                    needs.setdefault((notebook.name, -1), {})[name] = executed
                    print(f"{name}: {notebook.name} {executed}", flush=True)
                    continue
                computed = nbformat.read(executed, as_version=4)
                code = [c for c in stored.cells if c.cell_type == "code"]
                ran = [c for c in computed.cells if c.cell_type == "code"]
                for index, (a, b) in enumerate(zip(code, ran, strict=True)):
                    if "nbval-ignore-output" in a.metadata.get("tags", []):
                        continue
                    need = required_tolerance(outputs_text(a), outputs_text(b))
                    if need:
                        needs.setdefault((notebook.name, index), {})[name] = need
                        shown = need if isinstance(need, str) else f"{need:.4g}"
                        print(f"{name}: {notebook.name} cell {index} needs {shown}", flush=True)
                print(f"{name}: {notebook.name} done", flush=True)
    if args.json:
        rows = [
            {"notebook": nb, "cell": cell, "path": path, "need": need}
            for (nb, cell), per_path in needs.items()
            for path, need in per_path.items()
        ]
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    return report(needs, args.write_tags)


def report(needs: dict, write: bool) -> int:
    """Print what each cell needs; with `write`, tag the cells a step can cover."""
    print("\nnotebook, code cell (nbval's number): tolerance needed per float path; tag now")
    to_fix, to_tag = [], {}
    for (name, index), per_path in sorted(needs.items()):
        shown = ", ".join(
            f"{p} {v if isinstance(v, str) else f'{v:.4g}'}" for p, v in per_path.items()
        )
        if index < 0:
            print(f"{name}: {shown}")
            to_fix.append(f"{name} (did not run)")
            continue
        notebook = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        cell = [c for c in notebook.cells if c.cell_type == "code"][index]
        print(f"{name} cell {index}: {shown}; tagged {cell_tolerance(cell.metadata):g}")
        values = per_path.values()
        if any(isinstance(v, str) for v in values) or tag_for(max(values)) is None:
            to_fix.append(f"{name} cell {index}")
        else:
            to_tag.setdefault(name, {})[index] = max(values)
    if write:
        for name, cells in to_tag.items():
            write_tags(ROOT / "notebooks" / name, cells)
        print(f"tags written: {sum(len(c) for c in to_tag.values())} cells")
    if to_fix:
        print("needs a person (words changed, numbers moved too far, or it failed):")
        print("  " + "; ".join(to_fix))
    return 1 if to_fix else 0


if __name__ == "__main__":
    sys.exit(main())
