"""Check a learner's answer to an exercise, with a tolerance and a hint (exercises of lessons 1-7).

Each exercise notebook in `exercises/` ends an exercise with

    check("2.1", answer)

which shows ✅ and what the answer means, or ❌ and a hint. An answer left at `...` (or None) is
"not answered yet". Numbers are compared within a tolerance, never exactly: a correct answer
computed on another CPU, in float32 or in another order of operations still passes.

The expected answers and hints live here, in `EXERCISES`, one `Exercise` per name (tolerances
and the learner's `Result` are in `embedlab.checking`; answers that are functions are tried on
hidden cases by `embedlab.exercise_judges`). The worked
solutions live next to the stubs in `exercises/solutions/` (scripts/build_exercises.py writes the
learner notebooks from them), and tests/test_exercises.py proves every solution passes its check
and every stub does not.
"""

import math

from embedlab import exercise_judges as judges
from embedlab.checking import (
    UNANSWERED,
    Exercise,
    Result,
    choice,
    count,
    in_range,
    number,
    same_names,
)


def _exercise(name, title, minutes, judge, success):
    return Exercise(name, int(name.split(".")[0]), title, minutes, judge, success)


EXERCISES = {
    e.name: e
    for e in [
        _exercise(
            "1.1",
            "Count the parameters of a table",
            2,
            count(16_000, "a table has one trainable number per row and column: rows × dim."),
            "16,000: one trainable number per id and dimension, and no bias.",
        ),
        _exercise(
            "1.2",
            "Gradient of a row looked up three times",
            5,
            number(3.0, "each use of a row adds its upstream gradient (here 1) once."),
            "3: gradients of repeated lookups add up, once per use.",
        ),
        _exercise(
            "1.3",
            "A lookup as a matrix product",
            5,
            judges.matmul_lookup,
            "the one-hot product gives the same rows: an embedding is a bias-free linear layer.",
        ),
        _exercise(
            "1.4",
            "Which rows does max_norm rewrite?",
            5,
            number(
                2,
                "count the distinct ids looked up: a repeated id is one row, the rest untouched.",
            ),
            "2: only rows that are looked up are renormalised, however often they appear.",
        ),
        _exercise(
            "2.1",
            "The double-softmax floor for 10 classes",
            3,
            number(math.log(1 + 9 / math.e), "the floor is ln(1 + (K − 1)/e) with K = 10."),
            "ln(1 + 9/e) ≈ 1.4612: the more classes, the higher the floor.",
        ),
        _exercise(
            "2.2",
            "Merge two linear layers into one",
            5,
            judges.merged_linear,
            "two linear layers without an activation are one linear layer.",
        ),
        _exercise(
            "2.3",
            "Which change of the write-up slows learning?",
            10,
            choice(
                "sgd",
                "train the baseline with ONE change at a time and compare the training accuracy "
                "after 100 epochs; the extra softmax raises the loss's floor but the argmax still "
                "fits all 30 flowers.",
            ),
            "plain SGD at lr 0.01: after 100 epochs it still misfits the training flowers, while "
            "the extra softmax only lifts the loss to its floor.",
        ),
        _exercise(
            "2.4",
            "Mean and worst seed of the baseline",
            10,
            judges.seed_summary,
            "one seed could have told you anything in that range; the worst seed is the number "
            "to quote next to the mean.",
        ),
        _exercise(
            "3.1",
            "Cosine between two simplex codes",
            3,
            number(-0.25, "the simplex's pairwise cosine is −1/(K − 1)."),
            "−1/(K − 1) = −0.25 for K = 5: the most spread out K unit vectors can be.",
        ),
        _exercise(
            "3.2",
            "Predict, then check: the sphere book in 2-D",
            5,
            number(
                math.sqrt(3),
                "three points evenly spaced on the unit circle form an equilateral triangle: "
                "compare separation(make_codebook('sphere', 3, 2)) with the simplex's.",
            ),
            "√3 ≈ 1.732, the simplex's: for 3 classes in 2-D the sphere book IS a rotated "
            "simplex, so it should rank level with it.",
        ),
        _exercise(
            "3.3",
            "How often do random 2-D codes nearly coincide?",
            10,
            number(
                0.176,
                "draw random_codes(3, 2, seed=s) for s in range(1000) and count the books whose "
                "separation(...)['min_distance'] is below 0.5.",
                rel=0,
                abs_tol=0.02,
            ),
            "about one book in six has a pair closer than 0.5: ten seeds easily miss it.",
        ),
        _exercise(
            "5.4",
            "The loss of a perfect output",
            3,
            number(
                math.log(1 + 2 * math.exp(-3)),
                "logits are −‖f − m_k‖² / T; for f = m_y the true logit is 0 and the other two are "
                "−(distance between simplex codes)² = −3.",
            ),
            "ln(1 + 2e⁻³) ≈ 0.0949: even a perfect output pays a little, because the "
            "other codes are only √3 away.",
        ),
        _exercise(
            "4.1",
            "GaussianNLLLoss with full=True",
            3,
            number(
                2 + 0.5 * math.log(2 * math.pi),
                "½(log v + (y − μ)²/v) with v = 1, y − μ = 2 is 2; full=True adds ½·log 2π.",
            ),
            "2 + ½·log 2π ≈ 2.9189.",
        ),
        _exercise(
            "4.2",
            "The mean's gradient under β-NLL",
            5,
            judges.beta_gradients,
            "−1/4, −1/2, −1: β = 1 gives the mean the gradient of ½(μ − y)², (μ − y), whatever v.",
        ),
        _exercise(
            "4.3",
            "Where does the NLL pitfall start on digits?",
            15,
            number(
                1e-2,
                "compare plain NLL (β = 0) with β-NLL (β = 0.5) on digits at each learning rate, "
                "3 seeds each; the pitfall shows when plain NLL's worst seed falls well below "
                "β-NLL's. Lesson 4 saw it at 1e-2 and not at 3e-3.",
                rel=1e-6,
            ),
            "at 1e-2: the gentle 3e-3 hides the pitfall, a brisker rate exposes it.",
        ),
        _exercise(
            "5.1",
            "A check that catches both traps",
            5,
            judges.is_learning,
            "a gradient AND a place in the optimizer: the two things both traps of lesson 5 break.",
        ),
        _exercise(
            "5.2",
            "Does a separation penalty stop the collapse?",
            15,
            judges.separation_with_and_without,
            "yes: with the penalty the smallest distance stays near the margin (0.96), while MSE "
            "alone pulls it from 1.21 to 0.11.",
        ),
        _exercise(
            "5.3",
            "Which pair shares the Label Embedding Network's mass?",
            5,
            same_names(
                {"versicolor", "virginica"},
                "add softmax(E)[a, b] + softmax(E)[b, a] for each pair of classes and take the "
                "largest; the confusion matrices of lessons 2-4 point to the same pair.",
            ),
            "versicolor and virginica: the pair the data itself mixes up.",
        ),
        _exercise(
            "6.1",
            "Expected calibration error by hand",
            5,
            number(
                0.75 * (0.9 - 1 / 3) + 0.25 * (1.0 - 0.6),
                "two bins: confidence 0.9 (3 of the 4 predictions, 1 right) and 0.6 (1 prediction, "
                "right); ECE = sum over bins of (share of predictions) × |accuracy − mean "
                "confidence|, so the bigger bin weighs three times as much.",
            ),
            "0.75 × |1/3 − 0.9| + 0.25 × |1.0 − 0.6| = 0.525: over-confident in one bin, "
            "under-confident in the other, each weighted by its share, and the ECE adds both.",
        ),
        _exercise(
            "6.2",
            "Find the honest temperature yourself",
            10,
            in_range(
                0.1,
                0.5,
                "fit EmbeddingClassifier('fixed', temperature=1.0, random_state=0) on the digits "
                "split, take scores = model.decision_scores(X_test) and y_index = "
                "np.searchsorted(model.classes_, y_test), and evaluate "
                "temperature_log_loss(scores, y_index, T) for T in np.geomspace(0.05, 2, 40); "
                "answer the T with the lowest log loss.",
            ),
            "the best temperature on test data lies near the one EmbeddingClassifier fits on "
            "held-out training scores (about 0.26): fitting it there never needs the test set.",
        ),
        _exercise(
            "6.3",
            "Cross-validate a code book in a pipeline",
            5,
            in_range(
                0.93,
                0.995,
                "make_pipeline(StandardScaler(), EmbeddingClassifier(method='fixed', "
                "codebook='onehot', random_state=0)) and cross_val_score(..., X, y, cv=3).mean() "
                "on load_dataset('wine'): held-out folds, not the training score (that one is "
                "1.0). Without the scaler the score drops.",
            ),
            "one-hot regression (the square loss of Hui & Belkin) is as good as softmax on wine.",
        ),
        _exercise(
            "7.1",
            "Count the output layer's parameters",
            5,
            judges.output_parameters,
            "246,463 for softmax against 19,456 for 16-D learned vectors: about 13 times fewer, "
            "and the gap grows with K.",
        ),
        _exercise(
            "7.2",
            "Decode with one matrix product",
            10,
            judges.nearest_by_product,
            "the same nearest codes as cdist, without ever holding an (n, K, d) tensor: this is "
            "how exact decoding scales to K = 100,000.",
        ),
        _exercise(
            "7.3",
            "Accuracy up to homoglyphs",
            5,
            judges.up_to_homoglyphs,
            "a look-alike counts as right; plain accuracy would charge the network for O versus Ο, "
            "which no pixel can tell apart.",
        ),
    ]
}


def check(name: str, answer) -> Result:
    """Check `answer` to exercise `name` (e.g. "2.1"); shows ✅ or ❌ with a hint."""
    if name not in EXERCISES:
        raise ValueError(f"unknown exercise name {name!r}; choose one of {', '.join(EXERCISES)}")
    exercise = EXERCISES[name]
    if any(answer is blank for blank in UNANSWERED):
        return Result(name, False, "not answered yet — replace the ... with your answer.")
    ok, hint = exercise.judge(answer)
    if ok:
        return Result(name, True, f"correct. {exercise.success}")
    return Result(name, False, f"not yet. Hint: {hint}")


def exercises_of(lesson: int) -> list[Exercise]:
    """The exercises of one lesson, in order."""
    return sorted(
        (e for e in EXERCISES.values() if e.lesson == lesson),
        key=lambda e: int(e.name.split(".")[1]),
    )
