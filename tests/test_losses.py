import math
import re

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


# --- pinned values, computed by hand -------------------------------------------------------

SIGMA_1 = 1 / (1 + math.exp(-1))  # softmax([1, 0])[0] = 0.7311


def test_beta_nll_loss_pinned_value():
    mean, target = torch.tensor([[0.0, 1.0]]), torch.tensor([[1.0, 1.0]])
    variance = torch.tensor([[2.0, 1.0]])
    # element 1: 0.5 * (ln 2 + 1/2) weighted by 2**beta; element 2: 0.5 * (ln 1 + 0) = 0
    for beta in (0.0, 0.5, 1.0):
        expected = 0.5 * (math.log(2) + 0.5) * 2**beta / 2
        assert beta_nll_loss(mean, target, variance, beta=beta).item() == pytest.approx(expected)


def test_separation_penalty_pinned_value():
    from embedlab.losses import separation_penalty

    # pair distances 0.5, 3 and sqrt(9.25): only the first is inside the margin 2
    codes = torch.tensor([[0.0, 0.0], [0.5, 0.0], [0.0, 3.0]])
    assert separation_penalty(codes, margin=2.0).item() == pytest.approx(1.5**2 / 3)
    # distances 1, 1 and sqrt(2) inside margin 2: (1 + 1 + (2 - sqrt 2)^2) / 3
    square = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    expected = (1 + 1 + (2 - math.sqrt(2)) ** 2) / 3
    assert separation_penalty(square, margin=2.0).item() == pytest.approx(expected, rel=1e-6)


def test_distance_cross_entropy_pinned_value():
    from embedlab.losses import distance_cross_entropy

    features = torch.tensor([[0.0, 0.0], [2.0, 0.0]])
    prototypes = torch.tensor([[0.0, 0.0], [1.0, 0.0]])
    y = torch.tensor([0, 1])
    # squared distances [0, 1] and [4, 1]; logits -d²/0.5 = [0, -2] and [-8, -2]
    cross_entropy = (math.log(1 + math.exp(-2)) + math.log(1 + math.exp(-6))) / 2
    pull = 0.1 * 0.5 * (0 + 1) / 2
    loss = distance_cross_entropy(features, y, prototypes, temperature=0.5, pull=0.1)
    assert loss.item() == pytest.approx(cross_entropy + pull, rel=1e-6)
    # defaults: temperature 1 (logits [0, -1] and [-4, -1]) and pull 1e-3
    default = (math.log(1 + math.exp(-1)) + math.log(1 + math.exp(-3))) / 2 + 1e-3 * 0.25
    assert distance_cross_entropy(features, y, prototypes).item() == pytest.approx(default)


def learned_model(codes):
    from embedlab.models import LearnedCodeModel

    model = LearnedCodeModel(2, (), n_classes=len(codes), dim=codes.shape[1])
    with torch.no_grad():
        model.codes.weight.copy_(codes)
    return model


