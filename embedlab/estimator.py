"""`EmbeddingClassifier`: every method of the lessons behind scikit-learn's estimator API
(introduced in lesson 6).

    EmbeddingClassifier(method="fixed", codebook="simplex").fit(X, y).predict(X_new)

The network is an MLP body and one head from `embedlab.heads` (softmax, fixed, cosine,
gaussian, learned, learned_cosine, label_embedding): its output, loss and class scores.
Probabilities are softmax(scores / temperature_). With `temperature="auto"` (the default) the
temperature is fitted by temperature scaling (`embedlab.calibration`) on held-out scores; it never
changes a prediction. How a fit spends its data depends on n (`early_stopping="auto"`; the plans
are in `embedlab.fit_plans`):

- n < 2,000: four networks train for the whole budget: one on all the data (`model_`) and three
  out-of-fold ones (3 folds: a network trained on two scores the third); all four at once, as one
  batched network (`embedlab.stacked`), when one batch holds every row, else the three folds.
  The folds' held-out scores give the temperature; with `ensemble` (the default) the predictions
  average the four networks' scores.
- 2,000 <= n < 10,000: early stopping on a validation slice picks the number of epochs (and the
  temperature, from the slice's scores); then a fresh network trains on all n samples for that
  many epochs, so no sample is lost to validation. About two fits, no more; with `ensemble` the
  predictions average the two networks' scores.
- n >= 10,000: early stopping; the best epoch's network is kept, and the slice gives the
  temperature. One fit.

Training (`embedlab.fitting`) scales with n like scikit-learn's `MLPClassifier`: mini-batches of
`min(200, n)` samples and a budget of `epochs` passes.

It works with any labels (`classes_`), inside a `Pipeline`, with `cross_val_score` and with
`GridSearchCV`. Training uses its own random generator (`random_state`), not the global one.
"""

import warnings

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from embedlab.calibration import fit_temperature
from embedlab.fit_plans import (
    CALIBRATION_FOLDS,
    fit_early_stopping,
    fit_with_folds,
    network_scores,
    train_one,
)
from embedlab.fitting import check_fit_settings
from embedlab.heads import HEADS, HeadNetwork
from embedlab.training import check_training_settings

# early_stopping="auto" is on from this many samples. Below it the slice is too noisy to stop on
# (Iris, 30 rows: 3), and the whole budget with the four-network ensemble is worth its cost: at
# 1,000 rows of a hard 15-class set it beat stopping on the slice by 3.7 points (softmax), 2.0
# (fixed), 5.5 (learned) and 3.9 (gaussian), 5 seeds, for 2.5-3.5x the fit time. From 2,000 rows
# stopping (then two networks voting, `fit_plans`) is within 2.5 points of MLPClassifier or ahead
# for every head but the Gaussian one, at 0.4-2.1x its fit time.
AUTO_EARLY_STOPPING_N = 2_000


