"""The Playground widget: controls drive a plain function; its figure, text and result follow."""

import base64

import ipywidgets
import matplotlib.pyplot as plt
import pytest

from embedlab.playground import Playground


def draw(x, label):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, x])
    print(f"{label}: x = {x} <b>")
    if x > 2:
        raise ValueError("x too large")
    return {"x": x}


def make():
    return Playground(draw, x=ipywidgets.IntSlider(1, 0, 3), label=ipywidgets.Text("line"))


def test_first_drawing_happens_on_construction():
    w = make()
    assert w.result == {"x": 1}
    assert bytes(w.image.value).startswith(b"\x89PNG")
    assert w.text.value == "<pre>line: x = 1 &lt;b&gt;</pre>"  # printed text is escaped
    # shown at its own size: the PNG's width (a 2-inch figure at 90 dpi, trimmed to its ink)
    width = int.from_bytes(bytes(w.image.value)[16:20], "big")
    assert w.image.layout.width == f"{width}px" and 150 < width < 250


def test_moving_a_control_recomputes_and_redraws():
    w = make()
    first_png = w.image.value
    w.children[0].value = 2
    assert w.result == {"x": 2}
    assert bytes(w.image.value) != bytes(first_png)
    assert bytes(w.image.value).startswith(b"\x89PNG")
    w.controls["label"].value = "other"
    assert "other: x = 2" in w.text.value


def test_figures_are_closed_after_drawing():
    before = plt.get_fignums()
    w = make()
    w.children[0].value = 0
    assert plt.get_fignums() == before


def test_an_error_is_shown_inside_the_widget_and_clears_the_result():
    w = make()
    w.children[0].value = 3
    assert w.result is None
    assert "Callback failed - ValueError: x too large" in w.text.value
    w.children[0].value = 1
    assert w.result == {"x": 1} and "Callback failed" not in w.text.value


def test_no_figure_hides_the_image():
    w = Playground(lambda n: n * 2, n=ipywidgets.IntSlider(1, 0, 3))
    assert w.result == 2 and bytes(w.image.value) == b"" and w.image.layout.display == "none"
    assert w.text.value == ""


def test_children_are_the_controls_then_text_then_image():
    w = make()
    assert w.children[:2] == tuple(w.controls.values())
    assert w.children[2:] == (w.text, w.image)
    assert "embedlab-playground" in w._dom_classes


def test_a_control_without_a_value_is_refused():
    with pytest.raises(TypeError, match="control 'box'"):
        Playground(draw, box=ipywidgets.VBox())


def shell_sends_while_executing(cell_source: str) -> int:
    """Execute a one-widget notebook with nbclient (as nbconvert, papermill and Jupyter Book do)
    and count the comm messages nbclient sends to the kernel's shell channel meanwhile."""
    import nbclient
    import nbformat
    from nbclient import output_widget

    sends = []
    original = output_widget.OutputWidget.send

    def counting_send(self, *args, **kwargs):
        sends.append(1)
        return original(self, *args, **kwargs)

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell_source)])
    output_widget.OutputWidget.send = counting_send
    try:
        nbclient.NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    finally:
        output_widget.OutputWidget.send = original
    return len(sends)


WIDGET_CELL = """
import ipywidgets as widgets
import matplotlib.pyplot as plt
{imports}

def show(a):
    fig, ax = plt.subplots()
    ax.plot([0, a])
    print("a =", a)
    {show_line}
    return a

{make}(show, a=widgets.IntSlider(1, 0, 3))
"""


def test_a_batch_executor_sends_nothing_to_the_kernel_while_a_playground_draws():
    playground = WIDGET_CELL.format(
        imports="from embedlab.playground import Playground", show_line="", make="Playground"
    )
    assert shell_sends_while_executing(playground) == 0
    # ipywidgets.interactive draws through an Output widget: nbclient answers each of its outputs
    # on the shell channel while it waits there for the cell's reply (nbclient issue 312).
    interactive = WIDGET_CELL.format(imports="", show_line="plt.show()", make="widgets.interactive")
    assert shell_sends_while_executing(interactive) >= 1


def test_the_display_bundle_carries_the_current_picture_for_static_pages():
    w = Playground(lambda n: plt.plot([0, n]), n=ipywidgets.IntSlider(1, 0, 3))
    bundle = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == w.image.value
    assert bytes(w.image.value).startswith(b"\x89PNG")
    w.children[0].value = 3
    assert base64.b64decode(w._repr_mimebundle_()["image/png"]) == w.image.value


def test_a_playground_without_a_picture_adds_no_image():
    w = Playground(lambda n: print(n), n=ipywidgets.IntSlider(1, 0, 3))
    assert "image/png" not in w._repr_mimebundle_()
