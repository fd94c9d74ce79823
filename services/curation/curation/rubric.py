"""The default curation rubric (DOMAIN.md, Curation) as data, and the rule that turns scores into an
outcome. A rubric is versioned: a case keeps the version it was opened with."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

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


APPROVED: frozenset[str] = frozenset({"approved", "approved_with_conditions"})
GRADE_OF: dict[str, str] = {"approved": "A", "approved_with_conditions": "B", "needs_improvement": "C",
                            "rejected": "D"}


def rubric_to_data(rubric: Rubric) -> dict[str, Any]:
    """The rubric as JSON-ready data: how it is stored (table `rubric`) and served (GET /rubric)."""
    return {
        "version": rubric.version,
        "gates": [{"code": g.code, "label": g.label, "label_en": g.label_en} for g in rubric.gates],
        "criteria": [{"code": c.code, "label": c.label, "label_en": c.label_en, "weight": c.weight,
                      "anchors": {str(k): v for k, v in sorted(c.anchors.items())}} for c in rubric.criteria],
        "thresholds": {"approved": rubric.approved_min, "approved_with_conditions": rubric.conditional_min,
                       "needs_improvement": rubric.improvement_min,
                       "disagreement_points": rubric.disagreement_points},
    }


def rubric_from_data(data: dict[str, Any]) -> Rubric:
    """The inverse of `rubric_to_data`."""
    t = data["thresholds"]
    return Rubric(
        version=str(data["version"]),
        gates=tuple(Gate(g["code"], g["label"], g["label_en"]) for g in data["gates"]),
        criteria=tuple(Criterion(c["code"], c["label"], c["label_en"], int(c["weight"]),
                                 {int(k): str(v) for k, v in c["anchors"].items()}) for c in data["criteria"]),
        approved_min=float(t["approved"]), conditional_min=float(t["approved_with_conditions"]),
        improvement_min=float(t["needs_improvement"]), disagreement_points=float(t["disagreement_points"]),
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
