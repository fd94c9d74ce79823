"""The floor plan as an SVG: booths drawn to scale from metres, coloured by sector, outlined by status,
labelled with the booth code and its exhibitor. Pure: booths and holders in, text out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from shared.domain import SECTORS

SCALE = 20.0  # pixels per metre
MARGIN = 20.0
LEGEND_ROW = 18.0
NO_SECTOR = "#bdbdbd"  # booths open to every sector
# One colour per creative-economy subsector, in the order of `SECTORS`.
PALETTE: dict[str, str] = dict(zip(SECTORS, (
    "#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6", "#bcf60c", "#fabebe",
    "#d4a017", "#e6beff", "#9a6324", "#fffac8", "#800000", "#aaffc3", "#808000", "#ffd8b1"), strict=True))
# Outline by status: free (thin dashed), allocated (solid), published and locked (thick solid).
STROKES: dict[str, tuple[str, float, str]] = {
    "free": ("#616161", 1.0, "4 2"),
    "allocated": ("#000000", 2.0, ""),
    "locked": ("#000000", 4.0, ""),
}
STATUS_WORDS = {"free": "bebas / free", "allocated": "terisi / allocated",
                "locked": "terbit, terkunci / published, locked"}


@dataclass(frozen=True)
class BoothShape:
    code: str
    sectors: tuple[str, ...]
    x: float
    y: float
    width_m: float
    depth_m: float


@dataclass(frozen=True)
class Holder:
    ikm_name: str
    locked: bool


def sector_colour(sectors: Iterable[str]) -> str:
    """The booth's first sector's colour; grey for a booth open to every sector."""
    for sector in sectors:
        return PALETTE.get(sector, NO_SECTOR)
    return NO_SECTOR


def _status(holder: Holder | None) -> str:
    if holder is None:
        return "free"
    return "locked" if holder.locked else "allocated"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def render_floorplan(booths: list[BoothShape], holders: Mapping[str, Holder]) -> str:
    """An SVG document of the floor plan; `holders` maps a booth code to whoever holds it."""
    right = max((b.x + b.width_m for b in booths), default=0.0)
    bottom = max((b.y + b.depth_m for b in booths), default=0.0)
    used = sorted({s for b in booths for s in b.sectors[:1]}, key=lambda s: (s not in PALETTE, s))
    if any(not b.sectors for b in booths):
        used.append("")
    plan_w, plan_h = right * SCALE, bottom * SCALE
    legend_y = MARGIN * 2 + plan_h
    legend_rows = len(used) + len(STROKES) + 1
    width = max(plan_w + 2 * MARGIN, 360.0)
    height = legend_y + legend_rows * LEGEND_ROW + MARGIN
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" font-family="sans-serif">',
        '<g class="booths">',
    ]
    for b in sorted(booths, key=lambda b: b.code):
        holder = holders.get(b.code)
        status = _status(holder)
        stroke, stroke_w, dash = STROKES[status]
        x, y = MARGIN + b.x * SCALE, MARGIN + b.y * SCALE
        w, h = b.width_m * SCALE, b.depth_m * SCALE
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<g class="booth {status}">')
        out.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" '
                   f'fill="{sector_colour(b.sectors)}" stroke="{stroke}" stroke-width="{_num(stroke_w)}"'
                   f'{dash_attr}><title>{escape(b.code)}</title></rect>')
        out.append(f'<text x="{_num(x + 3)}" y="{_num(y + 12)}" font-size="10" font-weight="bold">'
                   f'{escape(b.code)}</text>')
        if holder is not None:
            out.append(f'<text x="{_num(x + 3)}" y="{_num(y + 24)}" font-size="8">{escape(holder.ikm_name)}</text>')
        out.append("</g>")
    out.append("</g>")
    out.append(f'<g class="legend" transform="translate({_num(MARGIN)},{_num(legend_y)})">')
    out.append('<text x="0" y="0" font-size="11" font-weight="bold">Keterangan / Legend</text>')
    row = 1
    for sector in used:
        colour = PALETTE.get(sector, NO_SECTOR) if sector else NO_SECTOR
        label = sector or "semua sektor / any sector"
        out.append(f'<rect x="0" y="{_num(row * LEGEND_ROW - 10)}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="18" y="{_num(row * LEGEND_ROW)}" font-size="10">{escape(label)}</text>')
        row += 1
    for status, (stroke, stroke_w, dash) in STROKES.items():
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<rect x="0" y="{_num(row * LEGEND_ROW - 10)}" width="12" height="12" fill="none" '
                   f'stroke="{stroke}" stroke-width="{_num(stroke_w)}"{dash_attr}/>')
        out.append(f'<text x="18" y="{_num(row * LEGEND_ROW)}" font-size="10">{escape(STATUS_WORDS[status])}</text>')
        row += 1
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"
