"""Every EmbeddingClassifier method against scikit-learn's classifiers, on the same splits.

Datasets: iris (the write-up's 30/120 split) and wine, breast_cancer, digits (half for training),
10 seeds each, standardised with training statistics. Baselines: LogisticRegression,
MLPClassifier and OutputCodeClassifier(LogisticRegression), all with default settings, as the
EmbeddingClassifier methods are. Scores: test accuracy, and for classifiers with `predict_proba`
the test log loss and expected calibration error (15 bins). Writes per-seed rows to
benchmarks/results/benchmark.csv (and the copy embedlab ships for lesson 6), a figure, and the
README's table. Run with `make bench`;
`--smoke` runs one seed on iris and writes to a temporary folder.
"""

import argparse
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402
from sklearn.multiclass import OutputCodeClassifier  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from embedlab import EmbeddingClassifier, load_split  # noqa: E402
from embedlab.benchmark import summary_table  # noqa: E402
from embedlab.calibration import expected_calibration_error  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TRAIN_FRACTION = {"iris": 0.2, "wine": 0.5, "breast_cancer": 0.5, "digits": 0.5}
CLASSIFIERS = {
    "softmax": lambda seed: EmbeddingClassifier("softmax", random_state=seed),
    "fixed (simplex)": lambda seed: EmbeddingClassifier("fixed", random_state=seed),
    "gaussian (β-NLL)": lambda seed: EmbeddingClassifier("gaussian", random_state=seed),
    "learned (distance CE)": lambda seed: EmbeddingClassifier("learned", random_state=seed),
    "LogisticRegression": lambda seed: LogisticRegression(max_iter=1000, random_state=seed),
    "MLPClassifier": lambda seed: MLPClassifier(random_state=seed),
    "OutputCodeClassifier": lambda seed: OutputCodeClassifier(
        LogisticRegression(max_iter=1000), random_state=seed
    ),
}


def probability_scores(model, X_test, y_test) -> dict[str, float]:
    """Test log loss and ECE of `predict_proba`; NaN for a classifier without it."""
    if not hasattr(model, "predict_proba"):
        return {"log_loss": float("nan"), "ece": float("nan")}
    proba = model.predict_proba(X_test)
    return {
        "log_loss": log_loss(y_test, proba, labels=model.classes_),
        "ece": expected_calibration_error(y_test, proba, model.classes_),
    }


def run(datasets, seeds) -> pd.DataFrame:
    warm_up = load_split("iris")  # torch's first optimizer step pays a one-off ~1 s; not timed
    EmbeddingClassifier(epochs=2).fit(warm_up.X_train.numpy(), warm_up.y_train.numpy())
    rows = []
    for dataset in datasets:
        for seed in seeds:
            split = load_split(dataset, train_fraction=TRAIN_FRACTION[dataset], seed=seed)
            X_train, y_train = split.X_train.numpy(), split.y_train.numpy()
            X_test, y_test = split.X_test.numpy(), split.y_test.numpy()
            for name, make in CLASSIFIERS.items():
                model = make(seed)
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    model.fit(X_train, y_train)
                seconds = time.perf_counter() - start
                rows.append(
                    {
                        "dataset": dataset,
                        "classifier": name,
                        "seed": seed,
                        "accuracy": model.score(X_test, y_test),
                        **probability_scores(model, X_test, y_test),
                        "fit_seconds": seconds,
                    }
                )
        print(f"{dataset}: done")
    return pd.DataFrame(rows)


PLOTTED = {"accuracy": "test accuracy", "log_loss": "test log loss", "ece": "ECE (15 bins)"}


def plot(results: pd.DataFrame, path: Path) -> None:
    """One row per score (accuracy, log loss, ECE), one column per dataset; dots are seeds."""
    datasets = list(dict.fromkeys(results["dataset"]))
    fig, axes = plt.subplots(
        len(PLOTTED),
        len(datasets),
        figsize=(4.5 * len(datasets), 3.6 * len(PLOTTED)),
        squeeze=False,
    )
    order = list(CLASSIFIERS)
    for r, (score, label) in enumerate(PLOTTED.items()):
        for c, dataset in enumerate(datasets):
            ax = axes[r][c]
            data = results[results["dataset"] == dataset]
            for i, name in enumerate(order):
                values = data.loc[data["classifier"] == name, score].dropna()
                if values.empty:
                    continue
                ax.scatter([values.mean()], [i], color="black", zorder=3)
                ax.scatter(values, [i] * len(values), color=f"C{i}", alpha=0.5, s=15)
            ax.set_yticks(range(len(order)), order if c == 0 else [""] * len(order))
            ax.set_title(dataset if r == 0 else "")
            ax.set_xlabel(f"{label} (dots: seeds, black: mean)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def write_readme_table(table: str) -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = "<!-- benchmark:start -->", "<!-- benchmark:end -->"
    before, rest = text.split(start)
    _, after = rest.split(end)
    readme.write_text(f"{before}{start}\n{table}\n{end}{after}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="one seed on iris, to a temp folder")
    args = parser.parse_args()
    torch.set_num_threads(1)
    if args.smoke:
        out = Path(tempfile.mkdtemp())
        results = run(["iris"], range(1))
    else:
        out = ROOT / "benchmarks" / "results"
        results = run(list(TRAIN_FRACTION), range(args.seeds))
    out.mkdir(parents=True, exist_ok=True)
    results.to_csv(out / "benchmark.csv", index=False, float_format="%.6g")
    plot(results, out / "benchmark.png")
    table = summary_table(results)
    print(table)
    if not args.smoke:
        shutil.copy(out / "benchmark.csv", ROOT / "embedlab" / "benchmark.csv")
        write_readme_table(table)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
