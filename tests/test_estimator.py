import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris, make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from embedlab.estimator import METHODS, EmbeddingClassifier

SMALL = dict(
    hidden=(32,), epochs=60, lr=1e-2
)  # the API checks need correctness, not the last point


@parametrize_with_checks([EmbeddingClassifier(method=m, random_state=0, **SMALL) for m in METHODS])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.mark.parametrize("method", METHODS)
def test_defaults_are_accurate_in_a_pipeline(iris, method):
    X, y = iris
    scores = cross_val_score(
        make_pipeline(StandardScaler(), EmbeddingClassifier(method, random_state=0)), X, y, cv=3
    )
    assert scores.mean() > 0.9


@pytest.mark.parametrize("method", METHODS)
def test_fitted_attributes_and_shapes(iris, method):
    X, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    model = EmbeddingClassifier(method, random_state=0, **SMALL).fit(X, names)
    assert list(model.classes_) == ["setosa", "versicolor", "virginica"]
    assert model.n_features_in_ == 4
    proba = model.predict_proba(X)
    assert proba.shape == (150, 3) and np.allclose(proba.sum(axis=1), 1)
    assert set(model.predict(X)) <= set(model.classes_)
    assert model.embedding_.shape[0] == 3
    assert model.transform(X).shape == (150, model.embedding_.shape[1])


def test_non_contiguous_integer_labels_and_gaussian_variance(iris):
    X, y = iris
    labels = np.array([10, 20, 50])[y]
    model = EmbeddingClassifier("gaussian", random_state=0, **SMALL).fit(X, labels)
    assert set(model.predict(X)) <= {10, 20, 50}
    variance = model.predict_variance(X)
    assert variance.shape == (150, model.embedding_.shape[1]) and (variance >= 1e-3).all()
    with pytest.raises(AttributeError, match="method='gaussian'"):
        EmbeddingClassifier("fixed", **SMALL).fit(X, y).predict_variance(X)


def test_same_random_state_same_model_and_global_generator_untouched(iris):
    X, y = iris
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    a = EmbeddingClassifier("learned", random_state=7, **SMALL).fit(X, y).predict_proba(X)
    assert torch.equal(torch.rand(1), expected_next)
    b = EmbeddingClassifier("learned", random_state=7, **SMALL).fit(X, y).predict_proba(X)
    assert np.array_equal(a, b)


def test_pickles_and_grid_search_with_two_jobs(iris):
    X, y = iris
    model = EmbeddingClassifier("fixed", random_state=0, **SMALL).fit(X, y)
    clone = pickle.loads(pickle.dumps(model))
    assert np.array_equal(clone.predict(X), model.predict(X))
    search = GridSearchCV(
        make_pipeline(StandardScaler(), EmbeddingClassifier(random_state=0, **SMALL)),
        {"embeddingclassifier__method": ["softmax", "fixed"]},
        cv=2,
        n_jobs=2,
    ).fit(X, y)
    assert search.best_score_ > 0.85


def test_not_fitted_and_wrong_feature_count(iris):
    X, y = iris
    with pytest.raises(NotFittedError):
        EmbeddingClassifier().predict(X)
    model = EmbeddingClassifier(random_state=0, **SMALL).fit(X, y)
    with pytest.raises(ValueError, match="4 features"):
        model.predict(X[:, :3])


@pytest.mark.parametrize(
    "params, message",
    [
        ({"method": "svm"}, "unknown method 'svm'"),
        ({"codebook": "ecoc"}, "unknown code book 'ecoc'"),
        ({"epochs": 0}, "epochs"),
        ({"lr": -1.0}, "lr"),
        ({"batch_size": 0}, "batch_size"),
        ({"hidden": (0,)}, "hidden size"),
        ({"codebook": "hadamard", "dim": 3}, "power of two"),
        ({"codebook": "simplex", "dim": 1}, "dim >= n_classes - 1"),
        ({"method": "gaussian", "beta": -1.0}, "beta"),
        ({"temperature": 0.0}, "temperature"),
    ],
)
def test_impossible_settings_fail_clearly(iris, params, message):
    X, y = iris
    with pytest.raises(ValueError, match=message):
        EmbeddingClassifier(**params).fit(X, y)


def test_bad_data_fails_clearly():
    X, y = make_blobs(30, 3, centers=3, random_state=0)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        EmbeddingClassifier(**SMALL).fit(bad, y)
    with pytest.raises(ValueError, match="Unknown label type"):
        EmbeddingClassifier(**SMALL).fit(X, y + 0.5)
    with pytest.raises(ValueError, match="at least 2 classes"):
        EmbeddingClassifier(**SMALL).fit(X, np.zeros(30))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        EmbeddingClassifier(**SMALL).fit(X, y[:-1])
