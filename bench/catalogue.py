"""The curated catalogue and photo uploads at scale (issue 16).

    .venv/bin/python -m bench.catalogue        # BENCH_LISTED=45000 BENCH_QUERIES=200 BENCH_UPLOADS=20

1. `GET /catalogue`, filtered: a SQLite database made with curation's migrations holds BENCH_LISTED
   listed products (Bali's register has about 45,000 products) with two photos each; the work the
   route does (`catalogue_reading.page`: count, one page of 50, its photos) is timed for random
   filters (sector, regency, grade, price range, a word of `q`, and combinations).
2. A 12-megapixel JPEG upload's image work (`registry.photos.prepare_photo`: checks, decoding at a
   reduced scale, both sizes, encoding), BENCH_UPLOADS times.

Prints p50 and p95 of each. The HTTP layer and the file writes are not in these figures.
"""

from __future__ import annotations

import io
import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from PIL import Image
from sqlmodel import Session

from curation import catalogue_reading
from curation.app import MIGRATIONS
from curation.catalogue_reading import CatalogueFilters
from curation.catalogue_rules import search_text
from curation.tables import CatalogueEntry, ProductPhotoRef
from registry.photos import prepare_photo
from shared.db import insert_rows, make_engine, migrate

SECTORS = ["kriya", "fesyen", "kuliner"]
REGENCIES = ["5101", "5102", "5103", "5104", "5105", "5106", "5107", "5108", "5171"]
WORDS = ["perak", "tenun", "ukir", "kopi", "songket", "anyaman", "keramik", "batik", "dupa", "gerabah"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def build(path: Path, listed: int, rng: random.Random) -> Any:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine, MIGRATIONS)
    now = datetime.now(UTC)
    entries, photos = [], []
    for i in range(listed):
        product_id, ikm_id = uuid.uuid4(), uuid.uuid4()
        name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {i}"
        description = f"{rng.choice(WORDS)} dibuat tangan, {rng.choice(WORDS)}"
        entries.append({
            "product_id": product_id, "ikm_id": ikm_id, "case_id": uuid.uuid4(), "product_name": name,
            "description": description, "category": rng.choice(WORDS), "price_idr": rng.randrange(10_000, 5_000_000),
            "ikm_name": f"UD {rng.choice(WORDS).title()} {i}", "sector": rng.choice(SECTORS),
            "regency_code": rng.choice(REGENCIES), "regency_name": None, "sentra_id": None, "sentra_name": None,
            "grade": rng.choice("AB"), "valid_until": date.today() + timedelta(days=rng.randrange(1, 730)),
            "conditions": None, "conditions_en": None, "search": search_text(name, description),
            "listed_at": now - timedelta(minutes=i)})
        for position in (1, 2):
            photos.append({"photo_id": uuid.uuid4(), "product_id": product_id, "ikm_id": ikm_id, "hash": "0" * 64,
                           "position": position, "sizes": [], "added_at": now, "removed_at": None})
    with Session(engine) as session:
        for start in range(0, listed, 5000):
            insert_rows(session, CatalogueEntry, entries[start:start + 5000])
            insert_rows(session, ProductPhotoRef, photos[2 * start:2 * start + 10000])
        session.commit()
    return engine


def random_filters(rng: random.Random) -> CatalogueFilters:
    low = rng.randrange(0, 2_000_000)
    choices: list[dict[str, Any]] = [
        {"sector": rng.choice(SECTORS)}, {"regency_code": rng.choice(REGENCIES)}, {"grade": rng.choice("AB")},
        {"price_min": low, "price_max": low + 500_000}, {"q": rng.choice(WORDS)},
        {"sector": rng.choice(SECTORS), "regency_code": rng.choice(REGENCIES), "grade": "A"},
        {"q": rng.choice(WORDS), "sector": rng.choice(SECTORS), "price_max": 1_000_000},
    ]
    return CatalogueFilters(**rng.choice(choices))


def main() -> None:
    listed = int(os.environ.get("BENCH_LISTED", "45000"))
    queries = int(os.environ.get("BENCH_QUERIES", "200"))
    uploads = int(os.environ.get("BENCH_UPLOADS", "20"))
    rng = random.Random(16)
    with tempfile.TemporaryDirectory() as tmp:
        engine = build(Path(tmp) / "curation.db", listed, rng)
        timings = []
        with Session(engine) as session:
            for _ in range(queries):
                filters, sort = random_filters(rng), rng.choice(["name", "price", "-price", "newest"])
                started = time.perf_counter()
                catalogue_reading.page(session, filters, sort, 50, rng.choice([0, 0, 50, 500]))  # type: ignore[arg-type]
                timings.append((time.perf_counter() - started) * 1000)
        engine.dispose()
    print(f"GET /catalogue, filtered, {listed:,} listed, {queries} queries: "
          f"p50 {statistics.median(timings):.1f} ms, p95 {percentile(timings, 95):.1f} ms")

    image = Image.effect_noise((4000, 3000), 20).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    photo = out.getvalue()
    made = []
    for _ in range(uploads):
        started = time.perf_counter()
        prepare_photo(photo, 50_000_000)
        made.append((time.perf_counter() - started) * 1000)
    print(f"12 MP JPEG ({len(photo) / 1e6:.1f} MB) to its two sizes, {uploads} times: "
          f"p50 {statistics.median(made):.0f} ms, p95 {percentile(made, 95):.0f} ms")


if __name__ == "__main__":
    main()
