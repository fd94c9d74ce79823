"""The bulk-import file a kabupaten sends (docs/import-format.md): reading CSV or XLSX into rows, and
turning one row into the body of `POST /ikms`. Pure functions: no database, no HTTP.

One row is one IKM with its main product; further product names go in `more_products`, separated by
`|`. Row numbers are the line numbers a registrar sees in a spreadsheet. Where the table sits in an
office's workbook is `workbook`'s business, office column names are in `headers`, and values as
offices type them are read by `office_rows` before a row becomes a body here.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from registry.headers import NOT_STORED, OFFICE_ALIASES, OFFICE_FIELDS, ROW_NUMBER, header_key
from registry.import_mapping import Mapping, apply_values, columns_key, values_by_field
from registry.region_names import Places, regency_in_title
from registry.regions import bps_regions
from registry.upload_limits import check_xlsx_sizes
from registry.workbook import (
    HEADER_SEARCH_ROWS,
    XLSX_ERRORS,
    Layout,
    Sheet,
    UnreadableSheet,
    cell_text,
    find_layout,
    is_number_cell,
    read_csv_sheet,
    read_xlsx_sheets,
)
from shared.csvfile import UnreadableCsv
from shared.errors import ApiError, FieldError


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    description: str
    aliases: tuple[str, ...] = ()


COLUMNS: tuple[Column, ...] = (
    Column("nib", False, "NIB, 13 digits; empty when the IKM has none yet", ("no_nib",)),
    Column("name", True, "business name", ("nama_usaha", "nama_ikm", "nama_perusahaan")),
    Column("owner_name", True, "owner's name", ("nama_pemilik",)),
    Column("owner_nik", True, "owner's NIK, 16 digits (personal data)", ("nik", "nik_pemilik")),
    Column("owner_phone", False, "owner's phone, e.g. 081234567890", ("telepon", "no_hp", "no_telepon")),
    Column("owner_gender", False, "F/M (or P/L)", ("jenis_kelamin",)),
    Column("sector", True, "creative-economy subsector code, e.g. kriya", ("sektor", "subsektor")),
    Column("local_label", False, "the local sector label, e.g. kerajinan perak",
           ("label_lokal", "cabang_industri")),
    Column("kbli", False, "KBLI, 5 digits", ()),
    Column("kbli_version", False, "2020 or 2025 (2020 when empty)", ("versi_kbli",)),
    Column("business_form", False, "perorangan, ud, cv, pt, firma, koperasi, lainnya", ("bentuk_usaha",)),
    Column("regency_code", True, "BPS kabupaten/kota code, 4 digits", ("kode_kabupaten", "kode_kab")),
    Column("district_code", True, "BPS kecamatan code, 7 digits", ("kode_kecamatan", "kode_kec")),
    Column("village_code", True, "BPS desa/kelurahan code, 10 digits", ("kode_desa", "kode_kelurahan")),
    Column("address", False, "street address (personal data for a household business)", ("alamat",)),
    Column("sentra_name", False, "name of a sentra already recorded in Sentra", ("sentra", "nama_sentra")),
    Column("workers", True, "number of workers, at least 1", ("tenaga_kerja", "jumlah_tenaga_kerja")),
    Column("investment_idr", False, "investment excluding land and buildings, rupiah",
           ("investasi", "nilai_investasi")),
    Column("annual_sales_idr", False, "annual sales, rupiah", ("omzet_tahunan", "penjualan_tahunan")),
    Column("koperasi_name", False, "the koperasi the IKM belongs to", ("koperasi", "nama_koperasi")),
    Column("status", False, "active, inactive or closed (active when empty)", ("status_usaha",)),
    Column("registered_year", False, "year first recorded by the office (this year when empty)",
           ("tahun_terdaftar", "tahun_pendataan")),
    Column("needs", False, "needs separated by |: capital, market_access, machinery, training, certification, "
                          "raw_material, packaging, digital_marketing", ("kebutuhan",)),
    Column("needs_accessible_booth", False, "ya/tidak: the owner needs an accessible booth", ("butuh_stan_akses",)),
    Column("cert_kind", False, "certificate: halal, pirt, bpom_md, sni, hki, competency, other", ("jenis_sertifikat",)),
    Column("cert_number", False, "certificate number", ("nomor_sertifikat",)),
    Column("cert_issuer", False, "who issued the certificate (BPJPH, Dinkes, an LSP…)", ("penerbit_sertifikat",)),
    Column("cert_valid_until", False, "certificate valid until, YYYY-MM-DD or DD/MM/YYYY", ("sertifikat_berlaku",)),
    Column("product_name", False, "main product", ("produk", "nama_produk")),
    Column("product_category", False, "main product's category", ("kategori_produk",)),
    Column("product_price_idr", False, "main product's price, rupiah", ("harga", "harga_produk")),
    Column("product_monthly_capacity", False, "main product's monthly capacity (units)", ("kapasitas_per_bulan",)),
    Column("more_products", False, "further product names separated by |", ("produk_lain",)),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED = tuple(c.name for c in COLUMNS if c.required)
_BY_ALIAS = {alias: c.name for c in COLUMNS for alias in (c.name, *c.aliases)}

NEED_WORDS = {"modal": "capital", "pemasaran": "market_access", "akses_pasar": "market_access", "mesin": "machinery",
              "peralatan": "machinery", "pelatihan": "training", "sertifikasi": "certification",
              "bahan_baku": "raw_material", "kemasan": "packaging", "pemasaran_digital": "digital_marketing"}
YES = {"ya", "y", "yes", "true", "1", "benar"}
NO = {"tidak", "t", "no", "n", "false", "0", "bukan", ""}
GENDER_WORDS = {"f": "F", "p": "F", "perempuan": "F", "wanita": "F", "m": "M", "l": "M", "laki-laki": "M",
                "laki laki": "M", "pria": "M"}


@dataclass(frozen=True)
class ImportFile:
    """A file read and checked: its format, its columns and its non-blank data rows, with where the
    table was found, each field's column name as the file writes it, and what was read past."""

    file_format: str
    columns: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]
    labels: dict[str, str] = dc_field(default_factory=dict)
    warnings: tuple[FieldError, ...] = ()
    sheet: str | None = None
    header_line: int = 1
    # Each column of the header as the file writes it, with the field read from it (or None) and why.
    uses: tuple[tuple[str, str | None, str], ...] = ()
    columns_key: str = ""
    in_template_format: bool = False
    # What refuses the file until its mapping is corrected (a preview lists them; a run raises them).
    problems: tuple[FieldError, ...] = ()


