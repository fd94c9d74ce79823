"""Realistic request bodies (Bali: Gianyar, Sukawati, Singapadu)."""

from __future__ import annotations

import itertools
from typing import Any

_nib = itertools.count(9120301234567)
_nik = itertools.count(5104014101800001)


def ikm_body(name: str = "UD Perak Sari Singapadu", products: int = 2, sector: str = "kriya",
             **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "nib": str(next(_nib)),
        "name": name,
        "owner": {"name": "Ni Made Sari", "nik": str(next(_nik)), "phone": "081234567890", "gender": "F"},
        "sector": sector,
        "kbli": "32112",
        "regency_code": "5104", "district_code": "5104010", "village_code": "5104010007",
        "address": "Jl. Raya Singapadu",
        "workers": 6,
        "investment_idr": 150_000_000,
        "certifications": [{"kind": "halal", "number": "ID51110000123", "valid_until": "2028-01-31"}],
        "needs": ["capital", "market_access"],
        "products": [{"name": f"Cincin perak motif jawan {i + 1}", "category": "perhiasan", "price_idr": 450_000,
                      "monthly_capacity": 200} for i in range(products)],
    }
    body.update(overrides)
    return body


def fair_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Pameran IKM Bali Bangkit 2027 Tahap I", "venue": "Taman Budaya Bali, Ksirarnawa",
        "starts_on": "2099-03-01", "ends_on": "2099-05-31", "application_deadline": "2099-02-01",
        "requires_curation": False, "sectors": ["kriya", "fesyen", "kuliner"], "regency_codes": [],
        "regency_min_share": 0.0, "regency_max_share": 1.0, "sentra_cap": 5, "newcomer_share": 0.3,
    }
    body.update(overrides)
    return body


def booth_body(code: str, sectors: list[str] | None = None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "hall": "Ksirarnawa", "zone": "Kriya", "sectors": sectors or ["kriya"],
                            "width_m": 3, "depth_m": 3, "x": 0, "y": 0, "kind": "standard", "accessible": False,
                            "power_w": 450, "price_idr": 0}
    body.update(overrides)
    return body
