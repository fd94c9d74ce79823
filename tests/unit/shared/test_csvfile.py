"""The one CSV reader behind every upload."""

from __future__ import annotations

import pytest

from shared.csvfile import UnreadableCsv, read_csv_rows


def test_a_semicolon_file_from_excel_in_an_indonesian_locale_reads_with_its_bom() -> None:
    content = "\ufeffnama;desa\nPerak Sari;Singapadu\n".encode()
    assert read_csv_rows(content) == [["nama", "desa"], ["Perak Sari", "Singapadu"]]


def test_a_windows_encoded_file_keeps_its_accents_and_quoted_commas() -> None:
    content = 'name,note\n"Café Ubud","kopi, teh"\n'.encode("cp1252")
    assert read_csv_rows(content) == [["name", "note"], ["Café Ubud", "kopi, teh"]]


def test_a_tab_separated_file_reads_too() -> None:
    assert read_csv_rows(b"a\tb\n1\t2\n") == [["a", "b"], ["1", "2"]]


@pytest.mark.parametrize(("content", "status", "words"), [
    (b"PK\x03\x04\x00\x00binary", 415, "bukan CSV"),
    (b"just one column\nno separators\n", 422, "judul kolom"),
])
def test_what_is_not_a_csv_is_refused_with_a_reason_in_both_languages(content: bytes, status: int, words: str) -> None:
    with pytest.raises(UnreadableCsv) as caught:
        read_csv_rows(content)
    assert caught.value.status == status
    assert words in caught.value.message and caught.value.message_en and caught.value.message != caught.value.message_en
