"""Lesson 7's measurements: many-class output layers on glyphs, and their cost up to K = 100,000.

1. accuracy: every head of `embedlab.many_classes.METHODS` on `load_glyphs` at K = 100 (3 seeds)
   and K = 959 (all characters in at least 14 faces): plain, up to homoglyphs, top-5, output-layer
   parameters, fit seconds; at K = 959 a learning curve (held-out accuracy every few epochs,
   with the training seconds so far); and for softmax and learned vectors, how many exact
   homoglyph pairs are among the most similar pairs of class vectors (against random vectors);
2. cost: one training step of each output layer on random features, K = 10³ … 10⁵, each in a fresh
   process, with its memory in bytes (`step_memory.py`: parameters, gradients and Adam's state
   counted; the step's own peak measured at the allocator), plus exact decoding of 1024 outputs;
3. decoding: for every head's kind of class vectors (softmax's weight rows and bias, codes compared
   by distance or by angle), exact decoding (one matrix product + argmax) against an HNSW index
   (faiss-cpu, optional): inner-product search for softmax, directly and turned into a
   nearest-neighbour search by one extra coordinate; recall of the exact answer and speed-up.

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
from decoding import decoding_runs  # benchmarks/decoding.py
from machine import load, refuse_if_busy  # benchmarks/machine.py
from step_memory import PeakAllocation, step_memory  # benchmarks/step_memory.py

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


def epoch_runs(n_classes=959, epochs=4, methods=METHODS) -> pd.DataFrame:
    """Seconds of one training epoch of each head at `n_classes` (best of epochs 2..`epochs`:
    the first pays for warm-up), on one thread. With a learning curve's epochs, these give a
    head's training minutes on an idle core, whatever the load was while the curve was run."""
    split = load_glyphs(n_classes, seed=0)
    rows = []
    for method in methods:
        marks = [time.perf_counter()]
        mark = lambda epoch, model, m=marks: m.append(time.perf_counter())  # noqa: E731
        fit_glyph_net(split, method, DIMS[method], epochs, seed=0, on_epoch=mark)
        seconds = min(b - a for a, b in zip(marks[1:-1], marks[2:], strict=True))
        rows.append({"n_classes": n_classes, "method": method, "epoch_seconds": seconds} | load())
        print(rows[-1], flush=True)
    return pd.DataFrame(rows)


def sampling_runs(n_classes=959, epochs=20, draws=(16, 64, 256, 512)) -> pd.DataFrame:
    """How many draws S sampled softmax needs: its accuracy after `epochs` (a schedule of that
    length) for each S, and full softmax's, at `n_classes`, seed 0."""
    split = load_glyphs(n_classes, seed=0)
    groups = homoglyph_groups(split.characters)
    rows = []
    for method, n_sampled in [("sampled_softmax", s) for s in draws] + [("softmax", None)]:
        start = time.perf_counter()
        model = fit_glyph_net(split, method, epochs=epochs, seed=0, n_sampled=n_sampled)
        rows.append({"n_classes": n_classes, "method": method, "n_sampled": n_sampled, "seed": 0,
                     "epochs": epochs} | evaluate(model, split, groups)
                    | {"fit_seconds": time.perf_counter() - start} | load())  # fmt: skip
        print(rows[-1], flush=True)
    return pd.DataFrame(rows)


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


def cost_child(method: str, n_classes: int) -> None:
    """Run in a fresh process: print one JSON row with the times and the bytes of one head.

    A warm-up at K = 10 loads torch's kernels first. Memory is counted in bytes
    (`step_memory`): parameters, gradients and Adam's state by accounting, the step's own peak
    (outputs, scores, what autograd saves, gradients flowing back, temporaries) and that of
    predicting 1024 inputs measured at the allocator after every operation.
    """
    torch.set_num_threads(1)
    time_training_step(glyph_head(method, 256, 10, DIMS[method]), repeats=1)
    time_prediction(glyph_head(method, 256, 10, DIMS[method]), repeats=1)
    head = glyph_head(method, 256, n_classes, DIMS[method])
    row = {"method": method, "n_classes": n_classes, "output_parameters": head.n_parameters()}
    row["step_seconds"] = time_training_step(head)
    row["predict_seconds"] = time_prediction(head)
    row |= step_memory(head)
    with torch.no_grad(), PeakAllocation() as measured:
        head.scores(head(torch.randn(1024, 256))).argmax(dim=1)
    row["predict_peak_bytes"] = measured.peak
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
    parser.add_argument("--parts", default="accuracy,cost,decoding,epochs,sampling")
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
    if "sampling" in parts:
        sampling_runs(*((20, 2) if args.smoke else ())).to_csv(
            out / "many_classes_sampling.csv", index=False, float_format="%.6g"
        )
        written.append("many_classes_sampling.csv")
    if "epochs" in parts:
        epoch_runs(20 if args.smoke else 959).to_csv(
            out / "many_classes_epochs.csv", index=False, float_format="%.6g"
        )
        written.append("many_classes_epochs.csv")
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
