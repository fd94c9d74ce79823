"""Text a user types: the characters no field may hold, and the annotated types that refuse them.

A NUL character cannot be stored by PostgreSQL (the insert fails, and with it every row written in
the same transaction); other control characters and the bidirectional overrides make a name print
differently from what it is (a spoofed exhibitor name, a CSV cell that reads backwards). A name made
only of invisible characters looks empty on every page and list.
"""

from __future__ import annotations

import unicodedata

from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator

from shared.errors import field_error

# Tab, line feed and carriage return are ordinary in a description or an address.
_ALLOWED_CONTROLS = frozenset("\t\n\r")
# Embeddings, overrides and isolates (Unicode's "Trojan Source" characters).
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def forbidden_character(value: str) -> str | None:
    """The first character of `value` no text field may hold, as U+XXXX, or None."""
    for char in value:
        if (char in _BIDI_CONTROLS
                or (unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS)):
            return f"U+{ord(char):04X}"
    return None


def has_visible_character(value: str) -> bool:
    """Whether `value` shows anything: a letter, digit, mark, symbol or punctuation."""
    return any(unicodedata.category(char)[0] in "LMNPS" for char in value)


def check_text(value: str) -> str:
    """A pydantic validator: refuse control and bidi characters, keep everything else as typed."""
    bad = forbidden_character(value)
    if bad is not None:
        raise field_error(f"Berisi karakter tak terlihat yang tidak diizinkan ({bad}); ketik ulang isiannya.",
                          f"Contains an invisible character that is not allowed ({bad}); type it again.")
    return value


def check_name(value: str) -> str:
    """As `check_text`, and at least one visible character."""
    check_text(value)
    if value and not has_visible_character(value):
        raise field_error("Harus berisi huruf atau angka, bukan hanya karakter tak terlihat.",
                          "Must contain letters or digits, not only invisible characters.")
    return value


# Put beside a `StringConstraints` in an `Annotated[str, ...]` name field: `Input` already refuses
# forbidden characters in every text, this also wants something visible.
VisibleName = AfterValidator(check_name)


class Input(BaseModel):
    """The base of every request body: unknown fields are refused, and no text anywhere in it may
    hold a forbidden character (`check_text`), whether or not its field says so."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _no_forbidden_characters(cls, value: object) -> object:
        if isinstance(value, str):
            return check_text(value)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    check_text(item)
        return value
