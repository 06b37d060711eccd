import math

import pytest
import torch
import torch.nn.functional as F

from embedlab.codebooks import simplex_codes
from embedlab.heads import HEADS, Head, HeadNetwork, cosine_dim, make_head
from embedlab.losses import beta_nll_loss, distance_cross_entropy, label_embedding_loss

Y = torch.tensor([0, 1, 2, 0, 1, 2])


def network(name: str, **settings) -> HeadNetwork:
    torch.manual_seed(0)
    return HeadNetwork(4, (8,), 3, name, **settings)


def test_every_head_has_one_home_and_one_name():
    assert list(HEADS) == [
        "softmax", "sampled_softmax", "fixed", "cosine", "gaussian", "learned", "learned_cosine",
        "label_embedding",
    ]  # fmt: skip
    assert all(issubclass(head, Head) and HEADS[head.name] is head for head in HEADS.values())


@pytest.mark.parametrize("name", list(HEADS))
def test_shapes_of_scores_points_and_class_vectors(name):
    model = network(name)
    X = torch.randn(5, 4)
    with torch.no_grad():
        scores, points = model.scores(X), model.points(X)
    vectors = model.head.class_vectors()
    assert scores.shape == (5, 3)
    assert points.shape == (5, vectors.shape[1]) and vectors.shape[0] == 3
    assert model.loss(model(X[:3]), Y[:3]).ndim == 0


@pytest.mark.parametrize(
    "name, expected",
    [
        ("softmax", 8 * 3 + 3),
        ("sampled_softmax", 8 * 3 + 3),  # softmax's layer: only its training differs
        ("fixed", 8 * 2 + 2),  # simplex codes for K = 3 are 2-D and not trained
        ("cosine", 8 * 3 + 3 + 1),  # 3-D codes (at least 3, see cosine_dim), plus the scale
        ("gaussian", 2 * (8 * 2 + 2)),  # mean and variance layers
        ("learned", 8 * 2 + 2 + 3 * 2),  # plus K learned 2-D vectors
        ("learned_cosine", 8 * 3 + 3 + 3 * 3 + 1),
        ("label_embedding", 2 * (8 * 3 + 3) + 3 * 3),  # two K-way layers and E (K x K)
    ],
)
def test_parameter_counts(name, expected):
    assert make_head(name, 8, 3).n_parameters() == expected


def test_softmax_scores_are_the_logits_and_its_loss_is_cross_entropy():
    head = make_head("softmax", 8, 3)
    logits = torch.tensor([[2.0, 0.0, -1.0]])
    assert torch.equal(head.scores(logits), logits)
    expected = -torch.log_softmax(logits, dim=1)[0, 2]
    assert head.loss(logits, torch.tensor([2])).item() == pytest.approx(expected.item())
    assert torch.equal(head.class_vectors(), head.linear.weight.detach())


def test_sampled_softmax_loss_is_cross_entropy_over_own_and_drawn_classes(monkeypatch):
    prior = torch.tensor([1.0, 2.0, 1.0])  # Q = (0.25, 0.5, 0.25)
    head = make_head("sampled_softmax", 2, 3, n_sampled=3, class_prior=prior)
    drawn = torch.tensor([1, 2, 2])
    monkeypatch.setattr(torch, "multinomial", lambda probs, n, replacement: drawn)
    features = torch.tensor([[1.0, -2.0], [0.5, 3.0]])
    y = torch.tensor([0, 2])
    logits = head.linear(features)  # what exact softmax would score
    log_q = torch.log(prior / prior.sum())
    expected = []
    for row, own in enumerate(y.tolist()):
        scored = [(own, 0.0)] + [(k, 1.0) for k in drawn.tolist()]
        terms = torch.stack([logits[row, k] - log_q[k] - math.log(3) for k, _ in scored])
        keep = torch.tensor([k != own or first == 0.0 for k, first in scored])  # a hit is masked
        expected.append(-torch.log_softmax(terms[keep], dim=0)[0])
    torch.testing.assert_close(head.loss(head(features), y), torch.stack(expected).mean())