@dataclass(frozen=True)
class Sheets:
    """A file's worksheets as read, before the table is looked for (a CSV is one sheet)."""

    file_format: str
    sheets: list[Sheet]


def _bad_file(message: str, message_en: str, status: int = 422, errors: list[FieldError] | None = None) -> ApiError:
    return ApiError(status, "bad_import_file", message, message_en, errors)


def field_for(label: str) -> str | None:
    """The import field a column name stands for (template names, their aliases, office names)."""
    key = header_key(label)
    return _BY_ALIAS.get(key) or OFFICE_ALIASES.get(key) or (key if key in OFFICE_FIELDS else None)


def _known(label: str) -> bool:
    key = header_key(label)
    return field_for(label) is not None or key in NOT_STORED or key in ROW_NUMBER


# Fields the number-cell rules apply to (a NIK may be rounded; a NIB or phone lost its leading 0).
_NUMBER_SENSITIVE = ("owner_nik", "nib", "owner_phone")
_TOO_MANY_ROWS_EXTRA = HEADER_SEARCH_ROWS + 100  # a title block, a totals row and a signature block


def read_import_file(content: bytes, filename: str, max_rows: int, mapping: Mapping | None = None,
                     regency: str | None = None) -> ImportFile:
    """Read a CSV or XLSX upload, or raise a 4xx `ApiError` that says what is wrong with it."""
    return read_table(read_sheets(content, filename, max_rows), max_rows, mapping, regency)


