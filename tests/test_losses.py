import math

import pytest
import torch

from embedlab.losses import beta_nll_loss


def test_beta_zero_is_torchs_gaussian_nll():
    mean, target = torch.randn(6, 2), torch.randn(6, 2)
    variance = torch.rand(6, 2) + 0.1
    expected = torch.nn.GaussianNLLLoss()(mean, target, variance)
    assert beta_nll_loss(mean, target, variance, beta=0.0).item() == pytest.approx(expected.item())


def test_beta_one_gives_the_mean_the_mse_gradient():
    mean = torch.randn(5, 2, requires_grad=True)
    target, variance = torch.randn(5, 2), torch.rand(5, 2) + 0.1
    beta_nll_loss(mean, target, variance, beta=1.0).backward()
    expected = (mean.detach() - target) / mean.numel()  # d/dmean of 0.5 * mean((mean - target)^2)
    assert torch.allclose(mean.grad, expected, atol=1e-6)


def test_weight_gets_no_gradient_of_its_own():
    variance = torch.full((3, 1), 2.0, requires_grad=True)
    mean, target = torch.zeros(3, 1), torch.zeros(3, 1)
    beta_nll_loss(mean, target, variance, beta=0.5).backward()
    # d/dvar of stopgrad(var^0.5) * 0.5 * log(var) = sqrt(2) * 0.5 / 2, averaged over 3
    assert torch.allclose(variance.grad, torch.full((3, 1), 2**0.5 * 0.25 / 3), atol=1e-6)


@pytest.mark.parametrize("beta", [-0.5, float("nan")])
def test_negative_beta(beta):
    with pytest.raises(ValueError, match="beta"):
        beta_nll_loss(torch.zeros(2, 2), torch.zeros(2, 2), torch.ones(2, 2), beta=beta)


def test_mismatched_shapes():
    with pytest.raises(ValueError, match="mean has shape"):
        beta_nll_loss(torch.zeros(2, 3), torch.zeros(2, 2), torch.ones(2, 2))
    with pytest.raises(ValueError, match="variance has shape"):
        beta_nll_loss(torch.zeros(2, 2), torch.zeros(2, 2), torch.ones(2, 1))


def test_separation_penalty_is_zero_when_apart_and_pushes_apart_when_close():
    from embedlab.losses import separation_penalty

    far = torch.tensor([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])
    assert separation_penalty(far, margin=2.0).item() == 0.0
    close = torch.tensor([[0.0, 0.0], [0.5, 0.0], [0.0, 3.0]], requires_grad=True)
    separation_penalty(close, margin=2.0).backward()
    assert close.grad[0, 0] > 0 and close.grad[1, 0] < 0  # gradient descent moves them apart
    with pytest.raises(ValueError, match="margin"):
        separation_penalty(far, margin=0.0)
    with pytest.raises(ValueError, match="n_classes >= 2"):
        separation_penalty(far[:1], margin=1.0)


def test_distance_cross_entropy_pushes_prototypes_apart():
    from embedlab.losses import distance_cross_entropy

    features = torch.tensor([[0.0, 0.0], [1.0, 0.0]])
    prototypes = torch.tensor([[0.4, 0.0], [0.6, 0.0]], requires_grad=True)
    loss = distance_cross_entropy(features, torch.tensor([0, 1]), prototypes, pull=0.0)
    loss.backward()
    assert prototypes.grad[0, 0] > 0 and prototypes.grad[1, 0] < 0  # descent: 0 left, 1 right
    with pytest.raises(ValueError, match="share d"):
        distance_cross_entropy(features, torch.tensor([0, 1]), torch.zeros(2, 3))
    with pytest.raises(ValueError, match="temperature"):
        distance_cross_entropy(features, torch.tensor([0, 1]), prototypes, temperature=0)


def test_label_embedding_loss_trains_the_embedding():
    from embedlab.losses import label_embedding_loss

    torch.manual_seed(0)
    embedding = torch.eye(3, requires_grad=True)
    head, watcher = torch.randn(6, 3, requires_grad=True), torch.randn(6, 3)
    y = watcher.argmax(dim=1)  # the watcher is right on every sample
    loss = label_embedding_loss(head, watcher, y, embedding)
    loss.backward()
    assert embedding.grad is not None and embedding.grad.abs().sum() > 0
    assert head.grad is not None


def test_label_embedding_hinge_sums_like_the_reference_code_or_averages():
    """Two samples whose watcher gives the true class p = e^5 / (e^5 + 2) = 0.98670: each hinge
    term is p - 0.9 = 0.08670. "sum" adds both (the authors' code), "mean" averages them."""
    from embedlab.losses import label_embedding_loss

    head = torch.zeros(2, 3)
    watcher = torch.tensor([[5.0, 0.0, 0.0], [5.0, 0.0, 0.0]])
    y = torch.tensor([0, 0])
    mean = label_embedding_loss(head, watcher, y, torch.eye(3))
    summed = label_embedding_loss(head, watcher, y, torch.eye(3), hinge_reduction="sum")
    hinge = math.exp(5) / (math.exp(5) + 2) - 0.9
    assert hinge == pytest.approx(0.086703, abs=1e-6)
    assert (summed - mean).item() == pytest.approx(hinge, abs=1e-6)  # 2·h − h
    with pytest.raises(ValueError, match="hinge_reduction"):
        label_embedding_loss(head, watcher, y, torch.eye(3), hinge_reduction="max")


@pytest.mark.parametrize(
    "kwargs, message",
    [({"tau": 0}, "tau"), ({"alpha": 1.5}, "alpha"), ({"beta": -0.1}, "beta")],
)
def test_label_embedding_loss_rejects_impossible_settings(kwargs, message):
    from embedlab.losses import label_embedding_loss

    logits = torch.zeros(2, 3)
    with pytest.raises(ValueError, match=message):
        label_embedding_loss(logits, logits, torch.tensor([0, 1]), torch.eye(3), **kwargs)
    with pytest.raises(ValueError, match="do not fit"):
        label_embedding_loss(logits, logits, torch.tensor([0, 1]), torch.eye(4))


def test_learned_code_loss_reaches_the_codes_and_rejects_unknown_methods():
    from embedlab.losses import LEARNED_METHODS, learned_code_loss
    from embedlab.models import LearnedCodeModel

    model = LearnedCodeModel(4, (8,), n_classes=3, dim=2)
    X, y = torch.randn(6, 4), torch.tensor([0, 1, 2, 0, 1, 2])
    for method in LEARNED_METHODS:
        model.zero_grad()
        learned_code_loss(model, method)(model(X), y).backward()
        assert model.codes.weight.grad.abs().sum() > 0, method
    with pytest.raises(ValueError, match="unknown method 'triplet'"):
        learned_code_loss(model, "triplet")
