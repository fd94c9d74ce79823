"""One error shape for every service, in words a registrar understands (SPEC.md, HTTP conventions)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, ValidationError, field_validator

from shared.errors import (
    ApiError,
    FieldError,
    field_error,
    field_path,
    install_error_handlers,
    invalid,
    not_found,
    validation_errors,
)

SHAPE = {"code", "message", "message_en", "errors"}


class Owner(BaseModel):
    name: str
    nik: str

    @field_validator("nik")
    @classmethod
    def _nik(cls, value: str) -> str:
        if len(value) != 16:
            raise field_error("NIK harus 16 digit angka.", "NIK must be 16 digits.")
        return value


class Product(BaseModel):
    name: str
    price_idr: Annotated[int, Field(ge=0)]


class Ikm(BaseModel):
    name: str
    owner: Owner
    sector: Literal["kriya", "kuliner"]
    workers: Annotated[int, Field(ge=1)]
    products: list[Product] = []


GOOD: dict[str, Any] = {"name": "UD Perak Sari", "owner": {"name": "Ni Made Sari", "nik": "5104014101800001"},
                        "sector": "kriya", "workers": 6, "products": [{"name": "Cincin", "price_idr": 450000}]}


def translated(body: dict[str, Any]) -> dict[str, FieldError]:
    with pytest.raises(ValidationError) as caught:
        Ikm.model_validate(body)
    return {e.field: e for e in validation_errors(caught.value.errors())}


# --- field paths --------------------------------------------------------------------------------


@pytest.mark.parametrize(("loc", "path"), [
    (("body", "owner", "nik"), "owner.nik"),
    (("body", "products", 0, "price_idr"), "products.0.price_idr"),
    (("query", "limit"), "limit"),
    (("path", "ikm_id"), "ikm_id"),
    (("owner", "nik"), "owner.nik"),
    (("body",), "body"),
    ((), "body"),
])
def test_a_field_path_names_the_field_without_where_it_came_from(loc: tuple[Any, ...], path: str) -> None:
    assert field_path(loc) == path


# --- translating pydantic's errors --------------------------------------------------------------


def test_a_missing_field_is_reported_as_required_in_both_languages() -> None:
    body = dict(GOOD)
    del body["workers"]
    error = translated(body)["workers"]
    assert (error.message, error.message_en) == ("Wajib diisi.", "This field is required.")


def test_a_number_below_its_minimum_names_the_minimum() -> None:
    error = translated(GOOD | {"workers": 0})["workers"]
    assert (error.message, error.message_en) == ("Tidak boleh kurang dari 1.", "Must be at least 1.")


def test_a_value_outside_a_list_names_the_allowed_values() -> None:
    error = translated(GOOD | {"sector": "batik"})["sector"]
    assert error.message.startswith("Harus salah satu dari: ")
    assert error.message_en.startswith("Must be one of: ")
    assert "kriya" in error.message and "kuliner" in error.message_en


def test_a_sentra_error_keeps_its_own_indonesian_and_english_words() -> None:
    error = translated(GOOD | {"owner": {"name": "Ni Made Sari", "nik": "123"}})["owner.nik"]
    assert (error.message, error.message_en) == ("NIK harus 16 digit angka.", "NIK must be 16 digits.")


def test_an_error_inside_a_list_names_the_item_position() -> None:
    body = GOOD | {"products": [{"name": "Cincin", "price_idr": 1}, {"name": "Gelang", "price_idr": -5}]}
    errors = translated(body)
    assert list(errors) == ["products.1.price_idr"]
    assert errors["products.1.price_idr"].message_en == "Must be at least 0."


def test_text_where_a_number_belongs_is_explained() -> None:
    error = translated(GOOD | {"workers": "enam"})["workers"]
    assert error.message == "Harus berupa bilangan bulat."
    assert error.message_en == "Must be a whole number."


def test_every_wrong_field_is_reported_once() -> None:
    errors = translated({"owner": {"nik": "1"}, "sector": "batik", "workers": -1})
    assert set(errors) == {"name", "owner.name", "owner.nik", "sector", "workers"}


def test_an_error_of_an_unlisted_kind_falls_back_to_pydantics_words() -> None:
    errors = validation_errors([{"type": "url_parsing", "loc": ("body", "website"), "msg": "Input should be a URL"}])
    assert errors == [FieldError(field="website", message="Input should be a URL", message_en="Input should be a URL")]


def test_a_template_whose_context_is_missing_falls_back_to_the_plain_words() -> None:
    errors = validation_errors([{"type": "greater_than_equal", "loc": ("body", "workers"), "msg": "x"}])
    assert errors[0].message_en == "Must be at least {ge}."


# --- errors raised by business rules ------------------------------------------------------------


def test_an_invalid_field_error_is_a_422_naming_its_field() -> None:
    error = invalid("village_code", "Kode desa tidak ada.", "Unknown village code.")
    assert error.status == 422
    assert error.body.code == "invalid_input"
    assert error.body.errors == [FieldError(field="village_code", message="Kode desa tidak ada.",
                                            message_en="Unknown village code.")]


def test_not_found_is_a_404_in_both_languages() -> None:
    error = not_found("IKM", "IKM")
    assert error.status == 404
    assert (error.body.message, error.body.message_en) == ("IKM tidak ditemukan.", "IKM not found.")


# --- the shape on the wire ----------------------------------------------------------------------


def make_app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/ikms")
    def register(ikm: Ikm) -> dict[str, str]:
        return {"name": ikm.name}

    @app.get("/ikms/{ikm_id}")
    def read(ikm_id: int) -> dict[str, int]:
        raise not_found("IKM", "IKM")

    @app.put("/booths/{code}")
    def assign(code: str) -> None:
        raise ApiError(409, "booth_taken", f"Stan {code} sudah terisi.", f"Booth {code} is taken.",
                       headers={"Retry-After": "1"})

    @app.get("/crash")
    def crash() -> None:
        raise RuntimeError("secret connection string postgresql://sentra:hunter2@db")

    return app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(make_app(), raise_server_exceptions=False)


def test_invalid_input_gets_a_422_that_names_each_field(client: TestClient) -> None:
    response = client.post("/ikms", json=GOOD | {"owner": {"name": "Sari", "nik": "123"}, "workers": 0})
    assert response.status_code == 422
    body = response.json()
    assert set(body) == SHAPE
    assert body["code"] == "invalid_input"
    assert (body["message"], body["message_en"]) == ("Data tidak valid.", "Invalid data.")
    assert {e["field"]: e["message_en"] for e in body["errors"]} == {
        "owner.nik": "NIK must be 16 digits.",
        "workers": "Must be at least 1.",
    }


def test_a_bad_query_or_path_parameter_is_named_without_its_location(client: TestClient) -> None:
    response = client.get("/ikms/abc")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["ikm_id"]


def test_valid_input_passes_through(client: TestClient) -> None:
    response = client.post("/ikms", json=GOOD)
    assert response.status_code == 200
    assert response.json() == {"name": "UD Perak Sari"}


def test_a_body_that_is_not_json_gets_the_same_shape(client: TestClient) -> None:
    response = client.post("/ikms", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    body = response.json()
    assert set(body) == SHAPE
    assert body["errors"][0]["message_en"] == "The request body is not valid JSON."


def test_a_body_that_is_not_json_is_blamed_on_the_body_not_on_a_field_named_by_its_offset(
        client: TestClient) -> None:
    # FastAPI reports json_invalid at ("body", <character offset>); "1" reads like a list position.
    response = client.post("/ikms", content=b"{not json", headers={"Content-Type": "application/json"})
    assert [e["field"] for e in response.json()["errors"]] == ["body"]


def test_an_unknown_route_gets_a_404_in_the_same_shape(client: TestClient) -> None:
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.json() == {"code": "http_404", "message": "Tidak ditemukan.", "message_en": "Not found.",
                               "errors": []}


def test_a_wrong_method_gets_a_405_in_the_same_shape(client: TestClient) -> None:
    response = client.delete("/ikms")
    assert response.status_code == 405
    assert response.json()["code"] == "http_405"
    assert response.json()["message"] == "Metode tidak diizinkan."


def test_a_not_found_raised_by_a_route_gets_its_own_words(client: TestClient) -> None:
    response = client.get("/ikms/7")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "IKM tidak ditemukan.",
                               "message_en": "IKM not found.", "errors": []}


def test_an_api_error_keeps_its_status_code_words_and_headers(client: TestClient) -> None:
    response = client.put("/booths/A-01")
    assert response.status_code == 409
    assert response.json() == {"code": "booth_taken", "message": "Stan A-01 sudah terisi.",
                               "message_en": "Booth A-01 is taken.", "errors": []}
    assert response.headers["Retry-After"] == "1"


def test_an_unexpected_error_gets_a_500_in_the_same_shape_without_its_details(client: TestClient) -> None:
    response = client.get("/crash")
    assert response.status_code == 500
    body = response.json()
    assert set(body) == SHAPE
    assert body["code"] == "internal_error"
    assert "hunter2" not in response.text
