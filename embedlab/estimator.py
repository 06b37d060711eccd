"""`EmbeddingClassifier`: every method of the lessons behind scikit-learn's estimator API
(introduced in lesson 6).

    EmbeddingClassifier(method="fixed", codebook="simplex").fit(X, y).predict(X_new)

The methods (softmax, fixed, gaussian, learned) live in `embedlab.methods`: network, loss and
class scores. Probabilities are softmax(scores / temperature_). With `temperature="auto"` (the
default) the temperature is fitted by temperature scaling (`embedlab.calibration`) on
out-of-fold scores of the training data: the data is cut into 3 folds, a model trained on two
folds scores the third, and one T minimises the log loss of all these held-out scores. That costs
three extra (smaller) fits, and never changes a prediction.

It works with any labels (`classes_`), inside a `Pipeline`, with `cross_val_score` and with
`GridSearchCV`. Training uses its own random generator (`random_state`), not the global one.
"""

import numbers

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from embedlab.calibration import fit_temperature
from embedlab.methods import METHODS, make_method
from embedlab.training import check_training_settings, train

CALIBRATION_FOLDS = 3


class EmbeddingClassifier(ClassifierMixin, TransformerMixin, BaseEstimator):
    """A multi-class MLP classifier whose output is logits or a point in a class-embedding space.

    Parameters
    ----------
    method : "softmax", "fixed", "gaussian" or "learned" (see `embedlab.methods`).
    codebook : fixed class codes for "fixed" and "gaussian": "simplex", "onehot", "random",
        "hadamard" or "sphere".
    dim : embedding dimension; None picks the method's default (K - 1 for the simplex, K for
        one-hot, the next power of two for Hadamard, max(2, K - 1) for learned codes). Softmax
        has none: it must stay None there.
    hidden : sizes of the hidden layers.
    epochs, lr, batch_size : training length, Adam learning rate, mini-batch size (None: one
        batch of everything).
    beta : β of the β-NLL loss ("gaussian"); 0 is plain Gaussian NLL.
    min_variance : floor of the predicted variance ("gaussian").
    temperature : "auto" fits the temperature of `predict_proba` on held-out scores of the
        training data (temperature scaling); a number > 0 fixes it (1.0 is the scores as trained).
    random_state : int, RandomState or None; seeds initialisation, codes, batch order and folds.

    Attributes
    ----------
    classes_ : (K,) the class labels. n_features_in_ : number of input features.
    embedding_ : (K, dim) class vectors in the output space (for softmax: the rows of the
        last layer's weight, in the space of the last hidden layer).
    temperature_ : the temperature `predict_proba` divides the scores by.
    model_ : the trained torch module. history_ : its `History`; loss_curve_ : its losses.
    """

    def __init__(
        self,
        method: str = "fixed",
        codebook: str = "simplex",
        dim: int | None = None,
        hidden: tuple[int, ...] = (100, 100),
        epochs: int = 100,
        lr: float = 3e-3,
        batch_size: int | None = None,
        beta: float = 0.5,
        min_variance: float = 1e-3,
        temperature="auto",
        random_state=None,
    ):
        self.method = method
        self.codebook = codebook
        self.dim = dim
        self.hidden = hidden
        self.epochs = epochs
        self.lr = lr
        self.batch_size = batch_size
        self.beta = beta
        self.min_variance = min_variance
        self.temperature = temperature
        self.random_state = random_state

    def _make_method(self):
        if self.method not in METHODS:
            raise ValueError(f"unknown method {self.method!r}; choose one of {', '.join(METHODS)}")
        check_training_settings(self.epochs, self.lr, self.batch_size)
        if self.temperature != "auto" and not (
            isinstance(self.temperature, numbers.Real)
            and not isinstance(self.temperature, bool)
            and 0 < self.temperature < np.inf
        ):
            raise ValueError(
                f"temperature must be 'auto' or a finite number > 0, got {self.temperature!r}"
            )
        if not self.beta >= 0:
            raise ValueError(f"beta must be >= 0, got {self.beta}")
        if not self.min_variance > 0:
            raise ValueError(f"min_variance must be > 0, got {self.min_variance}")
        return make_method(
            self.method,
            hidden=self.hidden,
            dim=self.dim,
            codebook=self.codebook,
            beta=self.beta,
            min_variance=self.min_variance,
        )

    def _train(self, method, X, y_index, n_classes, seed):
        """A model trained on X (n, d) float64 and class indices (n,), in float64 for predicting."""
        torch.manual_seed(seed)
        model = method.build(X.shape[1], n_classes, seed)
        history = train(
            model,
            torch.tensor(X, dtype=torch.float32),
            torch.tensor(y_index, dtype=torch.int64),
            lambda output, y: method.loss(model, output, y),
            epochs=self.epochs,
            lr=self.lr,
            batch_size=self.batch_size,
        )
        return model.double(), history  # float64: answers do not depend on the batch

    def _out_of_fold_scores(self, method, X, y_index, n_classes, seed):
        """(n, K) scores of each training sample by a model that did not train on it."""
        counts = np.bincount(y_index, minlength=n_classes)
        folds = (StratifiedKFold if counts.min() >= CALIBRATION_FOLDS else KFold)(
            CALIBRATION_FOLDS, shuffle=True, random_state=seed
        )
        scores = np.zeros((len(X), n_classes))
        for fold, (train_index, held_out) in enumerate(folds.split(X, y_index)):
            fold_seed = seed + 1 + fold
            model, _ = self._train(
                method, X[train_index], y_index[train_index], n_classes, fold_seed
            )
            scores[held_out] = self._scores(method, model, X[held_out]).numpy()
        return scores

    @staticmethod
    def _scores(method, model, X) -> torch.Tensor:
        with torch.no_grad():
            return method.scores(model, model(torch.as_tensor(X, dtype=torch.float64)))

    def fit(self, X, y):
        """Train on X (n_samples, n_features) and labels y (n_samples,); returns self."""
        method = self._make_method()
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(f"EmbeddingClassifier needs at least 2 classes, got {n_classes} class")
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        with torch.random.fork_rng(devices=[]):  # leave the caller's torch generator alone
            self.model_, self.history_ = self._train(method, X, y_index, n_classes, seed)
            if self.temperature != "auto":
                self.temperature_ = float(self.temperature)
            elif len(X) < 2 * CALIBRATION_FOLDS:
                self.temperature_ = 1.0  # too few samples to hold any out: the scores as trained
            else:
                held_out = self._out_of_fold_scores(method, X, y_index, n_classes, seed)
                self.temperature_ = fit_temperature(held_out, y_index)
        self._method = method
        self.loss_curve_ = list(self.history_.loss)
        self.embedding_ = method.class_vectors(self.model_).numpy()
        return self

    def _inputs(self, X) -> torch.Tensor:
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return torch.as_tensor(X, dtype=torch.float64)

    def transform(self, X) -> np.ndarray:
        """Outputs in embedding space, (n_samples, dim): the point for fixed and learned codes,
        the predicted mean for gaussian, the last hidden layer for softmax."""
        X = self._inputs(X)
        with torch.no_grad():
            return self._method.points(self.model_, X).numpy()

    def decision_scores(self, X) -> np.ndarray:
        """(n_samples, K) class scores at temperature 1 (logits, or -squared distances)."""
        X = self._inputs(X)
        return self._scores(self._method, self.model_, X).numpy()

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
            return self._method.variance(self.model_, X).numpy()
