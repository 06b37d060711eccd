"""Lesson 7's measurements: many-class output layers on glyphs, and their cost up to K = 100,000.

1. accuracy: every head of `embedlab.many_classes.METHODS` on `load_glyphs` at K = 100 (3 seeds)
   and K = 959 (all characters in at least 14 faces): plain, up to homoglyphs, top-5, output-layer
   parameters, fit seconds; at K = 959 a learning curve (held-out accuracy every few epochs,
   with the training seconds so far); and for softmax and learned vectors, how many exact
   homoglyph pairs are among the most similar pairs of class vectors (against random vectors);
2. cost: one training step of each output layer on random features, K = 10³ … 10⁵, each in a fresh
   process (peak memory is the rise of the process's resident set during the step), plus exact
   decoding of 1024 outputs;
3. decoding: exact (matrix product + argmax) against an HNSW index (faiss-cpu, optional), recall of
   the exact nearest code.

Every timing is the best of several repeats, on one thread; each row records the machine's
one-minute load average and whether it was busy (more than this benchmark's own one core), and
the run refuses to start on a busy machine unless told (`--allow-busy`). Writes
benchmarks/results/many_classes_*.csv and a figure, and copies the CSVs into embedlab/ for lesson 7.
`--smoke` runs a tiny version into a temporary folder. Run with `make bench`.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import torch
import torch.nn.functional as F
from machine import load, refuse_if_busy  # benchmarks/machine.py

from embedlab.glyphs import homoglyph_groups, homoglyph_pairs, load_glyphs
from embedlab.many_classes import (
    METHODS,
    evaluate,
    fit_glyph_net,
    glyph_head,
    homoglyph_recovery,
    time_prediction,
    time_training_step,
)

ROOT = Path(__file__).resolve().parents[1]
# d per head (softmax and the label embedding have none; 64 is only a placeholder for them)
DIMS = {"softmax": 64, "sampled_softmax": 64, "cosine": 64, "fixed": 64, "learned": 16,
        "learned_cosine": 16, "label_embedding": 64}  # fmt: skip
EPOCHS = {100: 60, 959: 150}  # K = 959: long enough to see where each head levels off
CURVE_EVERY = 5  # epochs between two points of a learning curve
CURVE_FROM = 500  # from this K on: a learning curve (every CURVE_EVERY epochs)
# the runs are long (5-10 min each at K = 959): each run's rows are written as soon as it ends
KEYS = {"accuracy": ["n_classes", "method", "seed"], "curves": ["n_classes", "method", "seed"],
        "homoglyphs": ["n_classes", "vectors", "seed"]}  # fmt: skip
LEN_MAX_CLASSES = 10_000  # the label embedding is K × K: 10⁸ numbers at K = 10,000


def merge_rows(path: Path, rows: list[dict], keys: list[str]) -> None:
    """Write `rows` into the CSV at `path`, replacing the rows there with the same `keys`."""
    if not rows:
        return
    frame = pd.DataFrame(rows)
    if path.exists():
        kept = pd.read_csv(path)
        same = kept[keys].apply(tuple, axis=1).isin(frame[keys].apply(tuple, axis=1))
        frame = pd.concat([kept[~same], frame])
    frame.to_csv(path, index=False, float_format="%.6g")


def accuracy_runs(sizes, seeds, epochs, methods=METHODS, save=None):
    """(final accuracies, learning curves, homoglyph recovery) as three DataFrames; `save(part,
    rows)`, if given, is called with each run's rows as soon as the run ends."""
    rows, curves, recovery = [], [], []
    for n_classes in sizes:
        for seed in seeds:
            split = load_glyphs(n_classes, seed=seed)
            groups = homoglyph_groups(split.characters)
            pairs = homoglyph_pairs(groups)
            for method in methods:
                clock = {"train": 0.0, "since": time.perf_counter()}
                first_curve, first_recovery = len(curves), len(recovery)

                def on_epoch(epoch, model, n_classes=n_classes, method=method, seed=seed,
                             split=split, groups=groups, clock=clock):  # fmt: skip
                    clock["train"] += time.perf_counter() - clock["since"]
                    if n_classes >= CURVE_FROM and epoch % CURVE_EVERY == 0:
                        point = {"n_classes": n_classes, "method": method, "seed": seed,
                                 "epoch": epoch, "train_seconds": clock["train"]}  # fmt: skip
                        curves.append(point | evaluate(model, split, groups) | load())
                        model.train()
                    clock["since"] = time.perf_counter()

                model = fit_glyph_net(
                    split, method, DIMS[method], epochs[n_classes], seed=seed, on_epoch=on_epoch
                )
                row = {"n_classes": n_classes, "method": method, "dim": DIMS[method], "seed": seed,
                       "epochs": epochs[n_classes]}  # fmt: skip
                row |= evaluate(model, split, groups)
                row |= {"output_parameters": model.head.n_parameters(),
                        "fit_seconds": clock["train"]} | load()  # fmt: skip
                rows.append(row)
                print(row, flush=True)
                if pairs and method in ("softmax", "learned"):
                    vectors = model.head.class_vectors()
                    random = torch.randn(
                        vectors.shape, generator=torch.Generator().manual_seed(seed)
                    )
                    for name, v in ((method, vectors), ("random", random)):
                        recovery.append(
                            {"n_classes": n_classes, "vectors": name, "seed": seed,
                             "n_pairs": len(pairs), "recovered": homoglyph_recovery(v, pairs)}
                        )  # fmt: skip
                    print(recovery[-2:], flush=True)
                if save is not None:
                    save("accuracy", rows[-1:])
                    save("curves", curves[first_curve:])
                    save("homoglyphs", recovery[first_recovery:])
    return pd.DataFrame(rows), pd.DataFrame(curves), pd.DataFrame(recovery)


