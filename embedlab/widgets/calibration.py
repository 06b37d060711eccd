"""Lesson 6's playground: move a classifier's temperature and watch its reliability diagram."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from embedlab.calibration import (
    expected_calibration_error,
    softmax_with_temperature,
    temperature_log_loss,
)
from embedlab.playground import Playground
from embedlab.plots import plot_reliability

TEMPERATURES = (0.03, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0)


def temperature_demo(scores, y_index, temperature: float) -> dict:
    """Probabilities softmax(scores / temperature) of (n, K) class scores and how honest they are
    for the true class indices y_index (n,): log loss, ECE, and accuracy (no temperature moves it).
    """
    proba = softmax_with_temperature(scores, temperature)
    y_index = np.asarray(y_index)
    return {
        "proba": proba,
        "log_loss": temperature_log_loss(scores, y_index, temperature),
        "ece": expected_calibration_error(y_index, proba),
        "accuracy": float((proba.argmax(axis=1) == y_index).mean()),
    }


def temperature_widget(scores, y_index, fitted: float, name: str = "") -> Playground:
    """A slider over temperatures (the fitted one included) for one model's test-set scores."""
    options = tuple(sorted({*TEMPERATURES, round(float(fitted), 3)}))

    def show(temperature):
        result = temperature_demo(scores, y_index, temperature)
        fig, ax = plt.subplots(figsize=(4.8, 4.5))
        plot_reliability(y_index, result["proba"], ax=ax, label=f"T = {temperature:g}")
        ax.set_title(
            f"{name} log loss {result['log_loss']:.3f}, accuracy {result['accuracy']:.3f}".strip()
        )
        return result

    slider = widgets.SelectionSlider(
        options=options, value=round(float(fitted), 3), description="temperature"
    )
    return Playground(show, temperature=slider)
