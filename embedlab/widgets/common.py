"""What several playgrounds share: the learning-rate slider, a 2-D view of code space."""

import ipywidgets as widgets
import torch

LEARNING_RATES = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)


def learning_rate_slider(value: float) -> widgets.SelectionSlider:
    """A slider over round learning rates (a log slider would snap 3e-3 to 10**-2.5)."""
    return widgets.SelectionSlider(options=LEARNING_RATES, value=value, description="lr")


def project_to_2d(outputs: torch.Tensor, codes: torch.Tensor):
    """Project outputs and codes onto the two main directions of the codes (for d > 2 pictures)."""
    if codes.shape[1] == 2:
        return outputs, codes
    center = codes.mean(dim=0)
    _, _, directions = torch.linalg.svd(codes - center, full_matrices=False)
    basis = directions[:2].T
    return (outputs - center) @ basis, (codes - center) @ basis
