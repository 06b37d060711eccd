"""Judges for the exercises of lesson 4 (Gaussian regression): the NLL and β-NLL written by hand
(embedlab's and torch's versions are switched off while the learner's code runs), and the
pitfall experiment, whose `run` the judge repeats on a seed it draws now.
"""

import math

import torch
import torch.nn.functional as F
from torch import nn

from embedlab import losses
from embedlab.checking import (
    call,
    close,
    forbidden,
    fresh_rng,
    needs,
    not_a_function,
    torch_generator,
)
from embedlab.codebooks import nearest_code, simplex_codes
from embedlab.data import load_split
from embedlab.metrics import accuracy
from embedlab.models import GaussianRegressor
from embedlab.seeding import seed_everything
from embedlab.training import train

# ---------------------------------------------------------------- lesson 4


def _gaussian_case(rng, requires_grad: bool = False):
    generator = torch_generator(rng)
    shape = (int(rng.integers(2, 9)), int(rng.integers(1, 5)))
    dtype = torch.get_default_dtype()
    mean = torch.randn(shape, generator=generator, dtype=dtype)
    target = torch.randn(shape, generator=generator, dtype=dtype) * 2
    variance = torch.empty(shape, dtype=dtype).uniform_(0.05, 5.0, generator=generator)
    return mean.requires_grad_(requires_grad), target, variance.requires_grad_(requires_grad)


def gaussian_nll_full(answer):
    hint = (
        "per element ½(log v + (y − μ)²/v) + ½·log 2π, with v the VARIANCE (not a standard "
        "deviation), averaged over all n × D elements; write it with torch (GaussianNLLLoss is "
        "switched off during the check)."
    )
    if not callable(answer):
        return False, not_a_function("gaussian_nll") + hint
    rng = fresh_rng()
    blocked = "write the formula yourself: GaussianNLLLoss is off during the check"
    for _ in range(3):
        mean, target, variance = _gaussian_case(rng)
        expected = nn.GaussianNLLLoss(full=True)(mean, target, variance).item()
        with forbidden([F.gaussian_nll_loss], blocked):
            found, failure = call(answer, mean, target, variance)
        if failure:
            return False, failure + hint
        if not close(found, expected, rel=1e-5):
            return False, f"on a random {tuple(mean.shape)} case you gave {found}. " + hint
    return True, (
        f"full=True adds ½·log 2π ≈ {0.5 * math.log(2 * math.pi):.4f} per element: it changes "
        "the loss's value, never its gradients."
    )


def beta_nll(answer):
    hint = (
        "β-NLL is mean(½(log v + (y − μ)²/v) · stopgrad(v)^β): multiply by v.detach() ** β, "
        "not v ** β (then the VARIANCE's gradient changes) and not v ** (2β) (v is already σ²). "
        "Write it yourself: embedlab's beta_nll_loss is switched off during the check. The "
        "mean's gradient per element is (μ − y)/v · v^β: find the β at which, for μ = 0, y = 1, "
        "v = 4, it is (μ − y)."
    )
    missing = needs(answer, ("loss", "beta"), "{'loss': my_beta_nll, 'beta': ...}")
    if missing:
        return False, missing + hint
    loss = answer["loss"]
    if not callable(loss):
        return False, not_a_function("my_beta_nll") + hint
    rng = fresh_rng()
    blocked = "write the loss yourself: embedlab.losses.beta_nll_loss is off during the check"
    for beta in [0.0, float(rng.uniform(0.2, 0.8)), 1.0]:
        mean, target, variance = _gaussian_case(rng, requires_grad=True)
        expected = losses.beta_nll_loss(mean, target, variance, beta=beta)
        grads = torch.autograd.grad(expected, (mean, variance))
        with forbidden([losses.beta_nll_loss], blocked):
            found, failure = call(loss, mean, target, variance, beta)
        if failure:
            return False, failure + hint
        if not isinstance(found, torch.Tensor) or found.numel() != 1:
            return (
                False,
                "return the loss as a one-element tensor (keep it differentiable). " + hint,
            )
        if not close(found.item(), expected.item(), rel=1e-5):
            return False, f"at β = {beta:.2f} your loss is {found.item():.6f}. " + hint
        mine, failure = call(torch.autograd.grad, found, (mean, variance), allow_unused=True)
        if failure or any(g is None for g in mine):
            return False, "your loss sends no gradient to the mean or the variance. " + hint
        for name, g, reference in zip(("mean", "variance"), mine, grads, strict=True):
            if not torch.allclose(g, reference, rtol=1e-5, atol=1e-8):
                return False, f"at β = {beta:.2f} the {name}'s gradient differs. " + hint
    try:
        beta = float(answer["beta"])
    except (TypeError, ValueError):
        return False, "your loss is right; answer the β as a number. " + hint
    if not (math.isfinite(beta) and beta >= 0):
        return False, f"your loss is right; β-NLL takes a β of 0 or more, not {beta}. " + hint
    mean = torch.zeros(1, 1, requires_grad=True)
    target, variance = torch.ones(1, 1), torch.full((1, 1), 4.0)
    (gradient,) = torch.autograd.grad(losses.beta_nll_loss(mean, target, variance, beta=beta), mean)
    wanted = (mean - target).item()  # the gradient of ½(μ − y)²
    found, goal = (f"{g:.4g}".replace("-", "−") for g in (gradient.item(), wanted))  # true minus
    if not close(gradient.item(), wanted, rel=1e-6):
        return False, (
            f"your loss is right; at β = {beta:g} the mean's gradient is {found}, not "
            f"(μ − y) = {goal}. " + hint
        )
    return True, (
        f"value and both gradients match, and at β = {beta:g} the mean's gradient is "
        f"{found} = (μ − y). Per element it is (μ − y)/v · v^β, so at that β it is "
        "the gradient of ½(μ − y)² — half of MSE's 2(μ − y) — whatever the variance; the "
        "stop-gradient shows only in the variance's gradient, which you matched too."
    )


