import pytest
import torch
from torch import nn

from embedlab.models import mlp
from embedlab.seeding import seed_everything
from embedlab.training import OPTIMIZERS, History, train


def fit(iris, **kwargs):
    seed_everything(0)
    model = mlp(4, (16,), 3)
    return model, train(model, iris.X_train, iris.y_train, nn.CrossEntropyLoss(), **kwargs)


def test_full_batch_training_lowers_the_loss(iris):
    _, history = fit(iris, epochs=100, lr=1e-2)
    assert len(history.loss) == 100
    assert history.loss[-1] < 0.5 * history.loss[0]


def test_mini_batch_training_lowers_the_loss_and_is_repeatable(iris):
    _, first = fit(iris, epochs=30, lr=1e-2, batch_size=8)
    _, second = fit(iris, epochs=30, lr=1e-2, batch_size=8)
    assert first.loss == second.loss
    assert first.loss[-1] < 0.5 * first.loss[0]


def test_sgd_optimizer_and_metric_every_few_epochs(iris):
    def test_accuracy(model):
        return (model(iris.X_test).argmax(1) == iris.y_test).float().mean()

    model, history = fit(
        iris, epochs=25, lr=0.1, optimizer="sgd", metric=test_accuracy, eval_every=10
    )
    assert history.metric_epochs == [0, 10, 20, 24]
    assert history.metric[-1] > 0.7
    assert not model.training  # left in eval mode
    frame = history.to_frame()
    assert set(frame["name"]) == {"loss", "metric"} and len(frame) == 25 + 4


def test_progress_bar_can_be_shown(iris, capsys):
    _, history = fit(iris, epochs=3, progress=True)
    assert isinstance(history, History)


def test_nan_loss_raises_a_clear_error(iris):
    model = mlp(4, (16,), 3)

    def exploding(output, y):
        return output.sum() * float("nan")

    with pytest.raises(FloatingPointError, match="epoch 0.*smaller lr"):
        train(model, iris.X_train, iris.y_train, exploding, epochs=5)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"epochs": 0}, "epochs"),
        ({"epochs": 2.5}, "epochs"),
        ({"lr": 0}, "lr"),
        ({"lr": -1e-3}, "lr"),
        ({"lr": float("nan")}, "lr"),
        ({"batch_size": 0}, "batch_size"),
        ({"optimizer": "lbfgs"}, "unknown optimizer 'lbfgs'; choose one of adam, sgd, adamw"),
        ({"eval_every": 0}, "eval_every"),
    ],
)
def test_impossible_settings(iris, kwargs, message):
    with pytest.raises(ValueError, match=message):
        train(mlp(4, (4,), 3), iris.X_train, iris.y_train, nn.CrossEntropyLoss(), **kwargs)


def test_bad_inputs(iris):
    model, loss = mlp(4, (4,), 3), nn.CrossEntropyLoss()
    with pytest.raises(ValueError, match="different lengths"):
        train(model, iris.X_train, iris.y_train[:-1], loss, epochs=1)
    with pytest.raises(ValueError, match="2-D"):
        train(model, iris.X_train[0], iris.y_train, loss, epochs=1)
    X = iris.X_train.clone()
    X[0, 0] = float("inf")
    with pytest.raises(ValueError, match="NaN or infinite"):
        train(model, X, iris.y_train, loss, epochs=1)
    with pytest.raises(TypeError, match="integer class labels"):
        train(model, iris.X_train, iris.y_train.float() + 0.5, loss, epochs=1)


def hand_written_loop(iris, epochs, lr, batch_size):
    """What `train` should do, written out: shuffled mini-batches, the sample-weighted mean."""
    seed_everything(0)
    model = mlp(4, (16,), 3)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    X, y, n = iris.X_train, iris.y_train, len(iris.X_train)
    losses = []
    for _ in range(epochs):
        model.train()
        order = torch.randperm(n)
        total = 0.0
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(X[batch]), y[batch])
            loss.backward()
            opt.step()
            total += loss.item() * len(batch)
        losses.append(total / n)
    return model, losses


