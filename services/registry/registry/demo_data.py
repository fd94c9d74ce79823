"""Demo data: the whole of Bali's IKM register as an import file, at realistic proportions.

15,216 IKM by default, shared among the kabupaten as in DOMAIN.md (end of 2018); mostly micro and
small; about 70 % without NIB; the known sentra with their members; valid BPS region codes; about
three products per IKM (Bali's 15,216 IKM make some 45,000 products). Seeded, so the same arguments
give the same file.

    python -m registry.demo_data bali.csv [ROWS] [SEED]
"""

from __future__ import annotations

import io
import random
import sys
from dataclasses import dataclass

from registry.import_format import COLUMN_NAMES
from registry.regions import bps_regions
from shared.csvfile import Cell, CsvWriter

BALI_IKM = 15_216
# IKM per kabupaten/kota (DOMAIN.md, Scale).
REGENCY_IKM = {"5106": 4213, "5171": 4074, "5101": 1775, "5103": 1230, "5108": 977, "5104": 943, "5102": 878,
               "5107": 512, "5105": 461}


@dataclass(frozen=True)
class KnownSentra:
    name: str
    kind: str
    sector: str
    district_code: str
    product: str
    local_label: str
    kbli: str
    members: int


def _sentra() -> tuple[KnownSentra, ...]:
    """The clusters DOMAIN.md names, placed in their kecamatan (codes from the BPS list)."""
    return (
        KnownSentra("Sentra Perak Celuk", "official", "kriya", "5104010", "Cincin perak", "kerajinan perak",
                    "32112", 120),
        KnownSentra("Sentra Bambu Kayubihi", "official", "kriya", "5106020", "Keranjang bambu", "kerajinan bambu",
                    "16291", 90),
        KnownSentra("Sentra Bambu Tigawasa", "candidate", "kriya", "5108040", "Sokasi bambu", "anyaman bambu",
                    "16291", 60),
        KnownSentra("Sentra Tenun Jembrana", "official", "fesyen", "5101021", "Kain endek", "tenun ikat",
                    "13121", 45),
        KnownSentra("Sentra Pande Besi Gubug", "informal", "kriya", "5102030", "Pisau blakas", "pande besi",
                    "25931", 25),
        KnownSentra("Sentra Pande Besi Sidan", "informal", "kriya", "5104030", "Arit", "pande besi", "25931", 20),
        KnownSentra("Sentra Lukisan Kamasan", "official", "seni_rupa", "5105030", "Lukisan wayang Kamasan",
                    "lukisan klasik", "90024", 40),
        KnownSentra("Sentra Gamelan Tihingan", "candidate", "musik", "5105020", "Gangsa", "gamelan", "32201", 30),
        KnownSentra("Sentra Kipas Cendana Sesetan", "informal", "kriya", "5171010", "Kipas cendana",
                    "kerajinan cendana", "16299", 15),
    )


KNOWN_SENTRA = _sentra()

# Sector mix of the rest: (sector, local label, KBLI, product, category, price).
MIX = (
    ("kuliner", "makanan olahan", "10794", "Jaje Bali", "jajanan", 15_000, 30),
    ("kuliner", "olahan kopi", "10761", "Kopi bubuk", "kopi", 65_000, 10),
    ("kriya", "ukiran kayu", "16299", "Patung kayu", "patung", 750_000, 14),
    ("kriya", "anyaman", "16299", "Tas anyaman", "tas", 150_000, 12),
    ("fesyen", "konveksi", "14111", "Kemeja endek", "busana", 250_000, 12),
    ("kriya", "dupa dan canang", "20292", "Dupa", "dupa", 20_000, 8),
    ("seni_rupa", "lukisan", "90024", "Lukisan", "lukisan", 1_500_000, 4),
    ("kriya", "keramik dan gerabah", "23931", "Gerabah", "keramik", 60_000, 5),
    ("desain_produk", "furnitur", "31001", "Kursi kayu", "furnitur", 900_000, 5),
)
NEEDS = ("capital", "market_access", "machinery", "training", "certification", "raw_material", "packaging",
         "digital_marketing")
FIRST = ("I Wayan", "I Made", "I Nyoman", "I Ketut", "Ni Wayan", "Ni Made", "Ni Nyoman", "Ni Ketut", "Ni Luh",
         "I Gede", "Ni Putu", "I Putu", "Ni Kadek", "I Komang")
LAST = ("Sudarma", "Ariani", "Suarta", "Sukerti", "Wirawan", "Murni", "Ardana", "Suci", "Darma", "Rai", "Sari",
        "Sutama", "Dewi", "Adnyana", "Wijaya", "Astuti", "Mahendra", "Suartini")
# Further products an IKM lists beside its main one (`more_products`): 0 to 4, two on average.
MORE_PRODUCTS = (0, 1, 2, 3, 4)
MORE_PRODUCTS_WEIGHTS = (10, 20, 40, 20, 10)
VARIANTS = ("ukuran kecil", "ukuran besar", "motif klasik", "motif modern", "edisi upacara", "paket oleh-oleh")
BUSINESS = ("Karya", "Sari", "Jaya", "Mandiri", "Lestari", "Abadi", "Dewata", "Mertha", "Sedana", "Santhi")