def _digits_run(seed: int, beta: float, lr: float, epochs: int = 100) -> float:
    split = load_split("digits", train_fraction=0.1, seed=seed)
    codes = simplex_codes(10).to(torch.get_default_dtype())
    seed_everything(seed)
    model = GaussianRegressor(64, (100, 100), 9, min_variance=1e-6)

    def loss(output, y):
        mean, variance = output
        return losses.beta_nll_loss(mean, codes[y], variance, beta=beta)

    train(model, split.X_train, split.y_train, loss, epochs=epochs, lr=lr)
    with torch.no_grad():
        mean, _ = model(split.X_test)
    return accuracy(split.y_test, nearest_code(mean, codes))


def pitfall_rate(answer):
    hint = (
        "run(seed, beta, lr, epochs=100) must use load_split('digits', train_fraction=0.1, "
        "seed=seed), seed_everything(seed) before GaussianRegressor(64, (100, 100), 9, "
        "min_variance=1e-6), beta_nll_loss onto simplex_codes(10) rows, `epochs` epochs at lr, "
        "and return the test "
        "accuracy after nearest-code decoding. Then name the rate at which plain NLL's worst "
        "seed (of 0-2) falls more than 0.03 below β-NLL's."
    )
    missing = needs(answer, ("lr", "run"), "{'lr': ..., 'run': run}")
    if missing:
        return False, missing + hint
    run = answer["run"]
    if not callable(run):
        return False, not_a_function("run") + hint
    named = answer["lr"]
    lr = named if any(close(named, rate, rel=1e-6) for rate in (3e-3, 1e-2)) else None
    if lr is None:
        return False, "answer the rate as a number, 3e-3 or 1e-2. " + hint
    lr = float(lr)
    tolerance = 2.5 / 1617  # two of the 1617 test digits
    rng = fresh_rng()
    epochs = int(rng.integers(20, 41))  # a shorter run than the exercise's, as quick checks
    at_zero = _digits_run(0, 0.5, lr, epochs)
    cases = [((0, 0.5, lr, epochs), at_zero)]
    for _ in range(12):  # three seeds whose runs end elsewhere than seed 0's: a run that ignores
        seed = int(rng.integers(3, 10_000))  # its seed somewhere matches one by chance, not three
        beta = (0.0, 0.5)[len(cases) % 2]  # plain NLL twice: a run that ignores beta fails there
        reference = _digits_run(seed, beta, lr, epochs)
        if abs(reference - at_zero) > 2 * tolerance:
            cases.insert(0, ((seed, beta, lr, epochs), reference))
        if len(cases) == 4:
            break
    for case, expected in cases:
        found, failure = call(run, *case)
        if failure:
            return False, failure + hint
        if not close(found, expected, rel=0, abs_tol=tolerance):
            return False, f"run{case} gives {found}; that run reaches {expected:.4f}. " + hint
    worst = {beta: [_digits_run(seed, beta, lr) for seed in range(3)] for beta in (0.0, 0.5)}
    gap = min(worst[0.5]) - min(worst[0.0])
    if gap <= 0.03:
        return False, (
            f"your run is right; at lr {lr:g} plain NLL's worst seed is only {gap:.3f} below "
            "β-NLL's — not the pitfall. Try the other rate."
        )
    return True, (
        f"at lr {lr:g} plain NLL's worst seed reaches {min(worst[0.0]):.3f} against β-NLL's "
        f"{min(worst[0.5]):.3f} (seeds 0-2), more than 0.03 below: the pitfall shows at this rate."
    )
