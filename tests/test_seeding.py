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


def test_different_seed_different_numbers():
    seed_everything(3)
    first = draw()
    seed_everything(4)
    assert draw() != first


@pytest.mark.parametrize("bad", [-1, 1.5, "0", None, True])
def test_bad_seed(bad):
    with pytest.raises((TypeError, ValueError), match="seed"):
        seed_everything(bad)
