import math

import pytest
import torch
from torch import nn

import embedlab.fitting
from embedlab import mlp, train
from embedlab.fitting import GPU_MIN_STEP_FLOPS, fit_network, in_chunks, resolve_device


def data(n=50, seed=0):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 3, generator=generator)
    return X, (X[:, 0] > 0).long() + (X[:, 1] > 0).long()


def fresh_model(seed=0):
    torch.manual_seed(seed)
    return mlp(3, (8,), 3)


def test_full_batch_does_exactly_what_train_does():
    X, y = data()
    expected = train(fresh_model(), X, y, nn.CrossEntropyLoss(), epochs=30, lr=1e-2).loss
    log = fit_network(
        fresh_model(), nn.CrossEntropyLoss(), X, y, epochs=30, lr=1e-2, batch_size=len(X),
        n_iter_no_change=30,
    )  # fmt: skip
    assert log.loss_curve == expected


def test_mini_batches_match_a_hand_written_loop():
    X, y = data()
    model = fresh_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    torch.manual_seed(1)
    expected = []
    for _ in range(5):
        order, total = torch.randperm(50), 0.0
        for start in range(0, 50, 16):
            batch = order[start : start + 16]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(X[batch]), y[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch) / 50
        expected.append(total)
    same_start = fresh_model()
    torch.manual_seed(1)
    log = fit_network(same_start, nn.CrossEntropyLoss(), X, y, epochs=5, lr=1e-2, batch_size=16)
    assert log.loss_curve == pytest.approx(expected, rel=1e-5)


def test_without_validation_the_whole_budget_runs():
    X, y = data()

    def flat_loss(output, y):  # 1.0 whatever the weights
        return output.sum() * 0.0 + 1.0

    log = fit_network(
        fresh_model(), flat_loss, X, y, epochs=12, lr=1e-2, batch_size=50, n_iter_no_change=3
    )
    assert log.n_iter == 12 and log.loss_curve == [1.0] * 12 and not log.converged


def test_early_stopping_keeps_the_best_epoch():
    X, y = data()
    model = fresh_model()
    scripted = iter([0.5, 0.7, 0.6, 0.7, 0.65, 0.9])
    snapshots = []

    def validation_score(model):
        assert not model.training and not torch.is_grad_enabled()
        snapshots.append(model[0].weight.detach().clone())
        return next(scripted)

    log = fit_network(
        model, nn.CrossEntropyLoss(), X, y, epochs=100, lr=1e-2, batch_size=50,
        n_iter_no_change=3, validation_score=validation_score,
    )  # fmt: skip
    # 0.7 at epoch 2 is the best; 0.6, 0.7 (not better by tol), 0.65 are three stale epochs
    assert log.validation_scores == [0.5, 0.7, 0.6, 0.7, 0.65] and log.converged
    assert log.n_iter == 5 and torch.equal(model[0].weight, snapshots[1])
    scripted = iter([0.1, 0.2, 0.3, 0.4])
    log = fit_network(
        fresh_model(), nn.CrossEntropyLoss(), X, y, epochs=4, lr=1e-2, batch_size=50,
        validation_score=lambda model: next(scripted),
    )  # fmt: skip
    assert log.n_iter == 4 and not log.converged  # the budget ran out first


def test_a_loss_that_becomes_nan_stops_training():
    X, y = data()
    with pytest.raises(FloatingPointError, match="lr"):
        fit_network(
            fresh_model(), lambda out, y: out.sum() * math.nan, X, y, epochs=3, lr=1e-2,
            batch_size=50,
        )  # fmt: skip


def test_verbose_shows_the_loss_in_a_progress_bar(capsys):
    X, y = data()
    fit_network(
        fresh_model(), nn.CrossEntropyLoss(), X, y, epochs=3, lr=1e-2, batch_size=50,
        verbose=True,
    )  # fmt: skip
    err = capsys.readouterr().err
    assert "training" in err and "loss=" in err and "3/3" in err
    fit_network(fresh_model(), nn.CrossEntropyLoss(), X, y, epochs=3, lr=1e-2, batch_size=50)
    assert capsys.readouterr().err == ""


def test_in_chunks_cuts_the_rows(monkeypatch):
    monkeypatch.setattr(embedlab.fitting, "PREDICT_CHUNK", 4)
    calls = []

    def double(x):
        calls.append(len(x))
        return 2 * x

    X = torch.arange(10.0)[:, None]
    assert torch.equal(in_chunks(double, X, torch.device("cpu")), 2 * X)
    assert calls == [4, 4, 2]


