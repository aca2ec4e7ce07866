from __future__ import annotations

import re

from backcoach.app.portal.charts import Point, line_chart


def test_points_are_placed_on_the_value_scale() -> None:
    # Inner plot: x from 34 to 310, y from 10 (value 10) to 126 (value 0).
    svg = str(line_chart([Point("a", 0), Point("b", 5), Point("c", 10)], 10, "NRS"))
    assert re.search(r'points="([^"]+)"', svg).group(1) == "34.0,126.0 172.0,68.0 310.0,10.0"
    assert "<title>NRS</title>" in svg and "<title>b: 5</title>" in svg


def test_values_outside_the_range_are_drawn_at_the_edge_but_labelled_truly() -> None:
    svg = str(line_chart([Point("x", 12)], 10, "t"))
    assert 'cx="172.0" cy="10.0"' in svg and 'data-value="12"' in svg


def test_an_empty_series_draws_axes_only() -> None:
    svg = str(line_chart([], 24, "RMDQ"))
    assert "polyline" not in svg and svg.count("<line") == 3
