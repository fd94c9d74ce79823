"""Domain vocabulary every service shares (DOMAIN.md)."""

from __future__ import annotations

from typing import Literal, get_args

# The 17 creative-economy subsectors: the `sector` codes.
Sector = Literal[
    "aplikasi", "pengembangan_permainan", "arsitektur", "desain_interior", "desain_komunikasi_visual",
    "desain_produk", "fesyen", "film_animasi_video", "fotografi", "kriya", "kuliner", "musik",
    "penerbitan", "periklanan", "seni_pertunjukan", "seni_rupa", "televisi_radio",
]
SECTORS: tuple[str, ...] = get_args(Sector)