def test_devices():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    assert resolve_device("cpu").type == "cpu"
    assert resolve_device("cuda").type == "cuda"  # a name, not a check that one exists
    with pytest.raises(ValueError, match="device must be 'auto', 'cpu' or 'cuda', got 'gpu0'"):
        resolve_device("gpu0")


@pytest.mark.parametrize(
    "gpu, step_flops, expected",
    [
        (True, None, "cuda"),  # no size given: as large
        (True, GPU_MIN_STEP_FLOPS, "cuda"),  # the threshold itself is large enough
        (True, GPU_MIN_STEP_FLOPS - 1, "cpu"),  # a step too small to gain from a GPU
        (True, 6 * 200 * 11_803, "cpu"),  # the estimator's default network on 200 rows a step
        (False, 1e12, "cpu"),  # no GPU: the CPU, however large
    ],
)
def test_auto_uses_a_gpu_only_for_steps_large_enough_to_gain(
    monkeypatch, gpu, step_flops, expected
):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: gpu)
    assert resolve_device("auto", step_flops).type == expected
    assert resolve_device("cpu", 1e12).type == "cpu"  # a named device is never overruled


def test_patience_counts_epochs_without_improvement_from_the_first():
    X, y = data()
    scores = iter([0.5, 0.4, 0.3, 0.2, 0.1, 0.0] + [0.0] * 20)
    log = fit_network(
        fresh_model(), nn.CrossEntropyLoss(), X, y, epochs=30, lr=1e-2, batch_size=len(X),
        n_iter_no_change=3, validation_score=lambda model: next(scores),
    )  # fmt: skip
    assert log.n_iter == 4 and log.converged  # the best epoch, then 3 without improvement
    assert log.best_epoch == 1
    never = fit_network(
        fresh_model(), nn.CrossEntropyLoss(), X, y, epochs=30, lr=1e-2, batch_size=len(X),
        validation_score=lambda model: 0.5,
    )  # fmt: skip
    assert never.n_iter == 11  # n_iter_no_change defaults to 10


def test_weight_decay_reaches_adam():
    X, y = data()
    plain, decayed = fresh_model(), fresh_model()
    for model, decay in ((plain, 0.0), (decayed, 0.5)):
        fit_network(
            model, nn.CrossEntropyLoss(), X, y, epochs=20, lr=1e-2, batch_size=len(X),
            weight_decay=decay,
        )  # fmt: skip
    norm = {name: sum(p.norm() ** 2 for p in m.parameters()).item()
            for name, m in (("plain", plain), ("decayed", decayed))}  # fmt: skip
    assert norm["decayed"] < 0.9 * norm["plain"]


def test_fit_log_best_epoch_is_the_first_best_or_every_epoch():
    log = embedlab.fitting.FitLog(loss_curve=[1.0] * 4, validation_scores=[0.5, 0.7, 0.7, 0.6])
    assert log.best_epoch == 2
    assert embedlab.fitting.FitLog(loss_curve=[1.0] * 4).best_epoch == 4


@pytest.mark.parametrize(
    "change, message",
    [
        ({"batch_size": 0}, "batch_size must be 'auto', None"),
        ({"batch_size": True}, "batch_size must be"),
        ({"early_stopping": "yes"}, "early_stopping must be 'auto', True or False"),
        ({"validation_fraction": 1.0}, r"validation_fraction must be a number in \(0, 1\)"),
        ({"n_iter_no_change": 0}, "n_iter_no_change must be an integer >= 1"),
        ({"tol": -1e-4}, "tol must be a finite number >= 0"),
        ({"temperature": 0}, "temperature must be 'auto' or a finite number > 0"),
        ({"temperature": True}, "temperature must be"),
        ({"alpha": float("inf")}, "alpha must be a finite number >= 0"),
        ({"device": 3.5}, "device must be 'auto', 'cpu' or 'cuda'"),
    ],
)
def test_impossible_fit_settings_are_named(change, message):
    from embedlab.fitting import check_fit_settings

    settings = dict(
        batch_size="auto", early_stopping="auto", validation_fraction=0.1, n_iter_no_change=20,
        tol=1e-4, device="cpu", temperature="auto", alpha=0.0,
    )  # fmt: skip
    check_fit_settings(**settings)  # the defaults pass
    with pytest.raises(ValueError, match=message):
        check_fit_settings(**{**settings, **change})
