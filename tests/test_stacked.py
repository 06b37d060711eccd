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


def masks(n, *subsets):
    """(F, n) bool: row i of network f is in its part when i is in subsets[f] (None: every row)."""
    parts = torch.zeros(len(subsets), n, dtype=torch.bool)
    for f, subset in enumerate(subsets):
        parts[f, slice(None) if subset is None else list(subset)] = True
    return parts


def alone(seed, method, X, y, **settings):
    """A network as `fit_network` trains it on its own, with torch's generator at `seed`."""
    (reference,) = networks([seed], method)
    torch.manual_seed(1234)
    log = fit_network(reference, reference.loss, X, y, n_iter_no_change=20, **settings)
    return reference, log


@pytest.mark.parametrize("method", ["fixed", "softmax", "learned", "gaussian"])
def test_networks_trained_together_follow_their_own_rows_as_if_alone(method):
    X, y = data(12, 10)
    parts = masks(12, None, range(0, 12, 2), range(3, 12))  # all rows, every other, the last 9
    together = networks([0, 1, 2], method)
    curves = fit_stacked(together, X, y, parts, epochs=20, lr=1e-2, batch_size=12)
    for seed, net, part, curve in zip([0, 1, 2], together, parts, curves, strict=True):
        reference, log = alone(seed, method, X[part], y[part], epochs=20, lr=1e-2, batch_size=12)
        for a, b in zip(net.parameters(), reference.parameters(), strict=True):
            torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)  # full batch: same steps
        assert curve == pytest.approx(log.loss_curve, rel=1e-4)
    assert not any(net.training for net in together)


def test_with_mini_batches_the_network_owning_every_row_draws_fit_networks_batches():
    X, y = data(20, 3)
    together = networks([0, 1])
    torch.manual_seed(1234)  # as `alone` does: the same batches
    fit_stacked(together, X, y, masks(20, None, range(7)), epochs=5, lr=1e-2, batch_size=6)
    reference, _ = alone(0, "fixed", X, y, epochs=5, lr=1e-2, batch_size=6)
    for a, b in zip(together[0].parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def test_equal_parts_train_each_network_on_its_own_rows_only():
    X, y = data(30, 4)
    parts = masks(30, range(0, 15), range(15, 30))
    X_poisoned = X.clone()
    X_poisoned[15:] = 1e6  # rows the first network must never see
    torch.manual_seed(0)
    first = networks([0, 1])
    fit_stacked(first, X_poisoned, y, parts, epochs=4, lr=1e-2, batch_size=4)
    torch.manual_seed(0)
    second = networks([0, 1])
    fit_stacked(second, X, y, parts, epochs=4, lr=1e-2, batch_size=4)
    for a, b in zip(first[0].parameters(), second[0].parameters(), strict=True):
        torch.testing.assert_close(a, b)
    assert all(torch.isfinite(p).all() for p in first[1].parameters())


def test_parts_must_name_rows_for_every_network():
    X, y = data(10, 0)
    with pytest.raises(ValueError, match="parts must be"):
        fit_stacked(networks([0, 1]), X, y, masks(10, None), epochs=1, lr=1e-2, batch_size=4)
    with pytest.raises(ValueError, match="each with a row"):
        fit_stacked(networks([0, 1]), X, y, masks(10, None, []), epochs=1, lr=1e-2, batch_size=4)


@pytest.mark.parametrize("method", ["fixed", "learned"])
def test_folds_of_equal_size_each_train_as_if_alone_with_weight_decay(method):
    X, y = data(12, 5)
    parts = masks(12, range(0, 6), range(6, 12))  # equal parts: each network its own rows
    together = networks([0, 1], method)
    fit_stacked(together, X, y, parts, epochs=15, lr=1e-2, batch_size=12, weight_decay=0.1)
    for seed, net, part in zip([0, 1], together, parts, strict=True):
        reference, _ = alone(seed, method, X[part], y[part], epochs=15, lr=1e-2, batch_size=12,
                             weight_decay=0.1)  # fmt: skip
        for a, b in zip(net.parameters(), reference.parameters(), strict=True):
            torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)


def test_a_network_without_rows_in_a_batch_does_not_stop_the_others():
    X, y = data(20, 6)
    together = networks([1, 0])  # the owner of one row first, the owner of every row second
    torch.manual_seed(1234)
    curves = fit_stacked(together, X, y, masks(20, [0], None), epochs=5, lr=1e-2, batch_size=6)
    reference, log = alone(0, "fixed", X, y, epochs=5, lr=1e-2, batch_size=6)
    for a, b in zip(together[1].parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(a, b, atol=1e-5, rtol=1e-4)
    assert curves[1] == pytest.approx(log.loss_curve, rel=1e-4)  # the mean over every batch
