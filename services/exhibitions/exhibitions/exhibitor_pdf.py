"""The exhibitor list as a printable PDF: A4, the fair's name, venue and dates on top, one row per held
booth in a table whose header repeats on every page, page numbers at the foot. Indonesian first.
Pure: the fair and its rows in, PDF bytes out (no personal data goes in: see `service.exhibitor_rows`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

FONTS = Path(__file__).resolve().parent / "data" / "fonts"
FAMILY = "DejaVuCondensed"  # embedded TrueType: Latin (with every diacritic), Greek and Cyrillic names print as typed
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")
HEADINGS = ("Kode stan\nBooth", "Gedung\nHall", "Zona\nZone", "Nama IKM\nIKM name", "Sektor\nSector",
            "Kab./kota\nRegency", "Status\nStatus")
COLUMN_WIDTHS = (18, 26, 26, 60, 20, 16, 24)  # millimetres: the 190 mm between A4's 10 mm margins
STATUS_WORDS = {"allocated": "Dialokasikan\nAllocated", "confirmed": "Dikonfirmasi\nConfirmed"}


@dataclass(frozen=True)
class FairHeading:
    name: str
    venue: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class ExhibitorRow:
    booth_code: str
    hall: str
    zone: str
    ikm_name: str
    sector: str
    regency_code: str
    status: str  # allocated | confirmed (a hold the exhibitor confirmed)


def tanggal(day: date) -> str:
    """A date as Indonesians write it: 1 Maret 2027."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


class _ListPdf(FPDF):
    printed_on: date

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.cell(0, 5, f"Dicetak {tanggal(self.printed_on)} / Printed {self.printed_on.isoformat()}", align="L")
        self.set_x(self.l_margin)
        self.cell(0, 5, f"Halaman {self.page_no()} dari {{nb}} / Page {self.page_no()} of {{nb}}", align="R")


def render_exhibitor_list(fair: FairHeading, rows: list[ExhibitorRow], printed_on: date) -> bytes:
    """The list as PDF bytes; `rows` in the order they are to be printed."""
    pdf = _ListPdf(orientation="portrait", unit="mm", format="A4")
    pdf.printed_on = printed_on
    pdf.set_margins(10, 12, 10)
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_font(FAMILY, "", FONTS / "DejaVuSansCondensed.ttf")
    pdf.add_font(FAMILY, "B", FONTS / "DejaVuSansCondensed-Bold.ttf")
    pdf.set_title(f"Daftar Peserta / Exhibitor list: {fair.name}")
    pdf.set_creator("Sentra")
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 14)
    pdf.multi_cell(0, 7, "Daftar Peserta Pameran / Exhibitor list", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "B", 12)
    pdf.multi_cell(0, 6, fair.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, "", 10)
    pdf.multi_cell(0, 5, fair.venue, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, f"{tanggal(fair.starts_on)} s.d. {tanggal(fair.ends_on)} "
                         f"({fair.starts_on.isoformat()} to {fair.ends_on.isoformat()})", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, f"{len(rows)} peserta / exhibitors", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FAMILY, "", 8)
    with pdf.table(col_widths=COLUMN_WIDTHS, width=sum(COLUMN_WIDTHS), text_align="LEFT", line_height=4,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(225, 225, 225)),
                   cell_fill_color=(245, 245, 245), cell_fill_mode="ROWS") as table:
        header = table.row()
        for heading in HEADINGS:
            header.cell(heading)
        for r in rows:
            row = table.row()
            for text in (r.booth_code, r.hall, r.zone, r.ikm_name, r.sector, r.regency_code,
                         STATUS_WORDS.get(r.status, r.status)):
                row.cell(text)
    if not rows:
        pdf.ln(3)
        pdf.set_font(FAMILY, "", 10)
        pdf.multi_cell(0, 5, "Belum ada stan yang terisi. / No booth is held yet.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
