"""Language choice, dates, money and the catalogues."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from console.i18n import (
    LOCALE_DIR,
    choose_language,
    format_date,
    format_datetime,
    format_decimal,
    format_money,
    format_number,
    translations,
)

CONSOLE = Path(__file__).resolve().parents[3] / "services" / "console"


@pytest.mark.parametrize(("query", "cookie", "expected"), [
    (None, None, "id"), ("en", None, "en"), (None, "en", "en"), ("id", "en", "id"), ("fr", None, "id"),
    ("fr", "en", "en"), ("", "xx", "id"),
])
def test_indonesian_unless_english_is_asked_for(query: str | None, cookie: str | None, expected: str) -> None:
    assert choose_language(query, cookie) == expected


def test_dates_are_written_out_with_the_month_name() -> None:
    assert format_date(date(2026, 12, 4), "id") == "4 Desember 2026"
    assert format_date(date(2026, 12, 4), "en") == "4 December 2026"
    assert format_date(None, "id") == "–"


def test_a_time_is_shown_in_the_office_zone() -> None:
    # 17:30 UTC on the 4th is 01:30 WITA on the 5th: the date moves with the zone.
    late = datetime(2026, 12, 4, 17, 30, tzinfo=UTC)
    assert format_date(late, "id") == "5 Desember 2026"
    assert format_datetime(late, "id") == "5 Desember 2026, 01.30"
    assert format_datetime(late, "en") == "5 December 2026, 01:30"
    assert format_datetime(late, "id", tz="Asia/Jakarta") == "5 Desember 2026, 00.30"


def test_money_in_whole_rupiah_with_the_language_grouping() -> None:
    assert format_money(25_000_000) == "Rp 25.000.000"
    assert format_money(450_000, "id") == "Rp 450.000"
    assert format_money(0, "id") == "Rp 0"
    assert format_money(25_000_000, "en") == "Rp 25,000,000"
    assert format_money(-1500, "id") == "-Rp 1.500"
    assert format_money(None, "id") == "–"
    assert format_number(1234567, "id") == "1.234.567"


def test_a_total_uses_the_language_decimal_mark() -> None:
    assert format_decimal(80.5, "id") == "80,5"
    assert format_decimal(80.5, "en") == "80.5"
    assert format_decimal(None, "id") == "–"


def _msgids(lang: str) -> dict[str, str]:
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {str(m.id): str(m.string) for m in read_po(f) if m.id}


def _used_in_sources() -> set[str]:
    method_map = [("console/**.py", "python"), ("console/templates/**.html", "jinja2")]
    options = {"console/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    found = extract_from_dir(str(CONSOLE), method_map, options_map=options,
                             keywords={"_": None, "gettext": None, "N_": None})
    return {str(message) for _, _, message, _, _ in found}


def test_every_text_the_pages_use_is_in_both_catalogues_and_translated() -> None:
    used = _used_in_sources()
    assert "Sign in" in used and "Crafts" in used  # the extraction itself works
    indonesian, english = _msgids("id"), _msgids("en")
    assert sorted(used - set(indonesian)) == []
    assert sorted(used - set(english)) == []
    assert sorted(m for m in used if not indonesian[m]) == []


def test_no_entry_is_a_guess_and_english_is_the_source_text() -> None:
    """`pybabel update` guesses a translation for a new text from a similar old one and marks it
    fuzzy; a guess taken for real once titled the photos "Pilih…" (Choose…)."""
    for lang in ("id", "en"):
        with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
            assert [m.id for m in read_po(f) if m.id and m.fuzzy] == []
    assert [m for m, text in _msgids("en").items() if text not in ("", m)] == []


def test_placeholders_survive_translation() -> None:
    for msgid, text in _msgids("id").items():
        assert set(re.findall(r"%\(\w+\)s", msgid)) == set(re.findall(r"%\(\w+\)s", text)), msgid


def test_the_catalogues_compile_when_the_process_starts() -> None:
    assert translations("id").gettext("Sign in") == "Masuk"
    assert translations("en").gettext("Sign in") == "Sign in"
    assert translations("id").gettext("Crafts") == "Kriya"
