"""Class codes: one fixed vector per class, and how to turn a network's output back into a class
(introduced in lesson 3, used by lessons 4-6).

A code book is a (K, d) tensor whose row k is the target for class k. The network regresses onto
rows; to classify, it picks the nearest row. What matters is how far apart the rows are, which
`separation` measures. Every code book here has rows of norm 1, except "random", which draws
N(0, 1) entries as the original write-up did.
"""

import math

import torch
import torch.nn.functional as F

CODEBOOKS = ("onehot", "random", "hadamard", "simplex", "sphere")
MAX_REPELLED = 2000  # sphere codes for more classes than this skip the repulsion


def _check_n_classes(n_classes) -> int:
    if isinstance(n_classes, bool) or not isinstance(n_classes, int) or n_classes < 2:
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
    return n_classes


def _check_dim(dim, smallest: int, name: str, rule: str) -> int:
    if isinstance(dim, bool) or not isinstance(dim, int) or dim < smallest:
        raise ValueError(f"the {name} code book needs an integer dim {rule}, got dim={dim!r}")
    return dim


def onehot_codes(n_classes: int) -> torch.Tensor:
    """The identity matrix (K, K): regression onto it is the square loss on one-hot targets."""
    return torch.eye(_check_n_classes(n_classes))


def random_codes(n_classes: int, dim: int, seed: int = 0) -> torch.Tensor:
    """(K, dim) entries drawn from N(0, 1) with their own seeded generator, as in the write-up."""
    _check_n_classes(n_classes)
    _check_dim(dim, 1, "random", ">= 1")
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n_classes, dim, generator=generator)


def hadamard_codes(n_classes: int, dim: int) -> torch.Tensor:
    """K rows of a Sylvester Hadamard matrix of size dim (a power of two >= K), scaled to norm 1.

    Rows are ±1/sqrt(dim) and mutually orthogonal. The all-ones first row is used last, only when
    K == dim, because it is the one row that is not balanced.
    """
    _check_n_classes(n_classes)
    is_power_of_two = isinstance(dim, int) and dim >= 1 and dim & (dim - 1) == 0
    if not is_power_of_two or dim < n_classes:
        raise ValueError(
            "the hadamard code book needs an integer dim, a power of two >= n_classes "
            f"({n_classes}), got dim={dim!r}"
        )
    matrix = torch.ones(1, 1)
    while matrix.shape[0] < dim:
        matrix = torch.cat([torch.cat([matrix, matrix], 1), torch.cat([matrix, -matrix], 1)], 0)
    order = list(range(1, dim)) + [0]
    return matrix[order[:n_classes]] / math.sqrt(dim)


def simplex_codes(n_classes: int, dim: int | None = None) -> torch.Tensor:
    """A simplex equiangular tight frame: K unit vectors with pairwise cosine -1/(K-1).

    They span K-1 dimensions (an equilateral triangle for K=3 in 2-D); a larger `dim` pads zeros.
    Built from the Helmert basis, so the result is the same every time.
    """
    k = _check_n_classes(n_classes)
    dim = k - 1 if dim is None else _check_dim(dim, k - 1, "simplex", f">= n_classes - 1 = {k - 1}")
    helmert = torch.zeros(k - 1, k)  # orthonormal rows, each orthogonal to the all-ones vector
    for i in range(1, k):
        helmert[i - 1, :i] = 1.0
        helmert[i - 1, i] = -float(i)
        helmert[i - 1] /= math.sqrt(i * (i + 1))
    codes = math.sqrt(k / (k - 1)) * helmert.T
    return F.pad(codes, (0, dim - (k - 1)))