def test_sampled_softmax_trains_without_all_logits_and_predicts_with_them(monkeypatch):
    head = make_head("sampled_softmax", 8, 1000, n_sampled=16)
    features = torch.randn(4, 8)
    assert torch.equal(head(features), features)  # its output is the features
    torch.testing.assert_close(head.scores(features), head.linear(features))  # exact softmax
    monkeypatch.setattr(head.linear, "forward", lambda x: pytest.fail("formed all K logits"))
    head.loss(head(features), torch.tensor([0, 1, 2, 999])).backward()
    touched = head.linear.weight.grad.abs().sum(1).nonzero().numel()
    assert touched <= 4 + 16  # only the rows' own classes and the drawn ones get gradient


def test_fixed_scores_are_minus_squared_distances_to_the_codes():
    head = make_head("fixed", 8, 3)  # simplex in 2-D: unit codes 120 degrees apart
    codes = head.codes
    assert torch.allclose(codes, simplex_codes(3))
    assert head.scores(codes[0:1] * 0.0)[0].tolist() == pytest.approx([-1.0, -1.0, -1.0])
    # at code 0: distance² 0 to itself and |c0 - ck|² = 2 - 2 cos 120° = 3 to the others
    assert head.scores(codes[0:1])[0].tolist() == pytest.approx([0.0, -3.0, -3.0], abs=1e-6)
    assert head.loss(codes[[0]], torch.tensor([1])).item() == pytest.approx(3.0 / 2)


def test_cosine_scores_are_the_scale_times_the_cosine_and_ignore_length():
    head = make_head("cosine", 8, 3)
    assert head.log_scale.exp().item() == pytest.approx(16.0)
    assert torch.allclose(head.codes.norm(dim=1), torch.ones(3))
    at_code = head.scores(5 * head.codes[1:2])[0]
    assert at_code[1].item() == pytest.approx(16.0)  # cos = 1 however long the output
    assert at_code[0].item() == pytest.approx(16.0 * -0.5, abs=1e-5)  # simplex: cos = -1/2
    expected = F.cross_entropy(head.scores(head.codes), torch.tensor([0, 1, 2]))
    assert head.loss(head.codes, torch.tensor([0, 1, 2])).item() == pytest.approx(expected.item())
    assert head.loss(head.codes, torch.tensor([1, 2, 0])) > expected  # wrong labels cost more


@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0])
def test_gaussian_loss_is_beta_nll_with_the_given_beta(beta):
    head = make_head("gaussian", 8, 3, beta=beta)
    mean, variance = head(torch.randn(6, 8))
    expected = beta_nll_loss(mean, head.codes[Y], variance, beta)
    assert head.loss((mean, variance), Y).item() == pytest.approx(expected.item())
    other = beta_nll_loss(mean, head.codes[Y], variance, 1.0 - beta if beta != 0.5 else 0.0)
    assert other.item() != pytest.approx(expected.item())


def test_gaussian_variance_respects_min_variance_and_scores_use_the_mean():
    head = make_head("gaussian", 8, 3, min_variance=0.7)
    mean, variance = head(torch.randn(20, 8))
    assert (variance >= 0.7).all()
    assert torch.equal(head.scores((mean, variance)), head.scores((mean, variance * 9)))


def test_learned_loss_is_the_distance_cross_entropy_with_its_pull():
    head = make_head("learned", 8, 3, pull=0.5)
    output = head(torch.randn(6, 8))
    expected = distance_cross_entropy(output, Y, head.codes.weight, pull=0.5)
    assert head.loss(output, Y).item() == pytest.approx(expected.item())
    assert expected.item() != pytest.approx(F.mse_loss(output, head.codes(Y)).item())
    assert head.scores(head.codes.weight[:1]).argmax(dim=1).item() == 0