def read_sheets(content: bytes, filename: str, max_rows: int) -> Sheets:
    """The worksheets of an upload (the slow part of reading a workbook), or a 4xx `ApiError`."""
    return Sheets(*_sheets(content, filename, max_rows + _TOO_MANY_ROWS_EXTRA))


def read_table(sheets: Sheets, max_rows: int, mapping: Mapping | None = None, regency: str | None = None,
               strict: bool = True) -> ImportFile:
    """The table of the sheets with its columns read as `mapping` says (else as proposed), and the
    kabupaten `regency` when the file names it in neither its title nor a column. Not `strict`, the
    columns' problems are returned in `problems` for a preview instead of refusing the file."""
    mapping = mapping or Mapping()
    try:
        layout = find_layout(sheets.sheets, _known)
    except UnreadableSheet as exc:
        raise _bad_file("Berkas tidak berisi baris apa pun.", "The file has no rows.") from exc
    regency = _regency(layout, mapping, regency)
    header = _check_header(layout, regency is not None, mapping, strict)
    by_field = values_by_field(mapping, header.labels)
    rows = [(line_number, _row_values(cells, header, len(layout.labels), regency, by_field))
            for line_number, cells in layout.rows]
    if len(rows) > max_rows or layout.truncated:
        raise _bad_file(f"Terlalu banyak baris: paling banyak {max_rows:,} per berkas; bagi berkasnya.",
                        f"Too many rows: at most {max_rows:,} per file; split the file.", status=413)
    if not rows:
        raise _bad_file(f"Berkas hanya berisi judul kolom (baris {layout.header_line}), tanpa data IKM.",
                        f"The file has a header (line {layout.header_line}) but no IKM rows.")
    return ImportFile(sheets.file_format, tuple(name for _, name in header.positions), rows, header.labels,
                      tuple(header.warnings + _blank_with_data(layout, header)), layout.sheet, layout.header_line,
                      tuple(header.uses), columns_key(layout.labels), _in_template_format(layout, header),
                      tuple(header.problems))


def _regency(layout: Layout, mapping: Mapping, given: str | None) -> str | None:
    """The kabupaten of every row when no column names it: the sheet's title's, else the one given."""
    fields = {mapping.columns[label] if label in mapping.columns else field_for(label) for label in layout.labels}
    if fields & {"regency_code", "regency_name"}:
        return None
    return regency_in_title(Places(bps_regions()), layout.title) or given


def _blank_with_data(layout: Layout, header: _Header) -> list[FieldError]:
    return [FieldError(field=f"kolom {i + 1}", message=f"Kolom {i + 1} tanpa judul berisi data dan diabaikan.",
                       message_en=f"Column {i + 1} has no name but holds data; it was ignored.")
            for i in header.blank if any(i < len(cells) and cell_text(cells[i]) for _, cells in layout.rows)]


def _in_template_format(layout: Layout, header: _Header) -> bool:
    """The header is the file's first line and names every column the template requires by the
    template's own names (or their aliases): such a file runs in one step, without a preview."""
    if layout.title or header.problems:
        return False
    by_template = {_BY_ALIAS[header_key(label)] for label, name, _ in header.uses if header_key(label) in _BY_ALIAS}
    return set(REQUIRED) <= by_template


def _sheets(content: bytes, filename: str, limit: int) -> tuple[str, list[Sheet]]:
    if not content.strip():
        raise _bad_file("Berkas kosong.", "The file is empty.")
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise _bad_file("Format XLS lama tidak didukung; simpan sebagai XLSX atau CSV.",
                        "The old XLS format is not supported; save as XLSX or CSV.", status=415)
    if content[:4] == b"PK\x03\x04":
        check_xlsx_sizes(content)  # a zip bomb is refused before openpyxl inflates it
        return "xlsx", _xlsx_sheets(content, limit)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise _bad_file("Berkas XLSX ini rusak atau bukan XLSX.", "This XLSX file is damaged or not an XLSX file.")
    return "csv", [_csv_sheet(content, limit)]


