"""An IKM list kept the way a Disperindag office keeps it in Excel (issue 15), for tests of the import:
a title block, a two-row header under merged cells, a row of column numbers, a totals row with
formulas, a signature block and a recap sheet in front; and the same sheet saved by Excel in an
Indonesian locale as CSV (`;`, numbers as displayed, Windows-1252 or UTF-8 with BOM).

`OFFICE_ROWS` is the data, each row with what the import must make of it (`expect`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]

TITLE = "DATA INDUSTRI KECIL MENENGAH KABUPATEN GIANYAR TAHUN 2025"
TOP = ["NO", "NAMA PERUSAHAAN", "NAMA PEMILIK", "NIK", "L/P", "ALAMAT", "DESA/KELURAHAN", "KECAMATAN", "NO. HP",
       "KOMODITI / PRODUK", "JENIS INDUSTRI / KBLI", "TENAGA KERJA", None, None, "NILAI INVESTASI (Rp)",
       "KAPASITAS PRODUKSI", "SATUAN", "TAHUN BERDIRI", "NIB", "TGL TERBIT NIB", "BENTUK USAHA", "SERTIFIKAT",
       "NO. SERTIFIKAT", "MASA BERLAKU", "KET"]
SUB = [None] * 11 + ["L", "P", "JML"] + [None] * 11
WORKERS = slice(11, 14)


@dataclass(frozen=True)
class OfficeRow:
    """One IKM as the office typed it. `xlsx` holds cells that differ in the workbook (a number cell,
    a date cell), `csv` cells as Excel displays them in the CSV it saves; `expect` is the outcome
    (`accepted` with the stored values, or `rejected` with the file's column named)."""

    cells: list[Any]
    expect: dict[str, Any]
    xlsx: dict[int, Any] = field(default_factory=dict)
    csv: dict[int, str] = field(default_factory=dict)


def _row(name: str, owner: str, nik: str, gender: str, address: str, desa: str, kecamatan: str, phone: str,
         commodity: str, kbli: str, workers: tuple[Any, Any, Any], investment: str, capacity: str, unit: str,
         nib: str, form: str, cert: str, cert_no: str, valid: str) -> list[Any]:
    return [None, name, owner, nik, gender, address, desa, kecamatan, phone, commodity, kbli, *workers, investment,
            capacity, unit, "2015", nib, "12/03/2019", form, cert, cert_no, valid, ""]


OFFICE_ROWS: list[OfficeRow] = [
    OfficeRow(_row("Perak Sari Celuk", "Ni Made Sari", "5104 0141 0180 0001", "PR", "Br. Tangkeban – Celuk",
                   "Desa Celuk", "SUKAWATI", "081234567890", "Kerajinan Perak", "32112 - Industri Perhiasan", (2, 4, 6),
                   "Rp. 25.000.000,-", "500", "pcs/bulan", "0912030123456", "C.V.", "HKI (Merek)", "IDM000123456",
                   "31/01/28"),
              {"outcome": "accepted", "nib": "0912030123456", "nik": "5104014101800001", "phone": "081234567890",
               "gender": "F", "village_code": "5104010905", "district_code": "5104010", "sector": "kriya",
               "kbli": "32112", "workers": 6, "investment_idr": 25_000_000, "business_form": "cv",
               "capacity": 500, "cert": ("hki", "2028-01-31"), "address": "Br. Tangkeban – Celuk"},
              xlsx={8: 81234567890, 18: 912030123456, 23: datetime(2028, 1, 31)},
              csv={8: "81234567890", 18: "0912030123456"}),
    OfficeRow(_row("Jaje Bali Ketewel", "Ni Nyoman Sari", "5104.0141.0180.0002", "P", "Br. Ketewel", "Ds. Ketewel",
                   "Sukawati", "(0361) 123456", "Jajanan Bali", "10794", (1, 2, None), "25 juta", "100-150",
                   "bungkus", "-", "Perseorangan", "SPP-IRT", "2065104010123-25", "31 Januari 2028"),
              {"outcome": "accepted", "nib": None, "phone": "0361123456", "village_code": "5104010902",
               "sector": "kuliner", "workers": 3, "investment_idr": 25_000_000, "business_form": "perorangan",
               "capacity": 100, "cert": ("pirt", "2028-01-31")}),
    OfficeRow(_row("Tenun Endek Bedulu", "I Made Suarsa", "5104021201750003", "LK", "Br. Tengah", "BEDULU",
                   "Blahbatuh", "0812345678 / 0813987654", "Kain Tenun Endek", "-", (3, 5, 8), "1,5 M",
                   "2.000 lembar per tahun", "", "9120 3012 3456 8", "Usaha Dagang", "Belum ada", "", ""),
              {"outcome": "accepted", "nib": "9120301234568", "phone": "0812345678", "gender": "M",
               "village_code": "5104020907", "district_code": "5104020", "sector": "fesyen", "workers": 8,
               "investment_idr": 1_500_000_000, "business_form": "ud", "capacity": 166, "cert": None}),
    OfficeRow(_row("Ukiran Kemenuh", "I Wayan Kembar", "5104010101800004", "L", "Br. Kemenuh", "Kel. Kemenuh",
                   "sukawati", "081311112222", "Ukiran Kayu", "16291", (2, 0, 2), "Rp 10.000.000", "30", "buah", "",
                   "Perseorangan", "Tidak ada", "", ""),
              {"outcome": "rejected", "column": "NIK", "message": "format kolom NIK menjadi Teks"},
              xlsx={3: 5104010101800004}, csv={3: "5,10401E+15"}),
    OfficeRow(_row("Lukisan Ubud Klasik", "I Ketut Lukis", "5104052002700005", "L", "Jl. Raya Ubud", "51.04.05.1005",
                   "UBUD", "085237112233", "Lukisan", "", ("", "", "3"), "Rp. 7.500.000", "10", "lembar/bulan",
                   "", "Perseorangan", "Dalam proses", "", ""),
              {"outcome": "accepted", "village_code": "5104050805", "district_code": "5104050",
               "sector": "seni_rupa", "workers": 3, "investment_idr": 7_500_000, "capacity": 10}),
    OfficeRow(_row("Kopi Petulu Asri", "Ni Luh Kopi", "5104056506800006", "P", "Br. Petulu", "Petulu", "",
                   "081998887766", "Kopi Bubuk", "", (1, 1, 2), "Rp25.000.000,00", "1,5 ton", "", "", "C.V.",
                   "Halal MUI", "ID51110000123", "01/06/2029"),
              {"outcome": "accepted", "village_code": "5104050907", "district_code": "5104050", "sector": "kuliner",
               "workers": 2, "investment_idr": 25_000_000, "capacity": 1500, "cert": ("halal", "2029-06-01")}),
    OfficeRow(_row("Patung Singapadu", "I Made Patung", "5104011203800007", "L", "Br. Kebon", "Desa Singapdu",
                   "Sukawati", "081555666777", "Patung Batu Padas", "23961", (4, 0, 4), "50 juta", "20", "buah",
                   "", "Perseorangan", "-", "", ""),
              {"outcome": "accepted", "village_code": "5104010007", "sector": "kriya", "workers": 4}),
    OfficeRow(_row("Gerabah Singapadu Kaja", "I Nyoman Gerabah", "5104011203800008", "L", "Br. Kaja",
                   "Singapadu Kaja", "Sukawati", "081555666778", "Gerabah", "", (2, 0, 2), "5 juta", "50", "buah",
                   "", "Perseorangan", "-", "", ""),
              {"outcome": "rejected", "column": "DESA/KELURAHAN", "message": "tidak ditemukan di Kecamatan Sukawati"}),
    OfficeRow(_row("Servis Elektronik Jaya", "I Made Servis", "5104011203800009", "L", "Br. Servis", "Singapadu",
                   "Sukawati", "081555666779", "Jasa Servis", "", (1, 0, 1), "2 juta", "", "", "", "Perseorangan",
                   "-", "", ""),
              {"outcome": "rejected", "column": "KOMODITI / PRODUK",
               "message": "Subsektor ekonomi kreatif tidak dapat"}),
    OfficeRow(_row("Anyaman Kemenuh", "Ni Ketut Anyam", "5104014101800010", "P", "Br. Kemenuh", "Kemenuh", "",
                   "081555666780", "Anyaman Bambu", "", (0, 2, 2), "3 juta", "40", "buah", "", "Perseorangan", "-",
                   "", ""),
              {"outcome": "rejected", "column": "DESA/KELURAHAN", "message": "lebih dari satu tempat",
               "needs_twin": True}),
]

RECAP_TOP = ["NO", "KECAMATAN", "JUMLAH IKM", "TENAGA KERJA", "NILAI INVESTASI (Rp)"]
RECAP_ROWS = [[1, "SUKAWATI", 5, 18, 60_000_000], [2, "UBUD", 2, 5, 32_500_000], [3, "BLAHBATUH", 1, 8, 1_500_000_000]]
SIGNATURE = ["Gianyar, 15 Januari 2025", "Kepala Dinas Perindustrian dan Perdagangan", "",
             "I Made Contoh, S.E.", "NIP. 19700101 199503 1 001"]


def office_cells(row: OfficeRow, number: int, xlsx: bool) -> list[Any]:
    cells = list(row.cells)
    cells[0] = number
    for position, value in (row.xlsx if xlsx else row.csv).items():
        cells[position] = value
    if xlsx:  # workers typed as numbers
        cells[WORKERS] = [int(v) if isinstance(v, str) and v.isdigit() else v for v in cells[WORKERS]]
    return cells


def office_xlsx(rows: list[OfficeRow] | None = None, recap_first: bool = True) -> bytes:
    rows = OFFICE_ROWS if rows is None else rows
    book = Workbook()
    recap = book.active
    recap.title = "REKAP"
    recap.append(["REKAPITULASI IKM PER KECAMATAN"])
    recap.append([])
    recap.append(RECAP_TOP)
    for line in RECAP_ROWS:
        recap.append(line)
    recap.append(["", "JUMLAH", "=SUM(C4:C6)", "=SUM(D4:D6)", "=SUM(E4:E6)"])
    data = book.create_sheet("DATA IKM", 1 if recap_first else 0)
    data.append([TITLE])
    data.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(TOP))
    data.append(["DINAS PERINDUSTRIAN DAN PERDAGANGAN KABUPATEN GIANYAR"])
    data.append([])
    data.append(TOP)
    data.append(SUB)
    for column, value in enumerate(TOP, start=1):
        if value is not None and value != "TENAGA KERJA":
            data.merge_cells(start_row=4, start_column=column, end_row=5, end_column=column)
    data.merge_cells(start_row=4, start_column=12, end_row=4, end_column=14)
    data.append(list(range(1, len(TOP) + 1)))
    for number, row in enumerate(rows, start=1):
        data.append(office_cells(row, number, xlsx=True))
    last = 6 + len(rows)
    data.append(["JUMLAH", None, *[None] * 9, f"=SUM(L7:L{last})", f"=SUM(M7:M{last})", f"=SUM(N7:N{last})"])
    data.append([])
    for line in SIGNATURE:
        data.append([None] * 18 + [line])
    if not recap_first:
        book.move_sheet("REKAP", offset=1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def office_csv(encoding: str = "cp1252", rows: list[OfficeRow] | None = None) -> bytes:
    """The data sheet as Excel saves it as `CSV (dipisahkan titik koma)`: `;`, CRLF, every line as wide
    as the table, merged cells empty but for their first, formulas as their (here: no) value."""
    rows = OFFICE_ROWS if rows is None else rows
    width = len(TOP)

    def line(cells: list[Any]) -> str:
        texts = ["" if c is None else str(c) for c in cells] + [""] * (width - len(cells))
        return ";".join(f'"{t}"' if ";" in t or '"' in t else t for t in texts)

    lines = [line([TITLE]), line(["DINAS PERINDUSTRIAN DAN PERDAGANGAN KABUPATEN GIANYAR"]), line([]), line(TOP),
             line(SUB), line(list(range(1, width + 1)))]
    lines += [line(office_cells(row, number, xlsx=False)) for number, row in enumerate(rows, start=1)]
    lines += [line(["JUMLAH"]), line([])] + [line([None] * 18 + [s]) for s in SIGNATURE]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
