"""The benchmark's SVG chart: progress curves count what had happened by each step."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from bench.plot import cumulative, line_chart


def test_a_progress_curve_counts_what_had_happened_by_each_step() -> None:
    series = cumulative("cases opened", [0.05, 0.15, 0.16, 0.42], step_s=0.1)
    assert series.points[0] == (0.0, 0.0)
    assert [round(y) for _, y in series.points] == [0, 1, 3, 3, 3, 4]
    assert series.points[-1][1] == 4


def test_the_chart_is_an_svg_with_a_line_and_a_legend_entry_per_series() -> None:
    svg = line_chart("Bali", "seconds", "rows", [cumulative("IKM registered", [0.1, 0.2]),
                                                 cumulative("applications placed", [0.3], dashed=True)])
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}polyline")) == 2
    labels = [t.text for t in root.findall(f"{ns}text")]
    assert "IKM registered" in labels and "applications placed" in labels
    assert 'stroke-dasharray' in svg
