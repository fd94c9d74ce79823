"""The generated Bali register the demo and `make bench` import (registry.demo_data)."""

import csv
import io

from registry.demo_data import REGENCY_IKM, generate
from registry.import_format import row_to_ikm
from registry.schemas import IkmCreate


def _rows(n: int) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(generate(n))))


def test_bali_has_about_three_products_per_ikm_as_the_issue_counts_them() -> None:
    rows = _rows(15_216)
    products = sum(1 + len([p for p in r["more_products"].split("|") if p]) for r in rows)
    assert len(rows) == 15_216
    assert 44_000 <= products <= 47_000  # "Bali: about 15,000 IKM, 45,000 products"


def test_the_kabupaten_keep_their_proportions() -> None:
    rows = _rows(15_216)
    bangli = sum(1 for r in rows if r["regency_code"] == "5106")
    assert abs(bangli / 15_216 - REGENCY_IKM["5106"] / sum(REGENCY_IKM.values())) < 0.001


def test_the_same_seed_gives_the_same_file() -> None:
    assert generate(200, seed=7) == generate(200, seed=7)
    assert generate(200, seed=7) != generate(200, seed=8)


def test_every_row_is_a_valid_registration_with_distinct_product_names() -> None:
    for line, row in enumerate(_rows(300), start=2):
        body, _sentra = row_to_ikm({k: v for k, v in row.items()})
        ikm = IkmCreate.model_validate(body)
        names = [p.name for p in ikm.products]
        assert len(names) == len(set(names)), line
        assert 1 <= len(names) <= 5, line