def test_mini_batch_training_matches_a_hand_written_loop(iris):
    # 30 samples in batches of 8: 8, 8, 8, 6, so a plain mean of batch losses would differ
    model, history = fit(iris, epochs=4, lr=0.1, optimizer="sgd", batch_size=8)
    expected_model, expected_losses = hand_written_loop(iris, epochs=4, lr=0.1, batch_size=8)
    assert history.loss == pytest.approx(expected_losses, rel=1e-6)
    for ours, theirs in zip(model.parameters(), expected_model.parameters(), strict=True):
        assert torch.allclose(ours, theirs, atol=1e-6)


def test_mini_batches_are_reshuffled_every_epoch(iris):
    seen = []

    def loss_fn(output, y):
        seen.append(y.tolist())
        return nn.functional.cross_entropy(output, y)

    seed_everything(0)
    train(mlp(4, (4,), 3), iris.X_train, iris.y_train, loss_fn, epochs=2, batch_size=30 - 1)
    first_epoch, second_epoch = seen[0] + seen[1], seen[2] + seen[3]
    assert [len(b) for b in seen] == [29, 1, 29, 1]
    assert sorted(first_epoch) == sorted(iris.y_train.tolist())  # every sample once per epoch
    assert first_epoch != iris.y_train.tolist() and first_epoch != second_epoch


def test_full_batch_training_matches_a_hand_written_loop(iris):
    model, history = fit(iris, epochs=3, lr=0.1, optimizer="sgd")
    seed_everything(0)
    expected = mlp(4, (16,), 3)
    opt = torch.optim.SGD(expected.parameters(), lr=0.1)
    losses = []
    for _ in range(3):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(expected(iris.X_train), iris.y_train)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert history.loss == pytest.approx(losses, rel=1e-6)
    assert torch.allclose(model[0].weight, expected[0].weight, atol=1e-6)


@pytest.mark.parametrize("name", ["adam", "adamw", "sgd"])
def test_optimizer_and_weight_decay_are_used(iris, name):
    model, _ = fit(iris, epochs=2, lr=0.05, optimizer=name, weight_decay=0.1)
    seed_everything(0)
    expected = mlp(4, (16,), 3)
    opt = OPTIMIZERS[name](expected.parameters(), lr=0.05, weight_decay=0.1)
    for _ in range(2):
        opt.zero_grad()
        nn.functional.cross_entropy(expected(iris.X_train), iris.y_train).backward()
        opt.step()
    assert torch.allclose(model[0].weight, expected[0].weight, atol=1e-5)


def test_batch_size_larger_than_the_data_is_full_batch(iris):
    _, full = fit(iris, epochs=3, lr=0.1, optimizer="sgd")
    _, large = fit(iris, epochs=3, lr=0.1, optimizer="sgd", batch_size=1000)
    assert large.loss == full.loss


def test_training_mode_for_steps_and_eval_mode_without_gradients_for_the_metric(iris):
    modes = []

    def loss_fn(output, y):
        modes.append(("loss", model.training, torch.is_grad_enabled()))
        return nn.functional.cross_entropy(output, y)

    def metric(m):
        modes.append(("metric", m.training, torch.is_grad_enabled()))
        return 0.5

    seed_everything(0)
    model = mlp(4, (4,), 3)
    train(model, iris.X_train, iris.y_train, loss_fn, epochs=3, metric=metric, batch_size=15)
    assert (
        modes
        == [("loss", True, True)] * 2
        + [("metric", False, False)]
        + ([("loss", True, True)] * 2 + [("metric", False, False)]) * 2
    )
    assert not model.training


