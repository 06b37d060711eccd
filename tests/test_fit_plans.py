from types import SimpleNamespace

import numpy as np
import pytest
import torch
from sklearn.datasets import make_blobs

import embedlab.fit_plans
from embedlab.fit_plans import (
    batch_size_for,
    fit_early_stopping,
    fit_with_folds,
    network_scores,
    validation_split,
)
from embedlab.heads import HeadNetwork


def settings(**changes):
    """The training settings the plans read, small enough for tests."""
    values = dict(
        epochs=5, lr=1e-2, alpha=0.0, batch_size="auto", tol=1e-4, n_iter_no_change=2,
        validation_fraction=0.2, verbose=False, device="cpu",
    )  # fmt: skip
    return SimpleNamespace(**{**values, **changes})


def build(n_features, n_classes, seed):
    return HeadNetwork(n_features, (8,), n_classes, "fixed", seed=seed)


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(90, 3, centers=3, random_state=0)
    return X, y


@pytest.mark.parametrize(
    "batch_size, n, expected",
    [(None, 300, 300), ("auto", 150, 150), ("auto", 300, 200), (7, 300, 7)],
)
def test_batch_size_for_each_setting(batch_size, n, expected):
    assert batch_size_for(settings(batch_size=batch_size), n) == expected


def test_the_validation_split_is_stratified_and_holds_a_row_per_class():
    y = np.repeat(np.arange(5), 4)  # 20 rows, 5 classes: 10 % would be 2 rows
    X = np.arange(20.0)[:, None]
    _, X_val, _, y_val = validation_split(0.1, X, y, seed=0)
    assert sorted(y_val) == [0, 1, 2, 3, 4]
    y_single = np.array([0] * 19 + [1])  # a class of one row cannot be stratified
    _, X_val, _, _ = validation_split(0.1, X, y_single, seed=0)
    assert len(X_val) == 2


def test_each_out_of_fold_score_comes_from_the_network_that_never_saw_the_row(monkeypatch, blobs):
    X, y = blobs
    calls = []
    real = embedlab.fit_plans.fit_stacked

    def spy(networks, X_all, y_all, parts, **kwargs):
        calls.append(parts.numpy().copy())
        return real(networks, X_all, y_all, parts, **kwargs)

    monkeypatch.setattr(embedlab.fit_plans, "fit_stacked", spy)
    model, log, (scores, labels), folds = fit_with_folds(settings(), build, X, y, 3, seed=0)
    ((parts,),) = [calls]  # 90 rows, one batch: the four networks at once
    assert parts.shape == (4, 90) and parts[0].all() and len(folds) == 3
    assert len(log.loss_curve) == 5 and np.array_equal(labels, y)
    for row in range(90):
        (unseen,) = np.flatnonzero(~parts[1:, row])  # exactly one fold network left it out
        expected = network_scores(folds[unseen], X[row : row + 1]).numpy()[0]
        np.testing.assert_allclose(scores[row], expected)
    assert model is not folds[0] and all(p.dtype == torch.float64 for p in model.parameters())


@pytest.mark.parametrize("retrain", [True, False])
def test_early_stopping_retrains_below_a_size_and_keeps_the_stopping_run_beside(
    monkeypatch, blobs, retrain
):
    X, y = blobs
    monkeypatch.setattr(embedlab.fit_plans, "RETRAIN_BELOW_N", 1_000 if retrain else 50)
    model, log, (scores, labels), others = fit_early_stopping(settings(), build, X, y, 3, seed=0)
    assert scores.shape == (18, 3) and len(labels) == 18  # the 20 % slice
    assert len(others) == (1 if retrain else 0)
    assert len(log.loss_curve) == (log.best_epoch if retrain else len(log.validation_scores))
