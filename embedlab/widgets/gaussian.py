"""Lesson 4's playground: Gaussian regression onto codes, and what its variance flags."""

import math

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
    snapshots: int = 50,
) -> dict:
    """Train a Gaussian regressor onto simplex codes with β-NLL (β=0: plain NLL).

    Returns accuracy (nearest code), the AUROC of the predicted total variance for flagging
    mistakes (NaN when there is no mistake to flag; `n_mistakes` says so), the test means and
    variances, the History and the test accuracy at `snapshots` points during training
    (`accuracy_epochs`, `accuracy_curve`).
    """
    codes = make_codebook("simplex", split.n_classes)
    seed_everything(seed)
    model = GaussianRegressor(split.n_features, (100, 100), codes.shape[1], min_variance)

    def test_accuracy(model):
        return accuracy(split.y_test, nearest_code(model(split.X_test)[0], codes))

    history = train(
        model,
        split.X_train,
        split.y_train,
        lambda output, y: beta_nll_loss(output[0], codes[y], output[1], beta=beta),
        epochs=epochs,
        lr=lr,
        metric=test_accuracy,
        eval_every=max(1, epochs // snapshots),
    )
    with torch.no_grad():
        mean, variance = model(split.X_test)
    predicted = nearest_code(mean, codes)
    wrong = predicted != split.y_test
    return {
        "accuracy": accuracy(split.y_test, predicted),
        "variance_auroc": uncertainty_auroc(variance.sum(dim=1), wrong),
        "n_mistakes": int(wrong.sum()),
        "mean": mean,
        "variance": variance,
        "codes": codes,
        "history": history,
        "accuracy_epochs": [e + 1 for e in history.metric_epochs],
        "accuracy_curve": history.metric,
    }


def _auroc_text(result: dict) -> str:
    if math.isnan(result["variance_auroc"]):
        return f"{result['n_mistakes']} mistakes: no AUROC (needs right and wrong predictions)"
    return f"{result['n_mistakes']} mistakes, variance AUROC {result['variance_auroc']:.2f}"


def gaussian_widget(splits: Split | dict[str, Split]) -> Playground:
    """Dataset (if several splits are given by name), β, variance floor, learning rate, epochs
    and seed; draws the test outputs (with 1-σ ellipses in 2-D) and test accuracy over training.
    """
    if isinstance(splits, Split):
        splits = {"data": splits}
    if not splits or not all(isinstance(s, Split) for s in splits.values()):
        raise ValueError("splits must be a Split or a non-empty dict of name -> Split")

    first = next(iter(splits))

    def show(beta, log10_min_variance, lr, epochs, seed, dataset=first):
        split = splits[dataset]
        result = gaussian_demo(split, beta, 10**log10_min_variance, lr, seed, epochs)
        mean, codes = project_to_2d(result["mean"], result["codes"])
        two_d = result["codes"].shape[1] == 2
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
        plots.plot_embedding_space(
            mean,
            split.y_test,
            codes,
            split.class_names,
            variance=result["variance"] if two_d else None,
            ax=left,
            regions=two_d,
            title=f"test outputs{'' if two_d else ' (2-D view of the codes)'}",
        )
        right.plot(result["accuracy_epochs"], result["accuracy_curve"])
        right.set_xlabel("epoch")
        right.set_ylabel("test accuracy")
        right.set_title(f"accuracy {result['accuracy']:.3f}; {_auroc_text(result)}")
        return result

    controls = {}
    if len(splits) > 1:
        controls["dataset"] = widgets.Dropdown(options=list(splits), description="dataset")
    controls |= {
        "beta": widgets.FloatSlider(0.5, min=0.0, max=1.0, step=0.25, description="β"),
        "log10_min_variance": widgets.IntSlider(-6, -6, 0, description="log10 floor"),
        "lr": learning_rate_slider(3e-3),
        "epochs": widgets.IntSlider(100, 100, 1000, step=100, description="epochs"),
        "seed": widgets.IntSlider(0, 0, 9, description="seed"),
    }
    return Playground(show, **controls)
