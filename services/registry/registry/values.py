"""Values as an office types them into a spreadsheet, read into what the register stores.

Each reader is pure: it returns the value, or raises `ValueProblem` saying, in Indonesian and in
English, what would be accepted instead. Nothing is guessed into a different value: a NIK that may
have been rounded by a number cell is refused rather than stored with a wrong last digit.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation


class ValueProblem(ValueError):
    """Why a cell cannot be read, with what to write instead, in both languages."""

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message = message
        self.message_en = message_en


# Words an office writes in a cell that has no value (yet).
EMPTY_MARKERS = frozenset({"", "-", "--", "---", "—", "–", ".", "belum ada", "dalam proses", "sedang proses",
                           "proses", "tidak ada", "belum", "belum punya", "tidak punya", "nihil", "n/a", "na"})


LONGEST_MARKER = max(len(m) for m in EMPTY_MARKERS) + 4  # room for spaces and a full stop
_MARKER_STARTS = frozenset(m[:1] for m in EMPTY_MARKERS if m) | frozenset(m[:1].upper() for m in EMPTY_MARKERS if m)


def is_empty_marker(text: str) -> bool:
    """`-`, `Belum ada`, `Dalam proses`, `Tidak ada` and the like: the cell says "nothing here"."""
    if not text:
        return True
    if len(text) > LONGEST_MARKER or text.lstrip()[:1] not in _MARKER_STARTS:  # most cells: a name, a number
        return not text.strip()
    return " ".join(text.lower().split()).rstrip(".") in EMPTY_MARKERS or text.strip() in EMPTY_MARKERS


# --- numbers ---------------------------------------------------------------------------------------

_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")
_MULTIPLIERS = {"rb": 10**3, "ribu": 10**3, "k": 10**3, "jt": 10**6, "juta": 10**6, "m": 10**9, "milyar": 10**9,
                "miliar": 10**9, "mlyr": 10**9, "t": 10**12, "triliun": 10**12}
_MONEY = re.compile(r"(?P<number>[0-9][0-9.,]*)\s*(?P<word>[a-z]+)?")


def _decimal(text: str) -> Decimal:
    """An Indonesian number: `.` groups thousands and `,` marks decimals (`25.000.000,00`, `1,5`);
    a lone `.` before one or two digits is read as a decimal point (`1.5 M`)."""
    if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+(,[0-9]*)?", text):
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?", text):  # an English-locale file
        text = text.replace(",", "")
    elif re.fullmatch(r"[0-9]+,[0-9]*", text):
        text = text.replace(",", ".")
    try:
        return Decimal(text.rstrip("."))
    except InvalidOperation as exc:
        raise ValueError(text) from exc


def parse_money(text: str) -> int:
    """Rupiah: `150000000`, `Rp. 25.000.000,-`, `Rp25.000.000,00`, `25 juta`, `1,5 M`, `500 rb`."""
    if text.isascii() and text.isdigit():
        return int(text)
    cleaned = re.sub(r"(?i)^\s*rp\.?\s*", "", text).strip().lower()
    cleaned = re.sub(r"[,.]-$", "", cleaned).rstrip("-").strip()
    match = _MONEY.fullmatch(cleaned)
    problem = ValueProblem(f"Nilai rupiah {text!r} tidak terbaca; tulis angka saja, misalnya 25000000, "
                           "Rp 25.000.000 atau 25 juta.",
                           f"The rupiah amount {text!r} cannot be read; write a number such as 25000000, "
                           "Rp 25.000.000 or 25 juta.")
    if match is None:
        raise problem
    multiplier = 1
    if match["word"]:
        if match["word"] not in _MULTIPLIERS:
            raise problem
        multiplier = _MULTIPLIERS[match["word"]]
    try:
        amount = _decimal(match["number"]) * multiplier
    except ValueError as exc:
        raise problem from exc
    if amount != amount.to_integral_value():
        raise problem
    return int(amount)


def parse_count(text: str) -> int:
    """A whole number of something (workers): `6`, `6 orang`, `6.0` from a number cell."""
    match = re.fullmatch(r"([0-9]+)(?:[.,]0+)?\s*(orang|org|tk)?\.?", text.strip().lower())
    if match is None:
        raise ValueProblem(f"Jumlah {text!r} tidak terbaca; tulis bilangan bulat, misalnya 6.",
                           f"The count {text!r} cannot be read; write a whole number such as 6.")
    return int(match[1])


@dataclass(frozen=True)
class Capacity:
    """A production capacity as written: the (lower) amount, the upper end of a range, unit, period."""

    amount: Decimal
    upper: Decimal | None
    unit: str
    period: str  # "bulan", "tahun", "minggu", "hari" or "" when not written


_PERIODS = {"bulan": "bulan", "bln": "bulan", "bl": "bulan", "month": "bulan", "tahun": "tahun", "thn": "tahun",
            "th": "tahun", "year": "tahun", "minggu": "minggu", "mgg": "minggu", "hari": "hari", "hr": "hari"}
_PER_MONTH = {"bulan": Decimal(1), "": Decimal(1), "tahun": Decimal(1) / 12, "minggu": Decimal(52) / 12,
              "hari": Decimal(26)}  # a working month of 26 days, the usual figure in an office's report
_WEIGHTS = {"ton": ("kg", 1000), "kuintal": ("kg", 100), "kwintal": ("kg", 100)}
_CAPACITY = re.compile(r"(?P<low>[0-9][0-9.,]*)\s*(?:(?:-|–|s/d|sampai)\s*(?P<high>[0-9][0-9.,]*))?\s*"
                       r"(?P<unit>[a-z][a-z. ]*?)?\s*(?:(?:/|per|tiap|setiap)\s*(?P<period>[a-z]+))?\.?")


def parse_capacity(text: str, unit: str = "") -> Capacity:
    """`500 pcs/bulan`, `1,5 ton`, `100-150`, `2.000 buah per tahun`; `unit` is a separate SATUAN cell."""
    if text.isascii() and text.isdigit() and not unit:  # the template's plain units per month
        return Capacity(Decimal(text), None, "", "")
    written = f"{text} {unit}".strip().lower() if unit and not re.search(r"[a-z]", text.lower()) else text.lower()
    match = _CAPACITY.fullmatch(written.strip())
    if match is None:
        raise ValueProblem(f"Kapasitas {text!r} tidak terbaca; tulis jumlah dan satuannya, misalnya 500 pcs/bulan.",
                           f"The capacity {text!r} cannot be read; write an amount and its unit, such as "
                           "500 pcs/bulan.")
    period = _PERIODS.get(match["period"] or "", "")
    if match["period"] and not period:
        raise ValueProblem(f"Periode kapasitas {match['period']!r} tidak dikenal; tulis per hari, minggu, bulan "
                           "atau tahun.", f"Unknown capacity period {match['period']!r}; write per hari, minggu, "
                           "bulan or tahun.")
    try:
        low = _decimal(match["low"])
        high = _decimal(match["high"]) if match["high"] else None
    except ValueError as exc:
        raise ValueProblem(f"Kapasitas {text!r} tidak terbaca; tulis angka, misalnya 500.",
                           f"The capacity {text!r} cannot be read; write a number such as 500.") from exc
    return Capacity(low, high, " ".join((match["unit"] or "").replace(".", " ").split()), period)


def monthly_units(capacity: Capacity) -> int:
    """The register's `monthly_capacity`: the lower end of a range, per month, weights in kg, whole units."""
    amount = capacity.amount * _PER_MONTH[capacity.period]
    if capacity.unit in _WEIGHTS:
        amount *= _WEIGHTS[capacity.unit][1]
    return math.floor(amount)


