"""A many-class task with no download: characters drawn in matplotlib's fonts (lesson 7).

matplotlib ships 16 text faces (DejaVu Sans, Serif and Sans Mono in four styles each, and STIX
General in four). A class is one Unicode character; a sample is that character drawn in one face,
moved by a small seeded random jitter (shift, scale, rotation, noise). 959 printable characters are
drawn by at least 14 of the faces, so K runs from 2 to 959.

The drawings themselves ship with embedlab (`glyphs_20px.npz`, 20 × 20 pixels, made by
`embedlab.glyph_rendering`), so every learner gets the same pixels, classes and homoglyph groups
whichever FreeType their matplotlib bundles. Glyphs are placed by the font's metrics, not by their
ink, so '.' and '·', or '-' and '_', stay apart. Characters that really look alike collide: those
are the **homoglyphs**. `homoglyph_groups` finds them from the drawings themselves (Latin O, Greek
Omicron and Cyrillic O are pixel-identical in every face), and `accuracy_up_to_homoglyphs` forgives
confusing them.
"""

import functools
import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from embedlab.glyph_rendering import FACES, IMAGE_SIZE, MIN_FACES

GLYPH_FILE = Path(__file__).with_name("glyphs_20px.npz")


@functools.cache
def _glyph_set() -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    """(character → index, (16, 959) bool: face draws it, (16, 959, 20, 20) float32 ink)."""
    with np.load(GLYPH_FILE) as stored:
        characters = [str(c) for c in stored["characters"]]
        faces, chars = stored["face_index"].astype(int), stored["char_index"].astype(int)
        drawn = np.zeros((len(FACES), len(characters)), dtype=bool)
        drawn[faces, chars] = True
        ink = np.zeros((len(FACES), len(characters), IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32)
        ink[faces, chars] = stored["images"] / np.float32(255)
    return {c: i for i, c in enumerate(characters)}, drawn, ink


def common_characters(min_faces: int = MIN_FACES) -> tuple[str, ...]:
    """The characters at least `min_faces` of the 16 faces draw (14 to 16), by code point."""
    if (
        isinstance(min_faces, bool)
        or not isinstance(min_faces, int)
        or not MIN_FACES <= min_faces <= len(FACES)
    ):
        raise ValueError(
            f"min_faces must be an integer from {MIN_FACES} to {len(FACES)} (the shipped glyph "
            f"set holds the characters at least {MIN_FACES} faces draw), got {min_faces!r}"
        )
    index, drawn, _ = _glyph_set()
    return tuple(c for c, i in index.items() if drawn[:, i].sum() >= min_faces)


def character_name(character: str) -> str:
    """'U+039F GREEK CAPITAL LETTER OMICRON'."""
    return f"U+{ord(character):04X} {unicodedata.name(character, '(unnamed)')}"


def _character_index(character: str) -> int:
    index, _, _ = _glyph_set()
    if character not in index:
        raise ValueError(
            f"character {character!r} is not in the glyph set: it holds the {len(index)} "
            "characters of common_characters()"
        )
    return index[character]


def glyph_image(face: str, character: str) -> np.ndarray | None:
    """(20, 20) float32 ink in [0, 1]: `character` as `face` draws it, or None if it lacks it.

    The em is 14 pixels; the baseline sits at row 15 and the glyph's advance width is centred,
    so position and size come from the font, not from the ink.
    """
    if face not in FACES:
        raise ValueError(f"unknown face {face!r}; choose one of {', '.join(FACES)}")
    i = _character_index(character)
    _, drawn, ink = _glyph_set()
    f = FACES.index(face)
    return ink[f, i].copy() if drawn[f, i] else None


def jitter(images: np.ndarray, rng: np.random.Generator, shift: float = 0.6, scale: float = 0.06,
           rotation: float = 4.0, noise: float = 0.05) -> np.ndarray:  # fmt: skip
    """Move each (S, S) image of `images` (n, S, S) by a random affine map, then add noise.

    Shift ~ N(0, shift²) pixels per axis, scale ~ exp(N(0, scale²)), rotation ~ N(0, rotation²)
    degrees about the centre; bilinear interpolation; noise ~ N(0, noise²), clipped to [0, 1].
    """
    n, size = len(images), images.shape[-1]
    for value, name in (
        (shift, "shift"),
        (scale, "scale"),
        (rotation, "rotation"),
        (noise, "noise"),
    ):
        if not value >= 0:
            raise ValueError(f"{name} must be >= 0, got {value!r}")
    dx, dy = rng.normal(0, shift, (2, n)) * 2 / size  # in grid units: the image spans [-1, 1]
    zoom = np.exp(rng.normal(0, scale, n))
    angle = np.radians(rng.normal(0, rotation, n))
    cos = np.array([math.cos(a) for a in angle]) / zoom
    sin = np.array([math.sin(a) for a in angle]) / zoom
    # output point p samples the input at A·(p - shift), A = rotation / zoom
    theta = np.stack(
        [
            np.stack([cos, -sin, -(cos * dx - sin * dy)], axis=1),
            np.stack([sin, cos, -(sin * dx + cos * dy)], axis=1),
        ],
        axis=1,
    )
    grid = torch.nn.functional.affine_grid(
        torch.tensor(theta, dtype=torch.float32), (n, 1, size, size), align_corners=False
    )
    moved = torch.nn.functional.grid_sample(
        torch.from_numpy(images[:, None]), grid, mode="bilinear", align_corners=False
    )[:, 0].numpy()
    moved = moved + rng.normal(0, noise, moved.shape) if noise > 0 else moved
    return np.clip(moved, 0, 1).astype(np.float32)


@dataclass
class GlyphSplit:
    """Glyph images as flat tensors: X is (n, S·S) float32 in [0, 1], y is (n,) int64 classes;
    `face_train`/`face_test` give each sample's face index into `FACES`."""

    X_train: torch.Tensor
    y_train: torch.Tensor
    X_test: torch.Tensor
    y_test: torch.Tensor
    face_train: torch.Tensor
    face_test: torch.Tensor
    characters: list[str]
    image_size: int

    @property
    def n_classes(self) -> int:
        return len(self.characters)

    @property
    def class_names(self) -> list[str]:
        return [character_name(c) for c in self.characters]


def _check_int(value, name: str, smallest: int, largest: int | None = None) -> int:
    too_big = largest is not None and isinstance(value, int) and value > largest
    if isinstance(value, bool) or not isinstance(value, int) or value < smallest or too_big:
        allowed = f"from {smallest} to {largest}" if largest is not None else f">= {smallest}"
        raise ValueError(f"{name} must be an integer {allowed}, got {value!r}")
    return value


def load_glyphs(
    n_classes: int = 100,
    n_jitters: int = 3,
    test_fraction: float = 0.25,
    min_faces: int = 14,
    seed: int = 0,
    characters: str | None = None,
    **jitter_options,
) -> GlyphSplit:
    """K = `n_classes` characters (a seeded sample of `common_characters(min_faces)`, all of them
    if K equals their number), each drawn in every face that has it, `n_jitters` times.
    Or exactly the given `characters` (a string; then `n_classes` is not used).

    Each class's samples are split at random (seeded, stratified) into train and test parts.
    `jitter_options` go to `jitter` (shift, scale, rotation, noise). The same arguments give the
    same data on any machine.
    """
    available = common_characters(min_faces)
    if characters is None:
        _check_int(n_classes, "n_classes", 2, len(available))
    elif len(set(characters)) != len(characters) or len(characters) < 2:
        raise ValueError(f"characters must be >= 2 distinct characters, got {characters!r}")
    else:
        for character in characters:
            _character_index(character)
    _check_int(n_jitters, "n_jitters", 1)
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction!r}")
    unknown = set(jitter_options) - {"shift", "scale", "rotation", "noise"}
    if unknown:
        raise ValueError(
            f"unknown jitter options {sorted(unknown)}; use shift, scale, rotation, noise"
        )
    rng = np.random.default_rng(seed)
    if characters is None:
        chosen = np.sort(rng.choice(len(available), n_classes, replace=False))
        characters = [available[i] for i in chosen]
    characters = list(characters)
    images, labels, faces = [], [], []
    for label, character in enumerate(characters):
        for face_index, face in enumerate(FACES):
            image = glyph_image(face, character)
            if image is not None:
                images += [image] * n_jitters
                labels += [label] * n_jitters
                faces += [face_index] * n_jitters
    X = jitter(np.stack(images), rng, **jitter_options).reshape(len(images), -1)
    labels, faces = np.array(labels), np.array(faces)
    is_test = np.zeros(len(labels), dtype=bool)
    for label in range(len(characters)):
        members = np.nonzero(labels == label)[0]
        n_test = min(max(1, round(test_fraction * len(members))), len(members) - 1)
        is_test[rng.choice(members, n_test, replace=False)] = True

    def part(mask):
        return (
            torch.from_numpy(X[mask]),
            torch.from_numpy(labels[mask]),
            torch.from_numpy(faces[mask]),
        )

    X_train, y_train, face_train = part(~is_test)
    X_test, y_test, face_test = part(is_test)
    return GlyphSplit(
        X_train, y_train, X_test, y_test, face_train, face_test, characters, IMAGE_SIZE
    )


