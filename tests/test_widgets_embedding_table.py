import pytest
import torch

from embedlab import widgets
from embedlab.widgets.embedding_table import parse_ids


def controls(widget):
    return {control.description: control for control in widget.controls.values()}


def test_gradient_counts_uses_and_skips_rows_not_looked_up_and_the_padding_row():
    result = widgets.embedding_table_demo(num_embeddings=6, dim=3, padding_idx=4, ids=[3, 0, 3, 4])
    expected = torch.tensor([1.0, 0, 0, 2, 0, 0])[:, None].expand(6, 3)  # row 4 pads: zero
    assert torch.equal(result["gradient"], expected)
    assert result["uses"].tolist() == [1, 0, 0, 2, 1, 0]
    assert torch.equal(result["weight_before"][4], torch.zeros(3))


def test_max_norm_rewrites_only_the_rows_looked_up():
    result = widgets.embedding_table_demo(num_embeddings=6, dim=3, max_norm=0.5, ids=[1, 2], seed=1)
    norms_before = result["weight_before"].norm(dim=1)
    norms_after = result["weight_after"].norm(dim=1)
    assert norms_before[[1, 2]].min() > 0.5  # both were too long, so both were shortened
    assert norms_after[[1, 2]].tolist() == pytest.approx([0.5, 0.5], abs=1e-4)
    untouched = [0, 3, 4, 5]
    assert torch.equal(result["weight_after"][untouched], result["weight_before"][untouched])
    assert result["changed_rows"] == [1, 2]


@pytest.mark.parametrize(
    "kwargs, argument",
    [
        ({"padding_idx": 8}, "padding_idx"),
        ({"padding_idx": 6}, "padding_idx"),
        ({"padding_idx": -7}, "padding_idx"),
        ({"max_norm": -1.0}, "max_norm"),
        ({"ids": [0, 6]}, "ids"),
        ({"ids": []}, "ids"),
    ],
)
def test_impossible_settings_are_refused_by_name(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        widgets.embedding_table_demo(num_embeddings=6, **kwargs)


def test_parse_ids():
    assert parse_ids("3, 0,3  7") == [3, 0, 3, 7]
    with pytest.raises(ValueError, match="ids"):
        parse_ids("1, x")
    with pytest.raises(ValueError, match="ids"):
        parse_ids(" ")


def test_widget_shows_a_padding_row_beyond_the_table_as_an_error_not_a_clamp():
    w = widgets.embedding_table_widget()
    assert controls(w)["padding_idx"].label == "none"  # shown, not a blank selection
    assert w.result["weight_after"].shape == (8, 2)
    assert w.result["gradient"][:, 0].tolist() == [1, 1, 0, 2, 0, 0, 0, 0]  # ids "0, 1, 3, 3"
    controls(w)["padding_idx"].value = 12
    assert w.result is None
    assert "padding_idx" in w.text.value and "Callback failed" in w.text.value
    controls(w)["padding_idx"].value = 3
    assert w.result["gradient"][3].abs().sum() == 0
    controls(w)["padding_idx"].value = -1  # as nn.Embedding reads it: the last row
    assert w.result["gradient"][7].abs().sum() == 0 and w.result["gradient"][0, 0] == 1
    controls(w)["padding_idx"].value = "none"
    assert w.result["gradient"][:, 0].tolist() == [1, 1, 0, 2, 0, 0, 0, 0]


def test_widget_draws_no_circle_beyond_two_dimensions():
    w = widgets.embedding_table_widget()
    controls(w)["max_norm"].value = 1.0
    looked_up = [0, 1, 3]  # the default ids "0, 1, 3, 3"
    assert w.result["weight_after"][looked_up].norm(dim=1).max() <= 1.0 + 1e-4
    assert "circle" not in w.text.value
    controls(w)["dimension"].value = 4
    assert w.result["weight_after"].shape == (8, 4)
    assert "no circle is drawn" in w.text.value
    controls(w)["ids"].value = "2"
    assert w.result["changed_rows"] in ([], [2])  # only row 2 can change