def test_learned_code_loss_pinned_values():
    from embedlab.losses import learned_code_loss

    model = learned_model(torch.tensor([[1.0, 0.0], [0.0, 2.0]]))
    output, y = torch.tensor([[3.0, 4.0]]), torch.tensor([0])
    # cosine: unit output (0.6, 0.8), unit codes (1, 0), (0, 1): cosines [0.6, 0.8]
    for temperature in (0.5, 0.25):
        logits = [0.6 / temperature, 0.8 / temperature]
        expected = math.log(math.exp(logits[0]) + math.exp(logits[1])) - logits[0]
        loss = learned_code_loss(model, "cosine", temperature=temperature)(output, y)
        assert loss.item() == pytest.approx(expected, rel=1e-6)
    # mse onto code 0 = (1, 0): ((3 - 1)² + 4²) / 2
    assert learned_code_loss(model, "mse")(output, y).item() == pytest.approx(10.0)
    # distance_ce with its defaults: squared distances [20, 13], temperature 1, pull 1e-3 * 20 / 2
    expected = math.log(1 + math.exp(-13 + 20)) + 1e-3 * 0.5 * 20
    loss = learned_code_loss(model, "distance_ce")(output, y)
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_label_embedding_loss_pinned_value():
    from embedlab.losses import label_embedding_loss

    head, watcher = torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 0.0]])
    y, embedding = torch.tensor([0]), torch.eye(2)
    s = SIGMA_1  # softmax(E[0]) = softmax(head) = softmax(watcher) = (s, 1 - s)
    t = 1 / (1 + math.exp(-0.5))  # softmax(watcher / tau=2) = (t, 1 - t)
    hard = -math.log(s)
    entropy = -(s * math.log(s) + (1 - s) * math.log(1 - s))  # CE(head, softmax(E[0]))
    head_term = 0.3 * hard + 0.7 * entropy
    embedding_term = -(t * math.log(s) + (1 - t) * math.log(1 - s))
    hinge = s - 0.6  # the watcher's true-class probability above alpha
    expected = head_term + hard + embedding_term + hinge
    loss = label_embedding_loss(head, watcher, y, embedding, tau=2.0, alpha=0.6, beta=0.3)
    assert loss.item() == pytest.approx(expected, rel=1e-6)
    # with alpha above s the hinge is silent
    loss = label_embedding_loss(head, watcher, y, embedding, tau=2.0, alpha=0.9, beta=0.3)
    assert loss.item() == pytest.approx(expected - hinge, rel=1e-6)


def test_label_embedding_loss_routes_gradients():
    """Which tensor learns from which term (Sun et al. 2017), with every input requiring grad.

    Sample 0 (class 0): the watcher is right. Sample 1 (class 1): the watcher is wrong.
    """
    from embedlab.losses import label_embedding_loss

    head = torch.tensor([[2.0, 0.0], [0.0, 1.0]], requires_grad=True)
    watcher = torch.tensor([[1.0, 0.0], [1.0, 0.0]], requires_grad=True)
    embedding = torch.tensor([[1.0, 0.0], [0.0, 3.0]], requires_grad=True)
    y = torch.tensor([0, 1])
    label_embedding_loss(head, watcher, y, embedding, tau=2.0, alpha=0.6, beta=0.5).backward()

    # E learns only from the embedding term, on the sample the watcher gets right (class 0):
    # d/dE[0] CE(E[0], q) = softmax(E[0]) - q, with q = softmax(watcher[0] / 2) = (t, 1 - t).
    # The soft targets softmax(E[y]) reach head 1 with their gradient stopped, and class 1's row
    # gets nothing because the watcher got sample 1 wrong.
    s, t = SIGMA_1, 1 / (1 + math.exp(-0.5))
    expected_embedding = torch.tensor([[s - t, t - s], [0.0, 0.0]])
    assert torch.allclose(embedding.grad, expected_embedding, atol=1e-6)

    # The watcher learns from its own cross-entropy and the hinge only; its soft targets for E
    # are stopped. p = softmax(watcher) = (s, 1 - s) on both samples; averaged over n = 2.
    # Sample 0: CE gradient (s - 1, 1 - s); hinge active (s > 0.6) adds s(1 - s)·(1, -1).
    # Sample 1: CE gradient (s, -s); hinge inactive (p_true = 1 - s < 0.6).
    hinge = s * (1 - s)
    expected_watcher = torch.tensor([[s - 1 + hinge, 1 - s - hinge], [s, -s]]) / 2
    assert torch.allclose(watcher.grad, expected_watcher, atol=1e-6)
    assert watcher.grad[0, 0] > (s - 1) / 2  # the hinge pushes p_true down, not up

    # Head 1 learns from beta·CE(hard) + (1 - beta)·CE(softmax(E[y])): softmax(head) - target
    p0 = torch.softmax(head.detach()[0], 0)
    p1 = torch.softmax(head.detach()[1], 0)
    soft0 = torch.softmax(torch.tensor([1.0, 0.0]), 0)
    soft1 = torch.softmax(torch.tensor([0.0, 3.0]), 0)
    target0 = 0.5 * torch.tensor([1.0, 0.0]) + 0.5 * soft0
    target1 = 0.5 * torch.tensor([0.0, 1.0]) + 0.5 * soft1
    expected_head = torch.stack([p0 - target0, p1 - target1]) / 2
    assert torch.allclose(head.grad, expected_head, atol=1e-6)


