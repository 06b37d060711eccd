import pytest
from torch import nn

from embedlab.models import mlp
from embedlab.seeding import seed_everything
from embedlab.training import History, train


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
        ({"optimizer": "lbfgs"}, "unknown optimizer"),
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
