"""Regions as an office writes them: kecamatan and desa by name (any case, `Desa `, `Ds.`, `Kel.`
prefixes, spacing, close spellings) within the kabupaten, BPS codes, and Kemendagri dotted codes
(`51.04.01.2001`). A name that fits two or more places is refused with the candidates named."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from registry.regions import Region, RegionIndex
from registry.values import ValueProblem

_PREFIX = re.compile(r"^(desa adat|desa|ds|kelurahan|kel|kecamatan|kec|kabupaten|kab|kota administrasi|kota adm|kota)"
                     r"\b\.?\s*")
CLOSE = 0.85  # a close spelling: `Singapdu` for Singapadu, `Blahbatu` for Blahbatuh
# Words that tell neighbouring villages apart (Singapadu Kaler, Singapadu Tengah): a spelling that
# differs in one of these is another village, never a typo.
_DIRECTIONS = frozenset({"kaja", "kelod", "klod", "kangin", "kauh", "kaler", "tengah", "utara", "selatan", "timur",
                         "barat", "kawan", "kanginan", "kauhan"})


def _directions(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z]+", name.lower())) & _DIRECTIONS


def place_key(name: str) -> str:
    """A region name as compared: lower case, without its `Desa`/`Kel.`/`Kec.`/`Kabupaten` prefix,
    without spaces or punctuation (`Batu Bulan` is Batubulan)."""
    text = " ".join(name.lower().split())
    text = _PREFIX.sub("", text, count=1)
    return re.sub(r"[^a-z0-9]", "", text)


def _kind(name: str) -> str | None:
    lowered = name.strip().lower()
    if lowered.startswith("kota"):
        return "kota"
    if lowered.startswith(("kab ", "kab.", "kabupaten")):
        return "kabupaten"
    return None


@dataclass
class Places:
    """The regions an import resolves names against: the region index and the villages admins added
    (an added village wins over a listed one of the same name in the same kecamatan: records use it)."""

    index: RegionIndex
    added: list[Region] = field(default_factory=list)
    _keys: dict[str, dict[str, list[Region]]] = field(default_factory=dict)
    # A file names the same few hundred places thousands of times: each name is resolved once.
    _resolved: dict[tuple[str, ...], Region | tuple[str, str]] = field(default_factory=dict)

    def _once(self, key: tuple[str, ...], resolve: Callable[[], Region]) -> Region:
        found = self._resolved.get(key)
        if found is None:
            try:
                found = resolve()
            except ValueProblem as exc:
                found = (exc.message, exc.message_en)
            self._resolved[key] = found
        if isinstance(found, tuple):
            raise ValueProblem(*found)
        return found

    def children(self, parent_code: str) -> list[Region]:
        own = [r for r in self.added if r.parent_code == parent_code]
        taken = {place_key(r.name) for r in own}
        return own + [r for r in self.index.children.get(parent_code, []) if place_key(r.name) not in taken]

    def _by_key(self, parent_codes: Iterable[str]) -> dict[str, list[Region]]:
        codes = tuple(parent_codes)
        cache_key = ",".join(codes)
        if cache_key not in self._keys:
            keyed: dict[str, list[Region]] = {}
            for code in codes:
                for region in self.children(code):
                    keyed.setdefault(place_key(region.name), []).append(region)
            self._keys[cache_key] = keyed
        return self._keys[cache_key]

    def name_of(self, code: str) -> str:
        region = self.index.get(code) or next((r for r in self.added if r.code == code), None)
        return region.name if region else code

    def regency(self, text: str) -> str:
        """The code of a kabupaten/kota written as a code (`5104`, `51.04`) or a name (`Gianyar`)."""
        digits = text.replace(".", "").strip()
        if re.fullmatch(r"[0-9]{4}", digits):
            return digits
        regencies = _regencies(self.index)
        kind = _kind(text)
        if kind is not None:
            regencies = [r for r in regencies if r.name.lower().startswith(kind)]
        keyed: dict[str, list[Region]] = {}
        for region in regencies:
            keyed.setdefault(place_key(region.name), []).append(region)
        return self._pick(text, keyed, "Kabupaten/kota", "Regency", None).code

    def district(self, regency_code: str, text: str) -> str:
        """The code of a kecamatan of the kabupaten, from a code or a name."""
        digits = text.replace(".", "").strip()
        if re.fullmatch(r"[0-9]{7}", digits):
            return digits
        if "." in text and re.fullmatch(r"[0-9]{6}", digits):
            return self.index.kemendagri.get(digits, digits)
        return self._once(("district", regency_code, text), lambda: self._pick(
            text, self._by_key([regency_code]), "Kecamatan", "District", self.name_of(regency_code))).code

    def village(self, regency_code: str, district_code: str | None, text: str) -> Region:
        """A desa/kelurahan from a code or a name: within the kecamatan when it is known, else
        anywhere in the kabupaten (its kecamatan then follows from it)."""
        digits = text.replace(".", "").strip()
        if re.fullmatch(r"[0-9]{10}", digits):
            code = self.index.kemendagri.get(digits, digits) if "." in text else digits
            found = self.index.get(code) or next((r for r in self.added if r.code == code), None)
            return found or Region(code=code, parent_code=district_code, name=text)
        return self._once(("village", regency_code, district_code or "", text),
                          lambda: self._village_by_name(regency_code, district_code, text))

    def _village_by_name(self, regency_code: str, district_code: str | None, text: str) -> Region:
        if district_code:
            parents: list[str] = [district_code]
            where = f"Kecamatan {self.name_of(district_code)}"
        else:
            parents = [d.code for d in self.index.children.get(regency_code, [])]
            where = self.name_of(regency_code)
        return self._pick(text, self._by_key(parents), "Desa/kelurahan", "Village", where)

    def _pick(self, text: str, keyed: dict[str, list[Region]], what: str, what_en: str, where: str | None) -> Region:
        key = place_key(text)
        found = keyed.get(key, []) or _close(text, key, keyed)
        if len(found) == 1:
            return found[0]
        place, place_en = (f" di {where}", f" in {where}") if where else ("", "")
        if found:
            names = ", ".join(self._described(r) for r in found)
            raise ValueProblem(f"{what} {text!r} cocok dengan lebih dari satu tempat{place}: {names}. Tulis kodenya "
                               "atau lengkapi kecamatannya.",
                               f"{what_en} {text!r} matches more than one place{place_en}: {names}. Write its code "
                               "or give its district.")
        hints = difflib.get_close_matches(key, list(keyed), n=3, cutoff=0.6)
        maybe = ", ".join(keyed[k][0].name for k in hints)
        raise ValueProblem(f"{what} {text!r} tidak ditemukan{place}" + (f"; mungkin maksudnya: {maybe}." if maybe
                                                                       else "; periksa ejaannya atau tulis kodenya."),
                           f"{what_en} {text!r} was not found{place_en}" + (f"; perhaps you meant: {maybe}." if maybe
                                                                            else "; check its spelling or write "
                                                                            "its code."))

    def _described(self, region: Region) -> str:
        parent = f" ({self.name_of(region.parent_code)})" if region.parent_code else ""
        return f"{region.name}{parent} {region.code}"


def _close(text: str, key: str, keyed: dict[str, list[Region]]) -> list[Region]:
    """The places spelled closest to `key` (all of them when two are equally close)."""
    if not key:
        return []
    close = [k for k in difflib.get_close_matches(key, list(keyed), n=3, cutoff=CLOSE)
             if _directions(keyed[k][0].name) == _directions(text)]
    if not close:
        return []
    best = difflib.SequenceMatcher(None, key, close[0]).ratio()
    return [r for k in close if difflib.SequenceMatcher(None, key, k).ratio() == best for r in keyed[k]]


def _regencies(index: RegionIndex) -> list[Region]:
    return [r for code, r in index.by_code.items() if len(code) == 4]


_TITLE = re.compile(r"\b(kabupaten|kab\.?|kota)\s+([a-z][a-z .'-]*?)(?=\s+(?:tahun|th\.?|provinsi|prov\.?|"
                    r"keadaan|per|bulan|semester|triwulan)\b|\s*[0-9(,]|\s*$)")


def regency_in_title(places: Places, lines: Iterable[str]) -> str | None:
    """The kabupaten/kota a title block names (`DATA IKM KABUPATEN GIANYAR TAHUN 2025`), if exactly one."""
    for line in lines:
        for match in _TITLE.finditer(line.lower()):
            try:
                return places.regency(f"{match[1]} {match[2]}")
            except ValueProblem:
                continue
    return None
