import re

import numpy as np
import pytest
import torch

from embedlab.data import DATASET_NAMES, check_features, check_labels, load_dataset, load_split


@pytest.mark.parametrize("name", DATASET_NAMES)
def test_every_dataset_loads(name):
    X, y, class_names, feature_names = load_dataset(name)
    assert X.shape == (len(y), len(feature_names))
    assert set(np.unique(y)) == set(range(len(class_names)))


def test_default_split_is_the_write_ups_30_120_and_stratified():
    split = load_split("iris")
    assert split.X_train.shape == (30, 4) and split.X_test.shape == (120, 4)
    assert torch.bincount(split.y_train).tolist() == [10, 10, 10]
    assert split.X_train.dtype == torch.float32 and split.y_train.dtype == torch.int64
    assert split.n_classes == 3 and split.n_features == 4


def test_standardised_with_training_statistics_only():
    split = load_split("wine", seed=1)
    assert torch.allclose(split.X_train.mean(0), torch.zeros(13), atol=1e-5)
    assert torch.allclose(split.X_train.std(0, unbiased=False), torch.ones(13), atol=1e-4)
    assert not torch.allclose(split.X_test.mean(0), torch.zeros(13), atol=1e-2)


def test_constant_features_stay_finite():
    split = load_split("digits", train_fraction=0.3)
    assert torch.isfinite(split.X_train).all() and torch.isfinite(split.X_test).all()


def test_seed_picks_the_split():
    a, b, c = load_split(seed=0), load_split(seed=0), load_split(seed=1)
    assert torch.equal(a.X_train, b.X_train)
    assert not torch.equal(a.X_train, c.X_train)


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="unknown dataset name 'mnist'"):
        load_split("mnist")


@pytest.mark.parametrize("fraction", [0, 1, 1.5, 0.01])
def test_impossible_train_fraction(fraction):
    with pytest.raises(ValueError, match="train_fraction"):
        load_split("iris", train_fraction=fraction)


def test_check_features_accepts_lists_and_arrays():
    assert check_features([[1, 2], [3, 4]]).dtype == torch.float32


@pytest.mark.parametrize(
    "X, error, message",
    [
        (np.zeros(3), ValueError, "X must be 2-D"),
        (np.zeros((2, 2, 2)), ValueError, "X must be 2-D"),
        (np.zeros((0, 3)), ValueError, "X must have at least one sample"),
        (np.array([[1.0, np.nan]]), ValueError, "X contains NaN or infinite"),
        (np.array([[1.0, np.inf]]), ValueError, "X contains NaN or infinite"),
        ([["a", "b"]], TypeError, "X must be numeric"),
    ],
)
def test_check_features_rejects(X, error, message):
    with pytest.raises(error, match=message):
        check_features(X)


@pytest.mark.parametrize(
    "y, error, message",
    [
        ([0.5, 1.0], TypeError, "y must hold integer class labels"),
        (["a", "b"], TypeError, "y must hold integer class labels"),
        ([[0, 1]], ValueError, "y must be 1-D"),
        ([0, 3], ValueError, r"y must hold labels in \[0, 3\), got values from 0 to 3"),
        ([-1, 0], ValueError, r"y must hold labels in \[0, 3\), got values from -1 to 0"),
    ],
)
def test_check_labels_rejects(y, error, message):
    with pytest.raises(error, match=message):
        check_labels(y, n_classes=3)


def test_check_labels_uses_the_callers_name():
    with pytest.raises(ValueError, match=r"y_test must hold labels in \[0, 2\)"):
        check_labels([0, 2], n_classes=2, name="y_test")
    with pytest.raises(ValueError, match="X and y_test have different lengths: 3 samples but 2"):
        check_labels([0, 1], n_samples=3, name="y_test")


def test_check_labels_length_mismatch():
    with pytest.raises(ValueError, match="X and y have different lengths: 3 samples but 2 labels"):
        check_labels([0, 1], n_samples=3)


def test_check_labels_accepts_integer_floats():
    assert check_labels(np.array([0.0, 2.0]), n_classes=3).tolist() == [0, 2]


def test_load_dataset_returns_fresh_arrays():
    X, y, _, _ = load_dataset("iris")
    X[:] = 0
    y[:] = 0
    X_again, y_again, _, _ = load_dataset("iris")
    assert X_again.any() and y_again.any()


def test_default_split_pinned():
    split = load_split("iris")
    X, y, _, _ = load_dataset("iris")
    from sklearn.model_selection import train_test_split

    X_train, _, y_train, _ = train_test_split(X, y, train_size=30, stratify=y, random_state=0)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    expected = torch.tensor((X_train - mean) / std, dtype=torch.float32)
    assert torch.allclose(split.X_train, expected, atol=1e-6)
    assert split.y_train.tolist() == y_train.tolist()
    assert split.class_names == ["setosa", "versicolor", "virginica"]
    assert split.feature_names[0] == "sepal length (cm)"


