"""The API's codes in words. Each label is an English msgid marked with N_ so the catalogues carry
it; templates show `_(label)` in the chosen language. A code not listed is shown as it is."""

from __future__ import annotations


def N_(message: str) -> str:
    """Marks a string for the catalogues without translating it yet."""
    return message


SECTORS: dict[str, str] = {
    "aplikasi": N_("Apps"), "pengembangan_permainan": N_("Game development"), "arsitektur": N_("Architecture"),
    "desain_interior": N_("Interior design"), "desain_komunikasi_visual": N_("Visual communication design"),
    "desain_produk": N_("Product design"), "fesyen": N_("Fashion"),
    "film_animasi_video": N_("Film, animation and video"),
    "fotografi": N_("Photography"), "kriya": N_("Crafts"), "kuliner": N_("Culinary"), "musik": N_("Music"),
    "penerbitan": N_("Publishing"), "periklanan": N_("Advertising"), "seni_pertunjukan": N_("Performing arts"),
    "seni_rupa": N_("Fine arts"), "televisi_radio": N_("Television and radio"),
}

IKM_STATUSES: dict[str, str] = {"active": N_("Active"), "inactive": N_("Inactive"), "closed": N_("Closed")}

NEEDS: dict[str, str] = {
    "capital": N_("Capital"), "market_access": N_("Market access"), "machinery": N_("Machinery"),
    "training": N_("Training"), "certification": N_("Certification"), "raw_material": N_("Raw material"),
    "packaging": N_("Packaging"), "digital_marketing": N_("Digital marketing"),
}

CERTIFICATIONS: dict[str, str] = {
    "halal": N_("Halal"), "pirt": N_("P-IRT (home food industry permit)"), "bpom_md": N_("BPOM MD"),
    "sni": N_("SNI"), "hki": N_("Intellectual property (HKI)"), "competency": N_("Competency (LSP)"),
    "other": N_("Other"),
}

BUSINESS_FORMS: dict[str, str] = {
    "perorangan": N_("Individual (no legal entity)"), "ud": N_("UD"), "cv": N_("CV"), "pt": N_("PT"),
    "firma": N_("Firm"), "koperasi": N_("Cooperative"), "lainnya": N_("Other"),
}

GENDERS: dict[str, str] = {"F": N_("Female"), "M": N_("Male")}

CASE_STATUSES: dict[str, str] = {
    "open": N_("Open"), "in_review": N_("In review"), "panel": N_("Panel"), "decided": N_("Decided"),
    "appealed": N_("Appealed"), "expired": N_("Expired"),
}

OUTCOMES: dict[str, str] = {
    "approved": N_("Approved"), "approved_with_conditions": N_("Approved with conditions"),
    "needs_improvement": N_("Needs improvement"), "rejected": N_("Rejected"),
}

IMPORT_STATUSES: dict[str, str] = {"queued": N_("Queued"), "running": N_("Running"), "done": N_("Done"),
                                   "failed": N_("Failed")}

# "my queue" filters on /cases: what the curator still has to do, what they did, what is settled.
QUEUE_FILTERS: dict[str, str] = {"waiting": N_("Waiting for my score"), "scored": N_("Scored"),
                                 "decided": N_("Decided")}

# Why a curator steps down from a case (curation's ConflictReason).
CONFLICT_REASONS: dict[str, str] = {
    "family": N_("Family of the owner"), "employer": N_("I work for this business"),
    "supplier": N_("I supply this business"), "competitor": N_("A competitor of mine"),
    "coaching_client": N_("I coach this business"),
}

ROLES: dict[str, str] = {"registrar": N_("Registrar"), "curator": N_("Curator"), "organiser": N_("Organiser"),
                         "operator": N_("Operator"), "admin": N_("Administrator")}
