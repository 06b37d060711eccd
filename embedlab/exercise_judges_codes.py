"""Judges for the exercises of lesson 3 (fixed class codes): cosines, the sphere book in 2-D,
and how often random codes nearly coincide, each run on books drawn when the check runs.
"""

import torch
import torch.nn.functional as F

from embedlab.checking import (
    call,
    close,
    forbidden,
    fresh_rng,
    needs,
    not_a_function,
    torch_generator,
)
from embedlab.codebooks import random_codes, separation, simplex_codes, sphere_codes

# ---------------------------------------------------------------- lesson 3


def cosine_matrix(answer):
    hint = (
        "normalise each ROW to length 1 (F.normalize(codes, dim=1)), then one product unit @ "
        "unit.T gives all K × K cosines; a raw dot product also measures the codes' lengths."
    )
    if not callable(answer):
        return False, not_a_function("cosines") + hint
    rng = fresh_rng()
    generator = torch_generator(rng)
    k, d = int(rng.integers(3, 12)), int(rng.integers(2, 10))
    lengths = torch.empty(k, 1).uniform_(0.3, 3.0, generator=generator)
    k_simplex = int(rng.integers(3, 20))
    for codes in [torch.randn(k, d, generator=generator) * lengths, simplex_codes(k_simplex)]:
        unit = F.normalize(codes, dim=1)
        found, failure = call(answer, codes.clone())
        if failure:
            return False, failure + hint
        if not isinstance(found, torch.Tensor) or found.shape != (len(codes), len(codes)):
            return False, f"return the ({len(codes)}, {len(codes)}) matrix of cosines. " + hint
        if not torch.allclose(found.detach().to(unit.dtype), unit @ unit.T, atol=1e-5):
            return (
                False,
                f"on a ({len(codes)}, {codes.shape[1]}) code book your cosines differ. " + hint,
            )
    return True, (
        f"every pair of simplex codes has cosine −1/(K − 1): −{1 / (k_simplex - 1):.4f} for K = "
        f"{k_simplex}, −0.25 for K = 5 — the most spread out K unit vectors can be."
    )


RANKS = ("below", "level", "above")
RANKED_CLASSES = 4  # the class count whose rank 3.2 asks for (lesson 3 discusses only 3)


def sphere_in_2d(answer):
    hint = (
        "K points evenly spaced on the unit circle are 2π/K apart in angle, and a chord of angle "
        "θ is 2·sin(θ/2) long: predict it by hand (sphere_codes is switched off during the "
        "check). Then compare separation(...)['min_distance'] of the 2-D sphere book for 4 "
        "classes with simplex_codes(4)'s and answer 'below', 'level' (within 1e-4 of the "
        "simplex's) or 'above'."
    )
    missing = needs(answer, ("rank", "min_distance"), "{'rank': ..., 'min_distance': my_formula}")
    if missing:
        return False, missing + hint
    formula = answer["min_distance"]
    if not callable(formula):
        return False, not_a_function("min_distance") + hint
    rng = fresh_rng()
    cases = [int(rng.integers(3, 9)), int(rng.integers(9, 200))]
    reference = {k: separation(sphere_codes(k, 2))["min_distance"] for k in cases}
    with forbidden([sphere_codes], "predict the distance by hand: sphere_codes is off here"):
        for k in cases:
            found, failure = call(formula, k)
            if failure:
                return False, failure + hint
            if not close(found, reference[k], rel=1e-4):
                return False, f"for K = {k} your formula gives {found}. " + hint
    k = RANKED_CLASSES
    sphere = separation(sphere_codes(k, 2))["min_distance"]
    simplex = separation(simplex_codes(k))["min_distance"]
    rank = "level" if close(sphere, simplex, rel=1e-4, abs_tol=0) else RANKS[2 * (sphere > simplex)]
    if not isinstance(answer["rank"], str) or answer["rank"].strip().lower() != rank:
        return False, f"your formula is right; now compare it with the simplex's. {hint}"
    return True, (
        f"2·sin(π/K) matches the sphere book for K = {cases[0]} and K = {cases[1]}. For {k} "
        f"classes the 2-D sphere book's smallest distance is {sphere:.4f} against the "
        f"{k - 1}-D simplex's {simplex:.4f}: {rank}. With 3 classes both books are an equilateral "
        "triangle (lesson 3)"
        + (
            f"; {k} codes evenly spaced on a circle sit closer to their neighbours than any two "
            "codes of the simplex, which has a dimension more to spread in."
            if rank == "below"
            else "."
        )
    )


def nearly_coinciding(answer):
    hint = (
        "share(n_classes, dim, seeds, ratio) counts the books random_codes(n_classes, dim, "
        "seed=s), s in seeds, whose separation(...)['min_distance'] is below ratio × their own "
        "['mean_distance'] (a distance means something only next to the book's own scale), and "
        "divides by len(seeds). If one book in p has such a pair, ten seeds ALL miss it with "
        "probability (1 − p)¹⁰."
    )
    missing = needs(answer, ("share", "all_ten_miss"), "{'share': share, 'all_ten_miss': ...}")
    if missing:
        return False, missing + hint
    share = answer["share"]
    if not callable(share):
        return False, not_a_function("share") + hint

    def reference(k, d, seeds, ratio):
        books = [separation(random_codes(k, d, seed=s)) for s in seeds]
        return sum(b["min_distance"] < ratio * b["mean_distance"] for b in books) / len(books)

    rng = fresh_rng()
    start = int(rng.integers(1000, 100_000))
    k, d, n, ratio = (
        int(rng.integers(3, 6)),
        int(rng.integers(2, 4)),
        int(rng.integers(150, 300)),
        rng.uniform(0.2, 0.5),
    )
    seeds = range(start, start + n)
    found, failure = call(share, k, d, seeds, ratio)
    if failure:
        return False, failure + hint
    expected = reference(k, d, seeds, ratio)
    if not close(found, expected, rel=0, abs_tol=1e-9):
        return False, (
            f"for {k} codes in {d}-D, seeds {start}..{start + n - 1}, ratio {ratio:.3f}: you "
            f"gave {found}. " + hint
        )
    p = reference(3, 2, range(1000), 0.25)
    if not close(answer["all_ten_miss"], (1 - p) ** 10, rel=0, abs_tol=0.01):
        return False, "your share is right; the chance that ten seeds all miss is not. " + hint
    return True, (
        f"{p:.3f} of the 1000 2-D books with 3 codes of seeds 0-999 have a pair closer than a "
        f"quarter of their mean distance (about one in {1 / p:.0f}). Ten seeds all miss such a "
        f"book with probability {(1 - p) ** 10:.2f} and thirty with {(1 - p) ** 30:.2f}: a "
        "study of a few seeds can easily miss the failure, so report the worst seed of many."
    )
