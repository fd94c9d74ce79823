"""Demo data for a development run: people for every role and one open fair with a floor plan.

Idempotent: run it twice and nothing is created twice. It goes through the public HTTP API, as a
user would, so it also proves the services answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx

log = logging.getLogger("sentra.demo")

DEMO_PASSWORD = "sentra-demo-2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    roles: tuple[str, ...]
    sectors: tuple[str, ...] = ()


DEMO_USERS = (
    DemoUser("registrar", "Wayan Sudarma (Disperindag Gianyar)", ("registrar",)),
    DemoUser("organiser", "Komang Ayu (Panitia Pameran)", ("organiser",)),
    DemoUser("operator", "Gede Arsana (TI Disperindag)", ("operator",)),
    DemoUser("kurator1", "Dr. Ketut Suardana (ISI Denpasar)", ("curator",), ("kriya", "seni_rupa")),
    DemoUser("kurator2", "Ni Luh Putu Ariani (Dekranasda Bali)", ("curator",), ("kriya", "fesyen")),
    DemoUser("kurator3", "Made Wiguna (praktisi kuliner)", ("curator",), ("kuliner", "kriya")),
)

DEMO_FAIR = "Pameran IKM Bali Bangkit (demo)"


def _floor_plan() -> list[dict[str, Any]]:
    booths: list[dict[str, Any]] = []
    zones = [("Kriya", ["kriya"], "A", 8), ("Fesyen", ["fesyen"], "B", 6), ("Kuliner", ["kuliner"], "C", 6)]
    for row, (zone, sectors, prefix, count) in enumerate(zones):
        for i in range(count):
            booths.append({
                "code": f"{prefix}-{i + 1:02d}", "hall": "Ksirarnawa", "zone": zone, "sectors": sectors,
                "width_m": 3, "depth_m": 3, "x": i * 3, "y": row * 6,
                "kind": "corner" if i in (0, count - 1) else "standard", "accessible": i == 0,
                "power_w": 900 if zone == "Kuliner" else 450, "price_idr": 0,
            })
    return booths


def seed_demo(registry_url: str, curation_url: str, exhibitions_url: str, admin_password: str) -> None:
    with httpx.Client(timeout=30) as http:
        token = http.post(f"{registry_url}/auth/token",
                          data={"username": "admin", "password": admin_password}).raise_for_status().json()
        admin = {"Authorization": f"Bearer {token['access_token']}"}
        for user in DEMO_USERS:
            r = http.post(f"{registry_url}/users", headers=admin, json={
                "username": user.username, "password": DEMO_PASSWORD, "full_name": user.full_name,
                "roles": list(user.roles)})
            if r.status_code not in (201, 409):
                r.raise_for_status()
            if user.sectors:
                r = http.post(f"{curation_url}/curators", headers=admin, json={
                    "username": user.username, "full_name": user.full_name, "sectors": list(user.sectors),
                    "affiliation": user.full_name.split("(")[-1].rstrip(")")})
                if r.status_code not in (201, 409):
                    r.raise_for_status()

        fairs = http.get(f"{exhibitions_url}/exhibitions", headers=admin).raise_for_status().json()["items"]
        if any(f["name"] == DEMO_FAIR for f in fairs):
            return
        today = date.today()
        fair = http.post(f"{exhibitions_url}/exhibitions", headers=admin, json={
            "name": DEMO_FAIR, "venue": "Taman Budaya Bali, Ksirarnawa",
            "starts_on": str(today + timedelta(days=90)), "ends_on": str(today + timedelta(days=97)),
            "application_deadline": str(today + timedelta(days=60)), "requires_curation": False,
            "sectors": ["kriya", "fesyen", "kuliner"], "regency_codes": [],
            "regency_min_share": 0.0, "regency_max_share": 0.5, "sentra_cap": 5, "newcomer_share": 0.3,
        }).raise_for_status().json()
        http.post(f"{exhibitions_url}/exhibitions/{fair['id']}/booths", headers=admin,
                  json=_floor_plan()).raise_for_status()
        log.info("demo fair %s created with %d booths", fair["id"], len(_floor_plan()))