def glyph_distances(characters) -> torch.Tensor:
    """(K, K) median, over the faces that have both characters, of the mean squared pixel
    difference between their clean renderings (inf if they share no face).

    The median forgives a face or two that draws a look-alike differently (STIX's bold italic
    Cyrillic O is not its Latin O), which the largest difference would not.
    """
    k = len(characters)
    per_face = torch.full((len(FACES), k, k), float("nan"), dtype=torch.float64)
    for index, face in enumerate(FACES):
        renders = [glyph_image(face, c) for c in characters]
        present = torch.tensor([r is not None for r in renders])
        blank = np.zeros((IMAGE_SIZE, IMAGE_SIZE), np.float32)
        flat = torch.from_numpy(np.stack([blank if r is None else r for r in renders]))
        flat = flat.reshape(k, -1).double()
        squares = flat.pow(2).sum(dim=1)
        difference = (squares[:, None] + squares[None, :] - 2 * flat @ flat.T).clamp_min(0)
        both = present[:, None] & present[None, :]
        per_face[index] = torch.where(both, difference / flat.shape[1], float("nan"))
    median = per_face.nanmedian(dim=0).values
    return torch.nan_to_num(median, nan=float("inf")).fill_diagonal_(0.0)


def homoglyph_groups(characters, threshold: float = 0.0) -> np.ndarray:
    """(K,) group index per character: two characters whose `glyph_distances` is at most
    `threshold` share a group, transitively. `threshold=0` joins characters that are
    pixel-identical in at least half the faces they share; 2.5e-4 (a tenth of one pixel's
    squared ink) also joins near-twins such as ’ and ʼ."""
    if not threshold >= 0:
        raise ValueError(f"threshold must be >= 0, got {threshold!r}")
    close = (glyph_distances(characters) <= threshold + 1e-9).numpy()
    group = np.arange(len(characters))
    for i, j in zip(*np.nonzero(np.triu(close, 1)), strict=True):  # union-find, small K
        low, high = sorted((group[i], group[j]))
        group[group == high] = low
    _, group = np.unique(group, return_inverse=True)
    return group


def homoglyph_pairs(groups: np.ndarray) -> list[tuple[int, int]]:
    """All class pairs (i < j) that share a homoglyph group."""
    groups = np.asarray(groups)
    return [
        (i, j)
        for i in range(len(groups))
        for j in np.nonzero(groups[i + 1 :] == groups[i])[0] + i + 1
    ]


def accuracy_up_to_homoglyphs(y_true, y_pred, groups) -> float:
    """Share of predictions in the true class's homoglyph group (a look-alike counts as right)."""
    groups = torch.as_tensor(np.asarray(groups))
    return (
        (groups[torch.as_tensor(y_pred)] == groups[torch.as_tensor(y_true)]).float().mean().item()
    )


def top_k_accuracy(scores: torch.Tensor, y_true, k: int = 5) -> float:
    """Share of samples whose true class is among the `k` highest of its (n, K) `scores`."""
    _check_int(k, "k", 1, scores.shape[1])
    top = scores.topk(k, dim=1).indices
    return (top == torch.as_tensor(y_true)[:, None]).any(dim=1).float().mean().item()