def _row_values(cells: list[Any], header: _Header, width: int, regency: str | None,
                by_field: dict[str, dict[str, str]]) -> dict[str, str]:
    """A data row as text by field, marking the number cells a NIK, NIB or phone came from."""
    values = {"__extra__": "1"} if any(cell_text(c) for c in cells[width:]) else {}
    if len(cells) < width:
        cells = cells + [""] * (width - len(cells))
    values.update({name: c.strip() if type(c := cells[i]) is str else cell_text(c) for i, name in header.positions})
    numeric = [name for i, name in header.sensitive if is_number_cell(cells[i])]
    if numeric:
        values["__numeric__"] = " ".join(numeric)
    if regency is not None:
        values["regency_code"] = regency
    if by_field:
        apply_values(values, by_field)
    return values


def _csv_sheet(content: bytes, limit: int) -> Sheet:
    if b"\x00" in content[:4096]:
        raise _bad_file("Berkas ini bukan CSV atau XLSX yang dapat dibaca.", "This file is not a readable CSV or XLSX.",
                        status=415)
    try:
        return read_csv_sheet(content, limit)
    except UnreadableCsv as exc:
        raise _bad_file(exc.message, exc.message_en, status=exc.status) from exc


def _xlsx_sheets(content: bytes, limit: int) -> list[Sheet]:
    try:
        return read_xlsx_sheets(content, limit)
    except XLSX_ERRORS as exc:
        raise _bad_file("Berkas XLSX ini rusak atau bukan XLSX.", "This XLSX file is damaged or not an XLSX file.") \
            from exc


@dataclass
class _Header:
    positions: list[tuple[int, str]] = dc_field(default_factory=list)  # (cell index, field) of each column read
    labels: dict[str, str] = dc_field(default_factory=dict)
    warnings: list[FieldError] = dc_field(default_factory=list)
    blank: list[int] = dc_field(default_factory=list)
    uses: list[tuple[str, str | None, str]] = dc_field(default_factory=list)  # (label, field, why)
    problems: list[FieldError] = dc_field(default_factory=list)

    @functools.cached_property
    def sensitive(self) -> list[tuple[int, str]]:
        """The columns where a number cell matters (a NIK may be rounded, a NIB or phone lost its 0)."""
        return [(i, name) for i, name in self.positions if name in _NUMBER_SENSITIVE]


def _proposal(label: str) -> tuple[str | None, str]:
    """The field a column's name proposes, and where the proposal comes from."""
    key = header_key(label)
    if key in _BY_ALIAS:
        return _BY_ALIAS[key], "template" if key == _BY_ALIAS[key] else "alias"
    name = field_for(label)
    if name is not None:
        return name, "office"
    return None, "not_stored" if key in NOT_STORED else "row_number" if key in ROW_NUMBER else "unknown"


def _place_column(header: _Header, errors: list[FieldError], position: int, label: str, name: str | None) -> None:
    """Read a column into its field, or say why it is not read (a blank name, a field twice, no field)."""
    key = header_key(label)
    if not key:
        header.blank.append(position)
    elif name in header.labels:
        errors.append(FieldError(field=label[:60], message=f"Kolom ini muncul dua kali (kolom {position + 1}).",
                                 message_en=f"This column appears twice (column {position + 1})."))
    elif name is not None:
        header.positions.append((position, name))
        header.labels[name] = label.strip()[:60]
    elif key in NOT_STORED:
        what, what_en = NOT_STORED[key]
        header.warnings.append(FieldError(
            field=label[:60], message=f"Kolom {what} dikenali tetapi belum dapat disimpan; kolom ini diabaikan.",
            message_en=f"The {what_en} column is recognised but cannot be stored yet; it was ignored."))
    elif key not in ROW_NUMBER:
        header.warnings.append(FieldError(
            field=label[:60], message=f"Kolom tidak dikenal (kolom {position + 1}); kolom ini diabaikan.",
            message_en=f"Unknown column (column {position + 1}); it was ignored."))


