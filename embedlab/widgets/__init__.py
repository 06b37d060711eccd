"""Interactive playgrounds, one per lesson (each notebook ends its story with one).

Every playground is an `embedlab.playground.Playground` whose callback is a thin wrapper: it
calls a plain function that trains or computes and returns a dict of numbers, then draws. The
dict is also the widget's `.result`, so tests can move a control and check what came back without
a browser: `w.children[0].value = 0.1; w.result["accuracy"]`. One module per lesson.
"""

from embedlab.widgets.calibration import temperature_demo, temperature_widget
from embedlab.widgets.common import LEARNING_RATES, learning_rate_slider
from embedlab.widgets.embedding_table import embedding_table_demo, embedding_table_widget
from embedlab.widgets.fixed_codes import codebook_demo, codebook_widget
from embedlab.widgets.gaussian import gaussian_demo, gaussian_widget
from embedlab.widgets.glyphs import glyph_widget
from embedlab.widgets.learned import learned_embedding_demo, learned_embedding_widget
from embedlab.widgets.softmax import softmax_demo, softmax_widget

__all__ = [
    "glyph_widget",
    "temperature_demo",
    "temperature_widget",
    "LEARNING_RATES",
    "learning_rate_slider",
    "embedding_table_demo",
    "embedding_table_widget",
    "softmax_demo",
    "softmax_widget",
    "codebook_demo",
    "codebook_widget",
    "gaussian_demo",
    "gaussian_widget",
    "learned_embedding_demo",
    "learned_embedding_widget",
]
