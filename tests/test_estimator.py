import pickle

import numpy as np
import pytest
import torch
from sklearn.datasets import load_iris, make_blobs
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.estimator_checks import parametrize_with_checks

import embedlab.estimator
import embedlab.fit_plans
from embedlab.calibration import temperature_log_loss
from embedlab.codebooks import squared_distances
from embedlab.estimator import EmbeddingClassifier
from embedlab.heads import HEADS, HeadNetwork
from embedlab.losses import beta_nll_loss, distance_cross_entropy

SMALL = dict(
    hidden=(32,), epochs=60, lr=1e-2
)  # the API checks need correctness, not the last point


@parametrize_with_checks([EmbeddingClassifier(method=m, random_state=0, **SMALL) for m in HEADS])
def test_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def iris():
    return load_iris(return_X_y=True)


@pytest.mark.parametrize("method", HEADS)
def test_defaults_are_accurate_in_a_pipeline(iris, method):
    X, y = iris
    scores = cross_val_score(
        make_pipeline(StandardScaler(), EmbeddingClassifier(method, random_state=0)), X, y, cv=3
    )
    assert scores.mean() > 0.9


@pytest.mark.parametrize("method", HEADS)
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
    b = EmbeddingClassifier("learned", random_state=7, **SMALL).fit(X, y)
    assert np.array_equal(a, b.predict_proba(X))  # the fitted temperature included
    c = EmbeddingClassifier("learned", random_state=8, **SMALL).fit(X, y)
    assert b.temperature_ != c.temperature_


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
        ({"alpha": -1e-4}, "alpha must be a finite number >= 0, got -0.0001"),
        ({"alpha": True}, "alpha must be a finite number >= 0"),
        ({"alpha": float("nan")}, "alpha must be"),
        ({"temperature": 0.0}, "temperature"),
        ({"temperature": "hot"}, "temperature must be 'auto' or a finite number > 0, got 'hot'"),
        ({"temperature": float("inf")}, "temperature"),
        ({"method": "learned", "dim": 0}, "dim must be None or an integer >= 1, got dim=0"),
        ({"method": "learned", "dim": 2.0}, "dim must be None or an integer >= 1, got dim=2.0"),
        ({"method": "fixed", "dim": 2.0}, "dim must be None or an integer >= 1, got dim=2.0"),
        ({"method": "softmax", "dim": 8}, "dim: method='softmax'"),
        ({"method": "gaussian", "min_variance": 0.0}, "min_variance"),
        ({"ensemble": "auto"}, "ensemble must be True or False, got 'auto'"),
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


# ----------------------------------------------------------------- calibrated probabilities


@pytest.mark.parametrize("method", HEADS)
def test_fitted_temperature_is_positive_and_finite(iris, method):
    X, y = iris
    model = EmbeddingClassifier(method, random_state=0, **SMALL).fit(X, y)
    assert 0 < model.temperature_ < np.inf
    scores = model.decision_scores(X)
    proba = np.exp(scores / model.temperature_)
    assert np.allclose(model.predict_proba(X), proba / proba.sum(axis=1, keepdims=True))


