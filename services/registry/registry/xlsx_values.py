"""The cell values of an XLSX's worksheets as openpyxl's read-only mode gives them (`values_only`,
cached values of formulas), read straight from the sheet XML with expat. Reading a large office
workbook is most of an import preview's time, and openpyxl builds an element and a descriptor object
for every cell; this reads each cell with a few callbacks. openpyxl's own rules are reused for what is
subtle (which number formats are dates, Excel serials to dates), and the caller falls back to openpyxl
for anything this does not read (`Unsupported`)."""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from openpyxl.styles.numbers import (  # type: ignore[import-untyped]
    BUILTIN_FORMATS,
    is_date_format,
    is_timedelta_format,
)
from openpyxl.utils.datetime import (  # type: ignore[import-untyped]
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

_NS_SEP = " "  # expat joins a namespace and a local name with it; only the local name matters here
_CHUNK = 1 << 16


class Unsupported(ValueError):
    """A workbook this reader does not handle; openpyxl reads it instead."""


def _local(name: str) -> str:
    return name.rpartition(_NS_SEP)[2]


def _parse(data: bytes, start: Any, end: Any = None, chars: Any = None) -> None:
    parser = expat.ParserCreate(namespace_separator=_NS_SEP)
    parser.buffer_text = True
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if chars is not None:
        parser.CharacterDataHandler = chars
    parser.Parse(data, True)


class _Texts:
    """The text of `<si>` / `<is>` elements: every `<t>` outside phonetic runs, joined."""

    def __init__(self, item: str) -> None:
        self.item = item
        self.items: list[str] = []
        self._buf: list[str] = []
        self._in_t = False
        self._phonetic = 0

    def start(self, name: str, _: dict[str, str]) -> None:
        local = _local(name)
        if local == self.item:
            self._buf = []
        elif local == "t":
            self._in_t = True
        elif local == "rPh":
            self._phonetic += 1

    def end(self, name: str) -> None:
        local = _local(name)
        if local == self.item:
            self.items.append("".join(self._buf))
        elif local == "t":
            self._in_t = False
        elif local == "rPh":
            self._phonetic -= 1

    def chars(self, data: str) -> None:
        if self._in_t and not self._phonetic:
            self._buf.append(data)


def _shared_strings(book: zipfile.ZipFile, part: str | None) -> list[str]:
    if part is None:
        return []
    texts = _Texts("si")
    _parse(book.read(part), texts.start, texts.end, texts.chars)
    return texts.items


def _date_styles(book: zipfile.ZipFile, part: str | None) -> tuple[set[int], set[int]]:
    """The cell styles (cellXfs positions) whose number format is a date, and those that are a duration."""
    if part is None:
        return set(), set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    depth = {"cellXfs": False}

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "numFmt":
            custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            depth["cellXfs"] = True
        elif local == "xf" and depth["cellXfs"]:
            formats.append(int(attrs.get("numFmtId", "0")))

    def end(name: str) -> None:
        if _local(name) == "cellXfs":
            depth["cellXfs"] = False

    _parse(book.read(part), start, end)
    dates, durations = set(), set()
    for index, number_format in enumerate(formats):
        code = custom.get(number_format) or BUILTIN_FORMATS.get(number_format)
        if code and is_date_format(code):
            dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)
    return dates, durations


