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