def test_train_fraction_sets_the_size_and_standardize_can_be_off():
    split = load_split("wine", train_fraction=0.5, standardize=False)
    assert len(split.y_train) == 89 and len(split.y_test) == 89  # round(0.5 * 178)
    X, _, _, _ = load_dataset("wine")
    assert split.X_train.max().item() == pytest.approx(X.max(), rel=1e-6)  # raw proline values


def test_constant_features_stay_at_zero():
    split = load_split("digits", train_fraction=0.3)
    assert torch.equal(split.X_train[:, 0], torch.zeros(len(split.X_train)))  # pixel 0 is blank


def test_smallest_possible_split_is_allowed():
    split = load_split("iris", train_fraction=0.02)  # 3 training samples, one per class
    assert torch.bincount(split.y_train).tolist() == [1, 1, 1]


def test_check_features_keeps_values_and_detaches():
    X = torch.tensor([[1.5, 2.0]], dtype=torch.float64, requires_grad=True)
    checked = check_features(X)
    assert checked.dtype == torch.float32 and not checked.requires_grad
    assert checked.tolist() == [[1.5, 2.0]]


@pytest.mark.parametrize(
    "X, error, message",
    [
        (np.zeros((3, 0)), ValueError, "X must have at least one sample and one feature"),
        (torch.zeros(2, 2, dtype=torch.bool), TypeError, "X must hold real numbers"),
        (torch.zeros(2, 2, dtype=torch.complex64), TypeError, "X must hold real numbers"),
    ],
)
def test_check_features_rejects_empty_and_non_real(X, error, message):
    with pytest.raises(error, match=message):
        check_features(X)


def test_check_features_names_the_argument():
    with pytest.raises(ValueError, match="X_test must be 2-D"):
        check_features(np.zeros(3), name="X_test")


def test_check_labels_edges():
    assert check_labels(torch.tensor([0, 2]), n_classes=3).dtype == torch.int64
    assert check_labels(np.array([0, 2], dtype=np.uint8), n_classes=3).tolist() == [0, 2]
    assert check_labels([], n_classes=3).tolist() == []
    assert check_labels([5]).tolist() == [5]  # no n_classes: any non-negative label
    assert check_labels([0, 1, 2], n_classes=3, n_samples=3).tolist() == [0, 1, 2]
    with pytest.raises(TypeError, match="integer class labels"):
        check_labels(np.array([np.nan, 1.0]))


# --- found by mutation testing (make mutation) -----------------------------------------


def full(message):
    return "^" + re.escape(message) + "$"


def test_load_dataset_types_and_unknown_names():
    X, y, _, _ = load_dataset("iris")
    assert X.dtype == np.float64 and y.dtype == np.int64
    message = "unknown dataset name 'mnist'; choose one of iris, wine, breast_cancer, digits"
    with pytest.raises(ValueError, match=full(message)):
        load_dataset("mnist")


@pytest.mark.parametrize("fraction", [0, 1, 1.5])
def test_train_fraction_outside_zero_one_is_named(fraction):
    message = f"train_fraction must be between 0 and 1, got {fraction}"
    with pytest.raises(ValueError, match=full(message)):
        load_split("iris", train_fraction=fraction)


def test_test_part_needs_one_sample_per_class():
    assert len(load_split("iris", train_fraction=0.98).y_test) == 3  # 147 + 3: just enough
    message = (
        "train_fraction=0.99 leaves fewer samples than classes (3) in the training or test part"
    )
    with pytest.raises(ValueError, match=full(message)):
        load_split("iris", train_fraction=0.99)  # 148 + 2


def test_test_part_is_standardised_with_training_statistics():
    from sklearn.model_selection import train_test_split

    X, y, _, _ = load_dataset("digits")
    n_train = round(0.3 * len(y))
    X_train, X_test, _, _ = train_test_split(X, y, train_size=n_train, stratify=y, random_state=0)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std == 0] = 1.0
    expected = torch.tensor((X_test - mean) / std, dtype=torch.float32)
    split = load_split("digits", train_fraction=0.3)
    assert torch.allclose(split.X_test, expected, atol=1e-5)
    # pixel 24 is blank in every training image but not in every test image: divided by 1
    assert split.X_train[:, 24].abs().max() == 0 and split.X_test[:, 24].abs().max() > 0
    assert torch.allclose(split.X_test[:, 24], torch.tensor(X_test[:, 24], dtype=torch.float32))
    assert split.y_test.dtype == torch.int64


def test_check_features_messages_in_full():
    with pytest.raises(
        ValueError, match=full("X must be 2-D (n_samples, n_features), got shape (3,)")
    ):
        check_features(np.zeros(3))
    with pytest.raises(TypeError, match="^X must be numeric, got list: "):
        check_features([["a", "b"]])
    assert check_features([[2**70]]).item() == pytest.approx(2.0**70)  # converted via float32
