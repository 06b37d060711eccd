"""Plant the bugs issue 16 lists, one at a time, and check that a unit test fails for each.

Run from the repository root: `python tests/planted_bugs.py [TESTS_DIR]`. Each bug is a textual
edit of one module; the module is restored afterwards. Prints one line per bug and exits non-zero
if any bug went unnoticed. (The estimator's bugs are covered by tests/test_estimator.py.)
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (name, module, original text, planted text, test file)
BUGS = [
    (
        "LEN: soft targets softmax(E[y]) not detached",
        "losses",
        "soft_targets = torch.softmax(label_embedding[y], dim=1).detach()",
        "soft_targets = torch.softmax(label_embedding[y], dim=1)",
        "test_losses.py",
    ),
    (
        "LEN: watcher's soft targets for E not detached",
        "losses",
        "torch.softmax(watcher_logits.detach() / tau, dim=1)",
        "torch.softmax(watcher_logits / tau, dim=1)",
        "test_losses.py",
    ),
    (
        "LEN: E trained on all samples",
        "losses",
        "right = watcher_logits.argmax(dim=1) == y",
        "right = torch.ones_like(y, dtype=torch.bool)",
        "test_losses.py",
    ),
    (
        "LEN: hinge sign flipped",
        "losses",
        "F.relu(watcher_true - alpha)",
        "F.relu(alpha - watcher_true)",
        "test_losses.py",
    ),
    (
        "LEN: body stop-gradient removed from the watcher",
        "models",
        "self.watcher(features.detach())",
        "self.watcher(features)",
        "test_models.py",
    ),
    (
        "cosine loss ignores its temperature",
        "losses",
        "F.normalize(model.codes.weight, dim=1).T / temperature, y",
        "F.normalize(model.codes.weight, dim=1).T, y",
        "test_losses.py",
    ),
    (
        "separation_penalty not squared",
        "losses",
        "F.relu(margin - distances).pow(2).mean()",
        "F.relu(margin - distances).mean()",
        "test_losses.py",
    ),
    (
        "beta_nll_loss: weight variance**beta dropped",
        "losses",
        "nll = nll * variance.detach().pow(beta)",
        "nll = nll",
        "test_losses.py",
    ),
    (
        "distance_cross_entropy: temperature multiplies",
        "losses",
        "F.cross_entropy(-squared / temperature, y)",
        "F.cross_entropy(-squared * temperature, y)",
        "test_losses.py",
    ),
    (
        "code_probabilities multiplies by the temperature",
        "codebooks",
        "-squared_distances(outputs, codes) / temperature",
        "-squared_distances(outputs, codes) * temperature",
        "test_codebooks.py",
    ),
    (
        "make_codebook: simplex default dim K instead of K-1",
        "codebooks",
        "return simplex_codes(k, dim)",
        "return simplex_codes(k, dim if dim is not None else k)",
        "test_codebooks.py",
    ),
    (
        "Hadamard row order: all-ones row first",
        "codebooks",
        "order = list(range(1, dim)) + [0]",
        "order = list(range(dim))",
        "test_codebooks.py",
    ),
    (
        "train: no zero_grad in mini-batches",
        "training",
        "                opt.zero_grad()\n",
        "",
        "test_training.py",
    ),
    (
        "train: no shuffling",
        "training",
        "order = torch.randperm(n)",
        "order = torch.arange(n)",
        "test_training.py",
    ),
    (
        "train: summed epoch loss",
        "training",
        "epoch_loss += loss.item() * len(batch) / n",
        "epoch_loss += loss.item()",
        "test_training.py",
    ),
    (
        "train: plain mean of batch losses",
        "training",
        "epoch_loss += loss.item() * len(batch) / n",
        "epoch_loss += loss.item() / math.ceil(n / step)",
        "test_training.py",
    ),
    (
        "train: metric in train mode",
        "training",
        "            model.eval()\n            with torch.no_grad():",
        "            with torch.no_grad():",
        "test_training.py",
    ),
    (
        "train: metric with gradients on",
        "training",
        "            with torch.no_grad():\n                history.metric.append",
        "            if True:\n                history.metric.append",
        "test_training.py",
    ),
    (
        "train: progress=True ignored",
        "training",
        "disable=not progress",
        "disable=True",
        "test_training.py",
    ),
    (
        "seed_everything seeds numpy with a constant",
        "seeding",
        "np.random.seed(int(seed) % 2**32)",
        "np.random.seed(0)",
        "test_seeding.py",
    ),
    (
        "seed_everything seeds random with a constant",
        "seeding",
        "random.seed(int(seed))",
        "random.seed(0)",
        "test_seeding.py",
    ),
    (
        "summarize: std with ddof=0",
        "metrics",
        'std="std"',
        "std=lambda v: v.std(ddof=0)",
        "test_metrics.py",
    ),
    (
        "identity activation is really Tanh",
        "models",
        '"identity": nn.Identity',
        '"identity": nn.Tanh',
        "test_models.py",
    ),
    (
        "GaussianRegressor ignores min_variance",
        "models",
        "+ self.min_variance",
        "+ 1e-3",
        "test_models.py",
    ),
]


def main(tests_dir: Path) -> int:
    missed = 0
    for name, module, original, planted, test_file in BUGS:
        path = ROOT / "embedlab" / f"{module}.py"
        source = path.read_text()
        assert source.count(original) == 1, f"{name}: original text not found once in {path}"
        try:
            path.write_text(source.replace(original, planted))
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-x",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    str(tests_dir / test_file),
                ],
                capture_output=True,
                text=True,
                cwd=ROOT,
            )
        finally:
            path.write_text(source)
        caught = result.returncode != 0
        failed = [
            line.split(" - ")[0].split("::")[-1]
            for line in result.stdout.splitlines()
            if line.startswith("FAILED")
        ]
        missed += not caught
        print(f"{'caught' if caught else 'MISSED'}  {name}  {' '.join(failed)}", flush=True)
    print(f"{len(BUGS) - missed} of {len(BUGS)} planted bugs caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests"))
