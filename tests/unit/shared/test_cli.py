"""The pure parts of the `sentra` tool: the progress bar and the rejections file."""

from __future__ import annotations

import csv
import io

from shared.cli import progress_line, write_rejections


def test_the_progress_line_counts_rows_and_fills_the_bar() -> None:
    report = {"total": 200, "processed": 50, "accepted": 45, "duplicates": 2, "rejected": 3}
    line = progress_line(report, rate=1234.4, width=20)
    assert line.startswith("[#####...............]  25%  50/200 baris/rows")
    assert "masuk/accepted 45" in line and "ganda/duplicates 2" in line and "ditolak/rejected 3" in line
    assert line.endswith("1,234 baris/s")
    assert progress_line({**report, "total": 0, "processed": 0}, 0, width=4).startswith("[####] 100%")


def test_the_rejections_file_has_a_line_per_reason_in_both_languages() -> None:
    report = {
        "rejected_rows": [{"row": 14, "errors": [
            {"field": "owner_nik", "message": "NIK harus 16 digit", "message_en": "NIK must be 16 digits"},
            {"field": "sector", "message": "Sektor tidak dikenal", "message_en": "Unknown sector"}]}],
        "duplicate_rows": [{"row": 23, "errors": [
            {"field": "nib", "message": "NIB sudah terdaftar", "message_en": "NIB already registered"}]}],
    }
    out = io.StringIO()
    assert write_rejections(report, out) == 3
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [(r["row"], r["outcome"], r["field"]) for r in rows] == [
        ("14", "rejected", "owner_nik"), ("14", "rejected", "sector"), ("23", "duplicate", "nib")]
    assert rows[0]["alasan"] == "NIK harus 16 digit" and rows[0]["reason"] == "NIK must be 16 digits"
