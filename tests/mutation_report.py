"""Write the mutation-testing report (benchmarks/results/mutation.md) from mutmut's results.

Run by `make mutation` after `mutmut run`. For each core module: how many mutants mutmut made,
how many the unit tests killed, and the score. Every mutant that survived is listed with its
diff, either as "equivalent" (it cannot change behaviour; the reason is in
tests/mutation_equivalents.txt) or as "survived" (a test is missing: write one).
After a partial run (`mutmut run "embedlab.heads*"`), `--only heads` reports those modules and keeps
the other modules' rows and sections from the report as it stands, marked "(previous run)".
"""

import ast
import difflib
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.txt"
REPORT = ROOT / "benchmarks" / "results" / "mutation.md"
MUTMUT = str(Path(sys.executable).with_name("mutmut"))


def equivalents() -> dict[str, str]:
    """Mutant name -> reason, from lines `name  # reason` (blank lines and # comments skipped)."""
    reasons = {}
    for line in EQUIVALENTS.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition("#")
            reasons[name.strip()] = reason.strip()
    return reasons


def results() -> dict[str, str]:
    out = subprocess.run(
        [MUTMUT, "results", "--all", "true"], capture_output=True, text=True, cwd=ROOT, check=True
    ).stdout
    return dict(re.findall(r"^\s*(embedlab\.\S+): (.+)$", out, flags=re.MULTILINE))


def functions(module: str) -> dict[str, str]:
    """Source of every function in mutmut's copy of a module (mutants/embedlab/<module>.py)."""
    source = (ROOT / "mutants" / "embedlab" / f"{module}.py").read_text()
    tree = ast.parse(source)
    return {
        node.name: ast.get_source_segment(source, node)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def diff(name: str, sources: dict[str, str]) -> str:
    """The lines a mutant changes: its function against the original (mutmut names them
    x_<function>__mutmut_<n> and x_<function>__mutmut_orig)."""
    function = name.split(".", 2)[2]
    original = sources[function.rsplit("__mutmut_", 1)[0] + "__mutmut_orig"].splitlines()
    mutant = sources[function].splitlines()
    changed = difflib.unified_diff(original[1:], mutant[1:], lineterm="", n=0)
    return "\n".join(line for line in changed if line[:1] in "+-" and line[:3] not in "+++---")


def module_of(name: str) -> str:
    return name.split(".")[1]


def previous(modules_rerun: set[str]) -> tuple[list[str], list[str]]:
    """Table rows and survivor sections of the modules not re-run, from the report as it stands."""
    if not REPORT.exists():
        return [], []
    text = REPORT.read_text()
    rows = [
        line.replace(" |", " (previous run) |", 1)
        if "(previous run)" not in line
        else line
        for line in text.splitlines()
        if line.startswith("| ") and not line.startswith(("| module", "| ---"))
        and line.split("|")[1].strip().split(" ")[0] not in modules_rerun
    ]  # fmt: skip
    sections = [
        part
        for part in re.split(r"(?m)^(?=## )", text)
        if part.startswith("## ") and part.split(":")[0][3:].strip() not in modules_rerun
        and not part.startswith("## Listed")
    ]  # fmt: skip
    return rows, sections


def main() -> int:
    only = set(sys.argv[sys.argv.index("--only") + 1].split(",")) if "--only" in sys.argv else None
    status_by_mutant = results()
    if only:  # a partial run: report these modules, keep the others' previous results
        status_by_mutant = {n: s for n, s in status_by_mutant.items() if module_of(n) in only}
        kept_rows, kept_sections = previous(only)
    else:
        kept_rows, kept_sections = [], []
    reasons = equivalents()
    by_module: dict[str, Counter] = defaultdict(Counter)
    remarks: dict[str, list[str]] = defaultdict(list)
    sources = {module: functions(module) for module in {module_of(n) for n in status_by_mutant}}
    for name, status in sorted(status_by_mutant.items()):
        module = module_of(name)
        if status == "timeout":
            status = "killed"  # the tests did not pass: they hung on the mutant
        if status != "killed" and name in reasons:
            status = "equivalent"
        by_module[module][status] += 1
        if status != "killed":
            why = f": {reasons[name]}" if status == "equivalent" else ""
            remarks[module].append(
                f"- `{name}` **{status}**{why}\n\n```diff\n{diff(name, sources[module])}\n```\n"
            )
    not_killed = {n for n, s in status_by_mutant.items() if s != "killed"}
    stale = sorted(n for n in set(reasons) - not_killed if not only or module_of(n) in only)
    lines = [
        "# Mutation testing of embedlab's core modules",
        "",
        "Written by `make mutation` (mutmut; CONTRIBUTING.md). *Killed*: a unit test failed on the "
        "mutant. *Equivalent*: the mutant cannot change behaviour (reason given below). *Score*: "
        "killed / (mutants - equivalent).",
        "",
        "| module | mutants | killed | equivalent | survived | other | score |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    failing = False
    for module, counts in sorted(by_module.items()):
        total = sum(counts.values())
        other = total - counts["killed"] - counts["equivalent"] - counts["survived"]
        score = counts["killed"] / max(1, total - counts["equivalent"])
        failing |= score < 0.9
        lines.append(
            f"| {module} | {total} | {counts['killed']} | {counts['equivalent']} | "
            f"{counts['survived']} | {other} | {score:.1%} |"
        )
    lines += kept_rows
    lines += [
        "",
        "A mutant on which the tests hang (timeout) counts as killed. *Other*: no test reached "
        "the mutant, or a suspicious run."
        + (" Rows marked *(previous run)* were not re-run this time." if kept_rows else ""),
        "",
    ]
    for module in sorted(remarks):
        lines += [f"## {module}: mutants not killed", "", *remarks[module]]
    lines += [section.rstrip() + "\n" for section in kept_sections]
    if stale:
        lines += [
            "## Listed as equivalent but killed or gone",
            "",
            *[f"- `{n}`" for n in stale],
            "",
        ]
    REPORT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines[6 : 7 + len(by_module) + len(kept_rows)]))
    print(f"report: {REPORT.relative_to(ROOT)}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
