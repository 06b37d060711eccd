"""Decoding at large K, exact and approximate, for every head's kind of class vectors (lesson 7).

Exact: one matrix product and an argmax. Approximate: faiss's HNSW graph index (faiss-cpu, the
optional `ann` extra): inner-product search over softmax's weight rows (directly, and turned into
a nearest-neighbour search by one extra coordinate), nearest-code search for codes compared by
distance, inner products of unit vectors for codes compared by angle. Called by many_classes.py.
"""

import time

import pandas as pd
import torch
import torch.nn.functional as F
from machine import load  # benchmarks/machine.py

# How each head decodes: the space of its class vectors and how a point is compared with them.
# Sampled softmax and the label embedding decode exactly as softmax does (a K-way linear layer).
DECODERS = {"softmax": (256, "inner product"), "fixed": (64, "distance"), "cosine": (64, "angle"),
            "learned": (16, "distance"), "learned_cosine": (16, "angle")}  # fmt: skip


def decoding_case(method, n_classes, n_queries=1024, noise=0.5, seed=0):
    """(class vectors (K, d), bias (K,) or None, queries (n, d)) shaped like `method`'s: weight
    rows of uneven length and a bias for softmax, codes for the others (unit for the angle
    heads); each query is a random class's vector plus noise of `noise` x its typical length."""
    dim, compare = DECODERS[method]
    generator = torch.Generator().manual_seed(seed)
    vectors = torch.randn(n_classes, dim, generator=generator)
    bias = None
    if compare == "inner product":
        vectors *= (0.5 + torch.rand(n_classes, 1, generator=generator)) / dim**0.5
        bias = 0.1 * torch.randn(n_classes, generator=generator)
    if compare == "angle":
        vectors = F.normalize(vectors, dim=1)
    truth = torch.randint(n_classes, (n_queries,), generator=generator)
    spread = vectors.norm(dim=1).mean() / dim**0.5
    queries = vectors[truth] + noise * spread * torch.randn(n_queries, dim, generator=generator)
    return vectors, bias, queries


def exact_decode(vectors, bias, queries, compare):
    """The best class of each query with one matrix product and an argmax: inner products (plus
    bias) for softmax, 2·q·c - ‖c‖² for distances (‖q‖² is the same for every class), cosines
    for angles."""
    if compare == "angle":
        return (F.normalize(queries, dim=1) @ vectors.T).argmax(dim=1)
    if compare == "distance":
        return (2 * queries @ vectors.T - vectors.pow(2).sum(1)).argmax(dim=1)
    return (queries @ vectors.T + bias).argmax(dim=1)


def hnsw_index(vectors, bias, compare, variant):
    """(faiss HNSW index, query transform). Inner products: searched as such (faiss's
    METRIC_INNER_PRODUCT), or turned into distances by one more coordinate (Bachrach et al.
    2014: c -> [c, sqrt(M² - ‖c‖²)], q -> [q, 0], M the longest row); the bias rides along as one
    more coordinate with a 1 in the query. Distances: L2. Angles: inner products of unit rows."""
    import faiss

    add_one = lambda q: torch.cat([q, torch.ones(len(q), 1)], 1)  # noqa: E731
    if compare == "inner product":
        rows = torch.cat([vectors, bias[:, None]], 1)
        if variant == "inner product":
            index = faiss.IndexHNSWFlat(rows.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
            transform = add_one
        else:
            norms = rows.norm(dim=1, keepdim=True)
            rows = torch.cat([rows, (norms.max() ** 2 - norms**2).clamp(min=0).sqrt()], 1)
            index = faiss.IndexHNSWFlat(rows.shape[1], 32)
            transform = lambda q: torch.cat([add_one(q), torch.zeros(len(q), 1)], 1)  # noqa: E731
    elif compare == "angle":
        rows, transform = vectors, lambda q: F.normalize(q, dim=1)  # noqa: E731
        index = faiss.IndexHNSWFlat(rows.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    else:
        rows, transform = vectors, lambda q: q  # noqa: E731
        index = faiss.IndexHNSWFlat(rows.shape[1], 32)
    index.hnsw.efConstruction = 64
    index.add(rows.contiguous().numpy())
    return index, transform


def best_of(function, repeats=5) -> float:
    """Least seconds of `repeats` calls: the least disturbed by anything else running."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def decoding_runs(sizes) -> pd.DataFrame:
    """Exact decoding (one product, argmax) against HNSW for every head's kind of class vectors:
    recall of the exact answer and speed-up, at efSearch 16 and 64."""
    try:
        import faiss
    except ImportError:
        print("faiss-cpu is not installed: skipping approximate decoding")
        return pd.DataFrame()
    faiss.omp_set_num_threads(1)
    rows = []
    for n_classes in sizes:
        for method, (dim, compare) in DECODERS.items():
            vectors, bias, queries = decoding_case(method, n_classes)
            exact = exact_decode(vectors, bias, queries, compare)
            exact_seconds = best_of(
                lambda v=vectors, b=bias, q=queries, c=compare: exact_decode(v, b, q, c)
            )
            variants = ["inner product", "distance"] if compare == "inner product" else [compare]
            for variant in variants:
                start = time.perf_counter()
                index, transform = hnsw_index(vectors, bias, compare, variant)
                build_seconds = time.perf_counter() - start
                searched = transform(queries).contiguous().numpy()
                for ef in (16, 64):
                    index.hnsw.efSearch = ef
                    found = torch.from_numpy(index.search(searched, 1)[1][:, 0])
                    seconds = best_of(lambda: index.search(searched, 1))  # noqa: B023
                    rows.append(
                        {"n_classes": n_classes, "method": method, "dim": dim,
                         "compare": compare, "index": variant, "ef_search": ef,
                         "exact_seconds": exact_seconds, "ann_seconds": seconds,
                         "build_seconds": build_seconds,
                         "recall": (found == exact).float().mean().item(),
                         "speedup": exact_seconds / seconds} | load()
                    )  # fmt: skip
                    print(rows[-1], flush=True)
    return pd.DataFrame(rows)
