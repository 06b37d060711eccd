"""Repeatable runs (introduced in lesson 1, used everywhere): one seeding helper, one thread helper.

Seeding Python's `random`, NumPy and PyTorch together means two runs of a notebook give the
same numbers on the same machine. Other CPUs may still differ in the last bits, which training
can grow into visible differences: that is why the notebooks check their claims with tolerances.

Every lesson also calls `set_threads(1)` first. Its stored outputs were made with one thread, one
thread is the fastest for networks this small (on a busy 2-core machine two threads made three small
trainings 10× slower), and Colab, VS Code and a plain `jupyter lab` do not set OMP_NUM_THREADS.
"""

import random

import numpy as np
import torch
from threadpoolctl import threadpool_limits


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and PyTorch with `seed` (a non-negative integer)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    _ = torch.manual_seed(int(seed))


def set_threads(n: int = 1) -> None:
    """Use `n` CPU threads in PyTorch and in the BLAS libraries NumPy and scikit-learn call."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer (threads), got {n!r}")
    torch.set_num_threads(int(n))
    threadpool_limits(int(n))