# --- identifiers --------------------------------------------------------------------------------


def _identifier_digits(text: str, what: str, length: int) -> str:
    if text.isascii() and text.isdigit():
        return text
    if _SCIENTIFIC.fullmatch(text.strip()):
        raise ValueProblem(f"{what} tertulis sebagai {text.strip()!r}: angka ini sudah dibulatkan oleh Excel. Ubah "
                           f"format kolom {what} menjadi Teks dan ketik ulang {length} digitnya.",
                           f"The {what} reads {text.strip()!r}: Excel has already rounded it. Format the {what} "
                           f"column as Text and type its {length} digits again.")
    digits = re.sub(r"[\s.\-']", "", text)
    if not (digits.isascii() and digits.isdigit()):
        raise ValueProblem(f"{what} hanya boleh berisi {length} digit angka.",
                           f"The {what} may only hold {length} digits.")
    return digits


def parse_nik(text: str, from_number_cell: bool = False) -> str:
    """A NIK typed with spaces or dots. One from a number cell is refused: Excel keeps 15 significant
    digits, so its 16th may already have been changed."""
    digits = _identifier_digits(text, "NIK", 16)
    if from_number_cell:
        raise ValueProblem("NIK tersimpan sebagai angka, sehingga digit terakhirnya mungkin sudah dibulatkan oleh "
                           "Excel. Ubah format kolom NIK menjadi Teks dan ketik ulang 16 digitnya.",
                           "The NIK is stored as a number, so Excel may already have rounded its last digit. "
                           "Format the NIK column as Text and type its 16 digits again.")
    return digits


