"""Which curators get a case (SPEC.md flow step 2; DOMAIN.md, Curation)."""

from __future__ import annotations

import uuid

from curation.rules import CuratorLoad, pick_curators


def curator(username: str, open_cases: int = 0, sectors: tuple[str, ...] = ("kriya",)) -> CuratorLoad:
    return CuratorLoad(curator_id=uuid.uuid5(uuid.NAMESPACE_DNS, username), username=username,
                       sectors=frozenset(sectors), open_cases=open_cases)


def names(picked: list[CuratorLoad]) -> list[str]:
    return [c.username for c in picked]


def test_only_curators_of_the_products_sector_are_picked() -> None:
    candidates = [curator("wayan", sectors=("kuliner",)), curator("made", sectors=("kriya", "fesyen")),
                  curator("nyoman", sectors=("fesyen",))]
    assert names(pick_curators(candidates, "fesyen", 3)) == ["made", "nyoman"]


def test_the_curators_with_the_fewest_open_cases_are_picked() -> None:
    candidates = [curator("ketut", 5), curator("made", 1), curator("wayan", 3), curator("nyoman", 0)]
    assert names(pick_curators(candidates, "kriya", 3)) == ["nyoman", "made", "wayan"]


def test_ties_in_open_cases_go_to_the_username_in_alphabetical_order() -> None:
    candidates = [curator("wayan", 2), curator("ketut", 2), curator("made", 2)]
    assert names(pick_curators(candidates, "kriya", 2)) == ["ketut", "made"]


def test_the_choice_does_not_depend_on_the_order_of_candidates() -> None:
    candidates = [curator("wayan", 2), curator("ketut", 2), curator("made", 1), curator("putu", 4)]
    assert pick_curators(candidates, "kriya", 3) == pick_curators(list(reversed(candidates)), "kriya", 3)


def test_excluded_curators_are_never_picked_even_when_least_busy() -> None:
    conflicted = curator("nyoman", 0)
    candidates = [conflicted, curator("made", 4), curator("wayan", 6)]
    picked = pick_curators(candidates, "kriya", 2, excluded=frozenset({conflicted.curator_id}))
    assert names(picked) == ["made", "wayan"]


def test_fewer_curators_than_needed_gives_all_who_fit() -> None:
    candidates = [curator("made", 3), curator("wayan", sectors=("musik",))]
    assert names(pick_curators(candidates, "kriya", 3)) == ["made"]


def test_no_curator_of_the_sector_gives_an_empty_panel() -> None:
    assert pick_curators([curator("made", sectors=("musik",))], "kuliner", 3) == []


def test_no_curators_are_picked_when_none_are_needed() -> None:
    assert pick_curators([curator("made")], "kriya", 0) == []


def test_the_candidate_list_is_left_as_given() -> None:
    candidates = [curator("wayan", 2), curator("ketut", 0)]
    before = list(candidates)
    pick_curators(candidates, "kriya", 1)
    assert candidates == before


def capped(username: str, open_cases: int, cap: int | None) -> CuratorLoad:
    return CuratorLoad(curator_id=uuid.uuid5(uuid.NAMESPACE_DNS, username), username=username,
                       sectors=frozenset({"kriya"}), open_cases=open_cases, max_open_cases=cap)


def test_a_curator_at_their_cap_gets_no_more_cases() -> None:
    candidates = [capped("made", 2, 2), capped("wayan", 9, 10), capped("ketut", 0, None)]
    assert names(pick_curators(candidates, "kriya", 3)) == ["ketut", "wayan"]


def test_load_is_balanced_as_cases_are_opened_one_after_another() -> None:
    loads = {"made": 0, "wayan": 0, "ketut": 0, "nyoman": 0}
    for _ in range(8):
        picked = pick_curators([curator(n, o) for n, o in loads.items()], "kriya", 3)
        for c in picked:
            loads[c.username] += 1
    assert sorted(loads.values()) == [6, 6, 6, 6]


def test_a_case_waits_while_every_curator_is_full_and_is_assigned_once_one_has_room() -> None:
    full = [capped("made", 1, 1), capped("wayan", 1, 1)]
    assert pick_curators(full, "kriya", 1) == []
    freed = [capped("made", 0, 1), capped("wayan", 1, 1)]
    assert names(pick_curators(freed, "kriya", 1)) == ["made"]


def test_a_new_curator_takes_a_waiting_case() -> None:
    assert pick_curators([], "kriya", 3) == []
    assert names(pick_curators([curator("putu")], "kriya", 3)) == ["putu"]


def test_a_declared_conflict_excludes_the_curator_from_the_replacement() -> None:
    recused = curator("made", 0)
    already_on_case = curator("wayan", 0)
    picked = pick_curators([recused, already_on_case, curator("ketut", 3), curator("nyoman", 5)], "kriya", 1,
                           excluded=frozenset({recused.curator_id, already_on_case.curator_id}))
    assert names(picked) == ["ketut"]