def test_label_embedding_loss_when_the_watcher_is_never_right():
    from embedlab.losses import label_embedding_loss

    embedding = torch.eye(2, requires_grad=True)
    watcher = torch.tensor([[0.0, 1.0]], requires_grad=True)
    loss = label_embedding_loss(torch.zeros(1, 2), watcher, torch.tensor([0]), embedding)
    loss.backward()
    assert torch.equal(embedding.grad, torch.zeros(2, 2))  # no sample to learn E from
    # head: CE of uniform logits = ln 2 for any target; watcher CE = ln(1 + e); hinge silent
    assert loss.item() == pytest.approx(math.log(2) + math.log(1 + math.e), rel=1e-6)


# --- bad input names the argument -------------------------------------------------------


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_beta_nll_loss_rejects_non_positive_variance(bad):
    variance = torch.tensor([[1.0, bad]])
    with pytest.raises(ValueError, match="variance must be > 0"):
        beta_nll_loss(torch.zeros(1, 2), torch.zeros(1, 2), variance)


def test_label_embedding_loss_needs_a_square_embedding():
    from embedlab.losses import label_embedding_loss

    logits = torch.zeros(2, 3)
    with pytest.raises(ValueError, match=r"label_embedding must be square \(K, K\) = \(3, 3\)"):
        label_embedding_loss(logits, logits, torch.tensor([0, 1]), torch.zeros(3, 4))


@pytest.mark.parametrize(
    "y, message",
    [
        (torch.tensor([0, 3]), r"y must hold labels in \[0, 3\)"),
        (torch.tensor([-1, 0]), r"y must hold labels in \[0, 3\)"),
        (torch.tensor([0, 1, 2]), "y must be a 1-D tensor of 2 labels"),
        (torch.tensor([0.0, 1.0]), "y must hold integer class labels"),
    ],
)
def test_losses_name_bad_labels(y, message):
    from embedlab.losses import distance_cross_entropy, label_embedding_loss

    logits = torch.zeros(2, 3)
    with pytest.raises(ValueError, match=message):
        label_embedding_loss(logits, logits, y, torch.eye(3))
    with pytest.raises(ValueError, match=message):
        distance_cross_entropy(torch.zeros(2, 2), y, torch.zeros(3, 2))


def test_distance_cross_entropy_rejects_negative_pull():
    from embedlab.losses import distance_cross_entropy

    with pytest.raises(ValueError, match="pull must be >= 0"):
        distance_cross_entropy(torch.zeros(2, 2), torch.tensor([0, 1]), torch.eye(2), pull=-1.0)


@pytest.mark.parametrize("temperature", [0.0, -1.0])
def test_learned_code_loss_rejects_non_positive_temperature(temperature):
    from embedlab.losses import learned_code_loss

    model = learned_model(torch.eye(2))
    with pytest.raises(ValueError, match="temperature must be > 0"):
        learned_code_loss(model, "cosine", temperature=temperature)


# --- found by mutation testing (make mutation) -----------------------------------------


def full(message):
    return "^" + re.escape(message) + "$"


@pytest.mark.parametrize(
    "y, message",
    [
        ([0, 1], "y must be a 1-D tensor of 2 labels, got <class 'list'>"),
        (torch.tensor([[0], [1]]), "y must be a 1-D tensor of 2 labels, got torch.Size([2, 1])"),
        (torch.tensor([True, False]), "y must hold integer class labels, got dtype torch.bool"),
        (torch.tensor([0, 5]), "y must hold labels in [0, 3), got values from 0 to 5"),
    ],
)
def test_label_messages_in_full(y, message):
    from embedlab.losses import label_embedding_loss

    logits = torch.zeros(2, 3)
    with pytest.raises(ValueError, match=full(message)):
        label_embedding_loss(logits, logits, y, torch.eye(3))