def _part(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


@dataclass
class _Parts:
    sheets: list[tuple[str, str]]  # each worksheet's name and part, in the workbook's order
    epoch: Any
    strings: str | None  # the shared strings' part, if any
    styles: str | None


def _sheet_parts(book: zipfile.ZipFile) -> _Parts:
    """Where the worksheets, the shared strings and the styles are, and the workbook's date epoch."""
    sheets: list[tuple[str, str]] = []
    epoch = [CALENDAR_WINDOWS_1900]

    def on_workbook(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "sheet":
            rel = next((v for k, v in attrs.items() if _local(k) == "id"), None)
            if rel is None:
                raise Unsupported("a sheet without its relationship")
            sheets.append((attrs.get("name", ""), rel))
        elif local == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            epoch[0] = CALENDAR_MAC_1904

    _parse(book.read("xl/workbook.xml"), on_workbook)
    targets: dict[str, tuple[str, str]] = {}

    def on_rels(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship":
            targets[attrs.get("Id", "")] = (attrs.get("Target", ""), attrs.get("Type", ""))

    _parse(book.read("xl/_rels/workbook.xml.rels"), on_rels)
    parts = []
    for title, rel in sheets:
        target, kind = targets.get(rel, ("", ""))
        if kind.endswith("/worksheet"):  # not a chartsheet: openpyxl's `worksheets` leaves those out too
            parts.append((title, _part(target)))
    by_kind = {kind.rpartition("/")[2]: _part(target) for target, kind in targets.values()}
    return _Parts(parts, epoch[0], by_kind.get("sharedStrings"), by_kind.get("styles"))


def _column(ref: str) -> int:
    number = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            number = number * 26 + ord(ch) - 64
        else:
            break
    return number - 1


class _Rows:
    """A worksheet's rows (line number, values) as expat reads them; `ready` is emptied by the caller."""

    def __init__(self, strings: list[str], dates: set[int], durations: set[int], epoch: Any) -> None:
        self.strings, self.dates, self.durations, self.epoch = strings, dates, durations, epoch
        self.ready: list[tuple[int, list[Any]]] = []
        self._row: list[Any] = []
        self._line = 0
        self._cell: tuple[str, str | None, str | None] = ("n", None, None)
        self._text: list[str] = []
        self._in_value = False
        self._inline: _Texts | None = None

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if self._inline is not None:
            self._inline.start(name, attrs)
        elif local == "c":
            self._cell = (attrs.get("t", "n"), attrs.get("r"), attrs.get("s"))
            self._text = []
        elif local == "v":
            self._in_value = True
        elif local == "is":
            self._inline = _Texts("is")
            self._inline.start(name, attrs)
        elif local == "row":
            self._line = int(attrs["r"]) if "r" in attrs else self._line + 1
            self._row = []

    def end(self, name: str) -> None:
        local = _local(name)
        if self._inline is not None:
            self._inline.end(name)
            if local == "is":
                self._text, self._inline = [self._inline.items[0] if self._inline.items else ""], None
        elif local == "v":
            self._in_value = False
        elif local == "c":
            self._put(self._value())
        elif local == "row":
            self.ready.append((self._line, self._row))

    def chars(self, data: str) -> None:
        if self._inline is not None:
            self._inline.chars(data)
        elif self._in_value:
            self._text.append(data)

    def _put(self, value: Any) -> None:
        ref = self._cell[1]
        at = _column(ref) if ref else len(self._row)
        if at < len(self._row):
            raise Unsupported("cells out of order")
        self._row.extend([None] * (at - len(self._row)))
        self._row.append(value)

    def _value(self) -> Any:
        kind, _, style = self._cell
        text = "".join(self._text)
        if kind == "inlineStr":
            return text if self._text else None
        if not text:
            return None
        if kind == "n":
            number = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
            index = int(style) if style else 0
            if index in self.dates:
                try:
                    return from_excel(number, self.epoch, timedelta=index in self.durations)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if kind == "s":
            return self.strings[int(text)]
        if kind == "b":
            return bool(int(text))
        if kind == "d":
            return from_ISO8601(text)
        return text  # str (a formula's text), e (an error such as #DIV/0!)


def worksheets(book: zipfile.ZipFile) -> Iterator[tuple[str, Iterator[tuple[int, list[Any]]]]]:
    """Each worksheet's title and its rows (line number, values), read a chunk at a time."""
    names = set(book.namelist())
    parts = _sheet_parts(book)
    strings = _shared_strings(book, parts.strings)
    dates, durations = _date_styles(book, parts.styles)
    for title, part in parts.sheets:
        if part not in names:
            raise Unsupported(f"no part {part}")
        yield title, _rows(book, part, _Rows(strings, dates, durations, parts.epoch))


def _rows(book: zipfile.ZipFile, part: str, rows: _Rows) -> Iterator[tuple[int, list[Any]]]:
    parser = expat.ParserCreate(namespace_separator=_NS_SEP)
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler = rows.start, rows.end
    parser.CharacterDataHandler = rows.chars
    with book.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
            yield from rows.ready
            rows.ready.clear()
        parser.Parse(b"", True)
        yield from rows.ready
