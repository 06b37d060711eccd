"""The widget every lesson ends with (introduced in lesson 1): controls, and a picture that follows.

`Playground(show, **controls)` puts the controls (ipywidgets sliders, checkboxes, dropdowns) on top
and, below them, what `show(**values)` makes of their current values: the matplotlib figure it draws
and the text it prints. `show` is a thin wrapper over a plain function that returns a dict of
numbers; that dict is `.result`, so a test can move a control and read the answer without a browser:

    playground.children[0].value = 0.1
    playground.result["accuracy"]

Why not `ipywidgets.interactive`? It draws through an `Output` widget. A notebook executed in batch
(nbconvert, papermill, Jupyter Book — all built on nbclient) then has nbclient mimic that Output
widget: it answers each output the callback makes with a comm message sent on the kernel's shell
channel, while it is itself waiting on that channel for the cell's reply. Sometimes the reply's
wake-up is lost and the run waits until its timeout or forever (nbclient issue 312; measured with
`scripts/soak_notebooks.py`). Here the figure is rendered to PNG bytes and set on an `Image` widget,
and the text on an `HTML` widget: state flows only from the kernel to the page, nothing needs an
answer, and the same figure shows in JupyterLab, Colab and a static site.

A Run All pressed the moment a lesson opens in the classic Notebook (6.5, widgetsnbextension 3.6:
the front end Colab's image ships) used to leave the playground blank; see `_ReShow`.
"""

from __future__ import annotations

import base64
import contextlib
import html
import inspect
import io
import threading
import weakref
from collections.abc import Callable

import ipywidgets as widgets
import matplotlib.pyplot as plt


