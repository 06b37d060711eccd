"""A lesson's claims, checked in code so that a failing one speaks (every lesson; lesson 1
introduces them).

A lesson states a result in its prose ("fixed codes beat random ones on every seed") and checks
it on the numbers it has just computed:

    claim(worst_fixed > worst_random, "the fixed code book's worst seed beats the random one's",
          f"worst seed {worst_fixed:.3f} against {worst_random:.3f}")

When the numbers do not support the text, usually because the learner changed a setting (fewer
epochs, another learning rate, more classes, a smaller network), the error says in words what the
lesson claimed, what was measured, and that with other settings this is a finding, not a bug.
"""


class ClaimNotMet(AssertionError):
    """A claim of the lesson's prose that the numbers of this run do not support."""


def claim(holds, text: str, measured: str) -> None:
    """Raise `ClaimNotMet` saying `text` (what the prose claims) and `measured` (the numbers this
    run computed) unless `holds` is true. `holds` is anything `bool()` reads: a bool, a NumPy or
    a one-element torch boolean."""
    for name, value in (("text", text), ("measured", measured)):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    if bool(holds):
        return
    raise ClaimNotMet(
        f"The lesson claims: {text}.\n"
        f"This run measured: {measured}.\n"
        "With the lesson's own settings this claim holds. If you changed a setting (epochs, "
        "learning rate, classes, dimension, network size, seed), the claim does not hold for "
        "yours: that is a finding about your setting, not a bug in the lesson."
    )
