"""Pure translations between HTML forms and API bodies. Inputs are named by the API's own dotted
field paths (`owner.nik`, `products.0.name`), so an API error's `field` lands beside its input."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from console.i18n import Language

PRODUCT_ROWS = 3  # empty product rows on a new form; rows left empty are not sent
LIST_FIELDS = frozenset({"needs"})
FLAG_FIELDS = frozenset({"needs_accessible_booth"})
# "25.000.000", "Rp 25.000.000" and "25000000" all mean 25 million; anything else goes to the API
# as typed, so its own message says what is wrong.
_GROUPED_RUPIAH = re.compile(r"(?:rp\.?\s*)?([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)", re.IGNORECASE)


def normalise_rupiah(text: str) -> str:
    match = _GROUPED_RUPIAH.fullmatch(text.strip())
    return match.group(1).replace(".", "") if match else text.strip()


def _put(target: dict[str, Any], path: list[str], value: Any) -> None:
    key = path[0]
    if len(path) == 1:
        target[key] = value
        return
    target.setdefault(key, {})
    _put(target[key], path[1:], value)


def _listify(node: Any) -> Any:
    """`{"0": {...}, "2": {...}}` (rows by index) becomes a list in index order."""
    if not isinstance(node, dict):
        return node
    converted = {k: _listify(v) for k, v in node.items()}
    if converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def form_to_body(items: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """A registration form as the body of POST /ikms: empty inputs left out (the API then says what is
    required), money with dots read as a number, checkboxes as lists and flags, empty product rows
    dropped. Numbers stay text: the API reads them and names a bad one in its own words."""
    body: dict[str, Any] = {}
    lists: dict[str, list[str]] = {}
    for name, raw in items:
        value = raw.strip()
        if name == "csrf_token" or not value:
            continue
        if name in LIST_FIELDS:
            lists.setdefault(name, []).append(value)
            continue
        if name in FLAG_FIELDS:
            body[name] = True
            continue
        if name.endswith("_idr"):
            value = normalise_rupiah(value)
        _put(body, name.split("."), value)
    body.update(lists)
    result: dict[str, Any] = _listify(body)
    products = result.get("products")
    if isinstance(products, dict):  # a single row whose index is not a digit never happens; be safe
        result["products"] = [products]
    return result


def errors_by_field(errors: Iterable[dict[str, Any]], lang: Language) -> dict[str, str]:
    """API field errors keyed by input name, in the chosen language (two errors on one field join)."""
    key = "message_en" if lang == "en" else "message"
    found: dict[str, str] = {}
    for error in errors:
        field = str(error.get("field") or "body")
        message = str(error.get(key) or error.get("message") or "")
        found[field] = f"{found[field]} {message}" if field in found else message
    return found


def unplaced_errors(errors: dict[str, str], inputs: Iterable[str]) -> dict[str, str]:
    """The errors no input on the form shows (a whole-body error, a field the form has no input for):
    the page lists them at the top so none is lost."""
    shown = set(inputs)
    return {field: message for field, message in errors.items() if field not in shown}


def queue_state(case: dict[str, Any], username: str) -> str:
    """Where a case stands for one curator: `waiting` for their score, `scored` by them and not yet
    decided, `decided`, or `other` (they are not, or no longer, assigned)."""
    if case.get("status") == "decided":
        return "decided"
    mine = [a for a in case.get("assignments", []) if a.get("username") == username]
    if not mine or case.get("status") in ("expired",):
        return "other"
    return "scored" if all(a.get("scored") for a in mine) else "waiting"


def scores_body(items: Iterable[tuple[str, str]], gates: list[str], criteria: list[str]) -> dict[str, Any]:
    """The curator's sheet as POST /cases/{id}/scores wants it: `gate.<code>` yes/no radios, and
    `score.<code>` 1–5. A gate or score left unanswered is left out, so the API names it."""
    values = dict(items)
    body: dict[str, Any] = {"gates": {}, "scores": {}}
    for code in gates:
        answer = values.get(f"gates.{code}")
        if answer in ("yes", "no"):
            body["gates"][code] = answer == "yes"
    for code in criteria:
        score = values.get(f"scores.{code}", "").strip()
        if score:
            body["scores"][code] = int(score) if score.isdigit() else score
    comment = values.get("comment", "").strip()
    if comment:
        body["comment"] = comment
    return body
