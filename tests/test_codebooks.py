import math
import re

import pytest
import torch

from embedlab.codebooks import (
    CODEBOOKS,
    code_probabilities,
    gaussian_log_likelihood,
    hadamard_codes,
    make_codebook,
    nearest_code,
    random_codes,
    separation,
    simplex_codes,
    sphere_codes,
    squared_distances,
)


@pytest.mark.parametrize("k", [2, 3, 5, 10])
def test_simplex_is_an_equiangular_tight_frame(k):
    codes = simplex_codes(k)
    assert codes.shape == (k, k - 1)
    gram = codes @ codes.T
    assert torch.allclose(gram.diagonal(), torch.ones(k), atol=1e-5)
    off = gram[~torch.eye(k, dtype=torch.bool)]
    assert torch.allclose(off, torch.full_like(off, -1 / (k - 1)), atol=1e-5)


def test_simplex_for_three_classes_is_an_equilateral_triangle_and_pads():
    assert separation(simplex_codes(3))["min_angle_deg"] == pytest.approx(120, abs=1e-3)
    padded = simplex_codes(3, dim=5)
    assert padded.shape == (3, 5) and torch.equal(padded[:, 2:], torch.zeros(3, 3))


def test_hadamard_rows_are_orthogonal_unit_vectors():
    codes = hadamard_codes(5, 8)
    assert torch.allclose(codes @ codes.T, torch.eye(5), atol=1e-6)
    assert hadamard_codes(4, 4).shape == (4, 4)


def test_sphere_codes_spread_out():
    circle = sphere_codes(4, 2)
    assert separation(circle)["min_angle_deg"] == pytest.approx(90, abs=1e-3)
    spread = sphere_codes(10, 3, seed=0)
    assert torch.allclose(spread.norm(dim=1), torch.ones(10), atol=1e-5)
    assert separation(spread)["min_distance"] > 0.8  # random unit vectors: often below 0.3


def test_random_codes_follow_their_own_seed():
    torch.manual_seed(123)
    a = random_codes(3, 2, seed=7)
    torch.manual_seed(456)
    assert torch.equal(a, random_codes(3, 2, seed=7))
    assert not torch.equal(a, random_codes(3, 2, seed=8))


@pytest.mark.parametrize("name", CODEBOOKS)
def test_make_codebook_default_dims(name):
    codes = make_codebook(name, 4)
    assert codes.shape[0] == 4 and separation(codes)["min_distance"] > 0


@pytest.mark.parametrize(
    "args, message",
    [
        (("simplex", 5, 3), "dim >= n_classes - 1"),
        (("hadamard", 3, 6), "power of two"),
        (("hadamard", 5, 4), "power of two >= n_classes"),
        (("onehot", 3, 2), "dim = n_classes"),
        (("sphere", 3, 1), "dim >= 2"),
        (("random", 3, 0), "dim >= 1"),
        (("simplex", 1, None), "n_classes must be an integer >= 2"),
        (("ecoc", 3, 2), "unknown code book 'ecoc'"),
        (("sphere", 3, 2.0), r"needs an integer dim >= 2, got dim=2\.0"),
        (("random", 3, 1.5), r"needs an integer dim >= 1, got dim=1\.5"),
        (("simplex", 3, 2.0), r"needs an integer dim >= n_classes - 1 = 2, got dim=2\.0"),
        (("hadamard", 3, 4.0), r"needs an integer dim, a power of two >= n_classes \(3\)"),
        (("onehot", 3, 3.5), "dim = n_classes = 3"),
        (("simplex", 2.0, None), "n_classes must be an integer >= 2, got 2.0"),
        (("random", True, None), "n_classes must be an integer"),
    ],
)
def test_impossible_code_books(args, message):
    with pytest.raises(ValueError, match=message):
        make_codebook(*args)


def test_nearest_code_and_probabilities():
    codes = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 5.0]])
    outputs = torch.tensor([[0.1, 0.0], [0.9, 0.2], [0.0, 4.0]])
    assert nearest_code(outputs, codes).tolist() == [0, 1, 2]
    assert squared_distances(outputs, codes)[0, 1].item() == pytest.approx(0.81)
    probabilities = code_probabilities(outputs, codes, temperature=0.5)
    assert torch.allclose(probabilities.sum(1), torch.ones(3))
    assert probabilities.argmax(1).tolist() == [0, 1, 2]


def test_cosine_decoding_ignores_length():
    codes = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    outputs = torch.tensor([[10.0, 1.0], [0.1, 0.2]])
    assert nearest_code(outputs, codes, metric="cosine").tolist() == [0, 1]
    with pytest.raises(ValueError, match="unknown metric"):
        nearest_code(outputs, codes, metric="manhattan")