def sphere_codes(n_classes: int, dim: int, seed: int = 0, steps: int = 500) -> torch.Tensor:
    """K unit vectors spread over the sphere in `dim` dimensions (useful when dim < K - 1).

    In 2-D they are evenly spaced on the circle. Otherwise random unit vectors are pushed apart by
    gradient descent on a repulsion energy, sum of 1/distance over pairs (embedlab's choice; for
    hyperspherical prototypes Mettes et al. 2019 minimise each one's largest cosine instead).
    Above MAX_REPELLED classes the K² pairs make that too slow: the random unit vectors are
    returned as drawn (in many dimensions they are nearly orthogonal already).
    """
    k = _check_n_classes(n_classes)
    _check_dim(dim, 2, "sphere", ">= 2")
    if dim == 2:
        angles = torch.arange(k) * 2 * math.pi / k
        return torch.stack([angles.cos(), angles.sin()], dim=1)
    generator = torch.Generator().manual_seed(seed)
    points = F.normalize(torch.randn(k, dim, generator=generator), dim=1)
    if k > MAX_REPELLED:
        return points
    points.requires_grad_()
    optimizer = torch.optim.SGD([points], lr=0.05)
    off_diagonal = ~torch.eye(k, dtype=torch.bool)
    for _ in range(steps):
        unit = F.normalize(points, dim=1)
        distances = torch.cdist(unit, unit)[off_diagonal]
        energy = (1.0 / (distances + 1e-6)).mean()
        optimizer.zero_grad()
        energy.backward()
        optimizer.step()
    return F.normalize(points.detach(), dim=1)


def make_codebook(name: str, n_classes: int, dim: int | None = None, seed: int = 0) -> torch.Tensor:
    """A (K, dim) code book by name; `dim=None` picks the smallest dimension the book allows."""
    if name not in CODEBOOKS:
        raise ValueError(f"unknown code book {name!r}; choose one of {', '.join(CODEBOOKS)}")
    k = _check_n_classes(n_classes)
    if name == "onehot":
        if dim not in (None, k):
            raise ValueError(f"the onehot code book has dim = n_classes = {k}, got dim={dim!r}")
        return onehot_codes(k)
    if name == "simplex":
        return simplex_codes(k, dim)
    if name == "hadamard":
        return hadamard_codes(k, dim if dim is not None else 2 ** math.ceil(math.log2(k)))
    if name == "sphere":
        return sphere_codes(k, dim if dim is not None else 2, seed=seed)
    return random_codes(k, dim if dim is not None else 2, seed=seed)


def separation(codes: torch.Tensor) -> dict[str, float]:
    """How far apart the rows of a (K, d) code book are: min and mean pairwise distance, and the
    smallest angle between two rows in degrees."""
    codes = _check_codes(codes)
    k = len(codes)
    upper = torch.triu(torch.ones(k, k, dtype=torch.bool), diagonal=1)
    distances = torch.cdist(codes, codes)[upper]
    unit = F.normalize(codes, dim=1)
    cosines = (unit @ unit.T)[upper].clamp(-1, 1)
    return {
        "min_distance": distances.min().item(),
        "mean_distance": distances.mean().item(),
        "min_angle_deg": math.degrees(torch.acos(cosines.max()).item()),
    }


def _check_codes(codes, detach: bool = True) -> torch.Tensor:
    if not isinstance(codes, torch.Tensor) or codes.ndim != 2:
        raise ValueError(
            f"codes must be a 2-D tensor (n_classes, dim), got {getattr(codes, 'shape', codes)}"
        )
    if len(codes) < 2:
        raise ValueError(f"codes must have at least 2 rows (classes), got {len(codes)}")
    codes = codes.detach() if detach else codes
    return codes if codes.is_floating_point() else codes.float()


def _check_outputs(outputs, codes: torch.Tensor, name: str = "outputs") -> torch.Tensor:
    if not isinstance(outputs, torch.Tensor) or outputs.ndim != 2:
        raise ValueError(
            f"{name} must be a 2-D tensor (n, dim), got {getattr(outputs, 'shape', outputs)}"
        )
    if outputs.shape[1] != codes.shape[1]:
        raise ValueError(
            f"{name} have dim {outputs.shape[1]} but the codes have dim {codes.shape[1]}"
        )
    return outputs


