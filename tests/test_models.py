import pytest
import torch
from torch import nn

from embedlab.models import GaussianRegressor, mlp


def test_mlp_shapes_and_layers():
    model = mlp(4, (8, 6), 3)
    assert model(torch.zeros(5, 4)).shape == (5, 3)
    assert sum(isinstance(m, nn.ReLU) for m in model) == 2
    assert isinstance(model[-1], nn.Linear)


def test_mlp_without_hidden_layers_is_linear():
    model = mlp(4, (), 2)
    assert len(model) == 1 and isinstance(model[0], nn.Linear)


def test_identity_activation_rebuilds_the_write_ups_linear_stack():
    model = mlp(4, (8,), 3, activation="identity")
    assert not any(isinstance(m, nn.ReLU) for m in model)


@pytest.mark.parametrize(
    "args, message",
    [
        ((4, (0,), 3), "hidden size"),
        ((4, (-2,), 3), "hidden size"),
        ((0, (8,), 3), "in_features"),
        ((4, (8,), 0), "out_features"),
        ((4, (8.5,), 3), "hidden size"),
    ],
)
def test_mlp_rejects_impossible_sizes(args, message):
    with pytest.raises(ValueError, match=message):
        mlp(*args)


def test_mlp_unknown_activation():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        mlp(4, (8,), 3, activation="swish")


def test_gaussian_regressor_variance_is_above_its_floor():
    model = GaussianRegressor(4, (16,), dim=2, min_variance=0.01)
    with torch.no_grad():
        model.variance_head.bias.fill_(-100.0)  # softplus -> ~0
    mean, variance = model(torch.randn(7, 4))
    assert mean.shape == variance.shape == (7, 2)
    assert (variance >= 0.01).all()


@pytest.mark.parametrize("kwargs", [{"min_variance": 0.0}, {"min_variance": -1.0}])
def test_gaussian_regressor_rejects_non_positive_floor(kwargs):
    with pytest.raises(ValueError, match="min_variance"):
        GaussianRegressor(4, (16,), 2, **kwargs)


def test_gaussian_regressor_needs_a_hidden_layer():
    with pytest.raises(ValueError, match="hidden"):
        GaussianRegressor(4, (), 2)
