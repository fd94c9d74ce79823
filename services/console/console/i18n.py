"""Language: Bahasa Indonesia first, English on request. Catalogues are the .po files under locale/,
compiled in memory when the process starts, so a clean clone needs no build step. Dates and money
are pure functions of the value and the language."""

from __future__ import annotations

import io
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

Language = Literal["id", "en"]
LANGUAGES: tuple[Language, ...] = ("id", "en")
DEFAULT_LANGUAGE: Language = "id"
LANG_COOKIE = "sentra_lang"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def choose_language(query: str | None, cookie: str | None) -> Language:
    """`?lang=` wins (it is the toggle), then the cookie the toggle set, else Indonesian. The browser's
    Accept-Language is ignored on purpose: an office PC set to English still gets Indonesian."""
    for value in (query, cookie):
        if value in LANGUAGES:
            return value
    return DEFAULT_LANGUAGE


@cache
def translations(lang: Language) -> Translations:
    """The catalogue for `lang`, compiled from its .po file (once per process)."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain="messages")


def format_date(value: date | datetime | None, lang: Language, tz: str = "Asia/Makassar") -> str:
    """`4 Desember 2026` (or `4 December 2026`); a datetime is first moved into the office's zone."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(tz)).date()
    return babel_format_date(value, "d MMMM y", locale=lang)


def format_datetime(value: datetime | None, lang: Language, tz: str = "Asia/Makassar") -> str:
    """`4 Desember 2026, 10.05` in the office's zone (Indonesian writes the hour with a dot)."""
    if value is None:
        return "–"
    local = value.astimezone(ZoneInfo(tz))
    sep = "." if lang == "id" else ":"
    return f"{format_date(local.date(), lang)}, {local.hour:02d}{sep}{local.minute:02d}"


def format_number(value: int | None, lang: Language) -> str:
    """`25.000.000` in Indonesian, `25,000,000` in English."""
    if value is None:
        return "–"
    grouped = f"{value:,}"
    return grouped.replace(",", ".") if lang == "id" else grouped


def format_decimal(value: float | None, lang: Language, digits: int = 1) -> str:
    """A score or total: `80,5` in Indonesian, `80.5` in English."""
    if value is None:
        return "–"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "id" else text


def format_money(value_idr: int | None, lang: Language = "id") -> str:
    """Whole rupiah: `Rp 25.000.000` (`Rp 25,000,000` in English)."""
    if value_idr is None:
        return "–"
    sign = "-" if value_idr < 0 else ""
    return f"{sign}Rp {format_number(abs(value_idr), lang)}"


def parse_datetime(value: str | None) -> datetime | None:
    """An API timestamp (RFC 3339) as an aware datetime, or None."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
