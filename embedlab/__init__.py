"""embedlab: multi-class classification with label embeddings and regression losses.

The notebooks in `notebooks/` tell the story; this package holds what they share:

- `seeding`   — `seed_everything` and `set_threads`: repeatable runs
- `claims`    — `claim`: a lesson's prose checked on its numbers, failing in words
- `data`      — scikit-learn's bundled datasets, split and standardised; input checks
- `models`    — MLPs, a Gaussian regressor, models with learned class vectors
- `training`  — one training loop returning a `History`
- `metrics`   — scores of one run, and results over many seeds
- `codebooks` — fixed class codes, their separation, and decoding outputs to classes
- `losses`    — β-NLL and the losses that learn class vectors
- `plots`     — pictures that return their Axes
- `playground` — `Playground`: controls, and the figure a plain function draws for them
- `widgets`   — one playground per lesson, one module each
- `estimator` — `EmbeddingClassifier`, every method behind scikit-learn's API
- `heads`     — one home per method: its output layer, loss and class scores
- `calibration` — temperature scaling, expected calibration error, reliability tables
- `fitting`   — training at any data size: mini-batches, early stopping, progress bar
- `benchmark` — the benchmark's shipped results and their summary table
- `comparison` — lesson 6's goals against a reference classifier, seed by seed
- `checking`, `exercises` — `check(name, answer)` for the exercises: tolerances and hints
- `glyphs`    — 959 classes drawn from matplotlib's fonts (shipped pixels); homoglyphs (lesson 7)
- `glyph_rendering` — how the shipped glyph pixels are drawn with FreeType (lesson 7)
- `many_classes` — heads on glyphs, their learning curves and their cost (lesson 7)
"""

from embedlab.claims import ClaimNotMet, claim
from embedlab.data import DATASET_NAMES, Split, load_dataset, load_split
from embedlab.estimator import EmbeddingClassifier
from embedlab.glyphs import load_glyphs
from embedlab.metrics import (
    accuracy,
    classification_scores,
    confusion_frame,
    repeat_over_seeds,
    summarize,
)
from embedlab.models import GaussianRegressor, LabelEmbeddingNetwork, LearnedCodeModel, mlp
from embedlab.seeding import seed_everything, set_threads
from embedlab.training import History, train

__version__ = "0.1.0"

__all__ = [
    "ClaimNotMet",
    "DATASET_NAMES",
    "EmbeddingClassifier",
    "GaussianRegressor",
    "History",
    "LabelEmbeddingNetwork",
    "LearnedCodeModel",
    "Split",
    "accuracy",
    "claim",
    "classification_scores",
    "confusion_frame",
    "load_dataset",
    "load_glyphs",
    "load_split",
    "mlp",
    "repeat_over_seeds",
    "seed_everything",
    "set_threads",
    "summarize",
    "train",
]
