import random

import numpy as np
import pytest
import torch

from embedlab.seeding import seed_everything


def draw():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_same_seed_same_numbers():
    seed_everything(3)
    first = draw()
    seed_everything(3)
    assert draw() == first


@pytest.mark.parametrize("generator", [0, 1, 2], ids=["random", "numpy", "torch"])
def test_each_generator_follows_the_seed(generator):
    seed_everything(3)
    three = draw()[generator]
    seed_everything(4)
    four = draw()[generator]
    assert three != four


def test_each_generator_is_seeded_with_the_seed_itself():
    seed_everything(3)
    python, numpy, torch_value = draw()
    random.seed(3)
    assert random.random() == python
    np.random.seed(3)
    assert np.random.rand() == numpy
    torch.manual_seed(3)
    assert torch.rand(1).item() == torch_value
    assert torch.initial_seed() == 3


def test_seeds_beyond_numpys_range_wrap_around_for_numpy_only():
    seed_everything(2**32 + 5)
    python, numpy, _ = draw()
    assert torch.initial_seed() == 2**32 + 5
    np.random.seed(5)
    assert np.random.rand() == numpy
    random.seed(2**32 + 5)
    assert random.random() == python


def test_type_error_names_the_type_given():
    with pytest.raises(TypeError, match="^seed must be an integer, got float$"):
        seed_everything(1.5)


def test_numpy_integer_seed_is_accepted():
    seed_everything(np.int64(7))
    assert torch.initial_seed() == 7


@pytest.mark.parametrize(
    "bad, error",
    [(-1, ValueError), (1.5, TypeError), ("0", TypeError), (None, TypeError), (True, TypeError)],
)
def test_bad_seed(bad, error):
    with pytest.raises(error, match="seed must be"):
        seed_everything(bad)