def _status_kb(key: str) -> int:
    line = next(x for x in Path("/proc/self/status").read_text().splitlines() if x.startswith(key))
    return int(line.split()[1])


def cost_child(method: str, n_classes: int) -> None:
    """Run in a fresh process: print one JSON row with times and peak memory of one head.

    A warm-up at K = 10 loads torch's kernels first; before each measurement the peak resident
    set is reset (Linux), so each peak counts only what that part adds for K classes.
    """
    torch.set_num_threads(1)
    time_training_step(glyph_head(method, 256, 10, DIMS[method]), repeats=1)
    time_prediction(glyph_head(method, 256, 10, DIMS[method]), repeats=1)
    head = glyph_head(method, 256, n_classes, DIMS[method])
    row = {"method": method, "n_classes": n_classes, "output_parameters": head.n_parameters()}
    for part, measure in (("step", time_training_step), ("predict", time_prediction)):
        Path("/proc/self/clear_refs").write_text("5")
        before = _status_kb("VmRSS:")
        row[f"{part}_seconds"] = measure(head)
        row[f"{part}_peak_mb"] = (_status_kb("VmHWM:") - before) / 1024
    print(json.dumps(row | load()))


def cost_runs(sizes) -> pd.DataFrame:
    rows = []
    for n_classes in sizes:
        for method in METHODS:
            if method == "label_embedding" and n_classes > LEN_MAX_CLASSES:
                continue
            out = subprocess.run(
                [sys.executable, __file__, "--cost-child", method, str(n_classes)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def decoding_runs(sizes, dim=64, n_queries=1024, noise=0.1) -> pd.DataFrame:
    """Exact vs HNSW nearest code for outputs near codes (unit codes, normalised queries)."""
    try:
        import faiss
    except ImportError:
        print("faiss-cpu is not installed: skipping approximate decoding")
        return pd.DataFrame()
    faiss.omp_set_num_threads(1)
    rows = []
    for n_classes in sizes:
        generator = torch.Generator().manual_seed(0)
        codes = F.normalize(torch.randn(n_classes, dim, generator=generator), dim=1)
        truth = torch.randint(n_classes, (n_queries,), generator=generator)
        queries = codes[truth] + noise * torch.randn(n_queries, dim, generator=generator)
        queries = F.normalize(queries, dim=1)
        exact_seconds = float("inf")
        for _ in range(5):  # best of five: the least disturbed
            start = time.perf_counter()
            exact = (queries @ codes.T).argmax(dim=1)
            exact_seconds = min(exact_seconds, time.perf_counter() - start)
        start = time.perf_counter()
        index = faiss.IndexHNSWFlat(dim, 32)
        index.hnsw.efConstruction = 64
        index.add(codes.numpy())
        build_seconds = time.perf_counter() - start
        for ef in (16, 64):
            index.hnsw.efSearch = ef
            seconds = float("inf")
            for _ in range(5):
                start = time.perf_counter()
                _, found = index.search(queries.numpy(), 1)
                seconds = min(seconds, time.perf_counter() - start)
            rows.append(
                {"n_classes": n_classes, "ef_search": ef, "exact_seconds": exact_seconds,
                 "ann_seconds": seconds, "build_seconds": build_seconds,
                 "recall": (torch.from_numpy(found[:, 0]) == exact).float().mean().item(),
                 "speedup": exact_seconds / seconds} | load()
            )  # fmt: skip
            print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def plot_cost(cost: pd.DataFrame, path: Path) -> None:
    """Log-log curves of step time, step memory and prediction time against K, per method."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = {"step_seconds": "training step (s)", "step_peak_mb": "peak memory of a step (MB)",
               "predict_seconds": "predicting 1024 inputs (s)"}  # fmt: skip
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
    for ax, (column, label) in zip(axes, columns.items(), strict=True):
        for method, rows in cost.groupby("method", sort=False):
            ax.loglog(rows["n_classes"], rows[column].clip(lower=1e-5), "o-", label=method)
        ax.set_xlabel("number of classes K")
        ax.set_title(label)
    axes[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--smoke", action="store_true", help="tiny run into a temporary folder")
    parser.add_argument("--parts", default="accuracy,cost,decoding")
    parser.add_argument("--allow-busy", action="store_true", help="run on a busy machine anyway")
    parser.add_argument("--sizes", default="100,959", help="glyph K values for the accuracy part")
    parser.add_argument("--epochs", type=int, help="epochs at every K (default: EPOCHS)")
    parser.add_argument("--seeds", default="0,1,2", help="seeds of the accuracy part")
    parser.add_argument("--methods", default=",".join(METHODS), help="heads of the accuracy part")
    parser.add_argument("--cost-child", nargs=2, metavar=("METHOD", "K"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.cost_child:
        cost_child(args.cost_child[0], int(args.cost_child[1]))
        return
    refuse_if_busy(args.smoke or args.allow_busy)
    torch.set_num_threads(1)
    if args.smoke:
        out, sizes, seeds, epochs = Path(tempfile.mkdtemp()), [10, 20], [0], {10: 5, 20: 5}
        cost_sizes = [1000, 3000]
    else:
        out, seeds = ROOT / "benchmarks" / "results", [int(s) for s in args.seeds.split(",")]
        sizes = [int(k) for k in args.sizes.split(",")]
        epochs = {k: args.epochs or EPOCHS.get(k, 60) for k in sizes}
        cost_sizes = [1000, 3162, 10000, 31623, 100000]
    out.mkdir(parents=True, exist_ok=True)
    parts = args.parts.split(",")
    written = []
    if "accuracy" in parts:

        def save(part, rows):  # rows of other sizes, seeds and methods are kept
            merge_rows(out / f"many_classes_{part}.csv", rows, KEYS[part])
            if not args.smoke:
                shutil.copy(out / f"many_classes_{part}.csv", ROOT / "embedlab")

        accuracy_runs(sizes, seeds, epochs, args.methods.split(","), save)
        written += [f"many_classes_{part}.csv" for part in KEYS]
    if "cost" in parts:
        cost_runs(cost_sizes).to_csv(
            out / "many_classes_cost.csv", index=False, float_format="%.6g"
        )
        written.append("many_classes_cost.csv")
    if "decoding" in parts:
        decoding = decoding_runs(cost_sizes)
        if len(decoding):
            decoding.to_csv(out / "many_classes_decoding.csv", index=False, float_format="%.6g")
            written.append("many_classes_decoding.csv")
    if not args.smoke:
        for name in written:
            shutil.copy(out / name, ROOT / "embedlab" / name)
    print("wrote", ", ".join(str(out / name) for name in written))


if __name__ == "__main__":
    main()
