"""The parts of `sentra import` that talk to a registrar: an import's preview, the question whether to
start it, and the outcome, each reason in both languages (docs/import-format.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

import httpx

from shared.csvfile import CsvWriter

# The exit code of `sentra import` for a file left in preview (not in the template's format, no --yes).
WAITING = 3


def preview_lines(preview: dict[str, Any]) -> list[str]:
    """What a registrar reads before starting an import that is not in the template's format."""
    where = f"lembar/sheet {preview['sheet']!r}, " if preview.get("sheet") else ""
    lines = [f"pratinjau / preview: {where}baris judul kolom/header row {preview['header_row']}, "
             f"{preview['ready']:,} dari/of {preview['total']:,} baris siap/rows ready"]
    if preview.get("profile"):
        lines.append(f"  pemetaan tersimpan / saved mapping: {preview['profile']}")
    for col in preview["columns"]:
        if col["field"] is None and col["source"] in ("blank", "row_number"):
            continue
        field = col["field"] or "(diabaikan / left out)"
        lines.append(f"  {col['column']} -> {field} ({col['confidence']:.2f})"
                     + (f"  masalah/problems: {col['problems']:,}" if col["problems"] else ""))
        for value in col["unresolved"]:
            lines.append(f"      tidak terbaca / unresolved: {value['value']!r} x{value['rows']}")
    for problem in preview["problems"]:
        lines.append(f"  ! {problem['field']}: {problem['message']} / {problem['message_en']}")
    return lines


def confirm_preview(http: httpx.Client, url: str, auth: dict[str, str], out: TextIO) -> bool:
    """Show the preview of the import at `url`; on a terminal ask whether to start it (and start it)."""
    preview = http.get(f"{url}/preview", headers=auth).raise_for_status().json()
    for line in preview_lines(preview):
        print(line, file=out)
    hint = (f"Impor menunggu dalam pratinjau; jalankan dengan --yes untuk memakai pemetaan yang diusulkan, atau "
            f"perbaiki pemetaan (PUT {url}/mapping). / The import waits in preview; run with --yes to use the "
            f"proposed mapping, or correct the mapping (PUT {url}/mapping).")
    if not sys.stdin.isatty():
        print(hint, file=out)
        return False
    if input("Mulai impor? / Start the import? [y/N] ").strip().lower() not in ("y", "ya", "yes"):
        print(hint, file=out)
        return False
    r = http.post(f"{url}/start", headers=auth)
    if r.status_code != 202:
        print_error(r)
        return False
    return True


def print_error(r: httpx.Response) -> None:
    try:
        body = r.json()
    except ValueError:
        body = {"message": f"HTTP {r.status_code}", "message_en": f"HTTP {r.status_code}"}
    print(f"{body.get('message')} / {body.get('message_en')}", file=sys.stderr)
    for err in body.get("errors", []):
        print(f"  {err['field']}: {err['message']} / {err['message_en']}", file=sys.stderr)


def write_rejections(report: dict[str, Any], out: TextIO) -> int:
    """Each row not accepted, one line per reason, for the registrar to correct in the file."""
    writer = CsvWriter(out)
    writer.writerow(["row", "outcome", "field", "alasan", "reason"])
    lines = 0
    for outcome, rows in (("rejected", report["rejected_rows"]), ("duplicate", report["duplicate_rows"])):
        for row in rows:
            for err in row["errors"]:
                writer.writerow([row["row"], outcome, err["field"], err["message"], err["message_en"]])
                lines += 1
    return lines


def outcome(report: dict[str, Any], args: argparse.Namespace, out: TextIO) -> int:
    """Print a finished import's rows not accepted (both languages) and its counts; 1 when no row went in."""
    if report["status"] == "failed":
        print(f"impor gagal / import failed: {report['error']} / {report['error_en']}", file=sys.stderr)
        return 1
    for kind, word, rows, count in (("rejected", "ditolak/rejected", report["rejected_rows"], report["rejected"]),
                                    ("duplicate", "ganda/duplicate", report["duplicate_rows"], report["duplicates"])):
        for row in rows[:args.show]:
            reasons = "; ".join(f"{e['field']}: {e['message']} / {e['message_en']}" for e in row["errors"])
            print(f"  baris/row {row['row']} {word}: {reasons}", file=out)
        if count > args.show:
            print(f"  ... {count - args.show} baris {word.split('/')[0]} lagi / more {kind} rows", file=out)
    if args.rejections:
        with open(args.rejections, "w", newline="", encoding="utf-8") as f:
            write_rejections(report, f)
        print(f"alasan per baris / reasons per row: {args.rejections}", file=out)
    print(f"selesai / done: {report['accepted']} masuk/accepted, {report['duplicates']} ganda/duplicates, "
          f"{report['rejected']} ditolak/rejected dari/of {report['total']}")
    if report["accepted"] == 0:
        print("Tidak ada baris yang masuk. / No row was accepted.", file=sys.stderr)
        return 1
    return 0


def unreachable(exc: httpx.TransportError) -> str:
    """One line instead of a traceback when a service does not answer."""
    try:
        where = str(exc.request.url.copy_with(path="/", query=None))
    except RuntimeError:  # an error raised without its request
        where = "?"
    return (f"Layanan tidak dapat dihubungi / Service unreachable: {where} ({type(exc).__name__}); periksa "
            f"REGISTRY_URL dan apakah layanannya berjalan / check REGISTRY_URL and that the service runs.")
