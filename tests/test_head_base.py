"""The head contract (embedlab.head_base): settings checked once for every head, the default
dimension of the cosine heads, what a head's defaults return."""

import pytest
import torch

from embedlab.head_base import Head, cosine_dim


class Plain(Head):
    name = "plain"
    codebook_default = "simplex"


class NoDim(Head):
    name = "no_dim"
    has_dim = False


def test_cosine_dim_is_k_and_at_least_three():
    assert [cosine_dim(k) for k in (2, 3, 4, 10)] == [3, 3, 4, 10]


@pytest.mark.parametrize(
    "head, dim, codebook, message",
    [
        (NoDim, 3, None, "dim: method='no_dim' outputs one logit per class"),
        (Plain, 0, None, "dim must be None or an integer >= 1, got dim=0"),
        (Plain, True, None, "dim must be None or an integer >= 1, got dim=True"),
        (Plain, 2.5, None, "dim must be None or an integer >= 1, got dim=2.5"),
        (
            Plain,
            None,
            "ecoc",
            "unknown code book 'ecoc'; choose one of onehot, random, hadamard, simplex, sphere",
        ),
    ],
)
def test_check_settings_names_the_bad_argument(head, dim, codebook, message):
    with pytest.raises(ValueError, match=message):
        head.check_settings(dim, codebook)


def test_good_settings_pass_and_a_head_without_a_code_book_ignores_one():
    Plain.check_settings(None, None)
    Plain.check_settings(4, "onehot")
    NoDim.check_settings(None, "anything")  # no code book to check


@pytest.mark.parametrize("n_classes", [1, 2.0, True, "3"])
def test_a_head_needs_an_integer_number_of_classes_of_at_least_two(n_classes):
    with pytest.raises(ValueError, match=f"n_classes must be an integer >= 2, got {n_classes!r}"):
        Plain(8, n_classes)


def test_a_head_keeps_its_sizes_and_its_default_code_book():
    head = Plain(8, 5)
    assert (head.in_features, head.n_classes, head.codebook) == (8, 5, "simplex")
    assert Plain(8, 5, codebook="onehot").codebook == "onehot"
    codes = head._fixed_codes(None, seed=0)
    assert codes.shape == (5, 4) and torch.equal(head.codes, codes)  # a buffer: moves with .to()
    assert "codes" in dict(head.named_buffers())
    assert torch.equal(head.class_vectors(), codes)


def test_the_base_leaves_loss_and_scores_to_each_head():
    head = Plain(8, 3)
    with pytest.raises(NotImplementedError):
        head.loss(torch.zeros(2, 2), torch.zeros(2, dtype=torch.long))
    with pytest.raises(NotImplementedError):
        head.scores(torch.zeros(2, 2))
    features = torch.randn(4, 8)
    assert head.points(features, features) is features
    assert head.n_parameters() == 0
