"""Static stand-ins for the lessons' widgets on the course website (`make site`).

A stored notebook keeps a widget's text form and, for a Playground, the picture it showed when the
notebook ran (its display adds image/png); `finish_notebooks.py` drops the live state. The site
uses that stored picture. For a widget cell stored without one, this module builds the same
playground at its default settings, in this process and without a Jupyter kernel, and returns its
picture (`Playground.image.value`, a PNG) and printed text; for every widget cell, a sentence on
what it does when live (the first paragraph of the widget function's docstring).

Only what the call needs is run: the notebook's import statements and, for each name passed to the
widget (e.g. `split`), the last top-level `name = ...` statement before the widget cell (and,
recursively, the names that statement uses). Nothing else in the notebook is executed; every other
output on the site is the stored one. Pictures are cached under build/site-cache, keyed by the
statements run and the embedlab sources, so a rebuild with nothing changed trains nothing.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "site-cache"
WIDGET_REPR = re.compile(r"^(interactive|Playground|VBox)\(")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@dataclass
class StandIn:
    png: bytes  # the playground's picture at its default settings (may be empty)
    text: str  # what it printed, if anything
    sentence: str  # what it does when live


def _statements(source: str) -> list[ast.stmt]:
    """Top-level statements of a code cell; [] when it is not plain Python (magics, shell)."""
    try:
        return ast.parse(source).body
    except SyntaxError:
        return []


def widget_call(source: str) -> ast.Call | None:
    """The cell's last statement when it is a call to a name from embedlab.widgets."""
    body = _statements(source)
    if not body or not isinstance(body[-1], ast.Expr) or not isinstance(body[-1].value, ast.Call):
        return None
    call = body[-1].value
    if not isinstance(call.func, ast.Name):
        return None
    import embedlab.widgets

    return call if hasattr(embedlab.widgets, call.func.id) else None


def shows_widget(cell: dict) -> bool:
    """A stored output that is a widget's text form or view (a static page cannot show it)."""
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        text = "".join(data.get("text/plain", ""))
        if WIDGET_VIEW in data or WIDGET_REPR.match(text):
            return True
    return False


def _free_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _needed_statements(earlier: list[str], call: ast.Call) -> list[ast.stmt]:
    """Imports of the notebook, then the assignments the call's names need, in notebook order."""
    statements = [s for source in earlier for s in _statements(source)]
    imports = [s for s in statements if isinstance(s, ast.Import | ast.ImportFrom)]
    bound = {a.asname or a.name.split(".")[0] for s in imports for a in s.names}
    chosen: dict[int, ast.stmt] = {}
    todo = sorted(_free_names(call) - bound - set(dir(builtins)))
    while todo:
        name = todo.pop()
        for index in range(len(statements) - 1, -1, -1):
            statement = statements[index]
            targets = statement.targets if isinstance(statement, ast.Assign) else []
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                if index not in chosen:
                    chosen[index] = statement
                    todo += sorted(_free_names(statement.value) - bound - set(dir(builtins)))
                break
        else:
            raise LookupError(f"no top-level assignment of {name!r} before the widget cell")
    return imports + [chosen[i] for i in sorted(chosen)]


def _sentence(function) -> str:
    doc = " ".join((function.__doc__ or "").split("\n\n")[0].split())
    return doc or "Controls that change the settings; the picture redraws."


def _embedlab_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "embedlab").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def stand_in(earlier: list[str], source: str, draw: bool = True) -> StandIn:
    """Build the widget of `source` at its defaults, given the code cells before it; with
    draw=False only the sentence is filled in (the notebook stored the picture)."""
    import embedlab.widgets

    call = widget_call(source)
    if call is None:
        raise ValueError(f"not a call to an embedlab.widgets function: {source!r}")
    if not draw:
        return StandIn(b"", "", _sentence(getattr(embedlab.widgets, call.func.id)))
    program = ast.Module(body=_needed_statements(earlier, call), type_ignores=[])
    key = hashlib.sha256(
        (ast.unparse(program) + ast.unparse(call) + _embedlab_fingerprint()).encode()
    ).hexdigest()[:20]
    sentence = _sentence(getattr(embedlab.widgets, call.func.id))
    cached = CACHE / f"{key}.json"
    if cached.exists():
        stored = json.loads(cached.read_text())
        return StandIn(bytes.fromhex(stored["png"]), stored["text"], sentence)
    import matplotlib

    matplotlib.use("Agg")
    namespace: dict = {}
    exec(compile(program, "<notebook statements>", "exec"), namespace)
    widget = eval(compile(ast.Expression(call), "<widget cell>", "eval"), namespace)
    text = html.unescape(re.sub(r"</?pre>", "", widget.text.value)).strip()
    result = StandIn(bytes(widget.image.value), text, sentence)
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps({"png": result.png.hex(), "text": result.text}))
    return result
