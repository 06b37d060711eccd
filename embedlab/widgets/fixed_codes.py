"""Lesson 3's playground: regression onto a fixed code book, decoded by nearest code."""

import ipywidgets as widgets
import torch
import torch.nn.functional as F

from embedlab import plots
from embedlab.codebooks import CODEBOOKS, make_codebook, nearest_code, separation
from embedlab.data import Split
from embedlab.metrics import accuracy
from embedlab.models import mlp
from embedlab.playground import Playground
from embedlab.seeding import seed_everything
from embedlab.training import train
from embedlab.widgets.common import project_to_2d


def codebook_demo(split: Split, codebook: str = "simplex", dim: int = 2, seed: int = 0) -> dict:
    """Regress an MLP onto fixed class codes with MSE; decode by nearest code; return accuracy."""
    codes = make_codebook(codebook, split.n_classes, dim, seed=seed)
    seed_everything(seed)
    model = mlp(split.n_features, (100, 100), codes.shape[1])
    history = train(
        model,
        split.X_train,
        split.y_train,
        lambda output, y: F.mse_loss(output, codes[y]),
        epochs=100,
        lr=3e-3,
    )
    with torch.no_grad():
        outputs = model(split.X_test)
    return {
        "accuracy": accuracy(split.y_test, nearest_code(outputs, codes)),
        "min_code_distance": separation(codes)["min_distance"],
        "outputs": outputs,
        "codes": codes,
        "history": history,
    }


def codebook_widget(split: Split) -> Playground:
    """Code book, dimension and seed; redraws the embedding space and the accuracy."""

    def show(codebook, dim, seed):
        if codebook == "onehot":
            dim = split.n_classes
        try:
            result = codebook_demo(split, codebook, dim, seed)
        except ValueError as error:  # an impossible (code book, dim) pair: say why, draw nothing
            print(f"Not possible: {error}")
            return None
        outputs, codes = project_to_2d(result["outputs"], result["codes"])
        plots.plot_embedding_space(
            outputs,
            split.y_test,
            codes,
            split.class_names,
            regions=codes.shape[1] == result["codes"].shape[1],
            title=f"{codebook}, dim {result['codes'].shape[1]}: accuracy {result['accuracy']:.3f}, "
            f"min code distance {result['min_code_distance']:.2f}",
        )
        return result

    return Playground(
        show,
        codebook=widgets.Dropdown(options=CODEBOOKS, value="random", description="code book"),
        dim=widgets.IntSlider(2, 2, 16, description="dimension"),
        seed=widgets.IntSlider(0, 0, 29, description="seed"),
    )