def regency_counts(rows: int) -> dict[str, int]:
    """Rows per kabupaten in DOMAIN.md's proportions, summing to `rows`."""
    # The per-kabupaten figures add up to 15,063 of the 15,216: share out in their proportions.
    listed = sum(REGENCY_IKM.values())
    shares = {code: rows * n / listed for code, n in REGENCY_IKM.items()}
    counts = {code: int(share) for code, share in shares.items()}
    for code in sorted(shares, key=lambda c: shares[c] - counts[c], reverse=True)[:rows - sum(counts.values())]:
        counts[code] += 1
    return counts


def sentra_members(rows: int) -> dict[str, int]:
    """Members per known sentra, scaled down with a smaller file (each keeps at least 5 where it can)."""
    scale = min(1.0, rows / BALI_IKM)
    return {s.name: max(5, round(s.members * scale)) if rows >= 100 else 1 for s in KNOWN_SENTRA}


def generate(rows: int = BALI_IKM, seed: int = 2018) -> str:
    """The import file (CSV text) for `rows` IKM across Bali."""
    rnd = random.Random(seed)
    index = bps_regions()
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.writerow(COLUMN_NAMES)
    members = sentra_members(rows)
    serial = 0
    for regency, count in regency_counts(rows).items():
        districts = index.children[regency]
        in_sentra = [s for s in KNOWN_SENTRA if s.district_code.startswith(regency)]
        quota = [(s, min(members[s.name], count)) for s in in_sentra]
        plan: list[KnownSentra | None] = [s for s, n in quota for _ in range(n)]
        plan += [None] * max(0, count - len(plan))
        for sentra in plan[:count]:
            serial += 1
            district = next(d for d in districts if d.code == sentra.district_code) if sentra else rnd.choice(districts)
            village = rnd.choice(index.children[district.code])
            row = _row(rnd, serial, regency, district.code, village.code, village.name, sentra)
            writer.writerow([row.get(name) for name in COLUMN_NAMES])  # a column it leaves out stays empty
    return out.getvalue()


def _row(rnd: random.Random, serial: int, regency: str, district: str, village: str, village_name: str,
         sentra: KnownSentra | None) -> dict[str, Cell]:
    if sentra is not None:
        sector, label, kbli, product, category, price = (sentra.sector, sentra.local_label, sentra.kbli,
                                                         sentra.product, sentra.local_label, 0)
        price = rnd.choice((85_000, 150_000, 450_000, 1_200_000))
    else:
        sector, label, kbli, product, category, price, _ = rnd.choices(MIX, weights=[m[6] for m in MIX])[0]
    # Mostly micro and small: household businesses of 1–4 workers, a few larger.
    workers = rnd.choices((rnd.randint(1, 4), rnd.randint(5, 19), rnd.randint(20, 60)), weights=(70, 27, 3))[0]
    investment = workers * rnd.choice((5, 10, 20, 40)) * 1_000_000 * (10 if workers >= 20 else 1)
    has_nib = rnd.random() < 0.3
    women = rnd.random() < 0.5
    first = rnd.choice([f for f in FIRST if f.startswith("Ni") == women])
    owner = f"{first} {rnd.choice(LAST)}"
    name = f"{label.split()[0].title()} {rnd.choice(BUSINESS)} {village_name} {serial}"
    certified = rnd.random() < 0.12
    return {
        "nib": f"91{serial:011d}" if has_nib else "",
        "name": name, "owner_name": owner,
        "owner_nik": f"{regency}{rnd.randint(1, 12):02d}{rnd.randint(1, 28) + (40 if women else 0):02d}"
                     f"{rnd.randint(1, 12):02d}{rnd.randint(50, 99):02d}{serial % 10000:04d}",
        "owner_phone": f"08{rnd.choice((12, 13, 52, 53, 57, 81, 19))}{rnd.randint(10_000_000, 99_999_999)}",
        "owner_gender": "P" if women else "L",
        "sector": sector, "local_label": label, "kbli": kbli, "kbli_version": "2020",
        "business_form": "ud" if has_nib and rnd.random() < 0.4 else "perorangan",
        "regency_code": regency, "district_code": district, "village_code": village,
        "address": f"Br. {village_name}", "sentra_name": sentra.name if sentra else "",
        "workers": workers, "investment_idr": investment,
        "annual_sales_idr": investment * rnd.randint(2, 6),
        "status": rnd.choices(("active", "inactive", "closed"), weights=(90, 7, 3))[0],
        "registered_year": rnd.choices(range(2014, 2019), weights=(10, 12, 14, 16, 18))[0],
        "needs": "|".join(rnd.sample(NEEDS, rnd.randint(0, 3))),
        "cert_kind": "competency" if certified else "",
        "cert_number": f"LSP-{serial:06d}" if certified else "",
        "cert_issuer": "LSP Kriya Bali" if certified else "",
        "product_name": product, "product_category": category, "product_price_idr": price,
        "product_monthly_capacity": rnd.choice((20, 50, 100, 300)),
        "more_products": "|".join(f"{product} {variant}" for variant in rnd.sample(
            VARIANTS, rnd.choices(MORE_PRODUCTS, weights=MORE_PRODUCTS_WEIGHTS)[0])),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__)
        return 2
    rows = int(args[1]) if len(args) > 1 else BALI_IKM
    seed = int(args[2]) if len(args) > 2 else 2018
    with open(args[0], "w", encoding="utf-8", newline="") as fh:
        fh.write(generate(rows, seed))
    print(f"wrote {rows} IKM to {args[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