def _check_header(layout: Layout, regency_known: bool, mapping: Mapping, strict: bool = True) -> _Header:
    """Each column's field (as `mapping` says, else as proposed); unknown columns and columns the
    register has no place for are read past with a warning; a column named twice, or a missing one the
    register needs, refuses the file (or, not `strict`, is listed in `problems`)."""
    header = _Header()
    errors: list[FieldError] = []
    for position, label in enumerate(layout.labels):
        name, why = (mapping.columns[label], "mapping") if label in mapping.columns else _proposal(label)
        header.uses.append((label, name, why if header_key(label) else "blank"))
        if why != "mapping" or name is not None:  # a column the registrar left out gets no warning
            _place_column(header, errors, position, label, name)
    errors += _missing(set(header.labels), regency_known)
    if errors and not strict:
        header.problems = errors
    elif errors:
        where = f"lembar {layout.sheet!r}, " if layout.sheet else ""
        where_en = f"sheet {layout.sheet!r}, " if layout.sheet else ""
        raise _bad_file(f"Judul kolom ({where}baris {layout.header_line}) tidak sesuai format impor; lihat templat "
                        "impor.", f"The column names ({where_en}line {layout.header_line}) do not match the import "
                        "format; see the import template.", errors=errors + header.warnings)
    for code, name in (("regency_code", "regency_name"), ("district_code", "district_name"),
                       ("village_code", "village_name"), ("workers", "workers_male"), ("workers", "workers_female"),
                       ("product_monthly_capacity", "capacity_unit")):
        if code not in header.labels and name in header.labels:
            header.labels[code] = header.labels[name]
    return header


# Each field the register needs, and the columns any one of which can supply it.
_NEEDED: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("name", ("name",), "", ""),
    ("owner_name", ("owner_name",), "", ""),
    ("owner_nik", ("owner_nik",), "", ""),
    ("workers", ("workers", "workers_male", "workers_female"), " (atau TENAGA KERJA L/P)", " (or TENAGA KERJA L/P)"),
    ("sector", ("sector", "kbli", "product_name", "local_label"), " (atau KBLI, atau KOMODITI / PRODUK)",
     " (or KBLI, or KOMODITI / PRODUK)"),
    ("district_code", ("district_code", "district_name", "village_name", "village_code"), " (atau KECAMATAN)",
     " (or KECAMATAN)"),
    ("village_code", ("village_code", "village_name"), " (atau DESA/KELURAHAN)", " (or DESA/KELURAHAN)"),
)


def _missing(fields: set[str], regency_known: bool) -> list[FieldError]:
    errors = [FieldError(field=name, message=f"Kolom wajib ini tidak ada{alt}.",
                         message_en=f"This required column is missing{alt_en}.")
              for name, sources, alt, alt_en in _NEEDED if not fields & set(sources)]
    if not regency_known and not fields & {"regency_code", "regency_name"}:
        errors.append(FieldError(field="regency_code", message="Kolom wajib ini tidak ada (atau KABUPATEN, atau nama "
                                 "kabupaten/kota di judul lembar, atau kode kabupaten pada unggahan).",
                                 message_en="This required column is missing (or KABUPATEN, or the regency's name "
                                 "in the sheet's title, or the regency code with the upload)."))
    return errors


# --- one row into the body of POST /ikms ---------------------------------------------------------


def _rupiah(text: str) -> str | int:
    """'Rp 150.000.000', '150,000,000' and '150000000' are all 150000000; anything else stays text."""
    if text.isascii() and text.isdigit():  # the usual cell: four of these per row of a 15,000-row file
        return int(text)
    cleaned = re.sub(r"(?i)^rp\.?\s*", "", text).replace(" ", "")
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", cleaned):
        return int(re.sub(r"[.,]", "", cleaned))
    if re.fullmatch(r"\d+([.,]0+)?", cleaned):
        return int(re.split(r"[.,]", cleaned)[0])
    return text


def _date(text: str) -> str:
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}" if match else text


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[|;,]", text) if part.strip()]


