"""`sentra import`'s words to a registrar (shared/cli_import.py): the preview, the outcome and its exit
code, and the line printed when the registry does not answer."""

from __future__ import annotations

import argparse
import io
from typing import Any

import httpx
import pytest

from shared.cli_import import outcome, preview_lines, unreachable


def test_the_preview_lists_each_column_its_unresolved_values_and_the_problems_left() -> None:
    preview = {"sheet": "DATA IKM", "header_row": 4, "ready": 9, "total": 10, "profile": "Gianyar", "columns": [
        {"column": "NO", "field": None, "source": "row_number", "confidence": 0, "problems": 0, "unresolved": []},
        {"column": "KOMODITI / PRODUK", "field": "product_name", "source": "office", "confidence": 0.9,
         "problems": 1, "unresolved": [{"value": "Jasa Servis", "rows": 1}]},
        {"column": "KET", "field": None, "source": "unknown", "confidence": 0, "problems": 0, "unresolved": []}],
        "problems": [{"field": "regency_code", "message": "Kolom wajib ini tidak ada.",
                      "message_en": "This required column is missing."}]}
    assert preview_lines(preview) == [
        "pratinjau / preview: lembar/sheet 'DATA IKM', baris judul kolom/header row 4, 9 dari/of 10 baris siap/rows "
        "ready",
        "  pemetaan tersimpan / saved mapping: Gianyar",
        "  KOMODITI / PRODUK -> product_name (0.90)  masalah/problems: 1",
        "      tidak terbaca / unresolved: 'Jasa Servis' x1",
        "  KET -> (diabaikan / left out) (0.00)",
        "  ! regency_code: Kolom wajib ini tidak ada. / This required column is missing.",
    ]


def report(accepted: int) -> dict[str, Any]:
    reason = {"field": "nib", "message": "NIB ini sudah terdaftar.", "message_en": "This NIB is already registered."}
    return {"status": "done", "accepted": accepted, "duplicates": 1, "rejected": 0, "total": accepted + 1,
            "rejected_rows": [], "duplicate_rows": [{"row": 3, "errors": [reason]}]}


def test_the_outcome_prints_duplicates_in_both_languages_and_fails_when_no_row_went_in(
        capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(show=20, rejections=None)
    out = io.StringIO()
    assert outcome(report(0), args, out) == 1
    assert "baris/row 3 ganda/duplicate: nib: NIB ini sudah terdaftar. / This NIB is already registered." \
        in out.getvalue()
    assert "No row was accepted" in capsys.readouterr().err
    assert outcome(report(2), args, io.StringIO()) == 0


def test_an_unreachable_registry_is_one_line_naming_where_it_was_looked_for() -> None:
    exc = httpx.ConnectError("refused", request=httpx.Request("POST", "http://127.0.0.1:8001/auth/token"))
    line = unreachable(exc)
    assert line.startswith("Layanan tidak dapat dihubungi / Service unreachable: http://127.0.0.1:8001/ (ConnectError)")
    assert "\n" not in line
