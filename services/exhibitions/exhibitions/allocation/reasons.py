"""Why a run left an IKM on the waitlist: the rule that actually decided it (issue 18).

At an optimum, every fitting booth is either out of the IKM's reach (its regency's maximum, its
sentra's cap) or held by someone the run could not swap for it: the swap would break a lower-bound
rule (another regency's minimum, the newcomer share), or would not improve the objective (the holder
needs the accessible booth, has more points, or drew a better lottery number). `binding_rule` names
that rule for the holder the IKM came closest to displacing (fewest points above its own, then the
worst lottery number): had that rule not held, that booth would have been the IKM's. Each rule is
stated only when it holds on the run's numbers: a fair without a regency minimum never hears of one."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from exhibitions.allocation.model import Candidate, Rules

# What kept a holder in a booth the IKM could have had, checked in this order (`holder_rule`).
DECIDERS = ("regency_min", "newcomer", "accessible", "points", "lottery")


@dataclass(frozen=True)
class ClassView:
    """A booth class as the explanation needs it (see `solver.BoothClass`)."""

    zone: str
    accessible: bool
    accepts: Callable[[str], bool]


@dataclass(frozen=True)
class Standing:
    """The run's counts after solving, with the lower bounds it had to meet."""

    regency_count: Mapping[str, int]  # placed + held, per regency
    sentra_count: Mapping[str, int]
    newcomers: int
    regency_wanted: Mapping[str, int]  # the minimum each regency had to reach (lowered to its applicants)
    newcomer_wanted: int


@dataclass(frozen=True)
class Binding:
    rule: str  # sector | regency_max | sentra_cap | one of DECIDERS
    detail: str = ""  # the regency of a regency_min, else empty


def holder_rule(cand: Candidate, holder: Candidate, cls: ClassView, points: Callable[[Candidate], int],
                lottery: Mapping[str, int], standing: Standing) -> str:
    """What kept `holder` in its booth of class `cls` rather than `cand`: a swap would break a
    minimum, or would not raise the objective."""
    theirs_at = standing.regency_count.get(holder.regency_code, 0)
    if holder.regency_code != cand.regency_code and theirs_at <= standing.regency_wanted.get(holder.regency_code, 0):
        return "regency_min"
    if holder.newcomer and not cand.newcomer and standing.newcomers <= standing.newcomer_wanted:
        return "newcomer"
    mine, theirs = points(cand), points(holder)
    if cls.accessible and holder.needs_accessible and not cand.needs_accessible and theirs > mine:
        return "accessible"
    if theirs != mine:
        return "points"
    return "lottery"


def binding_rule(cand: Candidate, rules: Rules, classes: Sequence[ClassView],
                 holders: Mapping[int, Sequence[Candidate]], points: Callable[[Candidate, int], int],
                 lottery: Mapping[str, int], standing: Standing) -> Binding:
    """The rule that kept `cand` off every booth; `holders` are the run's candidates per class index."""
    fitting = [k for k, cls in enumerate(classes) if cls.accepts(cand.sector)]
    if not fitting:
        return Binding("sector")
    # A maximum of every booth (a 100 % share) is no rule of the fair: a full floor is stated as such.
    if rules.regency_max() < rules.booth_count \
            and standing.regency_count.get(cand.regency_code, 0) >= rules.regency_max():
        return Binding("regency_max")
    if cand.sentra_id is not None and rules.sentra_cap is not None \
            and standing.sentra_count.get(cand.sentra_id, 0) >= rules.sentra_cap:
        return Binding("sentra_cap")
    # The holder the IKM came closest to displacing: the fewest points above its own in that booth,
    # then the worst lottery number. Its rule is the one that decided.
    closest: tuple[int, int, str, str] | None = None
    for k in fitting:
        in_class: Callable[[Candidate], int] = partial(_swap_points, points, k)
        mine = in_class(cand)
        for holder in holders.get(k, ()):
            key = (in_class(holder) - mine, -lottery[holder.key])
            if closest is None or key < closest[:2]:
                rule = holder_rule(cand, holder, classes[k], in_class, lottery, standing)
                closest = (*key, rule, holder.regency_code if rule == "regency_min" else "")
    if closest is None:  # a fitting booth stayed free: only a time-limited, unproven run leaves one
        return Binding("points")
    return Binding(closest[2], closest[3])


def _swap_points(points: Callable[[Candidate, int], int], k: int, c: Candidate) -> int:
    return points(c, k)