class Playground(widgets.VBox):
    """Controls, then the figure and the printed text that `show(**values)` makes for them.

    show: called with one keyword per control (its current value). It may create matplotlib
        figures (do not call `plt.show()`) and print; it returns anything, kept as `.result`.
        An exception it raises is shown in the widget, where the learner is looking, and
        `.result` becomes None.
    controls: name → ipywidgets control with a `value`.
    """

    def __init__(self, show: Callable[..., object], dpi: int = 90, **controls: widgets.Widget):
        for name, control in controls.items():
            if not hasattr(control, "value"):
                raise TypeError(f"control {name!r} must be an ipywidgets control with a value")
        self.show = show
        self.controls = controls
        self.dpi = dpi
        self.text = widgets.HTML()
        self.image = widgets.Image(format="png")
        self.result: object = None
        super().__init__(children=[*controls.values(), self.text, self.image])
        self.add_class("embedlab-playground")
        for control in controls.values():
            control.observe(self.update, names="value")
        self.update()
        if hasattr(self, "on_displayed"):  # ipywidgets 7, whose classic front end needs _ReShow
            self.on_displayed(_ReShow.displayed)

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """The widget's bundle plus its current picture as image/png: front ends with a widget
        manager show the live widget (JupyterLab ranks the widget view first); a stored notebook,
        GitHub's preview and the course website (scripts/build_site.py) show the picture."""
        base = getattr(super(), "_repr_mimebundle_", None)
        if base is not None:
            bundle = base(**kwargs) or {}
        else:  # ipywidgets 7 (Colab's) displays through _ipython_display_: the same two entries
            bundle = {
                "text/plain": repr(self),
                "application/vnd.jupyter.widget-view+json": {
                    "version_major": 2, "version_minor": 0, "model_id": self._model_id,
                },
            }  # fmt: skip
        if self.image.value:
            bundle["image/png"] = base64.b64encode(bytes(self.image.value)).decode()
        return bundle

    @property
    def values(self) -> dict:
        """The controls' current values, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def update(self, change: dict | None = None) -> None:
        """Call `show` with the current values; redraw the figure and the text."""
        printed = io.StringIO()
        before = set(plt.get_fignums())
        with plt.ioff(), contextlib.redirect_stdout(printed):
            try:
                self.result = self.show(**self.values)
            except Exception as error:  # shown to the learner, not sent to a log console
                self.result = None
                print(f"Callback failed - {type(error).__name__}: {error}")
        figures = [plt.figure(n) for n in plt.get_fignums() if n not in before]
        png = _png(figures[-1], self.dpi) if figures else b""
        self.image.value = png
        self.image.layout.display = None if figures else "none"
        # Show the picture at its own size (pages would otherwise stretch it to their width).
        self.image.layout.width = f"{int.from_bytes(png[16:20], 'big')}px" if figures else None
        for figure in figures:
            plt.close(figure)
        text = printed.getvalue().strip()
        self.text.value = f"<pre>{html.escape(text)}</pre>" if text else ""


def _png(figure, dpi: int) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


class _ReShow:
    """Show a playground again after the classic Notebook's widget manager blanked it.

    The manager asks the kernel which widgets exist when a notebook opens (a comm_info_request,
    after its "jupyter.widget.control" comm is refused by a kernel that has not imported
    ipywidgets yet). A Run All pressed at once queues that question behind every cell; its late
    answer makes the manager re-render each cell that shows a widget (`render_cell_output`) from
    a shallow copy of its outputs. Clearing the old view runs the view's 'remove' handler, which
    sets `model_id = ''` in the very output data the copy re-renders, so the widget is hidden for
    good. The kernel sees that late question: from the page (session) that ran the playground's
    cell, after the playground was shown. It then replaces that cell's outputs by the playground,
    `DELAY` seconds later (the re-render runs within milliseconds of the answer). A page whose
    manager asked in time, another tab and nbclient never meet the condition; with ipywidgets 8
    (JupyterLab) there is no `on_displayed`, so nothing is watched. Elsewhere the worst it can do
    is replace a widget cell's outputs by the same playground.
    """

    DELAY = 1.0  # seconds after the late question
    shown: list = []  # (weak reference to a playground, the request of the cell that showed it)
    watched: weakref.WeakSet = weakref.WeakSet()  # kernels whose comm_info requests are watched

    @classmethod
    def displayed(cls, playground: Playground, **kwargs) -> None:
        kernel = _kernel()
        if kernel is None or not hasattr(kernel, "get_parent"):
            return
        cls.watch(kernel)
        cls.shown.append((weakref.ref(playground), kernel.get_parent("shell")))

    @classmethod
    def watch(cls, kernel) -> None:
        """Wrap the kernel's comm_info_request handler (once) to notice the manager's question."""
        handlers = getattr(kernel, "shell_handlers", None)
        if kernel in cls.watched or not handlers or "comm_info_request" not in handlers:
            return
        answer = handlers["comm_info_request"]

        async def comm_info_request(stream, ident, parent):
            result = answer(stream, ident, parent)
            if inspect.isawaitable(result):
                await result
            if (parent.get("content") or {}).get("target_name") == "jupyter.widget":
                cls.asked(kernel, parent)

        handlers["comm_info_request"] = comm_info_request
        cls.watched.add(kernel)

    @classmethod
    def asked(cls, kernel, question: dict) -> None:
        """The widget manager of `question`'s page asked: show its earlier playgrounds again."""
        session = _session(question)
        again = [(ref(), cell) for ref, cell in cls.shown if session and _session(cell) == session]
        cls.shown = [(ref, cell) for ref, cell in cls.shown if _session(cell) != session]
        again = [(playground, cell) for playground, cell in again
                 if playground is not None and playground.comm is not None]  # fmt: skip
        if again:
            timer = threading.Timer(cls.DELAY, cls.show_again, (kernel, again))
            timer.daemon = True
            timer.start()

    @staticmethod
    def show_again(kernel, again: list) -> None:
        """Replace the outputs of each playground's cell by the playground: clear, then show.

        Clearing first leaves exactly one playground whether or not the re-render blanked it (a
        view still being created when the re-render ran escapes the blanking). Anything else the
        cell printed is lost; the lessons' widget cells print nothing else.
        """
        for playground, cell in again:
            data = {
                "text/plain": repr(playground),
                "application/vnd.jupyter.widget-view+json": {
                    "version_major": 2, "version_minor": 0, "model_id": playground.model_id,
                },
            }  # fmt: skip
            for msg_type, content in [
                ("clear_output", {"wait": True}),
                ("display_data", {"data": data, "metadata": {}, "transient": {}}),
            ]:
                topic = kernel._topic(msg_type)
                kernel.session.send(kernel.iopub_socket, msg_type, content, cell, ident=topic)


def _kernel():
    """The ipykernel kernel running this code, or None (a script, a test)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipywidgets needs IPython
        return None
    return getattr(get_ipython(), "kernel", None)


def _session(message: dict | None) -> str | None:
    return ((message or {}).get("header") or {}).get("session")