class EmbeddingClassifier(ClassifierMixin, TransformerMixin, BaseEstimator):
    """A multi-class MLP classifier whose output is logits or a point in a class-embedding space.

    Parameters
    ----------
    method : the head, one of `embedlab.heads.HEADS`: "softmax", "fixed", "cosine", "gaussian",
        "learned", "learned_cosine" or "label_embedding".
    codebook : fixed class codes for "fixed", "cosine" and "gaussian": "simplex", "onehot",
        "random", "hadamard" or "sphere".
    dim : embedding dimension; None picks the method's default (K - 1 for the simplex, K for
        one-hot, the next power of two for Hadamard, max(2, K - 1) for learned codes). Softmax
        and label_embedding have none: it must stay None there.
    hidden : sizes of the hidden layers.
    epochs : the budget: at most this many passes over the data (fewer if training converges).
    lr : Adam's learning rate.
    alpha : strength of the L2 penalty (weight decay), named as in scikit-learn's `MLPClassifier`:
        Adam adds alpha·w to the gradient of every weight w (MLPClassifier adds alpha·w divided by
        the batch size). 0 (the default) is none.
    batch_size : samples per step; "auto" is min(200, n); None is one batch of everything.
    early_stopping : hold out `validation_fraction` of the training data and stop when its
        accuracy has not improved by `tol` for `n_iter_no_change` epochs, keeping the best epoch
        (below 10,000 samples: then retrain on all samples for that many epochs); "auto" turns it
        on from 2,000 samples. A `ConvergenceWarning` says when the budget ran out first.
        Without it, every epoch of the budget runs.
    validation_fraction, n_iter_no_change, tol : as in scikit-learn's `MLPClassifier`, except
        n_iter_no_change defaults to 20, not 10: at 1-2k rows the slice's accuracy is noisy, and
        10 stopped softmax 1-2 points early (15 classes, 3 seeds).
    beta : β of the β-NLL loss ("gaussian"); 0 is plain Gaussian NLL.
    min_variance : floor of the predicted variance ("gaussian").
    temperature : "auto" fits the temperature of `predict_proba` on held-out scores of the
        training data (temperature scaling); a number > 0 fixes it (1.0 is the scores as trained).
    ensemble : predict with the mean scores of the networks the fit trains: below 2,000 samples
        the one on all the data and the three out-of-fold ones (trained for the temperature; with
        a fixed temperature, for this), from 2,000 to 10,000 the retrained network and the early
        stopping run's. False predicts with `model_` alone. Measured (benchmarks/results/
        ensemble.md: 8 sets, every head, 5 seeds): log loss within 1.1 x MLPClassifier's in 54
        of 64 dataset-head cells, against 32 with one network; accuracy up in 56, down in 5 (by
        0.5 points at most). Where four networks vote, the log loss fell in 53 of 56 cells.
    verbose : show a progress bar (tqdm) with the current loss.
    device : "auto" trains on the GPU torch finds (CUDA) when a training step is large enough to
        gain from it (6 x batch x parameters >= 1e8 operations, `embedlab.fitting`), and on the
        CPU otherwise: the default network on up to 200 rows a step stays on the CPU, where it
        is as fast and computes as the lessons' stored outputs did. Or "cpu", "cuda".
        Predictions are always made on the CPU in float64.
    random_state : int, RandomState or None; seeds initialisation, codes, batch order and folds.

    Attributes
    ----------
    classes_ : (K,) the class labels. n_features_in_ : number of input features.
    embedding_ : (K, dim) class vectors in the output space (for softmax: the rows of the
        last layer's weight, in the space of the last hidden layer).
    temperature_ : the temperature `predict_proba` divides the scores by.
    model_ : the trained torch module (on the CPU, float64); trained on all the data (from 10,000
        samples: on all but the validation slice).
    fold_models_ : the other networks the predictions average (`ensemble`): the three
        out-of-fold ones below 2,000 samples, the early-stopping run's from 2,000 to 10,000; or [].
    loss_curve_ : mean training loss of each epoch of `model_`. n_iter_ : epochs `model_` ran.
    validation_scores_ : validation accuracy after each epoch of the early-stopping run (None
        without early stopping).
    """

    def __init__(
        self,
        method: str = "fixed",
        codebook: str = "simplex",
        dim: int | None = None,
        hidden: tuple[int, ...] = (100, 100),
        epochs: int = 100,
        lr: float = 3e-3,
        alpha: float = 0.0,
        batch_size="auto",
        early_stopping="auto",
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 20,
        tol: float = 1e-4,
        beta: float = 0.5,
        min_variance: float = 1e-3,
        temperature="auto",
        ensemble: bool = True,
        verbose: bool = False,
        device: str = "auto",
        random_state=None,
    ):
        self.method = method
        self.codebook = codebook
        self.dim = dim
        self.hidden = hidden
        self.epochs = epochs
        self.lr = lr
        self.alpha = alpha
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.beta = beta
        self.min_variance = min_variance
        self.temperature = temperature
        self.ensemble = ensemble
        self.verbose = verbose
        self.device = device
        self.random_state = random_state

    def _make_builder(self):
        """Check every setting (a clear error names the bad one), then return the function that
        builds a fresh network for this method."""
        if self.method not in HEADS:
            raise ValueError(f"unknown method {self.method!r}; choose one of {', '.join(HEADS)}")
        check_training_settings(self.epochs, self.lr)
        check_fit_settings(
            batch_size=self.batch_size,
            early_stopping=self.early_stopping,
            validation_fraction=self.validation_fraction,
            n_iter_no_change=self.n_iter_no_change,
            tol=self.tol,
            device=self.device,
            temperature=self.temperature,
            alpha=self.alpha,
        )
        if not self.beta >= 0:
            raise ValueError(f"beta must be >= 0, got {self.beta}")
        if not isinstance(self.ensemble, bool):
            raise ValueError(f"ensemble must be True or False, got {self.ensemble!r}")
        if not self.min_variance > 0:
            raise ValueError(f"min_variance must be > 0, got {self.min_variance}")
        head = HEADS[self.method]
        head.check_settings(self.dim, self.codebook)
        hidden = tuple(self.hidden)
        if not hidden:
            raise ValueError("hidden must name at least one layer size, got ()")

        def build(n_features: int, n_classes: int, seed: int) -> HeadNetwork:
            """A fresh network: its weights come from torch's global generator."""
            settings = {name: getattr(self, name) for name in head.options}
            return HeadNetwork(
                n_features, hidden, n_classes, self.method, dim=self.dim, seed=seed, **settings
            )

        return build

    def fit(self, X, y):
        """Train on X (n_samples, n_features) and labels y (n_samples,); returns self."""
        build = self._make_builder()
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(f"EmbeddingClassifier needs at least 2 classes, got {n_classes} class")
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        early_stopping = self.early_stopping
        if early_stopping == "auto":
            early_stopping = len(X) >= AUTO_EARLY_STOPPING_N
        with torch.random.fork_rng(devices=[]):  # leave the caller's torch generator alone
            fold_models, held_out = [], None
            if early_stopping:
                self.model_, log, held_out, fold_models = fit_early_stopping(
                    self, build, X, y_index, n_classes, seed
                )
            elif (self.temperature == "auto" or self.ensemble) and len(X) >= 2 * CALIBRATION_FOLDS:
                self.model_, log, held_out, fold_models = fit_with_folds(
                    self, build, X, y_index, n_classes, seed
                )
            else:  # too few samples to hold any out, or neither calibration nor an ensemble
                self.model_, log = train_one(self, build, X, y_index, n_classes, seed)
        self.fold_models_ = fold_models if self.ensemble else []
        if self.temperature != "auto":
            self.temperature_ = float(self.temperature)
        else:  # held-out scores, or the scores as trained when none could be held out
            self.temperature_ = 1.0 if held_out is None else fit_temperature(*held_out)
        if early_stopping and not log.converged:
            warnings.warn(
                f"EmbeddingClassifier: the budget of epochs={self.epochs} ran out before the "
                f"validation score stopped improving (tol={self.tol}, n_iter_no_change="
                f"{self.n_iter_no_change}); raise epochs (see validation_scores_)",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.loss_curve_ = log.loss_curve
        self.validation_scores_ = log.validation_scores if early_stopping else None
        self.n_iter_ = log.n_iter
        self.embedding_ = self.model_.head.class_vectors().numpy()
        return self

    def _inputs(self, X) -> torch.Tensor:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return torch.as_tensor(X, dtype=torch.float64)

    def transform(self, X) -> np.ndarray:
        """Outputs in embedding space, (n_samples, dim), of `model_` (the network trained on all
        the data): the point for fixed and learned codes, the predicted mean for gaussian, the
        last hidden layer for softmax."""
        X = self._inputs(X)
        with torch.no_grad():
            return self.model_.points(X).numpy()

    def decision_scores(self, X) -> np.ndarray:
        """(n_samples, K) class scores at temperature 1 (logits, or -squared distances): those of
        `model_`, or their mean over `model_` and `fold_models_` (`ensemble`)."""
        X = self._inputs(X)
        networks = [self.model_, *self.fold_models_]
        return torch.stack([network_scores(network, X) for network in networks]).mean(0).numpy()

    def predict_proba(self, X) -> np.ndarray:
        """(n_samples, K) class probabilities, softmax(scores / temperature_); rows sum to 1."""
        scores = torch.as_tensor(self.decision_scores(X))
        return torch.softmax(scores / self.temperature_, dim=1).numpy()

    def predict(self, X) -> np.ndarray:
        """(n_samples,) predicted labels, from `classes_`: the class with the highest score."""
        scores = self.decision_scores(X)
        return self.classes_[np.argmax(scores, axis=1)]

    def predict_variance(self, X) -> np.ndarray:
        """(n_samples, dim) predicted variance of each output coordinate; method="gaussian" only."""
        if self.method != "gaussian":
            raise AttributeError(f"predict_variance needs method='gaussian', not {self.method!r}")
        X = self._inputs(X)
        with torch.no_grad():
            return self.model_(X)[1].numpy()