def parse_nib(text: str, from_number_cell: bool = False) -> str:
    """A NIB typed with spaces or dots; a number cell drops its leading 0, which is put back."""
    digits = _identifier_digits(text, "NIB", 13)
    if len(digits) == 12:
        if from_number_cell:
            return "0" + digits
        raise ValueProblem("NIB berisi 12 digit, padahal NIB 13 digit. Bila angka 0 di depannya hilang karena "
                           "kolomnya berformat angka, ubah format kolom NIB menjadi Teks dan ketik ulang NIB-nya.",
                           "The NIB has 12 digits where a NIB has 13. If its leading 0 was lost because the column "
                           "is formatted as a number, format the NIB column as Text and type the NIB again.")
    return digits


_PHONE_SPLIT = re.compile(r"\s*(?:/|,|;|&|\bdan\b|\batau\b|\n)\s*")


def parse_phone(text: str, from_number_cell: bool = False) -> str:
    """The first phone number of a cell (`0812… / 0813…` keeps the first), without `(0361)` brackets,
    spaces or dashes; a number cell's lost leading 0 is put back."""
    if text[:1] == "0" and text.isascii() and text.isdigit():
        return text
    first = next((part for part in _PHONE_SPLIT.split(text.strip()) if part), "")
    digits = re.sub(r"[\s().\-]", "", first)
    if digits.startswith("+"):
        digits = "+" + digits[1:]
    elif digits[:1] == "8" or (from_number_cell and digits[:1] != "0" and not digits.startswith("62")):
        digits = "0" + digits  # a mobile number (08…) or a number cell lost its leading 0
    if not re.fullmatch(r"\+?[0-9]{6,16}", digits):
        # The number is personal data: the message says what is wrong without repeating it.
        raise ValueProblem("Nomor telepon tidak terbaca; tulis satu nomor berisi 6 sampai 16 digit, misalnya "
                           "081234567890 atau (0361) 123456.", "The phone number cannot be read; write one number "
                           "of 6 to 16 digits such as 081234567890 or (0361) 123456.")
    return digits


# --- dates -------------------------------------------------------------------------------------------

MONTHS = {"januari": 1, "jan": 1, "februari": 2, "pebruari": 2, "feb": 2, "peb": 2, "maret": 3, "mar": 3,
          "april": 4, "apr": 4, "mei": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "agustus": 8, "agu": 8,
          "agt": 8, "agust": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "november": 11,
          "nov": 11, "nopember": 11, "nop": 11, "desember": 12, "des": 12}


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if len(text) == 2 else year


def parse_date(text: str) -> date:
    """`2028-01-31` (a date cell), `31/01/2028`, `31/01/28`, `31-01-2028`, `31 Januari 2028`, `31-Jan-28`."""
    cleaned = text.strip().lower()
    problem = ValueProblem(f"Tanggal {text!r} tidak terbaca; tulis misalnya 31/01/2028 atau 31 Januari 2028.",
                           f"The date {text!r} cannot be read; write for example 31/01/2028 or 31 Januari 2028.")
    iso = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", cleaned)
    numeric = re.fullmatch(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4}|[0-9]{2})", cleaned)
    named = re.fullmatch(r"([0-9]{1,2})[\s\-.]+([a-z]+)[\s\-.,]+([0-9]{4}|[0-9]{2})", cleaned)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if numeric:
            return date(_year(numeric[3]), int(numeric[2]), int(numeric[1]))
        if named and named[2] in MONTHS:
            return date(_year(named[3]), MONTHS[named[2]], int(named[1]))
    except ValueError as exc:
        raise problem from exc
    raise problem