def test_learned_vectors_start_at_the_given_scale_and_default_dim():
    torch.manual_seed(0)
    small = make_head("learned", 8, 400, dim=4, init_scale=0.01).class_vectors()
    assert small.std().item() == pytest.approx(0.01, rel=0.1)
    assert make_head("learned", 8, 3).class_vectors().shape == (3, 2)  # max(2, K - 1)
    assert make_head("learned", 8, 5, dim=7).class_vectors().shape == (5, 7)
    assert make_head("learned", 8, 12).class_vectors().shape == (12, 11)
    default = make_head("learned", 8, 3)
    assert default.pull == 1e-3
    torch.manual_seed(0)
    unit = make_head("learned", 8, 2000, dim=4).class_vectors()
    assert unit.std().item() == pytest.approx(1.0, rel=0.05)  # init_scale 1 by default
    torch.manual_seed(0)
    cosine = make_head("learned_cosine", 8, 2000, dim=4).codes.weight
    assert cosine.std().item() == pytest.approx(1.0, rel=0.05)
    torch.manual_seed(0)
    small = make_head("learned_cosine", 8, 2000, dim=4, init_scale=0.01).codes.weight
    assert small.std().item() == pytest.approx(0.01, rel=0.05)  # init_scale reaches the table


def test_learned_heads_have_no_max_norm_since_they_never_look_rows_up():
    for name in ("learned", "learned_cosine"):
        with pytest.raises(TypeError, match="max_norm"):
            make_head(name, 8, 3, max_norm=1.0)
        assert make_head(name, 8, 3).codes.max_norm is None


@pytest.mark.parametrize("name", sorted(HEADS))
def test_every_head_keeps_its_sizes_and_checks_its_dim(name):
    head = make_head(name, 8, 3)
    assert (head.in_features, head.n_classes) == (8, 3)
    if HEADS[name].has_dim:
        with pytest.raises(ValueError, match="dim must be None or an integer >= 1, got dim=0"):
            make_head(name, 8, 3, dim=0)
    if HEADS[name].codebook_default:
        assert head.codebook == "simplex"
        assert make_head(name, 8, 3, codebook="onehot").codebook == "onehot"
    else:
        assert head.codebook is None


@pytest.mark.parametrize("name", ["cosine", "learned_cosine"])
def test_cosine_scores_normalise_each_row_on_its_own(name):
    torch.manual_seed(0)
    head = make_head(name, 8, 4, dim=3)
    output = torch.tensor([[1.0, 2.0, 2.0], [30.0, 0.0, -40.0], [0.0, 0.5, 0.0]])
    vectors = head.class_vectors()
    expected = head.log_scale.exp() * F.normalize(output, dim=1) @ F.normalize(vectors, dim=1).T
    assert torch.allclose(head.scores(output), expected, atol=1e-6)
    assert torch.allclose(head.scores(10 * output), head.scores(output), atol=1e-5)
    assert torch.allclose(vectors.norm(dim=1), torch.ones(4)) or name == "cosine"


def test_cosine_heads_default_to_at_least_three_dimensions():
    assert cosine_dim(3) == 3 and cosine_dim(2) == 3 and cosine_dim(10) == 10
    assert make_head("cosine", 8, 2).codes.shape == (2, 3)
    assert make_head("learned_cosine", 8, 4).class_vectors().shape == (4, 4)
    assert make_head("learned_cosine", 8, 4, dim=2).class_vectors().shape == (4, 2)


