"""The default curation rubric (DOMAIN.md, Curation) as data, and the rule that turns scores into an
outcome. A rubric is versioned: a case keeps the version it was opened with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Outcome = Literal["approved", "approved_with_conditions", "needs_improvement", "rejected"]


@dataclass(frozen=True)
class Gate:
    code: str
    label: str
    label_en: str


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    label_en: str
    weight: int
    anchors: dict[int, str]


@dataclass(frozen=True)
class Rubric:
    version: str
    gates: tuple[Gate, ...]
    criteria: tuple[Criterion, ...]
    approved_min: float = 80
    conditional_min: float = 65
    improvement_min: float = 50
    disagreement_points: float = 1.5


def _anchors(one: str, three: str, five: str) -> dict[int, str]:
    return {1: one, 2: "antara 1 dan 3 / between 1 and 3", 3: three, 4: "antara 3 dan 5 / between 3 and 5",
            5: five}


DEFAULT_RUBRIC = Rubric(
    version="default-2026.1",
    gates=(
        Gate("maker", "Pemohon membuat sendiri produknya (bukan penjual ulang)",
             "The applicant makes the product (not a reseller)"),
        Gate("legal", "NIB sah dan KBLI sesuai produk (bila disyaratkan)",
             "Valid NIB whose KBLI matches the product (where required)"),
        Gate("domicile", "Usaha berada di wilayah penyelenggara", "The business is in the organiser's region"),
        Gate("food_permit", "Pangan olahan memiliki P-IRT atau BPOM MD", "Processed food has P-IRT or BPOM MD"),
        Gate("original", "Tidak meniru desain pihak lain", "No evident copy of another's design"),
    ),
    criteria=(
        Criterion("quality", "Mutu dan keterampilan", "Quality and craftsmanship", 25,
                  _anchors("cacat terlihat", "rapi, tanpa cacat berarti", "mutu ekspor, sempurna")),
        Criterion("design", "Desain, orisinalitas dan identitas lokal", "Design, originality and local identity",
                  20, _anchors("umum, meniru", "ada ciri khas", "orisinal dan kuat identitas Bali")),
        Criterion("packaging", "Kemasan dan label", "Packaging and label", 15,
                  _anchors("tanpa kemasan/label", "kemasan layak, label belum lengkap",
                           "kemasan menarik, label lengkap")),
        Criterion("price", "Harga pantas (dalam batas Dekranasda)", "Fair price (within the Dekranasda cap)", 15,
                  _anchors("jauh di atas batas", "dalam batas", "bersaing dan dalam batas")),
        Criterion("capacity", "Kapasitas dan kesinambungan produksi", "Production capacity and continuity", 15,
                  _anchors("tidak menentu", "stabil untuk pesanan kecil", "stabil untuk pesanan besar")),
        Criterion("legality", "Legalitas dan sertifikat lain", "Further legality and certificates", 10,
                  _anchors("belum ada", "sebagian", "lengkap (halal, SNI, HKI…)")),
    ),
)


def weighted_total(rubric: Rubric, scores: dict[str, int]) -> float:
    """One curator's total on 0–100: each 1–5 score scaled to its weight."""
    return round(sum(c.weight * scores[c.code] / 5 for c in rubric.criteria), 2)


def grade_for(total: float, rubric: Rubric = DEFAULT_RUBRIC) -> tuple[Outcome, str]:
    """Outcome and grade from the mean of the curators' weighted totals (DOMAIN.md thresholds)."""
    if total >= rubric.approved_min:
        return "approved", "A"
    if total >= rubric.conditional_min:
        return "approved_with_conditions", "B"
    if total >= rubric.improvement_min:
        return "needs_improvement", "C"
    return "rejected", "D"
