import math
import re

import pytest
import torch
from torch import nn

from embedlab.models import GaussianRegressor, LearnedCodeModel, mlp


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
    assert [type(m) for m in model] == [nn.Linear, nn.Identity, nn.Linear]
    a, b = torch.randn(5, 4), torch.randn(5, 4)
    with torch.no_grad():  # an affine map: f(a + b) - f(b) == f(a) - f(0)
        assert torch.allclose(
            model(a + b) - model(b), model(a) - model(torch.zeros(5, 4)), atol=1e-5
        )


@pytest.mark.parametrize("name, module", [("relu", nn.ReLU), ("tanh", nn.Tanh), ("gelu", nn.GELU)])
def test_mlp_uses_the_named_activation_between_layers(name, module):
    model = mlp(4, (8, 6), 3, activation=name)
    assert [type(m) for m in model] == [nn.Linear, module, nn.Linear, module, nn.Linear]
    sizes = [(m.in_features, m.out_features) for m in model if isinstance(m, nn.Linear)]
    assert sizes == [(4, 8), (8, 6), (6, 3)]


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


@pytest.mark.parametrize("hidden", [8, "8", None, 8.0])
def test_mlp_and_friends_name_a_hidden_that_is_not_a_tuple(hidden):
    from embedlab.models import LabelEmbeddingNetwork, LearnedCodeModel

    for build in (
        lambda: mlp(4, hidden, 3),
        lambda: GaussianRegressor(4, hidden, 2),
        lambda: LearnedCodeModel(4, hidden, 3, 2),
        lambda: LabelEmbeddingNetwork(4, hidden, 3),
    ):
        with pytest.raises(ValueError, match="hidden must be a tuple of layer sizes"):
            build()


def test_models_name_their_own_dim():
    from embedlab.models import LearnedCodeModel

    for dim in (0, 2.0, -1):
        with pytest.raises(ValueError, match="dim must be a positive integer"):
            LearnedCodeModel(4, (8,), 3, dim)
        with pytest.raises(ValueError, match="dim must be a positive integer"):
            GaussianRegressor(4, (8,), dim)


def test_mlp_accepts_a_list_of_sizes():
    assert mlp(4, [8], 3)(torch.zeros(1, 4)).shape == (1, 3)


def test_mlp_unknown_activation():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        mlp(4, (8,), 3, activation="swish")


def test_gaussian_regressor_variance_is_above_its_floor():
    model = GaussianRegressor(4, (16,), dim=2, min_variance=0.01)
    with torch.no_grad():
        model.variance_head.bias.fill_(-100.0)  # softplus -> ~0
    mean, variance = model(torch.randn(7, 4))
    assert mean.shape == variance.shape == (7, 2)
    assert torch.allclose(variance, torch.full((7, 2), 0.01))  # softplus(-100) + floor
    with torch.no_grad():
        model.variance_head.weight.zero_()
        model.variance_head.bias.zero_()
    _, variance = model(torch.randn(7, 4))
    assert torch.allclose(variance, torch.full((7, 2), math.log(2) + 0.01))  # softplus(0) = ln 2


def test_gaussian_regressor_heads_read_relu_features():
    torch.manual_seed(0)
    model = GaussianRegressor(4, (16, 8), dim=3)
    # the body ends in its ReLU, so the printed model shows what it computes
    assert [type(m) for m in model.body] == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU]
    assert model.body[-2].out_features == 8 and model.mean_head.out_features == 3
    X = torch.randn(5, 4)
    mean, variance = model(X)
    features = model.body(X)
    assert (features >= 0).all()
    assert torch.allclose(mean, model.mean_head(features))
    expected = nn.functional.softplus(model.variance_head(features)) + 1e-3  # the default floor
    assert torch.allclose(variance, expected)


@pytest.mark.parametrize("kwargs", [{"min_variance": 0.0}, {"min_variance": -1.0}])
def test_gaussian_regressor_rejects_non_positive_floor(kwargs):
    with pytest.raises(ValueError, match="min_variance"):
        GaussianRegressor(4, (16,), 2, **kwargs)


def test_gaussian_regressor_needs_a_hidden_layer():
    with pytest.raises(ValueError, match="hidden"):
        GaussianRegressor(4, (), 2)


