"""The printable exhibitor list, read back with pypdf: title, table, repeated header, page numbers."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from exhibitions.exhibitor_pdf import ExhibitorRow, FairHeading, render_exhibitor_list, tanggal

FAIR = FairHeading(name="Pameran IKM Bali Bangkit 2027 Tahap I", venue="Taman Budaya Bali, Ksirarnawa",
                   starts_on=date(2027, 3, 1), ends_on=date(2027, 5, 31))


def rows(n: int) -> list[ExhibitorRow]:
    return [ExhibitorRow(booth_code=f"A-{i:03d}", hall="Ksirarnawa", zone="Kriya", ikm_name=f"UD Perak Sari {i}",
                         sector="kriya", regency_code="5104", status="confirmed" if i == 0 else "allocated")
            for i in range(n)]


def pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_short_list_is_one_a4_page_with_the_fair_on_top_indonesian_first() -> None:
    pdf = render_exhibitor_list(FAIR, rows(3), printed_on=date(2026, 11, 23))
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    [text] = pages(pdf)
    assert text.index("Daftar Peserta Pameran") < text.index("Exhibitor list")
    for words in (FAIR.name, FAIR.venue, "1 Maret 2027 s.d. 31 Mei 2027", "Kode stan", "Nama IKM", "Kab./kota",
                  "UD Perak Sari 2", "A-002", "5104", "Dikonfirmasi", "Dialokasikan", "Halaman 1 dari 1",
                  "Page 1 of 1", "Dicetak 23 November 2026"):
        assert words in text, words
    assert text.index("Kode stan") < text.index("Booth")


def test_a_long_list_runs_over_pages_each_with_the_header_and_its_number() -> None:
    texts = pages(render_exhibitor_list(FAIR, rows(120), printed_on=date(2026, 11, 23)))
    assert len(texts) > 2
    for number, text in enumerate(texts, start=1):
        assert "Kode stan" in text and "Nama IKM" in text and "Status" in text
        assert f"Halaman {number} dari {len(texts)}" in text
    everything = "\n".join(texts)
    assert all(f"A-{i:03d}" in everything for i in range(120))
    assert texts[0].count(FAIR.name) == 1 and FAIR.name not in texts[1]  # the title only opens the list


def test_names_in_any_latin_script_print_as_typed() -> None:
    row = ExhibitorRow(booth_code="A-01", hall="Ksirarnawa", zone="Kriya", ikm_name="Koperasi Ñyoman & Śrī <Tenun>",
                       sector="fesyen", regency_code="5104", status="allocated")
    [text] = pages(render_exhibitor_list(FAIR, [row], printed_on=date(2026, 11, 23)))
    assert "Koperasi Ñyoman & Śrī <Tenun>" in text


def test_an_empty_list_says_so() -> None:
    [text] = pages(render_exhibitor_list(FAIR, [], printed_on=date(2026, 11, 23)))
    assert "Belum ada stan yang terisi" in text and "0 peserta" in text


def test_dates_are_written_the_indonesian_way() -> None:
    assert tanggal(date(2027, 8, 17)) == "17 Agustus 2027"
