"""`make audit`'s verdict on a pip-audit report: a lock file the service could not check is said to be
unaudited, never passed as clean (issue 19)."""

from __future__ import annotations

from shared.depaudit import verdict


def test_a_clean_report_passes_and_says_how_many_were_audited() -> None:
    result = verdict({"dependencies": [{"name": "jinja2", "version": "3.1.6", "vulns": []},
                                       {"name": "httpx", "version": "0.28.1", "vulns": []}]})
    assert result.complete
    assert result.exit_code(required=True) == 0
    assert result.lines() == ["pip-audit: 2 dependencies audited, no known vulnerabilities"]


def test_a_known_vulnerability_fails_and_is_named() -> None:
    result = verdict({"dependencies": [{"name": "jinja2", "version": "2.4", "vulns": [
        {"id": "PYSEC-2014-8", "fix_versions": ["2.7.2"], "aliases": []}]}]})
    assert result.exit_code(required=False) == 1
    assert "pip-audit: VULNERABLE jinja2 2.4: PYSEC-2014-8 (fixed in 2.7.2)" in result.lines()


def test_dependencies_the_service_could_not_check_are_reported_not_passed() -> None:
    # What a PyPI mirror without the per-version JSON API gives: every package "not found".
    result = verdict({"dependencies": [
        {"name": "alembic", "skip_reason": "Dependency not found on PyPI and could not be audited: alembic (1.20.1)"},
        {"name": "httpx", "version": "0.28.1", "vulns": []}]})
    assert not result.complete
    assert result.exit_code(required=False) == 0
    assert result.exit_code(required=True) == 1
    assert any(line.startswith("pip-audit: NOT AUDITED") and "1 of 2 dependencies" in line for line in result.lines())


def test_no_report_at_all_is_an_unreachable_service() -> None:
    result = verdict(None, failure="ConnectionError: Failed to resolve 'api.osv.dev'")
    assert result.exit_code(required=True) == 1
    assert result.exit_code(required=False) == 0
    assert result.lines()[0].startswith("pip-audit: NOT AUDITED: the vulnerability service (pypi) gave no answer")
    assert verdict({"dependencies": []}).failure  # an empty report audited nothing either
