"""From the registration and scoring forms to API bodies, and API errors back beside their fields."""

from __future__ import annotations

from console.forms import errors_by_field, form_to_body, normalise_rupiah, queue_state, scores_body, unplaced_errors


def test_a_registration_form_becomes_the_body_of_post_ikms() -> None:
    body = form_to_body([
        ("csrf_token", "x"), ("name", " UD Perak Sari "), ("nib", ""), ("sector", "kriya"),
        ("owner.name", "Ni Made Sari"), ("owner.nik", "5104014101800001"), ("owner.phone", ""),
        ("workers", "6"), ("investment_idr", "Rp 150.000.000"), ("needs", "capital"), ("needs", "machinery"),
        ("needs_accessible_booth", "1"),
        ("products.0.name", "Cincin perak"), ("products.0.price_idr", "450.000"),
        ("products.1.name", ""), ("products.1.price_idr", ""),
        ("products.2.name", "Gelang"),
    ])
    assert body == {
        "name": "UD Perak Sari", "sector": "kriya", "owner": {"name": "Ni Made Sari", "nik": "5104014101800001"},
        "workers": "6", "investment_idr": "150000000", "needs": ["capital", "machinery"],
        "needs_accessible_booth": True,
        "products": [{"name": "Cincin perak", "price_idr": "450000"}, {"name": "Gelang"}],
    }


def test_rupiah_with_dots_is_a_number_and_anything_else_goes_as_typed() -> None:
    assert normalise_rupiah("25.000.000") == "25000000"
    assert normalise_rupiah("rp. 25.000") == "25000"
    assert normalise_rupiah("25000") == "25000"
    assert normalise_rupiah("25,5 juta") == "25,5 juta"  # the API says what is wrong with it
    assert normalise_rupiah("2.50") == "2.50"


def test_api_errors_land_beside_their_inputs_in_the_chosen_language() -> None:
    errors = [{"field": "owner.nik", "message": "NIK harus 16 digit.", "message_en": "NIK must be 16 digits."},
              {"field": "owner.nik", "message": "Sudah terdaftar.", "message_en": "Already registered."},
              {"field": "body", "message": "Data tidak valid.", "message_en": "Invalid data."}]
    assert errors_by_field(errors, "id")["owner.nik"] == "NIK harus 16 digit. Sudah terdaftar."
    assert errors_by_field(errors, "en")["owner.nik"] == "NIK must be 16 digits. Already registered."
    assert unplaced_errors(errors_by_field(errors, "en"), ["owner.nik"]) == {"body": "Invalid data."}


def _case(status: str, *assignments: tuple[str, bool]) -> dict[str, object]:
    return {"status": status, "assignments": [{"username": u, "scored": s} for u, s in assignments]}


def test_where_a_case_stands_for_one_curator() -> None:
    assert queue_state(_case("in_review", ("kurator1", False), ("kurator2", True)), "kurator1") == "waiting"
    assert queue_state(_case("in_review", ("kurator1", False), ("kurator2", True)), "kurator2") == "scored"
    assert queue_state(_case("decided", ("kurator1", True)), "kurator1") == "decided"
    assert queue_state(_case("open", ("kurator2", False)), "kurator1") == "other"


def test_a_score_sheet_becomes_the_body_of_post_scores() -> None:
    body = scores_body([("gates.maker", "yes"), ("gates.legal", "no"), ("scores.quality", "4"),
                        ("scores.design", ""), ("comment", " Rapi. ")],
                       gates=["maker", "legal", "original"], criteria=["quality", "design"])
    # Unanswered gates and scores are left out, so the API names each one.
    assert body == {"gates": {"maker": True, "legal": False}, "scores": {"quality": 4}, "comment": "Rapi."}
