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