def reason_text(binding: Binding, cand: Candidate, rules: Rules, zones: Sequence[str],
                standing: Standing) -> tuple[str, str]:
    """The binding rule in words (Indonesian, English)."""
    sector, rule = cand.sector, binding.rule
    if rule == "sector":
        return (f"tidak ada stan bebas yang menerima sektor {sector}.", f"no free booth takes the sector {sector}.")
    if rule == "regency_max":
        n = rules.regency_max()
        return (f"kuota maksimum kabupaten/kota {cand.regency_code} sudah penuh ({n} stan, "
                f"{rules.regency_max_share:.0%} dari {rules.booth_count} dibulatkan ke bawah).",
                f"the maximum for regency {cand.regency_code} is reached ({n} booths, "
                f"{rules.regency_max_share:.0%} of {rules.booth_count} rounded down).")
    if rule == "sentra_cap":
        return (f"batas stan per sentra sudah tercapai ({rules.sentra_cap}).",
                f"the per-sentra cap is reached ({rules.sentra_cap}).")
    where = ", ".join(sorted(set(zones)))
    full, full_en = (f"semua stan di zona {where} yang menerima sektor {sector} sudah terisi",
                     f"every booth in zone {where} that takes {sector} is taken")
    if rule == "regency_min":
        n = standing.regency_wanted.get(binding.detail, 0)
        return (f"{full}; pemegangnya diperlukan untuk porsi minimum kabupaten/kota {binding.detail} ({n} stan).",
                f"{full_en}; their holders are needed for the minimum share of regency {binding.detail} "
                f"({n} booths).")
    if rule == "newcomer":
        n = standing.newcomer_wanted
        return (f"{full}; pemegangnya pendatang baru yang diperlukan untuk porsi pendatang baru ({n} stan).",
                f"{full_en}; their holders are newcomers needed for the newcomer share ({n} booths).")
    if rule == "accessible":
        return (f"{full}; stan aksesibel diberikan kepada pemilik yang membutuhkannya.",
                f"{full_en}; the accessible booth went to an owner who needs one.")
    if rule == "points":
        return (f"{full} oleh pendaftar dengan nilai lebih tinggi (nilai kurasi atau zona pilihan).",
                f"{full_en} by applicants with more points (curation grade or zone preference).")
    return (f"{full}; di antara nilai yang sama, undian menentukan.",
            f"{full_en}; between equal points the lottery decided.")


def allocated_reason(cand: Candidate, code: str, zone: str, accessible: bool, rules: Rules,
                     accessible_fits: bool, accessible_to_owners_in_need: bool) -> tuple[str, str]:
    """Why an IKM got its booth, without the lottery number (Indonesian, English). For an owner who
    needs an accessible booth and got another: no free accessible booth takes the sector
    (`accessible_fits` false), or every one that does is taken (by owners who need one, when
    `accessible_to_owners_in_need`)."""
    ident = [f"Stan {code} di zona {zone}, yang menerima sektor {cand.sector}"]
    en = [f"Booth {code} in zone {zone}, which takes {cand.sector}"]
    if zone in cand.preferred_zones:
        rank = cand.preferred_zones.index(zone) + 1
        ident.append(f"zona pilihan ke-{rank} Anda")
        en.append(f"your choice no. {rank} of zone")
    elif cand.preferred_zones:
        ident.append("zona pilihan Anda sudah penuh atau tidak menerima sektor Anda")
        en.append("your preferred zones were full or do not take your sector")
    if cand.needs_accessible and accessible:
        ident.append("stan aksesibel sesuai kebutuhan")
        en.append("an accessible booth as needed")
    elif cand.needs_accessible and not accessible_fits:
        ident.append(f"tidak ada stan aksesibel bebas yang menerima sektor {cand.sector}")
        en.append(f"no free accessible booth takes {cand.sector}")
    elif cand.needs_accessible:
        whom = (" oleh pemilik yang membutuhkannya", " by owners who need one") if accessible_to_owners_in_need \
            else ("", "")
        ident.append(f"semua stan aksesibel yang menerima sektor {cand.sector} sudah terisi{whom[0]}")
        en.append(f"every accessible booth that takes {cand.sector} is taken{whom[1]}")
    if cand.grade:
        ident.append(f"nilai kurasi {cand.grade}")
        en.append(f"curation grade {cand.grade}")
    if cand.newcomer and rules.newcomer_share > 0:
        ident.append("pendatang baru (dihitung dalam porsi pendatang baru)")
        en.append("newcomer (counts toward the newcomer share)")
    return "; ".join(ident), "; ".join(en)