# --- words -------------------------------------------------------------------------------------------

GENDERS = {"f": "F", "p": "F", "pr": "F", "perempuan": "F", "wanita": "F", "w": "F", "m": "M", "l": "M",
           "lk": "M", "laki-laki": "M", "laki laki": "M", "lakilaki": "M", "pria": "M"}


def parse_gender(text: str) -> str:
    """`L`/`P`, `LK`/`PR`, `Laki-laki`/`Perempuan`, `M`/`F` into the register's M/F."""
    key = " ".join(text.lower().replace(".", "").split())
    if key not in GENDERS:
        raise ValueProblem(f"Jenis kelamin {text!r} tidak dikenal; tulis L atau P.",
                           f"Unknown gender {text!r}; write L (male) or P (female).")
    return GENDERS[key]


BUSINESS_FORMS = {"perorangan": "perorangan", "perseorangan": "perorangan", "individu": "perorangan",
                  "pribadi": "perorangan", "rumah tangga": "perorangan", "ud": "ud", "usaha dagang": "ud",
                  "cv": "cv", "persekutuan komanditer": "cv", "pt": "pt", "perseroan terbatas": "pt",
                  "pt perorangan": "pt", "firma": "firma", "fa": "firma", "koperasi": "koperasi", "kop": "koperasi",
                  "lainnya": "lainnya", "lain-lain": "lainnya"}


def parse_business_form(text: str) -> str:
    """`C.V.`, `CV`, `Perseorangan`, `Usaha Dagang`, `P.T.` into the register's codes."""
    key = " ".join(re.sub(r"(?<=\b[a-z])\.", "", text.lower()).replace(".", " ").split())
    if key not in BUSINESS_FORMS:
        raise ValueProblem(f"Bentuk usaha {text!r} tidak dikenal; tulis Perorangan, UD, CV, PT, Firma atau Koperasi.",
                           f"Unknown business form {text!r}; write Perorangan, UD, CV, PT, Firma or Koperasi.")
    return BUSINESS_FORMS[key]


CERTIFICATE_WORDS = {"pirt": "pirt", "p irt": "pirt", "spp irt": "pirt", "sppirt": "pirt", "halal": "halal",
                     "halal mui": "halal", "sertifikat halal": "halal", "mui": "halal", "bpom": "bpom_md",
                     "bpom md": "bpom_md", "md": "bpom_md", "pom md": "bpom_md", "sni": "sni", "hki": "hki",
                     "haki": "hki", "hki merek": "hki", "merek": "hki", "merk": "hki", "hak cipta": "hki",
                     "kompetensi": "competency", "lsp": "competency", "competency": "competency",
                     "lainnya": "other", "other": "other"}


def parse_certificate_kind(text: str) -> str:
    """`P-IRT`, `SPP-IRT`, `PIRT`, `HKI (Merek)`, `Halal MUI`, `BPOM MD` into the register's kinds."""
    key = " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())
    if key not in CERTIFICATE_WORDS:
        raise ValueProblem(f"Sertifikat {text!r} tidak dikenal; tulis P-IRT, Halal, BPOM MD, SNI, HKI, "
                           "Kompetensi atau Lainnya (satu sertifikat per baris).",
                           f"Unknown certificate {text!r}; write P-IRT, Halal, BPOM MD, SNI, HKI, Kompetensi or "
                           "Lainnya (one certificate per row).")
    return CERTIFICATE_WORDS[key]


_KBLI = re.compile(r"(?<![0-9])([0-9]{5})(?![0-9])")


def split_kbli(text: str) -> tuple[str | None, str]:
    """`10792 - Industri Roti` or `Industri Roti (10792)`: the 5-digit KBLI, if any, and the words."""
    match = _KBLI.search(text)
    words = " ".join(re.sub(r"(?i)\bkbli\b|[()\-:]", " ", _KBLI.sub(" ", text)).split())
    return (match[1] if match else None), words
