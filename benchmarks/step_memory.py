"""Memory of one training step of an output head, in bytes (lesson 7's cost panels).

What a step holds, counted exactly:
- parameters, their gradients (dense: as many numbers again) and Adam's two moments (twice as
  many): counted from the tensors themselves (numel x element size);
- everything else a step creates (the head's output and scores, what autograd saves for the
  backward pass, the gradients flowing back, temporaries): the peak, over the step, of the bytes
  the C allocator has handed out beyond what was in use when the step began. glibc's
  `mallinfo2()` (bytes in use: `uordblks` + `hblkhd`) is read after every PyTorch operation of
  the step (a `TorchDispatchMode`), so the peak is exact at operation boundaries (a kernel's
  own scratch space, freed inside the operation, is not seen). Process RSS, which counts pages
  touched, is too coarse for this below a few MB.

Linux with glibc only (mallinfo2 is glibc 2.33+).
"""

import ctypes

import torch
from torch.utils._python_dispatch import TorchDispatchMode


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                     "uordblks", "fordblks", "keepcost")
    ]  # fmt: skip


_libc = ctypes.CDLL("libc.so.6")
_libc.mallinfo2.restype = _MallInfo2


def bytes_in_use() -> int:
    """Bytes the C allocator has handed out and not taken back (small blocks + mmapped ones)."""
    info = _libc.mallinfo2()
    return info.uordblks + info.hblkhd


class PeakAllocation(TorchDispatchMode):
    """Within `with PeakAllocation() as p:`, `p.peak` is the most bytes in use beyond those in
    use on entry, read after every PyTorch operation."""

    def __enter__(self):
        self.start, self.peak = bytes_in_use(), 0
        return super().__enter__()

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        self.peak = max(self.peak, bytes_in_use() - self.start)
        return out


def step_memory(head, in_features: int = 256, batch_size: int = 256) -> dict[str, int]:
    """Bytes of one Adam training step of `head` on random (batch, in_features) features:
    parameters, gradients, Adam's state (counted) and the step's own peak (measured)."""
    torch.manual_seed(0)
    optimizer = torch.optim.Adam(head.parameters(), lr=1e-3)
    features = torch.randn(batch_size, in_features)
    y = torch.randint(head.n_classes, (batch_size,))

    def step():
        optimizer.zero_grad(set_to_none=False)  # gradients stay: they are counted apart
        head.loss(head(features), y).backward()
        optimizer.step()

    step()  # gradients and Adam's moments exist from here on
    with PeakAllocation() as measured:
        step()
    parameters = [p for p in head.parameters() if p.requires_grad]
    size = sum(p.numel() * p.element_size() for p in parameters)
    state = sum(
        value.numel() * value.element_size()
        for p in parameters
        for value in optimizer.state[p].values()
        if torch.is_tensor(value) and value.numel() > 1
    )
    return {"parameter_bytes": size, "gradient_bytes": size, "optimizer_bytes": state,
            "step_peak_bytes": measured.peak}  # fmt: skip
