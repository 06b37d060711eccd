"""One helper that makes a run repeatable (introduced in lesson 1, used everywhere).

Seeding Python's `random`, NumPy and PyTorch together means two runs of a notebook give the
same numbers on the same machine. Other CPUs may still differ in the 6th decimal, which is why
the notebooks check their claims with tolerances.
"""

import random

import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and PyTorch with `seed` (a non-negative integer)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    _ = torch.manual_seed(int(seed))
