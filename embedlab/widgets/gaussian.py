"""Lesson 4's playground: Gaussian regression onto codes, and what its variance flags."""

import ipywidgets as widgets
import matplotlib.pyplot as plt
import torch

from embedlab import plots
from embedlab.codebooks import make_codebook, nearest_code
from embedlab.data import Split
from embedlab.losses import beta_nll_loss
from embedlab.metrics import accuracy, uncertainty_auroc
from embedlab.models import GaussianRegressor
from embedlab.playground import Playground
from embedlab.seeding import seed_everything
from embedlab.training import train
from embedlab.widgets.common import learning_rate_slider, project_to_2d


def gaussian_demo(
    split: Split,
    beta: float = 0.5,
    min_variance: float = 1e-6,
    lr: float = 3e-3,
    seed: int = 0,
    epochs: int = 100,
) -> dict:
    """Train a Gaussian regressor onto simplex codes with β-NLL (β=0: plain NLL).

    Returns accuracy (nearest code), the AUROC of the predicted total variance for flagging
    mistakes, and the test means and variances.
    """
    codes = make_codebook("simplex", split.n_classes)
    seed_everything(seed)
    model = GaussianRegressor(split.n_features, (100, 100), codes.shape[1], min_variance)
    history = train(
        model,
        split.X_train,
        split.y_train,
        lambda output, y: beta_nll_loss(output[0], codes[y], output[1], beta=beta),
        epochs=epochs,
        lr=lr,
    )
    with torch.no_grad():
        mean, variance = model(split.X_test)
    predicted = nearest_code(mean, codes)
    return {
        "accuracy": accuracy(split.y_test, predicted),
        "variance_auroc": uncertainty_auroc(variance.sum(dim=1), predicted != split.y_test),
        "mean": mean,
        "variance": variance,
        "codes": codes,
        "history": history,
    }


def gaussian_widget(split: Split) -> Playground:
    """β, variance floor, learning rate and seed; redraws outputs with their 1-σ ellipses."""

    def show(beta, log10_min_variance, lr, seed):
        result = gaussian_demo(split, beta, 10**log10_min_variance, lr, seed)
        mean, codes = project_to_2d(result["mean"], result["codes"])
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
        plots.plot_embedding_space(
            mean,
            split.y_test,
            codes,
            split.class_names,
            variance=result["variance"] if result["codes"].shape[1] == 2 else None,
            ax=left,
            title=f"accuracy {result['accuracy']:.3f}, "
            f"variance AUROC {result['variance_auroc']:.2f}",
        )
        plots.plot_training_curves({f"β = {beta}": result["history"]}, ax=right)
        return result

    return Playground(
        show,
        beta=widgets.FloatSlider(0.5, min=0.0, max=1.0, step=0.25, description="β"),
        log10_min_variance=widgets.IntSlider(-6, -6, 0, description="log10 floor"),
        lr=learning_rate_slider(3e-3),
        seed=widgets.IntSlider(0, 0, 9, description="seed"),
    )
