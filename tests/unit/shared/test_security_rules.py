"""The pure security rules: forbidden characters, passwords, log redaction, unsafe settings."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr, ValidationError

from registry.schemas import IkmUpdate
from registry.settings import RegistrySettings
from registry.user_schemas import UserCreate
from shared.logs import JsonFormatter, redact
from shared.passwords import password_problems
from shared.settings import DEV_ADMIN_PASSWORD, DEV_SECRET_KEY, ServiceSettings, UnsafeSettings
from shared.text import forbidden_character, has_visible_character

STRONG_KEY = "k" * 40


@pytest.mark.parametrize("value", ["a\x00b", "\x1b[31m", "nama\u202eperak", "\u2066x"])
def test_control_and_bidi_characters_are_forbidden(value: str) -> None:
    assert forbidden_character(value) is not None


@pytest.mark.parametrize("value", ["Perak Celuk", "Jl. Raya\nno. 5", "Tenun\tIkat", "ᬩᬮᬶ"])
def test_ordinary_text_is_allowed(value: str) -> None:
    assert forbidden_character(value) is None


@pytest.mark.parametrize("value", ["\u200b\u200b", "\u200d", "\u00a0\u2060"])
def test_invisible_only_is_not_a_name(value: str) -> None:
    assert not has_visible_character(value)


def test_a_body_with_a_nul_names_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        IkmUpdate.model_validate({"address": "Jl. Raya\x00Celuk"})
    assert info.value.errors()[0]["loc"] == ("address",)


def test_a_name_of_zero_width_characters_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        IkmUpdate.model_validate({"name": "\u200b\u200c\u200d"})
    assert info.value.errors()[0]["loc"] == ("name",)


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1234567890", "password12", "qwertyuiop", "sayang2024!",
                                      "short"])
def test_trivial_passwords_are_refused(password: str) -> None:
    assert password_problems(password, "rina")


def test_a_password_may_not_contain_the_username() -> None:
    assert password_problems("rina-kurator-celuk", "rina")
    assert password_problems("batik-tulis-celuk-77", "rina") == []


def test_user_create_refuses_a_common_password_on_the_password_field() -> None:
    with pytest.raises(ValidationError) as info:
        UserCreate.model_validate({"username": "rina", "password": "password12", "full_name": "Rina",
                                   "roles": ["curator"]})
    assert [e["loc"] for e in info.value.errors()] == [("password",)]


def test_redact_blanks_niks_and_mobile_numbers_only() -> None:
    line = "owner 5104012345678901 phone 081234567890 +6281234567890 stream 1733333333333-0 ikm 42"
    assert redact(line) == "owner [NIK] phone [telepon] [telepon] stream 1733333333333-0 ikm 42"


def test_json_log_lines_are_redacted() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "failed for %s", ("5104012345678901",), None)
    assert "5104012345678901" not in JsonFormatter("registry").format(record)


def test_the_development_key_is_refused_outside_dev_mode() -> None:
    with pytest.raises(UnsafeSettings, match="development key"):
        ServiceSettings(SENTRA_SECRET_KEY=SecretStr(DEV_SECRET_KEY)).refuse_if_unsafe()
    with pytest.raises(UnsafeSettings, match="shorter than 32"):
        ServiceSettings(SENTRA_SECRET_KEY=SecretStr("short-key")).refuse_if_unsafe()
    assert ServiceSettings(SENTRA_SECRET_KEY=SecretStr(STRONG_KEY)).refuse_if_unsafe() == []


def test_dev_mode_allows_the_development_defaults_and_says_why() -> None:
    settings = ServiceSettings(SENTRA_SECRET_KEY=SecretStr(DEV_SECRET_KEY), SENTRA_DEV_MODE=True)
    assert settings.refuse_if_unsafe() == ["SENTRA_SECRET_KEY is the development key published in the repository"]


def test_the_registry_refuses_the_development_or_a_weak_admin_password() -> None:
    for password in (DEV_ADMIN_PASSWORD, "admin12345"):
        settings = RegistrySettings(SENTRA_SECRET_KEY=SecretStr(STRONG_KEY),
                                    SENTRA_PERSONAL_DATA_KEY=SecretStr(STRONG_KEY),
                                    SENTRA_ADMIN_PASSWORD=SecretStr(password))
        with pytest.raises(UnsafeSettings, match="SENTRA_ADMIN_PASSWORD"):
            settings.refuse_if_unsafe()
    fine = RegistrySettings(SENTRA_SECRET_KEY=SecretStr(STRONG_KEY), SENTRA_PERSONAL_DATA_KEY=SecretStr(STRONG_KEY),
                            SENTRA_ADMIN_PASSWORD=SecretStr("a-long-unusual-phrase-77"))
    assert fine.refuse_if_unsafe() == []
    with pytest.raises(UnsafeSettings, match="SENTRA_PERSONAL_DATA_KEY is the development key"):
        RegistrySettings(SENTRA_SECRET_KEY=SecretStr(STRONG_KEY)).refuse_if_unsafe()
