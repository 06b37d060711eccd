import numpy as np
import pytest
import torch

from embedlab import ClaimNotMet, claim


@pytest.mark.parametrize("holds", [True, np.bool_(True), torch.tensor(True), 1])
def test_a_claim_that_holds_says_nothing(holds):
    assert claim(holds, "fixed codes beat random ones", "0.95 against 0.91") is None


def test_a_failing_claim_says_what_the_text_claimed_and_what_was_measured():
    with pytest.raises(ClaimNotMet) as caught:
        claim(np.bool_(False), "fixed codes beat random ones", "0.90 against 0.91")
    message = str(caught.value)
    assert message.startswith("The lesson claims: fixed codes beat random ones.\n")
    assert "This run measured: 0.90 against 0.91.\n" in message
    assert "finding about your setting, not a bug" in message
    assert isinstance(caught.value, AssertionError)  # a failed check, as an assert would be


@pytest.mark.parametrize("text, measured", [("", "x"), ("x", ""), (None, "x"), ("x", 0.5)])
def test_a_claim_needs_both_texts(text, measured):
    with pytest.raises(ValueError, match="text|measured"):
        claim(True, text, measured)