def test_gaussian_log_likelihood_matches_torch_distributions():
    mean, variance = torch.randn(4, 3), torch.rand(4, 3) + 0.1
    codes = torch.randn(5, 3)
    ours = gaussian_log_likelihood(mean, variance, codes)
    normal = torch.distributions.Normal(mean[:, None, :], variance[:, None, :].sqrt())
    assert torch.allclose(ours, normal.log_prob(codes[None]).sum(-1), atol=1e-4)


def test_likelihood_decoding_discounts_uncertain_coordinates():
    codes = torch.tensor([[0.0, 0.0], [1.0, 3.0]])
    mean = torch.tensor([[0.4, 1.6]])  # plain distance: nearer code 1 (1.32 vs 2.72 squared)
    assert nearest_code(mean, codes).item() == 1
    variance = torch.tensor([[0.001, 100.0]])  # coordinate 1 is very unsure: only 0.4 vs 0/1 counts
    assert gaussian_log_likelihood(mean, variance, codes).argmax(1).item() == 0


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: nearest_code(torch.zeros(4, 3), torch.zeros(3, 2)),
            "dim 3 but the codes have dim 2",
        ),
        (lambda: nearest_code(torch.zeros(4), torch.zeros(3, 2)), "2-D tensor"),
        (lambda: separation(torch.zeros(1, 2)), "at least 2 rows"),
        (lambda: code_probabilities(torch.zeros(1, 2), torch.eye(2), 0.0), "temperature"),
        (
            lambda: gaussian_log_likelihood(torch.zeros(2, 2), torch.ones(2, 3), torch.eye(2)),
            "variance has shape",
        ),
        (
            lambda: gaussian_log_likelihood(torch.zeros(2, 2), torch.zeros(2, 2), torch.eye(2)),
            "variance must be > 0",
        ),
    ],
)
def test_decoding_rejects_bad_shapes(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_separation_numbers():
    result = separation(torch.tensor([[0.0, 1.0], [0.0, -1.0], [1.0, 0.0]]))
    assert result["min_distance"] == pytest.approx(math.sqrt(2))
    assert result["min_angle_deg"] == pytest.approx(90)


def test_distance_ratio_is_scale_free_and_one_for_the_simplex():
    from embedlab.codebooks import distance_ratio

    codes = torch.tensor([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])  # distances 3, 4, 5
    assert distance_ratio(codes) == pytest.approx(3 / 4)
    assert distance_ratio(10 * codes) == pytest.approx(3 / 4)
    assert distance_ratio(simplex_codes(5)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="codes"):
        distance_ratio(torch.zeros(1, 2))


def test_blend_misdecoding_finds_a_code_in_the_way():
    from embedlab.codebooks import blend_misdecoding

    in_a_row = torch.tensor([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
    # from code 0 to code 2 the line passes code 1: x in (0.5, 1.5) decodes to class 1
    assert blend_misdecoding(in_a_row, 0, 2, steps=1001) == pytest.approx(0.5, abs=0.002)
    assert blend_misdecoding(10 * in_a_row, 0, 2, steps=1001) == pytest.approx(0.5, abs=0.002)
    assert blend_misdecoding(in_a_row, 0, 1) == 0.0
    for book in [simplex_codes(4), make_codebook("onehot", 4), make_codebook("hadamard", 3, 4)]:
        assert blend_misdecoding(book, 0, 2) == 0.0


@pytest.mark.parametrize(
    "first, second, steps, argument",
    [(0, 3, 11, "second"), (-1, 1, 11, "first"), (1, 1, 11, "different"), (0, 1, 1, "steps")],
)
def test_blend_misdecoding_rejects_bad_arguments(first, second, steps, argument):
    from embedlab.codebooks import blend_misdecoding

    with pytest.raises(ValueError, match=argument):
        blend_misdecoding(simplex_codes(3), first, second, steps=steps)


@pytest.mark.parametrize(
    "name, k, shape",
    [
        ("onehot", 4, (4, 4)),
        ("random", 4, (4, 2)),
        ("hadamard", 4, (4, 4)),
        ("hadamard", 5, (5, 8)),
        ("hadamard", 8, (8, 8)),
        ("simplex", 4, (4, 3)),
        ("sphere", 4, (4, 2)),
    ],
)
def test_make_codebook_default_dim_is_the_smallest_allowed(name, k, shape):
    assert tuple(make_codebook(name, k).shape) == shape


def test_make_codebook_passes_dim_and_seed_on():
    assert torch.equal(make_codebook("random", 3, 5, seed=2), random_codes(3, 5, seed=2))
    assert torch.equal(make_codebook("sphere", 3, 4, seed=2), sphere_codes(3, 4, seed=2))
    assert not torch.equal(make_codebook("sphere", 3, 4, seed=1), sphere_codes(3, 4, seed=2))
    assert torch.equal(make_codebook("simplex", 3, 4), simplex_codes(3, 4))
    assert torch.equal(make_codebook("hadamard", 3, 8), hadamard_codes(3, 8))
    assert torch.equal(make_codebook("onehot", 3, 3), torch.eye(3))


def test_hadamard_row_order_is_pinned():
    # Sylvester H4 rows: (1,1,1,1), (1,-1,1,-1), (1,1,-1,-1), (1,-1,-1,1); the all-ones row last
    rows = [[1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1], [1, 1, 1, 1]]
    expected = torch.tensor(rows, dtype=torch.float32) / 2
    assert torch.equal(hadamard_codes(4, 4), expected)
    assert torch.equal(hadamard_codes(3, 4), expected[:3])
    h8 = (hadamard_codes(8, 8) * math.sqrt(8)).round()
    assert h8[0].tolist() == [1, -1, 1, -1, 1, -1, 1, -1]
    assert h8[6].tolist() == [1, -1, -1, 1, -1, 1, 1, -1]
    assert h8[7].tolist() == [1] * 8


def test_simplex_for_three_classes_pinned():
    expected = torch.tensor([[math.sqrt(3) / 2, 0.5], [-math.sqrt(3) / 2, 0.5], [0.0, -1.0]])
    assert torch.allclose(simplex_codes(3), expected, atol=1e-6)


def test_sphere_codes_on_the_circle_start_at_angle_zero():
    expected = torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    assert torch.allclose(sphere_codes(4, 2), expected, atol=1e-6)


def test_code_probabilities_pinned_at_a_non_default_temperature():
    codes = torch.tensor([[0.0, 0.0], [1.0, 0.0]])
    outputs = torch.tensor([[0.0, 0.0], [2.0, 0.0]])
    # squared distances [0, 1] and [4, 1]; divided by temperature 0.5: logits [0, -2], [-8, -2]
    p0 = 1 / (1 + math.exp(-2))
    p1 = 1 / (1 + math.exp(-6))
    expected = torch.tensor([[p0, 1 - p0], [1 - p1, p1]])
    assert torch.allclose(code_probabilities(outputs, codes, temperature=0.5), expected)
    # default temperature 1: logits [0, -1] and [-4, -1]
    q0, q1 = 1 / (1 + math.exp(-1)), 1 / (1 + math.exp(-3))
    expected = torch.tensor([[q0, 1 - q0], [1 - q1, q1]])
    assert torch.allclose(code_probabilities(outputs, codes), expected)


# --- found by mutation testing (make mutation) -----------------------------------------


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: separation([[0.0, 1.0], [1.0, 0.0]]),
            "codes must be a 2-D tensor (n_classes, dim), got [[0.0, 1.0], [1.0, 0.0]]",
        ),
        (
            lambda: separation(torch.zeros(3)),
            "codes must be a 2-D tensor (n_classes, dim), got torch.Size([3])",
        ),
        (lambda: separation(torch.zeros(1, 2)), "codes must have at least 2 rows (classes), got 1"),
        (
            lambda: squared_distances([[0.0, 1.0]], torch.eye(2)),
            "outputs must be a 2-D tensor (n, dim), got [[0.0, 1.0]]",
        ),
        (
            lambda: squared_distances(torch.zeros(2), torch.eye(2)),
            "outputs must be a 2-D tensor (n, dim), got torch.Size([2])",
        ),
        (
            lambda: squared_distances(torch.zeros(1, 3), torch.eye(2)),
            "outputs have dim 3 but the codes have dim 2",
        ),
        (
            lambda: gaussian_log_likelihood(torch.zeros(1, 3), torch.ones(1, 3), torch.eye(2)),
            "mean have dim 3 but the codes have dim 2",
        ),
        (
            lambda: gaussian_log_likelihood(torch.zeros(1, 2), torch.ones(1, 3), torch.eye(2)),
            "variance has shape (1, 3), mean (1, 2)",
        ),
        (
            lambda: gaussian_log_likelihood(torch.zeros(1, 2), torch.zeros(1, 2), torch.eye(2)),
            "variance must be > 0 everywhere",
        ),
        (
            lambda: nearest_code(torch.zeros(1, 2), torch.eye(2), "l1"),
            "unknown metric 'l1'; choose 'euclidean' or 'cosine'",
        ),
        (
            lambda: code_probabilities(torch.zeros(1, 2), torch.eye(2), -1.0),
            "temperature must be > 0, got -1.0",
        ),
        (
            lambda: make_codebook("ecoc", 3),
            "unknown code book 'ecoc'; choose one of onehot, random, hadamard, simplex, sphere",
        ),
        (
            lambda: make_codebook("random", 3, 0),
            "the random code book needs an integer dim >= 1, got dim=0",
        ),
        (
            lambda: make_codebook("sphere", 3, 1),
            "the sphere code book needs an integer dim >= 2, got dim=1",
        ),
        (
            lambda: make_codebook("simplex", 4, 2),
            "the simplex code book needs an integer dim >= n_classes - 1 = 3, got dim=2",
        ),
        (
            lambda: make_codebook("hadamard", 3, 2),
            "the hadamard code book needs an integer dim, a power of two >= n_classes (3), "
            "got dim=2",
        ),
        (
            lambda: make_codebook("onehot", 3, 2),
            "the onehot code book has dim = n_classes = 3, got dim=2",
        ),
        (lambda: make_codebook("simplex", 1), "n_classes must be an integer >= 2, got 1"),
    ],
)
def test_error_messages_in_full(call, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        call()


def test_integer_and_double_codes_are_handled():
    assert separation(torch.tensor([[0, 1], [1, 0]]))["min_distance"] == pytest.approx(2**0.5)
    point = torch.tensor([[0.1, 0.7]], dtype=torch.float64)  # not exact in float32
    assert squared_distances(point, torch.cat([point, point + 1])).tolist() == [
        [0.0, pytest.approx(2.0)]
    ]


def test_separation_all_numbers_pinned():
    result = separation(torch.tensor([[0.0, 1.0], [0.0, -1.0], [1.0, 0.0]]))
    assert result["min_distance"] == pytest.approx(math.sqrt(2))  # pairs 2, sqrt 2, sqrt 2
    assert result["mean_distance"] == pytest.approx((2 + 2 * math.sqrt(2)) / 3)
    assert result["min_angle_deg"] == pytest.approx(90)
    line = separation(torch.tensor([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0]]))
    assert line["min_distance"] == pytest.approx(1.0)  # a pair next to each other
    assert separation(torch.tensor([[0.3, 0.3], [0.3, 0.3]]))["min_angle_deg"] == 0.0  # no NaN


