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


def test_detached_target_gives_no_gradient_the_write_ups_bug(iris):
    from embedlab.models import LearnedCodeModel

    model = LearnedCodeModel(4, (8,), n_classes=3, dim=2)
    target = model.codes(iris.y_train).detach()  # what Variable(...) does today
    nn.functional.mse_loss(model(iris.X_train), target).backward()
    assert model.codes.weight.grad is None


def test_learned_code_model_max_norm_and_bad_settings():
    from embedlab.models import LearnedCodeModel

    model = LearnedCodeModel(4, (8,), 3, 2, init_scale=5.0, max_norm=1.0)
    model.codes(torch.arange(3))
    assert (model.class_codes().norm(dim=1) <= 1.0 + 1e-5).all()
    with pytest.raises(ValueError, match="init_scale"):
        LearnedCodeModel(4, (8,), 3, 2, init_scale=0.0)
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
    with pytest.raises(ValueError, match="hidden"):
        LabelEmbeddingNetwork(4, (), 3)
