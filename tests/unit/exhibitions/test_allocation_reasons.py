"""Every waitlist reason of a run names the rule that actually decided it (issue 18). The binding rule
is computed here independently, from the run's result and a direct look at each booth the IKM could
have had, and compared with what the run says."""

from __future__ import annotations

from collections import Counter

from exhibitions.allocation import Booth, Candidate, Outcome, Problem, Rules, allocate
from tests.unit.exhibitions.random_fairs import accepts, floor_share, limits, random_fair, regency_counts

SEEDS = range(300)
GRADE = {"A": 30, "B": 20, "C": 10}
# The words each rule is stated in (English side; the Indonesian side is checked to be there too).
PHRASES = {
    "sector": "no free booth takes the sector",
    "regency_max": "the maximum for regency",
    "sentra_cap": "the per-sentra cap is reached",
    "regency_min": "needed for the minimum share of regency",
    "newcomer": "needed for the newcomer share",
    "accessible": "the accessible booth went to an owner who needs one",
    "points": "by applicants with more points",
    "lottery": "between equal points the lottery decided",
}


def worth(c: Candidate, booth: Booth) -> int:
    """What the run's objective gives `c` in `booth`, written out from ADR 0009."""
    total = 1000 + GRADE.get(c.grade or "", 0)
    if booth.accessible:
        total += 200 if c.needs_accessible else -1
    if booth.zone in c.preferred_zones:
        total += (9, 6, 3)[c.preferred_zones.index(booth.zone)]
    return total


def expected_rule(problem: Problem, outcomes: dict[str, Outcome], cand: Candidate) -> str:
    rules = problem.rules
    booths = [b for b in problem.booths if accepts(b, cand.sector)]
    if not booths:
        return "sector"
    by_key = {c.key: c for c in problem.candidates}
    placed = {o.key: o.booth_code for o in outcomes.values() if o.booth_code is not None}
    counts = regency_counts(problem, placed)
    cap = floor_share(rules.regency_max_share, rules.booth_count)
    if cap < rules.booth_count and counts[cand.regency_code] >= cap:
        return "regency_max"
    sentra = Counter([by_key[k].sentra_id for k in placed] + [h.sentra_id for h in problem.held])
    if cand.sentra_id is not None and rules.sentra_cap is not None and sentra[cand.sentra_id] >= rules.sentra_cap:
        return "sentra_cap"
    lim = limits(problem)
    holder_of = {code: by_key[k] for k, code in placed.items()}
    newcomers = sum(by_key[k].newcomer for k in placed) + sum(h.newcomer for h in problem.held)
    best: tuple[tuple[int, int], str] | None = None
    for booth in booths:
        holder = holder_of[booth.code]  # an optimal run leaves no fitting booth free for a waiting IKM
        swapped = Counter(counts)
        swapped[holder.regency_code] -= 1
        swapped[cand.regency_code] += 1
        if swapped[holder.regency_code] < lim.regency_min.get(holder.regency_code, 0):
            rule = "regency_min"
        elif newcomers - holder.newcomer + cand.newcomer < lim.newcomer_min:
            rule = "newcomer"
        elif worth(holder, booth) > worth(cand, booth):
            rule = "accessible" if booth.accessible and holder.needs_accessible and not cand.needs_accessible \
                else "points"
        else:
            assert worth(holder, booth) == worth(cand, booth), "a feasible better swap: the run is not optimal"
            assert outcomes[holder.key].lottery < outcomes[cand.key].lottery, "the lottery favoured the loser"
            rule = "lottery"
        key = (worth(holder, booth) - worth(cand, booth), -outcomes[holder.key].lottery)
        if best is None or key < best[0]:
            best = (key, rule)
    assert best is not None
    return best[1]


def test_every_waitlist_reason_names_the_binding_rule() -> None:
    seen: Counter[str] = Counter()
    for seed in SEEDS:
        problem = random_fair(seed)
        result = allocate(problem)
        if result.status != "optimal":
            continue
        outcomes = {o.key: o for o in result.outcomes}
        for cand in problem.candidates:
            outcome = outcomes[cand.key]
            if outcome.status != "waitlisted":
                continue
            rule = expected_rule(problem, outcomes, cand)
            seen[rule] += 1
            assert outcome.rule == rule, (seed, cand.key, outcome.rule, rule, outcome.reason_en)
            assert PHRASES[rule] in outcome.reason_en, (seed, outcome.reason_en)
            assert outcome.reason.startswith("Daftar tunggu peringkat") and "undian" in outcome.reason
            others = [p for r, p in PHRASES.items() if r != rule]
            assert not any(p in outcome.reason_en for p in others), (seed, outcome.reason_en)
            if problem.rules.regency_min_share == 0:
                assert "minimum" not in outcome.reason_en and "minimum" not in outcome.reason
            if problem.rules.newcomer_share == 0:
                assert "newcomer" not in outcome.reason_en
    # The random fairs reach every rule, so none of them goes unchecked.
    assert set(seen) == set(PHRASES), seen


def test_no_minimum_and_one_regency_never_hears_of_minimum_shares() -> None:
    # The case: two owners need the one accessible booth; the other booth is open to all.
    plan = (Booth("K-01", "Kriya", frozenset({"kriya"}), True), Booth("K-02", "Kriya", frozenset({"kriya"}), False))
    cands = (Candidate("w1", "kriya", "5171", needs_accessible=True),
             Candidate("w2", "kriya", "5171", needs_accessible=True), Candidate("n", "kriya", "5171"))
    for seed in range(8):
        result = allocate(Problem(Rules(booth_count=2), plan, cands, seed=seed))
        (waiting,) = [o for o in result.outcomes if o.status == "waitlisted"]
        assert "minimum" not in waiting.reason_en and "minimum" not in waiting.reason
        assert waiting.rule in ("lottery", "accessible")
        if waiting.key == "n":
            assert waiting.rule == "lottery"  # K-02 went to an owner of equal points, by lottery


def test_an_owner_who_needs_an_accessible_booth_and_got_another_is_told_why() -> None:
    plan = (Booth("K-01", "Kriya", frozenset({"kriya"}), True), Booth("K-02", "Kriya", frozenset({"kriya"}), False))
    cands = (Candidate("w1", "kriya", "5171", needs_accessible=True),
             Candidate("w2", "kriya", "5171", needs_accessible=True))
    result = allocate(Problem(Rules(booth_count=2), plan, cands, seed=1))
    by_booth = {o.booth_code: o for o in result.outcomes}
    assert "an accessible booth as needed" in by_booth["K-01"].reason_en
    assert "every accessible booth that takes kriya is taken by owners who need one" in by_booth["K-02"].reason_en
    result = allocate(Problem(Rules(booth_count=1), plan[1:], cands[:1], seed=1))
    assert "no free accessible booth takes kriya" in result.outcomes[0].reason_en
    assert result.outcomes[0].reason.startswith("Stan K-02 di zona Kriya")
