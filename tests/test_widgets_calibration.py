"""Lesson 6's temperature playground."""

import numpy as np
import pytest

from embedlab.widgets import temperature_demo, temperature_widget

SCORES = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 3.0], [1.0, 0.0, 0.0]])
Y = np.array([0, 1, 2, 1])


def test_temperature_demo_matches_a_hand_computed_log_loss():
    result = temperature_demo(SCORES, Y, 1.0)
    p = np.exp(SCORES) / np.exp(SCORES).sum(axis=1, keepdims=True)
    assert result["log_loss"] == pytest.approx(-np.log(p[np.arange(4), Y]).mean())
    assert result["accuracy"] == 0.75


def test_temperature_changes_confidence_not_predictions():
    sharp, soft = temperature_demo(SCORES, Y, 0.1), temperature_demo(SCORES, Y, 10.0)
    assert sharp["accuracy"] == soft["accuracy"] == 0.75
    assert sharp["proba"].max(axis=1).min() > 0.99 and soft["proba"].max(axis=1).max() < 0.5


def test_widget_starts_at_the_fitted_temperature_and_follows_the_slider():
    w = temperature_widget(SCORES, Y, fitted=0.777)
    assert w.controls["temperature"].value == 0.777
    assert w.result["log_loss"] == pytest.approx(temperature_demo(SCORES, Y, 0.777)["log_loss"])
    w.controls["temperature"].value = 3.0
    assert w.result["log_loss"] == pytest.approx(temperature_demo(SCORES, Y, 3.0)["log_loss"])
    assert bytes(w.image.value).startswith(b"\x89PNG")
