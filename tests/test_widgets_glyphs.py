import pytest

from embedlab.widgets.glyphs import glyph_playground, glyph_widget


def test_playground_reports_scores_and_output_layer_sizes():
    result = glyph_playground(n_classes=10, dim=8, method="fixed", epochs=2)
    assert set(result) == {
        "accuracy",
        "homoglyph_accuracy",
        "top5",
        "output_parameters",
        "softmax_parameters",
    }
    assert result["output_parameters"] == 64 * 8 + 8  # Linear(64, d); the codes are fixed
    assert result["softmax_parameters"] == 64 * 10 + 10
    assert 0 <= result["accuracy"] <= result["top5"] <= 1


def test_playground_names_a_bad_method():
    with pytest.raises(ValueError, match="method"):
        glyph_playground(method="hinge")


def test_widget_reruns_when_a_control_moves(capsys):
    widget = glyph_widget()
    k_slider, dim_slider, menu = widget.children[:3]
    assert (k_slider.value, dim_slider.value, menu.value) == (20, 16, "cosine")
    assert not dim_slider.disabled
    menu.value = "softmax"
    assert widget.result["output_parameters"] == widget.result["softmax_parameters"] == 64 * 20 + 20
    assert dim_slider.disabled  # softmax has no code dimension: the slider is greyed out
    assert "softmax, K = 20 (d does not apply" in widget.text.value
    menu.value = "label_embedding"
    assert dim_slider.disabled
    menu.value = "learned"
    assert not dim_slider.disabled
    assert "learned, K = 20, d = 16:" in widget.text.value
