"""Check a learner's answer to an exercise, with a hint (exercises of lessons 1-7).

Each exercise notebook in `exercises/` ends an exercise with

    check("2.1", answer)

which shows ✅ and what the answer means, or ❌ and a hint. An answer left at `...` (or None) is
"not answered yet".

Every answer is, or includes, the learner's code: a function, or a pipeline, that the exercise's
judge runs on cases it draws when the check runs (other sizes, ids, seeds, splits) and compares
with its own computation, within a tolerance. A number or a choice is checked only next to such
code, against the judge's own run; no expected value is stored here. The judges live in
`embedlab.exercise_judges` (lesson 1), `_baseline` (2), `_codes` (3), `_gaussian` (4),
`_learned` (5) and `_scale` (6-7); tolerances, the learner's `Result` and the judges' tools
in `embedlab.checking`. The worked solutions are in `exercises/solutions/`
(scripts/build_exercises.py writes the learner notebooks from them); tests/test_exercises.py
proves every solution passes, every stub does not, and lists the wrong answers each judge rejects.
"""

from embedlab import exercise_judges as tables
from embedlab import exercise_judges_baseline as baseline
from embedlab import exercise_judges_codes as codes
from embedlab import exercise_judges_gaussian as gaussian
from embedlab import exercise_judges_learned as learned
from embedlab import exercise_judges_scale as scale
from embedlab.checking import Exercise, Result, sandbox, unanswered

EXERCISES = {
    e.name: e
    for e in [
        Exercise("1.1", 1, "Count the parameters of a table", 3, tables.table_parameters),
        Exercise("1.2", 1, "Gradient of a row looked up several times", 5, tables.row_gradient),
        Exercise("1.3", 1, "A lookup as a matrix product", 8, tables.matmul_lookup),
        Exercise("1.4", 1, "Which rows does max_norm rewrite?", 8, tables.rows_rewritten),
        Exercise(
            "2.1", 2, "The double-softmax floor for K classes", 5, baseline.double_softmax_floor
        ),
        Exercise("2.2", 2, "Merge two linear layers into one", 5, baseline.merged_linear),
        Exercise(
            "2.3", 2, "Which change of the write-up slows learning?", 12, baseline.slowest_change
        ),
        Exercise("2.4", 2, "Mean and worst seed of the baseline", 10, baseline.seed_summary),
        Exercise("3.1", 3, "The cosines of a code book", 5, codes.cosine_matrix),
        Exercise("3.2", 3, "Predict, then check: the sphere book in 2-D", 8, codes.sphere_in_2d),
        Exercise(
            "3.3", 3, "How often do random codes nearly coincide?", 12, codes.nearly_coinciding
        ),
        Exercise(
            "4.1", 4, "The Gaussian NLL with full=True, by hand", 5, gaussian.gaussian_nll_full
        ),
        Exercise("4.2", 4, "β-NLL and its stop-gradient", 10, gaussian.beta_nll),
        Exercise(
            "4.3", 4, "Where does the NLL pitfall start on digits?", 15, gaussian.pitfall_rate
        ),
        Exercise("5.1", 5, "A check that catches both traps", 5, learned.is_learning),
        Exercise(
            "5.2", 5, "Does a separation penalty stop the collapse?", 15, learned.separation_remedy
        ),
        Exercise(
            "5.3",
            5,
            "Which pair shares the Label Embedding Network's mass?",
            8,
            learned.shared_mass,
        ),
        Exercise("5.4", 5, "The loss of a perfect output", 5, learned.perfect_output_loss),
        Exercise("6.1", 6, "Expected calibration error by hand", 8, scale.ece_by_bins),
        Exercise("6.2", 6, "Find the honest temperature yourself", 10, scale.best_temperature),
        Exercise("6.3", 6, "Cross-validate a code book in a pipeline", 5, scale.onehot_pipeline),
        Exercise("7.1", 7, "Count the output layer's parameters", 5, scale.output_parameters),
        Exercise("7.2", 7, "Decode with one matrix product", 10, scale.nearest_by_product),
        Exercise("7.3", 7, "Accuracy up to homoglyphs", 5, scale.up_to_homoglyphs),
    ]
}


def check(name: str, answer) -> Result:
    """Check `answer` to exercise `name` (e.g. "2.1"); shows ✅ or ❌ with a hint."""
    if name not in EXERCISES:
        raise ValueError(f"unknown exercise name {name!r}; choose one of {', '.join(EXERCISES)}")
    if unanswered(answer):
        return Result(name, False, "not answered yet — replace each ... with your answer.")
    with sandbox():
        ok, text = EXERCISES[name].judge(answer)
    if ok:
        return Result(name, True, f"correct. {text}")
    return Result(name, False, f"not yet. Hint: {text}")


def exercises_of(lesson: int) -> list[Exercise]:
    """The exercises of one lesson, in order."""
    return sorted(
        (e for e in EXERCISES.values() if e.lesson == lesson),
        key=lambda e: int(e.name.split(".")[1]),
    )
