"""How `EmbeddingClassifier` spends its data (lesson 6): which networks a fit trains, on which
rows, and which held-out scores its temperature comes from.

- `fit_with_folds` (below 2,000 samples): the network on all the rows and three out-of-fold ones,
  each trained on two folds and scoring the third; all four at once when one batch holds every
  row (`embedlab.stacked`).
- `fit_early_stopping`: a run stopped on a validation slice, whose slice scores calibrate; below
  `RETRAIN_BELOW_N` samples a fresh network then trains on every row for the best run's epochs.
- `train_one`: one network (`fitting.fit_network`), for the two above and for tiny data.

Each takes `settings`, the estimator whose training settings it reads (epochs, lr, alpha,
batch_size, tol, n_iter_no_change, validation_fraction, verbose, device), and `build`, the
function that makes a fresh network. Networks come back on the CPU in float64.
"""

import numpy as np
import torch
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split

from embedlab.fitting import FitLog, fit_network, in_chunks, resolve_device
from embedlab.stacked import fit_stacked

CALIBRATION_FOLDS = 3
AUTO_BATCH_SIZE = 200  # batch_size="auto": min(200, n), as scikit-learn's MLPClassifier
# Below this many samples, early stopping only picks the number of epochs, and the network is
# then retrained on every sample: at 1-2k rows the 10 % held out costs about a point of accuracy.
RETRAIN_BELOW_N = 10_000


def train_one(settings, build, X, y_index, n_classes, seed, validation=None, epochs=None):
    """A model trained on X (n, d) float64 and class indices (n,) for `epochs` (default: the
    budget), and its `FitLog`; `validation` = (X_val, y_val) turns on early stopping. The
    model is returned on the CPU in float64, so answers do not depend on the device or the
    batch."""
    torch.manual_seed(seed)
    model = build(X.shape[1], n_classes, seed)
    batch_size = batch_size_for(settings, len(X))
    step_flops = 6 * batch_size * sum(p.numel() for p in model.parameters())
    device = resolve_device(settings.device, step_flops)
    score = None
    if validation is not None:
        X_val = torch.tensor(validation[0], dtype=torch.float32)
        y_val = torch.as_tensor(validation[1])

        def score(model):
            scores = in_chunks(model.scores, X_val, device)
            return (scores.argmax(dim=1) == y_val).double().mean().item()

    log = fit_network(
        model,
        model.loss,
        torch.tensor(X, dtype=torch.float32),
        torch.tensor(y_index, dtype=torch.int64),
        epochs=settings.epochs if epochs is None else epochs,
        lr=settings.lr,
        weight_decay=float(settings.alpha),
        batch_size=batch_size,
        tol=settings.tol,
        n_iter_no_change=settings.n_iter_no_change,
        validation_score=score,
        verbose=settings.verbose,
        device=device,
    )
    return model.cpu().double(), log


def batch_size_for(settings, n: int) -> int:
    """Rows per step: n for batch_size=None, min(200, n) for "auto", else the number set."""
    if settings.batch_size is None:
        return n
    return min(AUTO_BATCH_SIZE, n) if settings.batch_size == "auto" else settings.batch_size


def fit_with_folds(settings, build, X, y_index, n_classes, seed):
    """(model, log, (out-of-fold scores (n, K), labels), fold networks): the network trained
    on all of X, and one network per fold trained on the other folds, which scores the fold
    it did not see. With one batch of everything (n <= batch size) the four train at once
    (`embedlab.stacked`). With mini-batches the network on all of X trains alone, and the
    three fold networks together, each on batches of its own rows."""
    n = len(X)
    counts = np.bincount(y_index, minlength=n_classes)
    folds = (StratifiedKFold if counts.min() >= CALIBRATION_FOLDS else KFold)(
        CALIBRATION_FOLDS, shuffle=True, random_state=seed
    )
    splits = list(folds.split(X, y_index))
    parts = np.ones((len(splits), n), dtype=bool)
    for part, (_, held_out) in zip(parts, splits, strict=True):
        part[held_out] = False
    batch_size = batch_size_for(settings, n)
    together = batch_size >= n
    if together:
        parts = np.vstack([np.ones((1, n), dtype=bool), parts])
    else:
        model, log = train_one(settings, build, X, y_index, n_classes, seed)
    networks = []
    for network_seed in [seed] * together + [seed + 1 + f for f in range(len(splits))]:
        torch.manual_seed(network_seed)
        networks.append(build(X.shape[1], n_classes, network_seed))
    step_flops = 6 * batch_size * sum(p.numel() for net in networks for p in net.parameters())
    curves = fit_stacked(
        networks,
        torch.tensor(X, dtype=torch.float32),
        torch.tensor(y_index, dtype=torch.int64),
        torch.as_tensor(parts),
        epochs=settings.epochs,
        lr=settings.lr,
        weight_decay=float(settings.alpha),
        batch_size=batch_size,
        device=resolve_device(settings.device, step_flops),
        verbose=settings.verbose and together,
    )
    fold_models = [network.cpu().double() for network in networks]
    if together:
        model, log = fold_models.pop(0), FitLog(loss_curve=curves[0])
    scores = np.zeros((n, n_classes))
    for network, (_, held_out) in zip(fold_models, splits, strict=True):
        scores[held_out] = network_scores(network, X[held_out]).numpy()
    return model, log, (scores, y_index), fold_models


def network_scores(model, X) -> torch.Tensor:
    """(n, K) class scores of one network for X (n, d), in float64 on the CPU."""
    X = torch.as_tensor(X, dtype=torch.float64)
    with torch.no_grad():
        return in_chunks(model.scores, X, torch.device("cpu"))


def fit_early_stopping(settings, build, X, y_index, n_classes, seed):
    """(model, log, (validation scores (n_val, K), labels), others): early stopping on a
    validation slice. Below `RETRAIN_BELOW_N` samples a fresh network then trains on all of X for
    the best run's number of epochs and is the model; it starts from its own seed (`seed + 1`),
    so that it and the stopping run's network, the one in `others`, differ where the data leave
    room and their average is worth more (`log` keeps the stopping run's validation scores).
    From `RETRAIN_BELOW_N` on the stopping run's network is the model and `others` is empty."""
    X_fit, X_val, y_fit, y_val = validation_split(settings.validation_fraction, X, y_index, seed)
    model, log = train_one(
        settings, build, X_fit, y_fit, n_classes, seed, validation=(X_val, y_val)
    )
    held_out = (network_scores(model, X_val).numpy(), y_val)
    others = []
    if len(X) < RETRAIN_BELOW_N:  # from another start than the stopping run's: the two then vote
        others = [model]
        model, retrained = train_one(
            settings, build, X, y_index, n_classes, seed + 1, epochs=log.best_epoch
        )
        log.loss_curve = retrained.loss_curve
    return model, log, held_out, others


def validation_split(fraction, X, y_index, seed):
    """(X_train, X_val, y_train, y_val): a `fraction` of the rows held out (at least one, and
    one per class when stratified), stratified when every class has at least 2 samples."""
    stratify = y_index if np.bincount(y_index).min() >= 2 else None
    n_val = max(1, int(round(fraction * len(X))))
    if stratify is not None:
        n_val = max(n_val, len(np.unique(y_index)))
    return train_test_split(X, y_index, test_size=n_val, stratify=stratify, random_state=seed)
