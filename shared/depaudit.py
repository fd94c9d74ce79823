"""`make audit`: pip-audit over the dependencies pinned in uv.lock (issue 19).

pip-audit asks a vulnerability service about each pinned version. When the service cannot answer
(no network, or a PyPI mirror that lacks the per-version JSON API, where pip-audit reports every
package as "not found on PyPI" and then prints "No known vulnerabilities found"), the audit did not
happen. `verdict` tells the three cases apart, so an unaudited lock file is said aloud instead of
passing quietly:

- a known vulnerability: exit 1, each one named;
- dependencies the service could not check: a line saying so, exit 0 (CI without the service stays
  green but visibly unaudited), or exit 1 when `SENTRA_AUDIT_REQUIRED=1` (CI with network);
- every dependency checked and clean: exit 0.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SERVICE = "pypi"  # PyPI's JSON API; OSV (api.osv.dev) is the other choice pip-audit offers


@dataclass(frozen=True)
class Verdict:
    audited: int
    unaudited: list[str] = field(default_factory=list)  # "name version: why"
    vulnerable: list[str] = field(default_factory=list)  # "name version: ID (fixed in …)"
    failure: str = ""  # pip-audit gave no report at all (the service unreachable, a crash)

    @property
    def complete(self) -> bool:
        return not self.unaudited and not self.failure

    def lines(self) -> list[str]:
        out = [f"pip-audit: VULNERABLE {v}" for v in self.vulnerable]
        if self.failure:
            out.append(f"pip-audit: NOT AUDITED: the vulnerability service ({SERVICE}) gave no answer: {self.failure}")
        elif self.unaudited:
            out.append(f"pip-audit: NOT AUDITED: the vulnerability service ({SERVICE}) could not check "
                       f"{len(self.unaudited)} of {self.audited + len(self.unaudited)} dependencies, "
                       f"e.g. {self.unaudited[0]}")
        if not self.vulnerable:
            among = "" if self.complete else " among them"
            out.append(f"pip-audit: {self.audited} dependencies audited, no known vulnerabilities{among}")
        return out

    def exit_code(self, required: bool) -> int:
        if self.vulnerable:
            return 1
        return 1 if required and not self.complete else 0


def verdict(report: dict[str, Any] | None, failure: str = "") -> Verdict:
    """What a pip-audit JSON report (`-f json`) says, or `failure` when there is no report."""
    if report is None:
        return Verdict(audited=0, failure=failure or "no report")
    audited, unaudited, vulnerable = 0, [], []
    for dep in report.get("dependencies", []):
        name, version = dep.get("name", "?"), dep.get("version", "")
        if "skip_reason" in dep:
            unaudited.append(f"{name} {version}".strip() + f": {dep['skip_reason']}")
            continue
        audited += 1
        for vuln in dep.get("vulns", []):
            fixed = ", ".join(vuln.get("fix_versions", [])) or "no fixed version"
            vulnerable.append(f"{name} {version}: {vuln.get('id', '?')} (fixed in {fixed})")
    if audited == 0 and not unaudited:
        return Verdict(audited=0, failure=failure or "the report lists no dependencies")
    return Verdict(audited=audited, unaudited=unaudited, vulnerable=vulnerable)


def _uv() -> str:
    local = ROOT / ".tools" / "bin" / "uv"
    return str(local) if local.exists() else shutil.which("uv") or "uv"


def run_audit(where: Path) -> Verdict:
    """Export the lock file's pins (every group, without the project itself) and audit them."""
    requirements, report_path = where / "requirements.txt", where / "audit.json"
    subprocess.run([_uv(), "export", "--frozen", "--no-hashes", "--all-groups", "--no-emit-project",
                    "--format", "requirements.txt", "--quiet", "-o", str(requirements)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    done = subprocess.run([sys.executable, "-m", "pip_audit", "-r", str(requirements), "--no-deps", "--disable-pip",
                           "--vulnerability-service", SERVICE, "--progress-spinner", "off", "--timeout", "20",
                           "--cache-dir", str(where / "cache"), "-f", "json", "-o", str(report_path)],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if not report_path.exists() or not report_path.read_text().strip():
        last = (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]
        return verdict(None, failure=last[:300])
    return verdict(json.loads(report_path.read_text()))


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="sentra-audit-") as where:
        result = run_audit(Path(where))
    for line in result.lines():
        print(line)
    return result.exit_code(required=os.environ.get("SENTRA_AUDIT_REQUIRED", "") == "1")


if __name__ == "__main__":
    raise SystemExit(main())