def test_loss_messages_in_full():
    from embedlab.losses import distance_cross_entropy, label_embedding_loss, learned_code_loss

    message = "features (n, d) and prototypes (K, d) must share d, got (2,) and (3, 2)"
    with pytest.raises(ValueError, match=full(message)):
        distance_cross_entropy(torch.zeros(2), torch.tensor([0, 1]), torch.zeros(3, 2))
    message = (
        "head logits (2, 3), watcher logits (2, 4) and label embedding (3, 3) do not fit together"
    )
    with pytest.raises(ValueError, match=full(message)):
        label_embedding_loss(
            torch.zeros(2, 3), torch.zeros(2, 4), torch.tensor([0, 1]), torch.eye(3)
        )
    message = "unknown method 'triplet'; choose one of mse, distance_ce, cosine"
    with pytest.raises(ValueError, match=full(message)):
        learned_code_loss(learned_model(torch.eye(2)), "triplet")
    with pytest.raises(ValueError, match=full("mean has shape (2, 3) but target has (2, 2)")):
        beta_nll_loss(torch.zeros(2, 3), torch.zeros(2, 2), torch.ones(2, 2))


def test_loss_defaults():
    from embedlab.losses import label_embedding_loss, learned_code_loss

    mean, target, variance = torch.zeros(1, 2), torch.ones(1, 2), torch.tensor([[2.0, 0.5]])
    assert beta_nll_loss(mean, target, variance) == beta_nll_loss(mean, target, variance, beta=0.5)
    head, watcher = torch.tensor([[1.0, 0.0]]), torch.tensor([[2.0, 0.0]])
    y, embedding = torch.tensor([0]), torch.eye(2)
    assert label_embedding_loss(head, watcher, y, embedding) == label_embedding_loss(
        head, watcher, y, embedding, tau=2.0, alpha=0.9, beta=0.5
    )
    model = learned_model(torch.tensor([[1.0, 0.0], [0.0, 2.0]]))
    output = torch.tensor([[3.0, 4.0], [1.0, 0.0]])  # rows of different length
    y = torch.tensor([0, 1])
    loss = learned_code_loss(model, "cosine")(output, y)
    assert loss == learned_code_loss(model, "cosine", temperature=0.5)(output, y)
    # cosines [0.6, 0.8] and [1, 0]: logits / 0.5
    expected = (math.log(math.exp(1.2) + math.exp(1.6)) - 1.2 + math.log(math.exp(2) + 1)) / 2
    assert loss.item() == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    "kwargs, allowed",
    [
        ({"alpha": 1.0}, True),
        ({"alpha": 0.0}, False),
        ({"beta": 0.0}, True),
        ({"beta": 1.0}, True),
        ({"beta": 1.5}, False),
        ({"tau": 0.5}, True),
    ],
)
def test_label_embedding_loss_setting_bounds(kwargs, allowed):
    from embedlab.losses import label_embedding_loss

    logits, y = torch.zeros(2, 3), torch.tensor([0, 1])
    if allowed:
        assert torch.isfinite(label_embedding_loss(logits, logits, y, torch.eye(3), **kwargs))
    else:
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            label_embedding_loss(logits, logits, y, torch.eye(3), **kwargs)


def test_separation_penalty_with_two_codes_and_coinciding_codes():
    from embedlab.losses import separation_penalty

    codes = torch.zeros(2, 2, requires_grad=True)  # distance 0: penalty margin² = 1
    penalty = separation_penalty(codes, margin=1.0)
    assert penalty.item() == pytest.approx(1.0, abs=1e-5)  # distance sqrt(1e-12) = 1e-6
    penalty.backward()
    assert torch.isfinite(codes.grad).all()
