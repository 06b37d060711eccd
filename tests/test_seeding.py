import random
from pathlib import Path

import numpy as np
import pytest
import torch

from embedlab.seeding import seed_everything

ROOT = Path(__file__).resolve().parents[1]


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


def test_set_threads_sets_torch_and_blas_threads():
    from threadpoolctl import threadpool_info

    from embedlab.seeding import set_threads

    try:
        set_threads(2)
        assert torch.get_num_threads() == 2
        assert all(pool["num_threads"] == 2 for pool in threadpool_info())
        set_threads(1)
        assert torch.get_num_threads() == 1
        assert all(pool["num_threads"] == 1 for pool in threadpool_info())
    finally:
        set_threads(1)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_set_threads_names_its_argument(bad):
    from embedlab.seeding import set_threads

    with pytest.raises(ValueError, match="n must be a positive integer"):
        set_threads(bad)


def test_every_lesson_sets_one_thread_before_it_trains():
    import nbformat

    for path in sorted(ROOT.glob("notebooks/*.ipynb")):
        cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
        assert "set_threads(1)" in cells[1].source, f"{path.name}: its import cell must call it"