def test_printed_two_headed_models_show_the_relu_they_apply():
    """Lesson 4 prints the model: the ReLU before the heads must be in the repr, not hidden in
    forward (Linear -> Linear would look like lesson 2's missing non-linearity)."""
    from embedlab.models import LabelEmbeddingNetwork

    torch.manual_seed(0)
    model = GaussianRegressor(4, (16, 8), dim=2)
    assert [type(m).__name__ for m in model.body] == ["Linear", "ReLU", "Linear", "ReLU"]
    assert repr(model).count("ReLU()") == 2
    X = torch.randn(5, 4)
    features = torch.relu(model.body[2](torch.relu(model.body[0](X))))
    mean, _ = model(X)
    assert torch.allclose(mean, model.mean_head(features))
    network = LabelEmbeddingNetwork(4, (16,), 3)
    assert isinstance(network.body[-1], torch.nn.ReLU)
    assert [name for name, _ in model.named_parameters()][:4] == [
        "body.0.weight",
        "body.0.bias",
        "body.2.weight",
        "body.2.bias",
    ]  # same parameter names as before the ReLU moved into body: saved weights still load


def test_learned_codes_receive_gradient_and_are_in_the_optimizer(iris):
    from embedlab.models import LearnedCodeModel
    from embedlab.training import train

    model = LearnedCodeModel(4, (8,), n_classes=3, dim=2)
    before = model.class_codes()
    loss = nn.functional.mse_loss(model(iris.X_train), model.codes(iris.y_train))
    loss.backward()
    assert model.codes.weight.grad is not None and model.codes.weight.grad.abs().sum() > 0
    model.zero_grad()
    train(
        model,
        iris.X_train,
        iris.y_train,
        lambda out, y: nn.functional.mse_loss(out, model.codes(y)),
        epochs=5,
    )
    assert not torch.equal(before, model.class_codes())  # the optimizer moved them


def test_class_codes_are_a_detached_copy(iris):
    from embedlab.models import LearnedCodeModel

    model = LearnedCodeModel(4, (8,), n_classes=3, dim=2)
    codes = model.class_codes()
    assert not codes.requires_grad and torch.equal(codes, model.codes.weight.detach())
    nn.functional.mse_loss(model(iris.X_train), codes[iris.y_train]).backward()
    assert model.codes.weight.grad is None  # a target taken from class_codes() teaches nothing
    codes += 1.0
    assert not torch.equal(codes, model.codes.weight.detach())  # a copy, not a view


def test_learned_code_model_shapes_and_initial_scale():
    from embedlab.models import LearnedCodeModel

    torch.manual_seed(0)
    model = LearnedCodeModel(4, (8,), n_classes=50, dim=40, init_scale=3.0)
    assert model(torch.zeros(2, 4)).shape == (2, 40)
    assert model.class_codes().shape == (50, 40)
    assert model.class_codes().std().item() == pytest.approx(3.0, rel=0.05)
    assert model.codes.max_norm is None
    assert [type(m) for m in model.body] == [nn.Linear, nn.ReLU, nn.Linear]


def test_learned_code_model_max_norm_and_bad_settings():
    from embedlab.models import LearnedCodeModel

    model = LearnedCodeModel(4, (8,), 3, 2, init_scale=5.0, max_norm=1.0)
    model.codes(torch.arange(3))
    assert (model.class_codes().norm(dim=1) <= 1.0 + 1e-5).all()
    with pytest.raises(ValueError, match="init_scale must be > 0"):
        LearnedCodeModel(4, (8,), 3, 2, init_scale=0.0)
    with pytest.raises(ValueError, match="max_norm must be None"):
        LearnedCodeModel(4, (8,), 3, 2, max_norm=0.0)
    assert LearnedCodeModel(4, (8,), 3, 2, max_norm=2.0).codes.max_norm == 2.0
    with pytest.raises(ValueError, match="n_classes"):
        LearnedCodeModel(4, (8,), 1, 2)


def test_label_embedding_network_heads_and_stop_gradient():
    from embedlab.models import LabelEmbeddingNetwork

    model = LabelEmbeddingNetwork(4, (16, 8), 3)
    head, watcher = model(torch.randn(5, 4))
    assert head.shape == watcher.shape == (5, 3)
    assert torch.equal(model.label_embedding.detach(), torch.eye(3))
    watcher.sum().backward()  # the watcher must not train the body
    assert all(p.grad is None for p in model.body.parameters())
    assert model.watcher.weight.grad is not None
    model.zero_grad()
    head.sum().backward()  # head 1 does train the body
    assert all(p.grad is not None for p in model.body.parameters())
    with pytest.raises(ValueError, match="hidden"):
        LabelEmbeddingNetwork(4, (), 3)