def test_cosine_decoding_uses_unit_codes():
    codes = torch.tensor([[1.0, 0.0], [0.0, 10.0]])  # a long code must not win by its length
    assert nearest_code(torch.tensor([[1.0, 0.5]]), codes, metric="cosine").tolist() == [0]


def test_code_book_defaults():
    assert torch.equal(make_codebook("random", 3), random_codes(3, 2, seed=0))
    generator = torch.Generator().manual_seed(0)
    assert torch.equal(random_codes(3, 2), torch.randn(3, 2, generator=generator))
    assert random_codes(3, 1).shape == (3, 1)  # one dimension is allowed
    assert simplex_codes(3, dim=2).shape == (3, 2)  # dim = K - 1 spelled out is allowed
    assert torch.equal(sphere_codes(3, 3), sphere_codes(3, 3, seed=0, steps=500))
    assert torch.equal(make_codebook("sphere", 3, 3), sphere_codes(3, 3, seed=0))


def test_sphere_codes_pinned():
    # a regression pin of the repulsion (seed 0, 500 SGD steps, lr 0.05, energy mean 1/distance)
    expected = torch.tensor(
        [
            [0.995407, 0.059855, -0.074712],
            [-0.256969, -0.695572, -0.670929],
            [-0.317444, 0.939846, -0.126171],
            [-0.420514, -0.309343, 0.852921],
        ]
    )
    assert torch.allclose(sphere_codes(4, 3), expected, atol=1e-5)


def test_separation_of_opposite_codes_is_180_degrees_not_nan():
    # the normalised dot product comes out as -1.0000001 here: the clamp keeps acos defined
    angle = separation(torch.tensor([[0.3, 0.3], [-0.3, -0.3]]))["min_angle_deg"]
    assert angle == pytest.approx(180.0, abs=1e-3)


def test_squared_distances_pass_gradient_to_both_sides():
    outputs = torch.tensor([[0.0, 0.0]], requires_grad=True)
    codes = torch.tensor([[3.0, 4.0], [1.0, 0.0]], requires_grad=True)
    squared_distances(outputs, codes).sum().backward()
    assert codes.grad.tolist() == [[6.0, 8.0], [2.0, 0.0]]  # d/dc ‖o - c‖² = 2 (c - o)
    assert outputs.grad.tolist() == [[-8.0, -8.0]]
