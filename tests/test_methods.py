import pytest
import torch
import torch.nn.functional as F

from embedlab.losses import beta_nll_loss, distance_cross_entropy
from embedlab.methods import METHODS, Method, make_method


def built(name: str, **settings):
    torch.manual_seed(0)
    method = make_method(name, hidden=(8,), **settings)
    return method, method.build(n_features=4, n_classes=3, seed=0)


def test_every_method_has_one_home():
    assert list(METHODS) == ["softmax", "fixed", "gaussian", "learned"]
    assert all(
        issubclass(method, Method) and METHODS[method.name] is method for method in METHODS.values()
    )


@pytest.mark.parametrize("name", list(METHODS))
def test_shapes_of_scores_points_and_class_vectors(name):
    method, model = built(name)
    X = torch.randn(5, 4)
    with torch.no_grad():
        scores = method.scores(model, model(X))
        points = method.points(model, X)
    vectors = method.class_vectors(model)
    assert scores.shape == (5, 3)
    assert points.shape == (5, vectors.shape[1]) and vectors.shape[0] == 3


def test_softmax_scores_are_the_logits_and_its_loss_is_cross_entropy():
    method, model = built("softmax")
    logits = torch.tensor([[2.0, 0.0, -1.0]])
    assert torch.equal(method.scores(model, logits), logits)
    expected = -torch.log_softmax(logits, dim=1)[0, 2]
    assert method.loss(model, logits, torch.tensor([2])).item() == pytest.approx(expected.item())


def test_fixed_scores_are_minus_squared_distances_to_the_codes():
    method, model = built("fixed")  # simplex in 2-D: codes are unit vectors 120 degrees apart
    codes = model.codes
    assert codes.shape == (3, 2)
    point = codes[0:1] * 0.0  # the origin is 1 from every code
    assert method.scores(model, point)[0].tolist() == pytest.approx([-1.0, -1.0, -1.0])
    # at code 0: distance² 0 to itself and |c0 - ck|² = 2 - 2 cos 120° = 3 to the others
    assert method.scores(model, codes[0:1])[0].tolist() == pytest.approx(
        [0.0, -3.0, -3.0], abs=1e-6
    )
    assert method.loss(model, codes[[0]], torch.tensor([1])).item() == pytest.approx(3.0 / 2)


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0])
def test_gaussian_loss_is_beta_nll_with_the_given_beta(beta):
    method, model = built("gaussian", beta=beta)
    X, y = torch.randn(6, 4), torch.tensor([0, 1, 2, 0, 1, 2])
    mean, variance = model(X)
    expected = beta_nll_loss(mean, model.codes[y], variance, beta)
    assert method.loss(model, (mean, variance), y).item() == pytest.approx(expected.item())
    other = beta_nll_loss(mean, model.codes[y], variance, 1.0 - beta if beta != 0.5 else 0.0)
    assert other.item() != pytest.approx(expected.item())


def test_gaussian_variance_respects_min_variance():
    method, model = built("gaussian", min_variance=0.7)
    assert (method.variance(model, torch.randn(20, 4)) >= 0.7).all()


def test_learned_loss_is_the_distance_cross_entropy_not_mse():
    method, model = built("learned")
    X, y = torch.randn(6, 4), torch.tensor([0, 1, 2, 0, 1, 2])
    output = model(X)
    expected = distance_cross_entropy(output, y, model.codes.weight)
    assert method.loss(model, output, y).item() == pytest.approx(expected.item())
    assert expected.item() != pytest.approx(F.mse_loss(output, model.codes(y)).item())
    assert torch.equal(
        method.scores(model, model.codes.weight[:1]).argmax(dim=1), torch.tensor([0])
    )


def test_learned_default_dim_and_given_dim():
    assert built("learned")[1].codes.weight.shape == (3, 2)  # max(2, K - 1)
    assert built("learned", dim=5)[1].codes.weight.shape == (3, 5)


@pytest.mark.parametrize(
    "name, settings, message",
    [
        ("svm", {}, "unknown method 'svm'"),
        ("softmax", {"dim": 3}, "dim: method='softmax'"),
        ("fixed", {"dim": 0}, "dim must be None or an integer >= 1, got dim=0"),
        ("learned", {"dim": 2.0}, "dim must be None or an integer >= 1, got dim=2.0"),
        ("learned", {"dim": True}, "dim must be"),
        ("fixed", {"codebook": "ecoc"}, "unknown code book 'ecoc'"),
    ],
)
def test_impossible_settings_name_the_argument(name, settings, message):
    with pytest.raises(ValueError, match=message):
        make_method(name, **settings)