def test_label_embedding_network_heads_read_relu_features():
    from embedlab.models import LabelEmbeddingNetwork

    torch.manual_seed(0)
    model = LabelEmbeddingNetwork(4, (16, 8), 3)
    X = torch.randn(5, 4)
    head, watcher = model(X)
    features = model.body(X)
    assert (features >= 0).all()
    assert torch.allclose(head, model.head(features))
    assert torch.allclose(watcher, model.watcher(features))
    assert [type(m) for m in model.body] == [nn.Linear, nn.ReLU, nn.Linear, nn.ReLU]
    with pytest.raises(ValueError, match="n_classes"):
        LabelEmbeddingNetwork(4, (8,), 1)


# --- found by mutation testing (make mutation) -----------------------------------------


def full(message):
    return "^" + re.escape(message) + "$"


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: mlp(0, (8,), 3), "in_features must be a positive integer, got 0"),
        (lambda: mlp(4, (0,), 3), "hidden size must be a positive integer, got 0"),
        (lambda: mlp(4, (8,), 0), "out_features must be a positive integer, got 0"),
        (
            lambda: mlp(4, (8,), 3, activation="swish"),
            "unknown activation 'swish'; choose one of relu, tanh, gelu, identity",
        ),
        (
            lambda: GaussianRegressor(4, (), 2),
            "hidden must name at least one layer size for a Gaussian regressor",
        ),
    ],
)
def test_model_messages_in_full(build, message):
    with pytest.raises(ValueError, match=full(message)):
        build()


def test_smallest_sizes_are_allowed():
    from embedlab.models import LabelEmbeddingNetwork, LearnedCodeModel

    assert mlp(1, (1,), 1)(torch.zeros(2, 1)).shape == (2, 1)
    assert LabelEmbeddingNetwork(4, (8,), 2)(torch.zeros(1, 4))[0].shape == (1, 2)
    assert LearnedCodeModel(4, (8,), 2, 1).class_codes().shape == (2, 1)


def test_n_classes_must_be_an_integer():
    from embedlab.models import LabelEmbeddingNetwork, LearnedCodeModel

    message = full("n_classes must be an integer >= 2, got 2.0")
    with pytest.raises(ValueError, match=message):
        LabelEmbeddingNetwork(4, (8,), 2.0)
    with pytest.raises(ValueError, match=message):
        LearnedCodeModel(4, (8,), 2.0, 2)
    with pytest.raises(ValueError, match=full("hidden must name at least one layer size")):
        LabelEmbeddingNetwork(4, (), 3)


def test_three_hidden_layers_end_in_the_last_size():
    from embedlab.models import LabelEmbeddingNetwork

    network = LabelEmbeddingNetwork(4, (16, 8, 5), 3)
    regressor = GaussianRegressor(4, (16, 8, 5), 2)
    for model in (network, regressor):
        sizes = [(m.in_features, m.out_features) for m in model.body if isinstance(m, nn.Linear)]
        assert sizes == [(4, 16), (16, 8), (8, 5)]
    assert network.head.in_features == network.watcher.in_features == 5
    assert regressor.mean_head.in_features == regressor.variance_head.in_features == 5


def test_learned_codes_start_with_unit_scale_by_default():
    from embedlab.models import LearnedCodeModel

    torch.manual_seed(0)
    codes = LearnedCodeModel(4, (8,), n_classes=50, dim=40).class_codes()
    assert codes.std().item() == pytest.approx(1.0, rel=0.05)


def test_code_seed_gives_every_network_size_the_same_starting_codes():
    torch.manual_seed(0)
    small = LearnedCodeModel(4, (8,), n_classes=3, dim=2, init_scale=5.0, code_seed=7)
    big = LearnedCodeModel(4, (100, 100), n_classes=3, dim=2, init_scale=5.0, code_seed=7)
    expected = 5.0 * torch.randn(3, 2, generator=torch.Generator().manual_seed(7))
    assert torch.allclose(small.class_codes(), expected)
    assert torch.equal(small.class_codes(), big.class_codes())
    torch.manual_seed(0)
    drawn_after_body = LearnedCodeModel(4, (8,), n_classes=3, dim=2, init_scale=5.0)
    torch.manual_seed(0)
    other_body = LearnedCodeModel(4, (100, 100), n_classes=3, dim=2, init_scale=5.0)
    assert not torch.equal(drawn_after_body.class_codes(), other_body.class_codes())
