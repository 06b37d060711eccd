"""Lesson 3's playground: regression onto a fixed code book, decoded by nearest code."""

import ipywidgets as widgets
import torch
import torch.nn.functional as F

from embedlab import plots
from embedlab.codebooks import CODEBOOKS, distance_ratio, make_codebook, nearest_code
from embedlab.data import load_split
from embedlab.metrics import accuracy
from embedlab.models import mlp
from embedlab.playground import Playground
from embedlab.seeding import seed_everything
from embedlab.training import train
from embedlab.widgets.common import project_to_2d


def codebook_demo(
    dataset: str = "iris", codebook: str = "simplex", dim: int | None = 2, seed: int = 0
) -> dict:
    """Regress an MLP onto fixed class codes with MSE (the house recipe), decode by nearest
    code, return accuracy. `seed` picks the split, the initial weights and (for random and
    sphere books) the codes, exactly as lesson 3's `run_codebook` does. The one-hot book has
    one dimension per class, so it ignores `dim`: `dim_used` says what was used.
    """
    split = load_split(dataset, seed=seed)
    if codebook == "onehot":
        dim = None
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
        "distance_ratio": distance_ratio(codes),
        "dim_used": codes.shape[1],
        "outputs": outputs,
        "codes": codes,
        "y_test": split.y_test,
        "class_names": split.class_names,
        "history": history,
    }


def codebook_widget(dataset: str = "iris") -> Playground:
    """Code book, dimension and seed (a new split, initial weights and random book, as in the
    lesson); redraws the embedding space and the accuracy."""

    def show(codebook, dim, seed):
        try:
            result = codebook_demo(dataset, codebook, dim, seed)
        except ValueError as error:  # an impossible (code book, dim) pair: say why, draw nothing
            print(f"Not possible: {error}")
            return None
        if result["dim_used"] != dim:
            print(
                f"The {codebook} book has one dimension per class: it uses dim "
                f"{result['dim_used']} whatever the dimension slider says."
            )
        outputs, codes = project_to_2d(result["outputs"], result["codes"])
        drawn_in_2d = result["dim_used"] == 2
        ax = plots.plot_embedding_space(
            outputs,
            result["y_test"],
            codes,
            result["class_names"],
            regions=drawn_in_2d,
            title=f"{codebook}, dim {result['dim_used']}, seed {seed}: accuracy "
            f"{result['accuracy']:.3f}, min/mean code distance {result['distance_ratio']:.2f}",
        )
        axis = "output" if drawn_in_2d else "main direction of the codes"
        ax.set_xlabel(f"{axis} 1")
        ax.set_ylabel(f"{axis} 2")
        return result

    return Playground(
        show,
        codebook=widgets.Dropdown(options=CODEBOOKS, value="random", description="code book"),
        dim=widgets.IntSlider(2, 2, 16, description="dimension"),
        seed=widgets.IntSlider(0, 0, 29, description="seed"),
    )