def test_learned_cosine_decodes_by_angle_not_length():
    head = make_head("learned_cosine", 8, 3, dim=2)
    with torch.no_grad():
        head.codes.weight.copy_(torch.tensor([[10.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]))
    output = torch.tensor([[0.1, 5.0]])
    assert head.scores(output).argmax().item() == 1  # direction: (0, 1)
    assert make_head("learned", 8, 3).scores(output).shape == (1, 3)
    with torch.no_grad():
        head.codes.weight[1] = torch.tensor([0.0, 100.0])
    assert head.scores(output).argmax().item() == 1  # length ignored
    assert torch.allclose(head.class_vectors().norm(dim=1), torch.ones(3))
    assert head.scores(output).max().item() == pytest.approx(16 * 5 / math.hypot(0.1, 5))


def test_label_embedding_head_is_the_label_embedding_network():
    torch.manual_seed(0)
    head = make_head("label_embedding", 8, 3)
    features = torch.randn(6, 8, requires_grad=True)
    logits, watcher = head(features)
    assert torch.equal(head.scores((logits, watcher)), logits)
    expected = label_embedding_loss(logits, watcher, Y, head.label_embedding, hinge_reduction="sum")
    assert head.loss((logits, watcher), Y).item() == pytest.approx(expected.item())
    watcher.sum().backward()  # head 2 only watches: no gradient reaches the features
    assert features.grad is None or torch.all(features.grad == 0)
    rows = head.class_vectors()
    assert rows[0, 0].item() == pytest.approx(math.e / (math.e + 2))  # softmax of a row of I


def test_label_embedding_head_sums_its_hinge_as_the_authors_do():
    head = make_head("label_embedding", 8, 3)
    logits = torch.zeros(6, 3)
    watcher = 10 * torch.nn.functional.one_hot(Y, 3).float()  # sure of the truth: the hinge acts
    summed = label_embedding_loss(logits, watcher, Y, head.label_embedding, hinge_reduction="sum")
    mean = label_embedding_loss(logits, watcher, Y, head.label_embedding, hinge_reduction="mean")
    assert summed.item() != pytest.approx(mean.item())
    assert head.loss((logits, watcher), Y).item() == pytest.approx(summed.item())


def test_the_network_is_a_body_and_a_head_built_in_that_order():
    """Body first, head second: the same seed gives the same first layer for every head."""
    first = {name: network(name).body[0].weight for name in HEADS}
    assert all(torch.equal(w, first["softmax"]) for w in first.values())
    model = network("fixed")
    assert [type(m).__name__ for m in model.body] == ["Linear", "ReLU"]
    X = torch.randn(4, 4)
    assert torch.equal(model.points(X), model(X))
    assert torch.equal(network("softmax").points(X), network("softmax").body(X))


@pytest.mark.parametrize(
    "name, settings, message",
    [
        ("svm", {}, "unknown method 'svm'"),
        ("softmax", {"dim": 3}, "dim: method='softmax'"),
        ("label_embedding", {"dim": 3}, "dim: method='label_embedding'"),
        ("fixed", {"dim": 0}, "dim must be None or an integer >= 1, got dim=0"),
        ("learned", {"dim": 2.0}, "dim must be None or an integer >= 1, got dim=2.0"),
        ("learned", {"dim": True}, "dim must be"),
        ("fixed", {"codebook": "ecoc"}, "unknown code book 'ecoc'"),
        ("gaussian", {"beta": -1}, "beta must be >= 0"),
        ("gaussian", {"min_variance": 0}, "min_variance must be > 0"),
        ("learned", {"init_scale": 0}, "init_scale must be > 0"),
        ("sampled_softmax", {"n_sampled": 0}, "n_sampled must be an integer >= 1, got 0"),
        ("sampled_softmax", {"n_sampled": 2.0}, "n_sampled must be an integer >= 1, got 2.0"),
        ("sampled_softmax", {"class_prior": [1.0, 2.0]}, "class_prior must hold n_classes=3"),
        ("sampled_softmax", {"class_prior": [1.0, 0.0, 2.0]}, "positive numbers"),
    ],
)
def test_impossible_settings_name_the_argument(name, settings, message):
    with pytest.raises(ValueError, match=message):
        make_head(name, 8, 3, **settings)


def test_a_network_needs_a_hidden_layer_and_two_classes():
    with pytest.raises(ValueError, match=r"^hidden must name at least one layer size \(the head"):
        HeadNetwork(4, (), 3, "softmax")
    with pytest.raises(ValueError, match="n_classes must be an integer >= 2"):
        make_head("softmax", 8, 1)


@pytest.mark.parametrize("name", ["learned", "learned_cosine", "label_embedding", "cosine"])
def test_learned_parts_receive_gradient(name):
    head = make_head(name, 8, 3)
    head.loss(head(torch.randn(6, 8)), Y).backward()
    learned = {"learned": "codes.weight", "learned_cosine": "codes.weight",
               "label_embedding": "label_embedding", "cosine": "log_scale"}[name]  # fmt: skip
    grad = dict(head.named_parameters())[learned].grad
    assert grad is not None and grad.abs().sum() > 0


def test_the_seed_codebook_and_dim_reach_the_fixed_codes():
    a = make_head("cosine", 8, 5, dim=4, codebook="sphere", seed=0).codes
    b = make_head("cosine", 8, 5, dim=4, codebook="sphere", seed=1).codes
    assert a.shape == (5, 4) and not torch.allclose(a, b)  # the seed draws the sphere codes
    assert torch.allclose(a, make_head("cosine", 8, 5, dim=4, codebook="sphere", seed=0).codes)
    fixed = make_head("fixed", 8, 5, dim=4, codebook="sphere", seed=1)
    assert torch.allclose(fixed.codes, b) and fixed.linear.out_features == 4
    assert make_head("fixed", 8, 5).codes.shape == (5, 4)  # simplex: K - 1
    assert make_head("fixed", 8, 5, codebook="onehot").codes.shape == (5, 5)
    gaussian = make_head("gaussian", 8, 5, dim=6, codebook="random", seed=2)
    assert gaussian.codes.shape == (5, 6) and gaussian.mean_head.out_features == 6
    assert torch.equal(
        gaussian.codes, make_head("gaussian", 8, 5, dim=6, codebook="random", seed=2).codes
    )
    assert not torch.equal(
        gaussian.codes, make_head("gaussian", 8, 5, dim=6, codebook="random", seed=3).codes
    )
    assert make_head("fixed", 8, 3, dim=1, codebook="random").codes.shape == (
        3,
        1,
    )  # dim 1 is allowed
    with pytest.raises(ValueError, match="unknown code book 'ecoc'; choose one of onehot, random"):
        make_head("cosine", 8, 3, codebook="ecoc")
    with pytest.raises(
        ValueError,
        match="unknown method 'svm'; choose one of softmax, sampled_softmax, fixed, cosine",
    ):
        make_head("svm", 8, 3)


def test_the_head_remembers_its_sizes_and_defaults():
    head = make_head("gaussian", 8, 3)
    assert (head.in_features, head.n_classes, head.codebook) == (8, 3, "simplex")
    assert (head.beta, head.min_variance) == (0.5, 1e-3)
    assert make_head("learned", 8, 3).pull == 1e-3
    assert make_head("softmax", 8, 3).codebook is None
    with pytest.raises(ValueError, match="n_classes must be an integer >= 2, got True"):
        make_head("softmax", 8, True)


def test_gaussian_and_label_embedding_points_and_scores():
    gaussian = make_head("gaussian", 8, 3)
    features = torch.randn(4, 8)
    mean, variance = gaussian(features)
    assert torch.equal(gaussian.points(features, (mean, variance)), mean)
    at_code = gaussian.scores((gaussian.codes[1:2], variance[:1]))
    assert at_code.argmax().item() == 1 and at_code[0, 1].item() == pytest.approx(0.0, abs=1e-6)
    assert (at_code <= 1e-6).all()  # minus a squared distance
    len_head = make_head("label_embedding", 8, 3)
    logits, watcher = len_head(features)
    assert torch.equal(len_head.points(features, (logits, watcher)), logits)


def test_the_network_passes_its_settings_to_the_head():
    model = HeadNetwork(4, (8, 6), 3, "learned", dim=5, init_scale=0.5)
    assert model.head.class_vectors().shape == (3, 5) and model.head.in_features == 6
    with pytest.raises(ValueError, match="hidden size must be"):
        HeadNetwork(4, (8, 0), 3, "softmax")