def row_to_ikm(values: dict[str, str]) -> tuple[dict[str, Any], str | None]:
    """The `IkmCreate` body a row stands for, and the sentra name it refers to (if any)."""
    v = {k: s for k, s in values.items() if s != "" and not k.startswith("__blank_")}
    body: dict[str, Any] = {}
    for name in ("nib", "name", "sector", "local_label", "kbli", "kbli_version", "business_form", "regency_code",
                 "district_code", "village_code", "address", "koperasi_name", "registered_year", "workers"):
        if name in v:
            body[name] = v[name]
    if "status" in v:
        body["status"] = v["status"].lower()
    if "business_form" in v:
        body["business_form"] = v["business_form"].lower().rstrip(".")
    if "sector" in v:
        body["sector"] = v["sector"].lower()
    for name in ("investment_idr", "annual_sales_idr"):
        if name in v:
            body[name] = _rupiah(v[name])
    owner: dict[str, Any] = {}
    for column, field in (("owner_name", "name"), ("owner_nik", "nik"), ("owner_phone", "phone")):
        if column in v:
            owner[field] = v[column]
    if "owner_gender" in v:
        owner["gender"] = GENDER_WORDS.get(v["owner_gender"].lower(), v["owner_gender"])
    body["owner"] = owner
    if "needs" in v:
        body["needs"] = [NEED_WORDS.get(header_key(n), header_key(n)) for n in _split(v["needs"])]
    if "needs_accessible_booth" in v:
        word = v["needs_accessible_booth"].lower()
        body["needs_accessible_booth"] = True if word in YES else False if word in NO else word
    if any(k.startswith("cert_") for k in v):
        cert: dict[str, Any] = {}
        for column in ("cert_kind", "cert_number", "cert_issuer"):
            if column in v:
                cert[column.removeprefix("cert_")] = v[column].lower() if column == "cert_kind" else v[column]
        if "cert_valid_until" in v:
            cert["valid_until"] = _date(v["cert_valid_until"])
        body["certifications"] = [cert]
    products: list[dict[str, Any]] = []
    if any(k.startswith("product_") for k in v):
        product: dict[str, Any] = {"name": v["product_name"]} if "product_name" in v else {}
        if "product_category" in v:
            product["category"] = v["product_category"]
        if "product_price_idr" in v:
            product["price_idr"] = _rupiah(v["product_price_idr"])
        if "product_monthly_capacity" in v:
            product["monthly_capacity"] = _rupiah(v["product_monthly_capacity"])
        products.append(product)
    if "more_products" in v:
        products += [{"name": n} for n in v["more_products"].split("|") if n.strip()]
    body["products"] = products
    if "__extra__" in values:
        body["__extra__"] = True  # IkmCreate forbids it: the row has more cells than the header
    return body, v.get("sentra_name")


def column_of(field: str) -> str:
    """The file column a field error of `IkmCreate` (or of the register) points at."""
    parts = field.split(".")
    head = parts[0]
    if head == "owner" and len(parts) > 1:
        return f"owner_{parts[1]}"
    if head == "certifications":
        return f"cert_{parts[2]}" if len(parts) > 2 else "cert_kind"
    if head == "products":
        if len(parts) > 2 and parts[1] == "0":
            return f"product_{parts[2]}"
        return "more_products" if len(parts) > 1 else "product_name"
    if head == "sentra_id":
        return "sentra_name"
    if head == "__extra__":
        return "row"
    return head


def row_errors(errors: list[FieldError], labels: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Field errors renamed to file columns, as stored with a rejected row: the column's name as the
    file writes it (`NO. HP`) when the file's `labels` are known, else the template's."""
    out: list[dict[str, str]] = []
    for err in errors:
        message, message_en = err.message, err.message_en
        if err.field == "__extra__":
            message, message_en = ("Baris ini berisi lebih banyak sel daripada judul kolom.",
                                   "This row has more cells than there are column names.")
        column = column_of(err.field)
        out.append({"field": (labels or {}).get(column, column), "message": message, "message_en": message_en})
    return out


def template_csv() -> str:
    """The header line of the import template."""
    return ",".join(COLUMN_NAMES) + "\n"
