"""The floor plan SVG: one rect per booth, names escaped, colours by sector, outline by status."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from exhibitions.floorplan import NO_SECTOR, BoothShape, Holder, render_floorplan

SVG = "{http://www.w3.org/2000/svg}"


def _booth_rects(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg.encode())
    group = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "booths")
    return {r.findtext(f"{SVG}title") or "": r for r in group.iter(f"{SVG}rect")}


def test_booths_are_rects_scaled_from_metres_coloured_by_sector_and_named_safely() -> None:
    booths = [BoothShape("A-01", ("kriya",), 0, 0, 3, 3), BoothShape("A-02", ("kuliner",), 3, 0, 6, 3),
              BoothShape("B-01", (), 0, 4, 3, 2)]
    svg = render_floorplan(booths, {"A-01": Holder("UD Perak & Emas <Sari>", locked=False),
                                    "A-02": Holder("CV Dapur Bali", locked=True)})
    rects = _booth_rects(svg)
    assert set(rects) == {"A-01", "A-02", "B-01"}
    assert float(rects["A-02"].get("width") or 0) == 2 * float(rects["A-01"].get("width") or 0)
    assert rects["A-01"].get("fill") != rects["A-02"].get("fill")
    assert rects["B-01"].get("fill") == NO_SECTOR
    assert "UD Perak &amp; Emas &lt;Sari&gt;" in svg
    texts = [t.text for t in ET.fromstring(svg.encode()).iter(f"{SVG}text")]
    assert "UD Perak & Emas <Sari>" in texts and "CV Dapur Bali" in texts and "B-01" in texts
    # Free, allocated and locked booths are told apart by their outline.
    outlines = {code: (r.get("stroke-width"), r.get("stroke-dasharray")) for code, r in rects.items()}
    assert len(set(outlines.values())) == 3
    assert "Legend" in svg and "kuliner" in svg


def test_an_empty_floor_plan_is_still_a_valid_picture() -> None:
    assert _booth_rects(render_floorplan([], {})) == {}