def test_progress_bar_is_written_only_when_asked(iris, capsys):
    fit(iris, epochs=3, progress=True)
    shown = capsys.readouterr().err
    assert "training" in shown and "3/3" in shown
    fit(iris, epochs=3)
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    "y_shift, message", [(3, "y holds labels from 3 to 5"), (-1, "y must hold labels >= 0")]
)
def test_labels_beyond_the_models_classes_name_y(iris, y_shift, message):
    model = mlp(4, (4,), 3)
    with pytest.raises(ValueError, match=message):
        train(model, iris.X_train, iris.y_train + y_shift, nn.CrossEntropyLoss(), epochs=1)


def test_labels_beyond_the_learned_codes_name_y(iris):
    from embedlab.losses import learned_code_loss
    from embedlab.models import LearnedCodeModel

    model = LearnedCodeModel(4, (4,), n_classes=2, dim=2)  # iris has 3 classes
    loss = learned_code_loss(model, "mse")
    with pytest.raises(ValueError, match=r"y must hold labels in \[0, n_classes\)"):
        train(model, iris.X_train, iris.y_train, loss, epochs=1, batch_size=10)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"model": "mlp"}, TypeError, "model must be a torch.nn.Module"),
        ({"loss_fn": "cross_entropy"}, TypeError, "loss_fn must be callable"),
        ({"metric": 0.9}, TypeError, "metric must be None or callable"),
        ({"weight_decay": -0.1}, ValueError, "weight_decay must be a number >= 0"),
        ({"weight_decay": "0"}, ValueError, "weight_decay must be a number >= 0"),
        ({"batch_size": 2.0}, ValueError, "batch_size must be None"),
        ({"lr": True}, ValueError, "lr must be"),
        ({"epochs": True}, ValueError, "epochs must be"),
        ({"eval_every": 1.0}, ValueError, "eval_every must be"),
    ],
)
def test_bad_arguments_are_named(iris, kwargs, error, message):
    arguments = {"model": mlp(4, (4,), 3), "loss_fn": nn.CrossEntropyLoss(), "epochs": 1}
    arguments.update(kwargs)
    model, loss_fn = arguments.pop("model"), arguments.pop("loss_fn")
    with pytest.raises(error, match=message):
        train(model, iris.X_train, iris.y_train, loss_fn, **arguments)


# --- found by mutation testing (make mutation) -----------------------------------------


def test_defaults_are_1000_epochs_at_lr_0_01(iris):
    model, history = fit(iris)
    assert len(history.loss) == 1000
    seed_everything(0)
    expected = mlp(4, (16,), 3)
    opt = torch.optim.SGD(expected.parameters(), lr=0.01)
    nn.functional.cross_entropy(expected(iris.X_train), iris.y_train).backward()
    opt.step()
    model, _ = fit(iris, epochs=1, optimizer="sgd")
    assert torch.allclose(model[0].weight, expected[0].weight, atol=1e-7)


def test_batches_of_one_are_allowed(iris):
    _, history = fit(iris, epochs=1, batch_size=1)
    assert len(history.loss) == 1


def test_history_frame_columns(iris):
    frame = History(loss=[2.0, 1.0], metric_epochs=[1], metric=[0.5]).to_frame()
    assert list(frame.columns) == ["epoch", "name", "value"]
    assert frame.values.tolist() == [[0, "loss", 2.0], [1, "loss", 1.0], [1, "metric", 0.5]]


def test_training_messages_in_full(iris):
    with pytest.raises(TypeError, match="^model must be a torch.nn.Module, got str$"):
        train("mlp", iris.X_train, iris.y_train, nn.CrossEntropyLoss(), epochs=1)
    model = mlp(4, (16,), 3)
    message = r"^the loss became nan at epoch 0; try a smaller lr \(now 0.01\) or check the inputs$"
    with pytest.raises(FloatingPointError, match=message):
        train(model, iris.X_train, iris.y_train, lambda o, y: o.sum() * float("nan"), epochs=2)


def test_progress_bar_is_labelled_training(iris, capsys):
    import re

    fit(iris, epochs=2, progress=True)
    assert re.search(r"(^|\r)training: 100%", capsys.readouterr().err)
