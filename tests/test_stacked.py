import pytest
import torch

from embedlab.fitting import fit_network
from embedlab.heads import HeadNetwork
from embedlab.stacked import StackedBody, fit_stacked


def networks(seeds, method="fixed"):
    out = []
    for seed in seeds:
        torch.manual_seed(seed)
        out.append(HeadNetwork(3, (8, 5), 3, method))
    return out


def data(n, seed):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 3, generator=generator)
    return X, (X[:, 0] > 0).long() + (X[:, 1] > 0).long()


def test_the_stacked_body_computes_each_body_and_writes_weights_back():
    nets = networks([0, 1, 2])
    stacked = StackedBody([net.body for net in nets])
    X = torch.randn(3, 4, 3)
    expected = torch.stack([net.body(X[f]) for f, net in enumerate(nets)])
    torch.testing.assert_close(stacked(X), expected)
    with torch.no_grad():
        for weight in stacked.weights:
            weight.mul_(2)
    stacked.copy_into([net.body for net in nets])
    torch.testing.assert_close(nets[1].body[0].weight, stacked.weights[0][1].T)
    torch.testing.assert_close(nets[2].body[2].weight, stacked.weights[1][2].T)


@pytest.mark.parametrize("method", ["fixed", "softmax", "learned", "gaussian"])
def test_networks_trained_together_follow_their_own_data_as_if_alone(method):
    parts = [data(12, seed) for seed in (10, 11)]
    together = fit_stacked(
        networks([0, 1], method), [X for X, _ in parts], [y for _, y in parts],
        epochs=20, lr=1e-2, batch_size=12,
    )  # fmt: skip
    for net, reference, (X, y) in zip(together, networks([0, 1], method), parts, strict=True):
        fit_network(
            reference, reference.loss, X, y, epochs=20, lr=1e-2, batch_size=12,
            n_iter_no_change=20,
        )  # fmt: skip
        for a, b in zip(net.parameters(), reference.parameters(), strict=True):
            torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)  # full batch: same steps


def test_parts_of_unequal_size_train_on_equally_many_rows_per_step():
    (X0, y0), (X1, y1) = data(10, 0), data(11, 1)
    nets = fit_stacked(networks([0, 1]), [X0, X1], [y0, y1], epochs=3, lr=1e-2, batch_size=4)
    assert not any(net.training for net in nets)
    with pytest.raises(ValueError, match="at most 2 apart"):
        fit_stacked(networks([0, 1]), [X0, X1[:7]], [y0, y1[:7]], epochs=1, lr=1e-2, batch_size=4)
