import pytest
import torch

from embedlab.learned_methods import METHODS, build_model, class_vectors, predict


@pytest.mark.parametrize(
    "method, output_shape",
    [
        ("softmax", (5, 3)),
        ("fixed simplex", (5, 2)),
        ("mse", (5, 2)),
        ("distance_ce", (5, 2)),
        ("cosine", (5, 2)),
    ],
)
def test_each_method_builds_the_network_its_loss_expects(method, output_shape):
    torch.manual_seed(0)
    model = build_model(method, 4, 3)
    assert model(torch.randn(5, 4)).shape == output_shape
    assert predict(method, model, torch.randn(5, 4)).shape == (5,)


def test_class_vectors_are_what_decoding_sees():
    torch.manual_seed(0)
    assert class_vectors("softmax", build_model("softmax", 4, 3)) is None
    cosine = build_model("cosine", 4, 3, init_scale=5.0)
    assert torch.allclose(class_vectors("cosine", cosine).norm(dim=1), torch.ones(3))
    mse = build_model("mse", 4, 3, init_scale=5.0)
    assert torch.equal(class_vectors("mse", mse), mse.codes.weight.detach())
    network = build_model("label embedding network", 4, 3)
    rows = class_vectors("label embedding network", network)
    assert torch.allclose(rows.sum(dim=1), torch.ones(3))
    assert rows[0, 0].item() == pytest.approx(torch.e / (torch.e + 2))  # softmax of a row of I


def test_decoding_follows_the_method():
    torch.manual_seed(0)
    model = build_model("cosine", 4, 3)
    with torch.no_grad():
        model.codes.weight.copy_(torch.tensor([[10.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]))
        model.body[-1].weight.zero_()
        model.body[-1].bias.copy_(torch.tensor([0.1, 5.0]))  # every output is (0.1, 5)
    X = torch.randn(2, 4)
    assert predict("cosine", model, X).tolist() == [1, 1]  # direction: nearest is (0, 1)
    assert predict("mse", model, X).tolist() == [1, 1]
    model.codes.weight.data[1] = torch.tensor([0.0, 100.0])
    assert predict("cosine", model, X).tolist() == [1, 1]  # length ignored
    assert predict("mse", model, X).tolist() == [2, 2]  # euclidean: (-1, 0) is nearest now


def test_unknown_method_is_named():
    assert len(METHODS) == 6
    with pytest.raises(ValueError, match="unknown method 'triplet'"):
        build_model("triplet", 4, 3)
