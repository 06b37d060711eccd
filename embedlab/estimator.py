"""`EmbeddingClassifier`: every method of the lessons behind scikit-learn's estimator API
(introduced in lesson 6).

    EmbeddingClassifier(method="fixed", codebook="simplex").fit(X, y).predict(X_new)

method     what the network outputs          trained with            decoded by
softmax    K logits                          cross-entropy           argmax
fixed      a point in code space (lesson 3)  MSE to the class code   nearest code
gaussian   a mean and a variance (lesson 4)  β-NLL                   nearest code
learned    a point; codes learned (lesson 5) distance cross-entropy  nearest learned code

It works with any labels (`classes_`), inside a `Pipeline`, with `cross_val_score` and with
`GridSearchCV`. Training uses its own random generator (`random_state`), not the global one.
"""

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data
from torch import nn

from embedlab.codebooks import CODEBOOKS, code_probabilities, make_codebook
from embedlab.losses import beta_nll_loss, learned_code_loss
from embedlab.models import GaussianRegressor, LearnedCodeModel, mlp
from embedlab.training import check_training_settings, train

METHODS = ("softmax", "fixed", "gaussian", "learned")


class EmbeddingClassifier(ClassifierMixin, TransformerMixin, BaseEstimator):
    """A multi-class MLP classifier whose output is logits or a point in a class-embedding space.

    Parameters
    ----------
    method : "softmax", "fixed", "gaussian" or "learned" (see the module docstring).
    codebook : fixed class codes for "fixed" and "gaussian": "simplex", "onehot", "random",
        "hadamard" or "sphere".
    dim : embedding dimension; None picks the method's default (K - 1 for the simplex, K for
        one-hot, the next power of two for Hadamard, max(2, K - 1) for learned codes).
    hidden : sizes of the hidden layers.
    epochs, lr, batch_size : training length, Adam learning rate, mini-batch size (None: one
        batch of everything).
    beta : β of the β-NLL loss ("gaussian"); 0 is plain Gaussian NLL.
    min_variance : floor of the predicted variance ("gaussian").
    temperature : softmax temperature over negative squared distances (`predict_proba`).
    random_state : int, RandomState or None; seeds initialisation, codes and batch order.

    Attributes
    ----------
    classes_ : (K,) the class labels. n_features_in_ : number of input features.
    embedding_ : (K, dim) class vectors in the output space (for softmax: the rows of the
        last layer's weight, in the space of the last hidden layer).
    model_ : the trained torch module. history_ : its `History` (loss per epoch).
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
        temperature: float = 0.5,
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

    def _check_settings(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown method {self.method!r}; choose one of {', '.join(METHODS)}")
        if self.method in ("fixed", "gaussian") and self.codebook not in CODEBOOKS:
            raise ValueError(
                f"unknown code book {self.codebook!r}; choose one of {', '.join(CODEBOOKS)}"
            )
        check_training_settings(self.epochs, self.lr, self.batch_size)
        if not self.temperature > 0:
            raise ValueError(f"temperature must be > 0, got {self.temperature}")
        if not self.beta >= 0:
            raise ValueError(f"beta must be >= 0, got {self.beta}")

    def _build(self, n_features: int, n_classes: int, seed: int):
        """The model, the loss and, for fixed codes, the (K, dim) code tensor."""
        hidden = tuple(self.hidden)
        if self.method == "softmax":
            return mlp(n_features, hidden, n_classes), nn.CrossEntropyLoss(), None
        if self.method == "learned":
            dim = self.dim if self.dim is not None else max(2, n_classes - 1)
            model = LearnedCodeModel(n_features, hidden, n_classes, dim)
            return model, learned_code_loss(model, "distance_ce"), None
        codes = make_codebook(self.codebook, n_classes, self.dim, seed=seed)
        if self.method == "fixed":
            model = mlp(n_features, hidden, codes.shape[1])
            return model, lambda out, y: F.mse_loss(out, codes[y]), codes
        model = GaussianRegressor(n_features, hidden, codes.shape[1], self.min_variance)
        return model, lambda out, y: beta_nll_loss(out[0], codes[y], out[1], self.beta), codes

    def fit(self, X, y):
        """Train on X (n_samples, n_features) and labels y (n_samples,); returns self."""
        self._check_settings()
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, y_index = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            raise ValueError(
                f"EmbeddingClassifier needs at least 2 classes, got {len(self.classes_)} class"
            )
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        with torch.random.fork_rng(devices=[]):  # leave the caller's torch generator alone
            torch.manual_seed(seed)
            model, loss_fn, codes = self._build(X.shape[1], len(self.classes_), seed)
            self.history_ = train(
                model,
                torch.tensor(X, dtype=torch.float32),
                torch.tensor(y_index, dtype=torch.int64),
                loss_fn,
                epochs=self.epochs,
                lr=self.lr,
                batch_size=self.batch_size,
            )
        self.model_ = model.double()  # predict in float64: answers do not depend on the batch
        self._codes = None if codes is None else codes.double()
        self.embedding_ = self._class_vectors().numpy()
        return self

    def _class_vectors(self) -> torch.Tensor:
        if self.method == "softmax":
            return self.model_[-1].weight.detach().clone()
        if self.method == "learned":
            return self.model_.class_codes()
        return self._codes.clone()

    def _forward(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        with torch.no_grad():
            return self.model_(torch.tensor(X, dtype=torch.float64))

    def transform(self, X) -> np.ndarray:
        """Outputs in embedding space, (n_samples, dim): the point for fixed and learned codes,
        the predicted mean for gaussian, the last hidden layer for softmax."""
        if self.method == "softmax":
            check_is_fitted(self)
            X = validate_data(self, X, reset=False, dtype=np.float64)
            with torch.no_grad():
                return self.model_[:-1](torch.tensor(X, dtype=torch.float64)).numpy()
        output = self._forward(X)
        return (output[0] if self.method == "gaussian" else output).numpy()

    def predict_proba(self, X) -> np.ndarray:
        """(n_samples, K) class probabilities; each row sums to 1. For embedding methods, a softmax
        of -squared distance to each class vector / temperature (its argmax is the nearest code)."""
        if self.method == "softmax":
            return torch.softmax(self._forward(X), dim=1).numpy()
        points, vectors = torch.as_tensor(self.transform(X)), torch.as_tensor(self.embedding_)
        return code_probabilities(points, vectors, self.temperature).numpy()

    def predict(self, X) -> np.ndarray:
        """(n_samples,) predicted labels, from `classes_`."""
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def predict_variance(self, X) -> np.ndarray:
        """(n_samples, dim) predicted variance of each output coordinate; method="gaussian" only."""
        if self.method != "gaussian":
            raise AttributeError(f"predict_variance needs method='gaussian', not {self.method!r}")
        return self._forward(X)[1].numpy()