def squared_distances(outputs: torch.Tensor, codes: torch.Tensor) -> torch.Tensor:
    """(n, K) squared Euclidean distance from each output (n, d) to each code (K, d).

    Computed as ‖o‖² + ‖c‖² − 2·o·c: one matrix product, never an (n, K, d) difference, so it
    fits in memory for K = 100,000 (lesson 7). Rounding can make a zero distance slightly
    negative: it is clamped at 0. Differentiable in both arguments (learned codes train on it).
    """
    codes = _check_codes(codes, detach=False)
    outputs = _check_outputs(outputs, codes)
    return (
        outputs.pow(2).sum(1, keepdim=True) + codes.pow(2).sum(1) - 2 * outputs @ codes.T
    ).clamp_min(0)


def nearest_code(
    outputs: torch.Tensor, codes: torch.Tensor, metric: str = "euclidean"
) -> torch.Tensor:
    """(n,) index of the nearest code for each output (n, d); metric "euclidean" or "cosine"."""
    if metric == "euclidean":
        return squared_distances(outputs, codes).argmin(dim=1)
    if metric == "cosine":
        codes = _check_codes(codes)
        outputs = _check_outputs(outputs, codes)
        return (F.normalize(outputs, dim=1) @ F.normalize(codes, dim=1).T).argmax(dim=1)
    raise ValueError(f"unknown metric {metric!r}; choose 'euclidean' or 'cosine'")


def code_probabilities(
    outputs: torch.Tensor, codes: torch.Tensor, temperature: float = 1.0
) -> torch.Tensor:
    """(n, K) class probabilities: softmax of -squared distance / temperature. Rows sum to 1."""
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    return torch.softmax(-squared_distances(outputs, codes) / temperature, dim=1)


def gaussian_log_likelihood(
    mean: torch.Tensor, variance: torch.Tensor, codes: torch.Tensor
) -> torch.Tensor:
    """(n, K) log-density of each class code under N(mean, diag(variance)), both (n, d).

    The log-variance term is the same for every class, so the argmax is the nearest code in
    variance-scaled (Mahalanobis) distance: uncertain coordinates count less.
    """
    codes = _check_codes(codes)
    mean = _check_outputs(mean, codes, "mean")
    if variance.shape != mean.shape:
        raise ValueError(f"variance has shape {tuple(variance.shape)}, mean {tuple(mean.shape)}")
    if not (variance > 0).all():
        raise ValueError("variance must be > 0 everywhere")
    scaled = (mean[:, None, :] - codes[None, :, :]).pow(2) / variance[:, None, :]
    log_norm = variance.log().sum(dim=1, keepdim=True) + mean.shape[1] * math.log(2 * math.pi)
    return -0.5 * (scaled.sum(dim=-1) + log_norm)


def distance_ratio(codes: torch.Tensor) -> float:
    """Smallest pairwise distance between rows of a (K, d) code book divided by the mean one.

    A scale-free separation (lesson 3): multiplying every code by a number leaves it unchanged,
    as it leaves nearest-code decoding unchanged. 1 when all codes are equally far apart (the
    simplex), near 0 when two codes nearly coincide relative to the rest.
    """
    result = separation(codes)
    return result["min_distance"] / result["mean_distance"]


def blend_misdecoding(codes: torch.Tensor, first: int, second: int, steps: int = 101) -> float:
    """Fraction of the straight line from code `first` to code `second` that nearest-code
    decoding assigns to a *third* class (lesson 3). Scale-free, and 0 for the simplex, one-hot
    and Hadamard books (equal lengths, equal angles).

    Why it matters: a network trained with MSE answers an input it cannot place between two
    classes with a point between their codes (the MSE-optimal output is the probability-weighted
    mean of the codes). Where that blend is nearest to a third code, the input is decoded as a
    class it does not resemble.
    """
    codes = _check_codes(codes)
    k = len(codes)
    for name, index in (("first", first), ("second", second)):
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < k:
            raise ValueError(f"{name} must be a class index in [0, {k - 1}], got {index!r}")
    if first == second:
        raise ValueError(f"first and second must be two different classes, got {first} twice")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise ValueError(f"steps must be an integer >= 2, got {steps!r}")
    t = torch.linspace(0, 1, steps, dtype=codes.dtype)[:, None]
    line = (1 - t) * codes[first] + t * codes[second]
    decoded = nearest_code(line, codes)
    return ((decoded != first) & (decoded != second)).float().mean().item()
