"""Lesson 7's playground: pick K, the code dimension and an output layer, train, and compare.

`glyph_playground` trains a small `GlyphNet` (body 400 → 128 → 64) on K glyph classes and returns
its scores beside the output-layer parameters it used; `glyph_widget` puts sliders on it. The
glyph data for each K is loaded once per session.
"""

import functools

import ipywidgets as widgets
import matplotlib.pyplot as plt

from embedlab.glyphs import GlyphSplit, homoglyph_groups, load_glyphs
from embedlab.heads import HEADS
from embedlab.many_classes import METHODS, evaluate, fit_glyph_net, glyph_head
from embedlab.playground import Playground

HIDDEN = 64


@functools.cache
def _glyphs(n_classes: int) -> tuple[GlyphSplit, tuple[int, ...]]:
    split = load_glyphs(n_classes, n_jitters=2, seed=0)
    return split, tuple(homoglyph_groups(split.characters).tolist())


def glyph_playground(n_classes: int = 20, dim: int = 16, method: str = "cosine",
                     epochs: int = 8) -> dict:  # fmt: skip
    """Train `method` with code dimension `dim` on `n_classes` glyph classes; return test
    accuracy (plain, up to homoglyphs, top-5) and the output layer's parameters next to what a
    softmax layer would need for the same K."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    split, groups = _glyphs(n_classes)
    model = fit_glyph_net(
        split, method, dim, epochs, batch_size=64, lr=5e-3, hidden=HIDDEN, width=128
    )
    result = evaluate(model, split, list(groups))
    result["output_parameters"] = model.head.n_parameters()
    result["softmax_parameters"] = glyph_head("softmax", HIDDEN, n_classes).n_parameters()
    return result


def glyph_widget() -> Playground:
    """Sliders for K and d and a method menu over `glyph_playground`; draws its result."""

    def show(n_classes, dim, method):
        result = glyph_playground(n_classes, dim, method)
        share = result["output_parameters"] / result["softmax_parameters"]
        setting = f"{method}, K = {n_classes}" + (f", d = {dim}" if HEADS[method].has_dim else "")
        note = "" if HEADS[method].has_dim else " (d does not apply: one output per class)"
        print(
            f"{setting}{note}:\n"
            f"  test accuracy {result['accuracy']:.3f} · up to homoglyphs "
            f"{result['homoglyph_accuracy']:.3f} · top-5 {result['top5']:.3f}\n"
            f"  output layer: {result['output_parameters']:,} parameters "
            f"({share:.2f} × softmax's {result['softmax_parameters']:,})"
        )
        fig, (left, right) = plt.subplots(1, 2, figsize=(8, 2.8))
        names = ["plain", "up to\nhomoglyphs", "top-5"]
        left.bar(names, [result[k] for k in ("accuracy", "homoglyph_accuracy", "top5")])
        left.set_ylim(0, 1)
        left.set_ylabel("test accuracy")
        right.bar([method, "softmax"], [result["output_parameters"], result["softmax_parameters"]])
        right.set_ylabel("output-layer parameters")
        fig.suptitle(f"{setting}: a short run (8 epochs), not converged", fontsize="medium")
        fig.tight_layout()
        return result

    dim = widgets.IntSlider(16, min=2, max=64, step=2, description="code dim d")
    method = widgets.Dropdown(options=METHODS, value="cosine", description="method")

    def grey_out(change=None):  # softmax and the label embedding have no code dimension
        dim.disabled = not HEADS[method.value].has_dim

    method.observe(grey_out, names="value")
    grey_out()
    return Playground(
        show,
        n_classes=widgets.IntSlider(20, min=10, max=200, step=10, description="K"),
        dim=dim,
        method=method,
    )