@pytest.fixture(scope="module")
def many_classes():
    """20 well-separated classes: fixed simplex codes are ~1.45 apart, so T = 0.5 is far too hot."""
    X, y = make_blobs(1200, 10, centers=20, cluster_std=1.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    return X[:600], y[:600], X[600:], y[600:]


def test_calibration_improves_log_loss_where_the_fixed_temperature_is_off(many_classes):
    X_train, y_train, X_test, y_test = many_classes
    fixed = EmbeddingClassifier("fixed", temperature=0.5, random_state=0, **SMALL)
    auto = EmbeddingClassifier("fixed", random_state=0, **SMALL)
    fixed.fit(X_train, y_train)
    auto.fit(X_train, y_train)
    scores = auto.decision_scores(X_test)
    assert np.array_equal(auto.predict(X_test), fixed.predict(X_test))  # same model, same answers
    before = temperature_log_loss(scores, y_test, 0.5)
    after = temperature_log_loss(scores, y_test, auto.temperature_)
    assert auto.temperature_ < 0.25 and after < 0.5 * before


def test_calibration_uses_out_of_fold_training_scores_only(monkeypatch, many_classes):
    X_train, y_train, X_test, _ = many_classes
    seen = {}

    def spy(scores, y):
        seen["scores"], seen["y"] = scores, y
        return 0.3

    monkeypatch.setattr(embedlab.estimator, "fit_temperature", spy)
    model = EmbeddingClassifier("fixed", random_state=0, **SMALL).fit(X_train, y_train)
    assert model.temperature_ == 0.3
    assert np.array_equal(seen["y"], y_train)  # the training labels (classes 0..19), in order
    # held-out scores: not what the final model, which saw every training sample, gives them
    in_sample = model.decision_scores(X_train)
    assert seen["scores"].shape == in_sample.shape
    assert not np.allclose(seen["scores"], in_sample, atol=1e-3)
    assert model.predict_proba(X_test).shape == (len(X_test), 20)


def spy_on_fit_stacked(monkeypatch):
    """Every call of `fit_stacked` by the estimator: (networks, X, parts, settings)."""
    seen = []
    real = embedlab.fit_plans.fit_stacked

    def spy(networks, X, y, parts, **settings):
        seen.append((networks, X.numpy(), parts.numpy(), settings))
        return real(networks, X, y, parts, **settings)

    monkeypatch.setattr(embedlab.fit_plans, "fit_stacked", spy)
    return seen


def test_with_mini_batches_the_out_of_fold_networks_train_together_on_the_folds(
    monkeypatch, many_classes
):
    X_train, y_train, _, _ = many_classes  # 600 rows: batches of 200
    seen = spy_on_fit_stacked(monkeypatch)
    model = EmbeddingClassifier("fixed", random_state=0, **SMALL).fit(X_train, y_train)
    ((networks, X, parts, settings),) = seen  # one call: the three folds at once
    assert len(networks) == 3 and parts.shape == (3, 600)
    assert list(parts.sum(axis=1)) == [400, 400, 400] and set(parts.sum(axis=0)) == {2}
    assert settings["epochs"] == SMALL["epochs"] and settings["batch_size"] == 200
    assert all(a is b for a, b in zip(model.fold_models_, networks, strict=True))
    assert not any(model.model_ is network for network in networks)  # trained alone


def test_with_one_batch_the_network_on_all_rows_trains_beside_the_folds(monkeypatch, iris):
    X, y = iris  # 150 rows: one batch
    seen = spy_on_fit_stacked(monkeypatch)
    model = EmbeddingClassifier("fixed", random_state=0, **SMALL).fit(X, y)
    ((networks, _, parts, settings),) = seen
    assert len(networks) == 4 and parts[0].all() and list(parts[1:].sum(axis=1)) == [100] * 3
    assert settings["batch_size"] == 150
    assert model.model_ is networks[0] and model.fold_models_ == networks[1:]
    assert len(model.loss_curve_) == SMALL["epochs"] == model.n_iter_


def test_the_ensemble_averages_the_scores_of_its_four_networks(iris):
    X, y = iris
    model = EmbeddingClassifier("learned", random_state=0, **SMALL).fit(X, y)
    networks = [model.model_, *model.fold_models_]
    assert len(networks) == 4
    with torch.no_grad():
        each = [net.scores(torch.as_tensor(X, dtype=torch.float64)).numpy() for net in networks]
    assert np.allclose(model.decision_scores(X), np.mean(each, axis=0))
    assert not np.allclose(model.decision_scores(X), each[0])
    assert np.array_equal(model.predict(X), model.classes_[np.mean(each, axis=0).argmax(axis=1)])


def test_without_the_ensemble_one_network_predicts_and_the_temperature_is_the_same(iris):
    X, y = iris
    single = EmbeddingClassifier("fixed", ensemble=False, random_state=0, **SMALL).fit(X, y)
    both = EmbeddingClassifier("fixed", random_state=0, **SMALL).fit(X, y)
    assert single.fold_models_ == [] and len(both.fold_models_) == 3
    assert single.temperature_ == both.temperature_  # the same out-of-fold networks calibrate
    with torch.no_grad():
        alone = single.model_.scores(torch.as_tensor(X, dtype=torch.float64)).numpy()
    assert np.allclose(single.decision_scores(X), alone)
    fixed_t = EmbeddingClassifier("fixed", temperature=2.0, random_state=0, **SMALL).fit(X, y)
    assert len(fixed_t.fold_models_) == 3  # a fixed temperature still gets the ensemble
    assert np.array_equal(fixed_t.predict(X), both.predict(X))  # T never changes a prediction


def test_a_fixed_temperature_takes_effect(iris):
    X, y = iris
    for temperature in (0.25, 2.0):
        model = EmbeddingClassifier(
            "fixed", temperature=temperature, ensemble=False, random_state=0, **SMALL
        ).fit(X, y)
        assert model.temperature_ == temperature
        distances = squared_distances(
            torch.as_tensor(model.transform(X)), torch.as_tensor(model.embedding_)
        )
        expected = torch.softmax(-distances / temperature, dim=1).numpy()
        assert np.allclose(model.predict_proba(X), expected)


def test_softmax_temperature_divides_the_logits(iris):
    X, y = iris
    model = EmbeddingClassifier("softmax", temperature=3.0, random_state=0, **SMALL).fit(X, y)
    logits = model.decision_scores(X)
    expected = np.exp(logits / 3.0) / np.exp(logits / 3.0).sum(axis=1, keepdims=True)
    assert np.allclose(model.predict_proba(X), expected)


# ----------------------------------------------------------------- settings take effect


def initial_loss(method_name, X, y, random_state, **settings):
    """The loss of the untrained network the estimator starts from, computed by hand."""
    seed = int(check_random_state(random_state).randint(2**31 - 1))
    torch.manual_seed(seed)
    model = HeadNetwork(X.shape[1], SMALL["hidden"], len(np.unique(y)), method_name, **settings)
    output = model(torch.tensor(X, dtype=torch.float32))
    return model.head, output


@pytest.mark.parametrize("beta", [0.0, 1.0])
def test_beta_and_min_variance_reach_the_gaussian_loss(iris, beta):
    X, y = iris
    model, (mean, variance) = initial_loss("gaussian", X, y, 0, beta=beta, min_variance=0.05)
    codes = model.codes[torch.as_tensor(y)]
    expected = beta_nll_loss(mean, codes, variance, beta).item()
    fitted = EmbeddingClassifier("gaussian", beta=beta, min_variance=0.05, random_state=0, **SMALL)
    fitted.fit(X, y)
    assert fitted.loss_curve_[0] == pytest.approx(expected, rel=1e-6)


def test_min_variance_is_the_floor_of_the_predicted_variance(iris):
    X, y = iris
    floor = EmbeddingClassifier("gaussian", min_variance=0.7, random_state=0, **SMALL).fit(X, y)
    default = EmbeddingClassifier("gaussian", random_state=0, **SMALL).fit(X, y)
    assert floor.predict_variance(X).min() >= 0.7
    assert default.predict_variance(X).min() < 0.7


def test_learned_codes_are_trained_with_the_distance_cross_entropy(iris):
    X, y = iris
    model, output = initial_loss("learned", X, y, 0)
    expected = distance_cross_entropy(output, torch.as_tensor(y), model.codes.weight).item()
    fitted = EmbeddingClassifier("learned", random_state=0, **SMALL).fit(X, y)
    assert fitted.loss_curve_[0] == pytest.approx(expected, rel=1e-6)


def test_dim_sets_the_embedding_dimension(iris):
    X, y = iris
    for method, dim in [("learned", 5), ("fixed", 4), ("gaussian", 3)]:
        model = EmbeddingClassifier(method, dim=dim, random_state=0, **SMALL).fit(X, y)
        assert model.embedding_.shape == (3, dim) and model.transform(X).shape == (150, dim)


# ----------------------------------------------------------------- real data sizes


def spy_on_fit_network(monkeypatch):
    calls = []
    real = embedlab.fit_plans.fit_network

    def spy(*args, **kwargs):
        calls.append({**kwargs, "n_rows": len(args[2])})
        return real(*args, **kwargs)

    monkeypatch.setattr(embedlab.fit_plans, "fit_network", spy)
    return calls


def spy_on_fit_temperature(monkeypatch):
    """The number of held-out scores each temperature fit saw, in order."""
    sizes = []
    real = embedlab.estimator.fit_temperature
    monkeypatch.setattr(
        embedlab.estimator,
        "fit_temperature",
        lambda scores, y: sizes.append(len(y)) or real(scores, y),
    )
    return sizes


@pytest.mark.parametrize(
    "batch_size, n, expected",
    [("auto", 150, 150), ("auto", 300, 200), (None, 300, 300), (64, 300, 64)],
)
def test_batch_size_auto_is_min_200_n(monkeypatch, batch_size, n, expected):
    X, y = make_blobs(n, 3, centers=3, random_state=0)
    calls = spy_on_fit_network(monkeypatch)
    EmbeddingClassifier(
        batch_size=batch_size, temperature=1.0, ensemble=False, epochs=1, hidden=(4,)
    ).fit(X, y)
    assert [call["batch_size"] for call in calls] == [expected]


def test_early_stopping_holds_out_a_validation_slice_and_calibrates_on_it(monkeypatch):
    """From RETRAIN_BELOW_N samples on, the best epoch's network is kept."""
    X, y = make_blobs(400, 3, centers=4, random_state=0)
    monkeypatch.setattr(embedlab.fit_plans, "RETRAIN_BELOW_N", 400)
    calls = spy_on_fit_network(monkeypatch)
    temperatures = spy_on_fit_temperature(monkeypatch)
    model = EmbeddingClassifier(
        early_stopping=True, validation_fraction=0.2, n_iter_no_change=3, random_state=0, **SMALL
    ).fit(X, y)
    assert len(calls) == 1  # no cross-fit: the validation slice serves calibration too
    assert calls[0]["n_rows"] == 320
    assert temperatures == [80]  # 20 % of 400
    assert len(model.validation_scores_) == model.n_iter_ == len(model.loss_curve_)
    assert model.n_iter_ < SMALL["epochs"]  # easy blobs: validation accuracy stops improving
    # the best epoch's weights are kept: the model scores the validation slice at the maximum
    seed = int(check_random_state(0).randint(2**31 - 1))
    _, X_val, _, y_val = embedlab.fit_plans.validation_split(0.2, X, y, seed)
    assert model.score(X_val, y_val) == max(model.validation_scores_)


def test_below_retrain_below_n_early_stopping_picks_epochs_then_all_rows_train(monkeypatch):
    X, y = make_blobs(400, 3, centers=4, cluster_std=3.0, random_state=0)
    calls = spy_on_fit_network(monkeypatch)
    temperatures = spy_on_fit_temperature(monkeypatch)
    settings = dict(random_state=0, hidden=(16,), lr=1e-2, epochs=60)
    model = EmbeddingClassifier(
        early_stopping=True, validation_fraction=0.2, n_iter_no_change=3, **settings
    ).fit(X, y)
    stopping, retraining = calls
    assert (stopping["n_rows"], stopping["epochs"]) == (320, 60)
    assert temperatures == [80]  # the temperature comes from the slice, not from refits
    scores = model.validation_scores_
    best = scores.index(max(scores)) + 1
    assert len(scores) < 60 and best < len(scores)  # it stopped, after its best epoch
    assert (retraining["n_rows"], retraining["epochs"]) == (400, best)
    assert model.n_iter_ == len(model.loss_curve_) == best
    # a fresh network from its own start (seed + 1), trained on all rows for `best` epochs
    seed = int(check_random_state(0).randint(2**31 - 1))
    plain, _ = embedlab.fit_plans.train_one(
        model, model._make_builder(), X, y, 4, seed + 1, epochs=best
    )
    X64 = torch.as_tensor(X, dtype=torch.float64)
    with torch.no_grad():
        retrained, stopped = (
            net.scores(X64).numpy() for net in [model.model_, *model.fold_models_]
        )
        np.testing.assert_array_equal(retrained, plain.scores(X64).numpy())
    assert np.allclose(model.decision_scores(X), (retrained + stopped) / 2)  # the ensemble of two


def test_early_stopping_auto_turns_on_from_a_data_size(monkeypatch, iris):
    X, y = iris
    small = EmbeddingClassifier(random_state=0, **SMALL).fit(X, y)
    assert small.validation_scores_ is None and small.n_iter_ == SMALL["epochs"]
    monkeypatch.setattr(embedlab.estimator, "AUTO_EARLY_STOPPING_N", 100)
    large = EmbeddingClassifier(random_state=0, **SMALL).fit(X, y)
    assert large.validation_scores_ is not None  # 150 >= 100: early stopping ran
    assert large.n_iter_ == large.validation_scores_.index(max(large.validation_scores_)) + 1


def test_convergence_warning_when_the_budget_runs_out_first(iris):
    X, y = iris
    from sklearn.exceptions import ConvergenceWarning

    with pytest.warns(ConvergenceWarning, match="epochs=3"):
        EmbeddingClassifier(early_stopping=True, epochs=3, tol=0.0, random_state=0).fit(X, y)


def test_verbose_shows_a_progress_bar(capsys, iris):
    X, y = iris
    EmbeddingClassifier(verbose=True, temperature=1.0, epochs=5, hidden=(4,)).fit(X, y)
    assert "loss=" in capsys.readouterr().err


def test_device_auto_on_a_cpu_machine_gives_the_cpu_results(iris):
    X, y = iris
    if torch.cuda.is_available():
        pytest.skip("a GPU gives other last bits; this checks that CPU results are unchanged")
    cpu = EmbeddingClassifier(device="cpu", random_state=0, **SMALL).fit(X, y)
    auto = EmbeddingClassifier(device="auto", random_state=0, **SMALL).fit(X, y)
    assert np.array_equal(cpu.predict_proba(X), auto.predict_proba(X))


def test_the_estimator_keeps_small_problems_on_the_cpu_where_a_gpu_is_reported(monkeypatch, iris):
    seen = []
    real = embedlab.fitting.fit_network

    def spy(*args, device, **kwargs):
        seen.append(torch.device(device).type)
        return real(*args, device="cpu", **kwargs)  # no GPU here to move to

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(embedlab.fit_plans, "fit_network", spy)
    X, y = iris
    for hidden in [(100, 100), (300, 300), (400, 400)]:
        EmbeddingClassifier(hidden=hidden, epochs=1, temperature=1.0, ensemble=False).fit(X, y)
    # 6 x batch x parameters, 150 rows a step: 9.7e6, 8.3e7 (still small) and 1.5e8 operations
    assert seen == ["cpu", "cpu", "cuda"]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (none found)")
def test_a_large_problem_trains_on_the_gpu_and_predicts_on_the_cpu():
    X, y = torch.randn(4000, 64), torch.randint(10, (4000,))
    model = EmbeddingClassifier(hidden=(512, 512), epochs=2, temperature=1.0)
    model.fit(X.numpy(), y.numpy())
    assert next(model.model_.parameters()).device.type == "cpu"
    assert model.predict_proba(X.numpy()).shape == (4000, 10)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"early_stopping": "yes"}, "early_stopping must be 'auto', True or False, got 'yes'"),
        ({"validation_fraction": 1.5}, "validation_fraction"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
        ({"tol": -1.0}, "tol"),
        ({"device": "gpu0"}, "device"),
        ({"batch_size": "big"}, "batch_size must be 'auto', None .* got 'big'"),
        ({"batch_size": 2.5}, "batch_size"),
    ],
)
def test_impossible_training_settings_name_the_argument(iris, params, message):
    X, y = iris
    with pytest.raises(ValueError, match=message):
        EmbeddingClassifier(**params).fit(X, y)


def test_alpha_is_weight_decay_and_shrinks_the_weights(iris, monkeypatch):
    X, y = iris
    calls = spy_on_fit_stacked(monkeypatch)  # 150 rows: all four networks at once
    plain = EmbeddingClassifier("softmax", random_state=0, **SMALL).fit(X, y)
    decayed = EmbeddingClassifier("softmax", alpha=0.1, random_state=0, **SMALL).fit(X, y)
    assert [settings["weight_decay"] for *_, settings in calls] == [0.0, 0.1]

    def norm(model):
        return sum(p.pow(2).sum().item() for p in model.model_.parameters())

    assert norm(decayed) < 0.8 * norm(plain)
    assert EmbeddingClassifier().get_params()["alpha"] == 0.0  # default: no penalty
