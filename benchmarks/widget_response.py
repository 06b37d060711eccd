"""How long does each lesson widget take to answer a change of one control?

The unit tests check that a change re-runs the callback with the new settings (see
tests/test_widgets.py); how fast that is depends on the machine and its load, so it is measured
here, by `make bench`. Prints the median of a few changes per widget, in seconds.
"""

import os
import statistics
import time

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib.pyplot as plt  # noqa: E402

from embedlab import load_split, widgets  # noqa: E402

REPEATS = 3


def controls(widget):
    return {child.description: child for child in widget.children[:-1]}


def median_response(widget, control, values):
    times = []
    for value in values[:REPEATS]:
        start = time.perf_counter()
        controls(widget)[control].value = value
        times.append(time.perf_counter() - start)
        plt.close("all")
    return statistics.median(times)


def main():
    iris = load_split("iris")
    cases = [
        ("softmax_widget", widgets.softmax_widget(iris), "seed", [1, 2, 3]),
        ("codebook_widget", widgets.codebook_widget(iris), "seed", [1, 2, 3]),
        ("gaussian_widget", widgets.gaussian_widget(iris), "seed", [1, 2, 3]),
        ("learned_embedding_widget", widgets.learned_embedding_widget(iris), "method",
         ["cosine", "distance_ce", "mse"]),
        ("many_classes_widget", widgets.many_classes_widget(), "code dim", [32, 8, 64]),
    ]  # fmt: skip
    print("| widget | control | median seconds per change |\n| --- | --- | --- |")
    for name, widget, control, values in cases:
        print(f"| {name} | {control} | {median_response(widget, control, values):.3f} |")


if __name__ == "__main__":
    main()
