"""Datasets that ship with scikit-learn, split and standardised (introduced in lesson 2).

`load_split("iris")` gives the write-up's setting by default: a stratified split with 30 training
and 120 test samples, standardised with statistics of the training part only. The checks at the
bottom (`check_features`, `check_labels`) are shared by every module that takes X and y, so bad
input fails early with a message that names the argument.
"""

import functools
from dataclasses import dataclass

import numpy as np
import torch
from sklearn import datasets
from sklearn.model_selection import train_test_split

LOADERS = {
    "iris": datasets.load_iris,
    "wine": datasets.load_wine,
    "breast_cancer": datasets.load_breast_cancer,
    "digits": datasets.load_digits,
}
DATASET_NAMES = tuple(LOADERS)


@dataclass
class Split:
    """A train/test split as tensors: X is (n, n_features) in torch's default dtype (float32 unless
    a lesson sets float64), y is (n,) int64."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    class_names: list[str]
    feature_names: list[str]

    @property
    def n_features(self) -> int:
        return self.X_train.shape[1]

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


@functools.cache
def _read(name: str):
    return LOADERS[name]()  # parsing the files once per session saves ~20 ms a call on digits


def load_dataset(name: str) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Return X (n, n_features), y (n,), class names and feature names of a named dataset."""
    if name not in LOADERS:
        raise ValueError(f"unknown dataset name {name!r}; choose one of {', '.join(DATASET_NAMES)}")
    bunch = _read(name)
    class_names = [str(c) for c in bunch.target_names]
    feature_names = [str(f) for f in bunch.feature_names]
    return bunch.data.astype(np.float64), bunch.target.astype(np.int64), class_names, feature_names


def load_split(
    name: str = "iris", train_fraction: float = 0.2, seed: int = 0, standardize: bool = True
) -> Split:
    """Load `name`, split it stratified with `seed`, and standardise with training statistics.

    The default `train_fraction=0.2` reproduces the write-up's 30-train / 120-test Iris split
    (it used `test_size=0.8`), now stratified and seeded so that each seed is one repeatable split.
    """
    X, y, class_names, feature_names = load_dataset(name)
    if not 0 < train_fraction < 1:
        raise ValueError(f"train_fraction must be between 0 and 1, got {train_fraction}")
    n_classes = len(class_names)
    n_train = round(train_fraction * len(y))
    if n_train < n_classes or len(y) - n_train < n_classes:
        raise ValueError(
            f"train_fraction={train_fraction} leaves fewer samples than classes ({n_classes}) "
            "in the training or test part"
        )
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=n_train, stratify=y, random_state=seed
    )
    if standardize:
        mean, std = X_train.mean(axis=0), X_train.std(axis=0)
        std[std == 0] = 1.0  # constant features (e.g. blank digit pixels) stay at zero
        X_train, X_test = (X_train - mean) / std, (X_test - mean) / std
    return Split(
        X_train=torch.tensor(X_train, dtype=torch.get_default_dtype()),
        y_train=torch.tensor(y_train, dtype=torch.int64),
        X_test=torch.tensor(X_test, dtype=torch.get_default_dtype()),
        y_test=torch.tensor(y_test, dtype=torch.int64),
        class_names=class_names,
        feature_names=feature_names,
    )


def check_features(X, name: str = "X") -> torch.Tensor:
    """Return X as a tensor of shape (n, n_features) in torch's default dtype (float32 unless set
    to float64, as lesson 4 does), or raise a clear error."""
    if isinstance(X, torch.Tensor):
        X = X.detach()
    else:
        try:
            X = torch.as_tensor(np.asarray(X, dtype=np.float32))
        except (TypeError, ValueError) as error:
            raise TypeError(f"{name} must be numeric, got {type(X).__name__}: {error}") from None
    if X.dtype == torch.bool or X.is_complex():
        raise TypeError(f"{name} must hold real numbers, got dtype {X.dtype}")
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-D (n_samples, n_features), got shape {tuple(X.shape)}")
    if X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(
            f"{name} must have at least one sample and one feature, got {tuple(X.shape)}"
        )
    X = X.to(torch.get_default_dtype())
    if not torch.isfinite(X).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return X


def check_labels(
    y, n_classes: int | None = None, n_samples: int | None = None, name: str = "y"
) -> torch.Tensor:
    """Return y as an int64 tensor of shape (n,) with values in [0, n_classes), or raise an
    error that calls the argument `name` (e.g. "y_true")."""
    y_array = y.detach().cpu().numpy() if isinstance(y, torch.Tensor) else np.asarray(y)
    if y_array.ndim != 1:
        raise ValueError(f"{name} must be 1-D (n_samples,), got shape {y_array.shape}")
    if y_array.dtype.kind == "f":
        if not np.all(np.isfinite(y_array)) or not np.all(y_array == np.round(y_array)):
            raise TypeError(f"{name} must hold integer class labels, got non-integer floats")
    elif y_array.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels, got dtype {y_array.dtype}")
    y_tensor = torch.as_tensor(y_array.astype(np.int64))
    if n_samples is not None and len(y_tensor) != n_samples:
        raise ValueError(
            f"X and {name} have different lengths: {n_samples} samples but {len(y_tensor)} labels"
        )
    if (
        n_classes is not None
        and len(y_tensor)
        and (y_tensor.min() < 0 or y_tensor.max() >= n_classes)
    ):
        raise ValueError(
            f"{name} must hold labels in [0, {n_classes}), got values from "
            f"{int(y_tensor.min())} to {int(y_tensor.max())}"
        )
    return y_tensor
