"""Combining and splitting booths: which booths make one, what the new booths look like (rules.py)."""

from __future__ import annotations

import pytest

from exhibitions.rules import (
    Plot,
    combine_problem,
    combined_kind,
    combined_sectors,
    open_ends,
    part_codes,
    part_kinds,
    side_by_side,
    split_amount,
    split_problem,
    split_widths,
)


def plot(code: str, x: float, y: float = 0, width: float = 3, depth: float = 3, zone: str = "Kriya",
         hall: str = "Ksirarnawa") -> Plot:
    return Plot(code=code, hall=hall, zone=zone, x=x, y=y, width_m=width, depth_m=depth)


def test_booths_in_a_row_without_gaps_make_one_wider_booth_in_any_order() -> None:
    row = [plot("A-03", 6), plot("A-01", 0), plot("A-02", 3)]
    assert side_by_side(row) == (0, 0, 9, 3)
    assert side_by_side([plot("A-01", 0, width=2.5), plot("A-02", 2.5, width=3.5)]) == (0, 0, 6, 3)


def test_booths_back_to_back_make_one_deeper_booth() -> None:
    assert side_by_side([plot("A-01", 0, y=0), plot("B-01", 0, y=3)]) == (0, 0, 3, 6)


def test_hand_entered_coordinates_within_a_centimetre_still_touch() -> None:
    assert side_by_side([plot("A-01", 0), plot("A-02", 3.004)]) is not None


@pytest.mark.parametrize("plots", [
    [plot("A-01", 0), plot("A-03", 6)],                        # a gap: A-02 is missing
    [plot("A-01", 0), plot("A-02", 2)],                        # overlapping
    [plot("A-01", 0), plot("A-02", 3, y=1)],                   # shifted across the row
    [plot("A-01", 0), plot("A-02", 3, depth=2)],               # not one rectangle
    [plot("A-01", 0), plot("B-01", 3, y=3)],                   # diagonal
    [plot("A-01", 0)],                                         # one booth is not a combination
])
def test_booths_that_do_not_make_one_rectangle_do_not_combine(plots: list[Plot]) -> None:
    assert side_by_side(plots) is None


def test_combine_problem_names_the_hall_the_zone_or_the_gap_in_both_languages() -> None:
    assert combine_problem([plot("A-01", 0), plot("A-02", 3)], ["standard", "corner"]) is None
    zone = combine_problem([plot("A-01", 0), plot("K-01", 3, zone="Kuliner")], ["standard"] * 2)
    assert zone is not None and "zona" in zone[0] and "zone" in zone[1]
    hall = combine_problem([plot("A-01", 0), plot("A-02", 3, hall="Madya")], ["standard"] * 2)
    assert hall is not None and "gedung" in hall[0] and "hall" in hall[1]
    gap = combine_problem([plot("A-01", 0), plot("A-03", 6)], ["standard"] * 2)
    assert gap is not None and "bersebelahan" in gap[0] and "not adjacent" in gap[1]
    bare = combine_problem([plot("A-01", 0), plot("A-02", 3)], ["space_only", "standard"])
    assert bare is not None and "space_only" in bare[0]


def test_a_combined_booth_is_as_open_as_its_most_open_part_and_takes_every_parts_sectors() -> None:
    assert combined_kind(["standard", "standard"]) == "standard"
    assert combined_kind(["standard", "corner"]) == "corner"
    assert combined_kind(["corner", "island", "standard"]) == "island"
    assert combined_kind(["space_only", "space_only"]) == "space_only"
    assert combined_kind(["space_only", "corner"]) is None
    assert combined_sectors([["kriya"], ["fesyen", "kriya"]]) == ["fesyen", "kriya"]
    assert combined_sectors([["kriya"], []]) == []  # a part open to every sector opens the whole


def test_split_widths_add_up_to_the_whole_to_the_centimetre() -> None:
    assert split_widths(6, 2) == [3, 3]
    assert split_widths(10, 3) == [3.33, 3.33, 3.34]
    assert sum(split_widths(7.5, 4)) == pytest.approx(7.5)


def test_money_and_power_are_shared_in_whole_units() -> None:
    assert split_amount(1000, 3) == [334, 333, 333]
    assert split_amount(0, 2) == [0, 0]
    assert sum(split_amount(1_300_001, 7)) == 1_300_001


def test_a_split_needs_two_to_twenty_parts_each_at_least_a_metre_wide() -> None:
    assert split_problem("A-01", 6, 2) is None
    assert split_problem("A-01", 3, 3) is None
    narrow = split_problem("A-01", 3, 4)
    assert narrow is not None and "terlalu sempit" in narrow[0] and "too narrow" in narrow[1]
    assert split_problem("A-01", 60, 1) is not None
    assert split_problem("A-01", 60, 21) is not None


def test_parts_are_coded_after_the_whole() -> None:
    assert part_codes("A-01", 3) == ["A-01a", "A-01b", "A-01c"]


def test_an_end_is_open_when_no_booth_of_the_hall_touches_it() -> None:
    whole = plot("A-02", 3)
    assert open_ends(whole, []) == (True, True)
    assert open_ends(whole, [plot("A-01", 0)]) == (False, True)
    assert open_ends(whole, [plot("A-01", 0), plot("A-03", 6)]) == (False, False)
    assert open_ends(whole, [plot("A-01", 0, y=3)]) == (True, True)  # the row behind only meets at a point
    assert open_ends(whole, [plot("A-01", 0, hall="Madya")]) == (True, True)


def test_parts_of_a_corner_are_corners_only_at_an_open_end() -> None:
    assert part_kinds("corner", 2, open_left=True, open_right=False) == ["corner", "standard"]
    assert part_kinds("island", 3, open_left=True, open_right=True) == ["corner", "standard", "corner"]
    assert part_kinds("standard", 2, open_left=True, open_right=True) == ["standard", "standard"]
    assert part_kinds("space_only", 2, open_left=False, open_right=True) == ["space_only", "space_only"]
