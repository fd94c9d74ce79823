"""The `sentra` command-line tool against running services, as an operator or registrar runs it."""

from __future__ import annotations

import csv
import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.support.cluster import ADMIN_PASSWORD, Cluster, eventually
from tests.support.office import OFFICE_ROWS, office_xlsx

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "import-gianyar.csv"


def sentra(c: Cluster, *args: str, password: str = "password-for-tests",
           extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REGISTRY_URL": c["registry"].url, "REDIS_URL": c.redis_url,
           "SENTRA_PASSWORD": password, "SENTRA_ADMIN_PASSWORD": ADMIN_PASSWORD, **(extra_env or {})}
    return subprocess.run([sys.executable, "-m", "shared.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False, stdin=subprocess.DEVNULL)  # not a terminal: never asks


def test_sentra_import_shows_progress_and_explains_every_rejected_row(cluster: Cluster, tmp_path: Path) -> None:
    c = cluster
    c.start("registry")
    c.create_user("wayan.registrar", ["registrar"])
    rejections = tmp_path / "ditolak.csv"

    done = sentra(c, "import", str(EXAMPLE), "--user", "wayan.registrar", "--rejections", str(rejections),
                  "--interval", "0.05")

    assert done.returncode == 0, done.stderr
    assert "selesai / done: 22 masuk/accepted, 2 ganda/duplicates, 6 ditolak/rejected dari/of 30" in done.stdout
    # Not a terminal here: the bar is printed as lines, the last one full.
    bars = [line for line in done.stderr.splitlines() if line.startswith("[")]
    assert bars and bars[-1].startswith("[" + "#" * 30 + "] 100%  30/30 baris/rows")
    assert "baris/row 14 ditolak/rejected: owner_nik: NIK harus 16 digit" in done.stderr
    with rejections.open(newline="", encoding="utf-8") as f:
        lines = list(csv.DictReader(f))
    assert {int(r["row"]) for r in lines if r["outcome"] == "rejected"} == {14, 15, 16, 24, 25, 26}
    assert {int(r["row"]) for r in lines if r["outcome"] == "duplicate"} == {23, 31}
    assert all(r["alasan"] and r["reason"] and r["alasan"] != r["reason"] for r in lines)

    again = sentra(c, "import", str(EXAMPLE), "--user", "wayan.registrar", "--interval", "0.05")
    assert again.returncode == 1, again.stderr  # no row went in
    assert "selesai / done: 0 masuk/accepted, 24 ganda/duplicates, 6 ditolak/rejected" in again.stdout
    assert "No row was accepted" in again.stderr
    assert "baris/row 23 ganda/duplicate: nib: NIB ini sudah terdaftar; baris dilewati. / This NIB is already " \
           "registered; row skipped." in again.stderr


def test_sentra_import_previews_an_office_workbook_and_runs_it_with_yes(cluster: Cluster, tmp_path: Path) -> None:
    c = cluster
    c.start("registry")
    c.create_user("wayan.registrar", ["registrar"])
    workbook = tmp_path / "dinas-gianyar.xlsx"
    workbook.write_bytes(office_xlsx())

    waiting = sentra(c, "import", str(workbook), "--user", "wayan.registrar", "--interval", "0.05")
    assert waiting.returncode == 3, waiting.stderr
    assert "pratinjau / preview: lembar/sheet 'DATA IKM', baris judul kolom/header row 4" in waiting.stderr
    assert "  NO. HP -> owner_phone (0.95)" in waiting.stderr
    assert "tidak terbaca / unresolved: 'Jasa Servis' x1" in waiting.stderr
    assert "--yes" in waiting.stderr and "Traceback" not in waiting.stderr

    done = sentra(c, "import", str(workbook), "--user", "wayan.registrar", "--yes", "--interval", "0.05")
    assert done.returncode == 0, done.stderr
    # Without an admin's namesake of Kemenuh, only the NIK, the unknown desa and the commodity refuse a row.
    accepted = len(OFFICE_ROWS) - 3
    assert f"selesai / done: {accepted} masuk/accepted, 0 ganda/duplicates" in done.stdout
    assert "KOMODITI / PRODUK: Subsektor ekonomi kreatif tidak dapat ditentukan" in done.stderr
    assert "/ The creative-economy subsector cannot be derived" in done.stderr


def test_sentra_import_says_in_one_line_that_the_registry_cannot_be_reached(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    away = sentra(c, "import", str(EXAMPLE), "--user", "wayan.registrar",
                  extra_env={"REGISTRY_URL": f"http://127.0.0.1:{port}"})
    assert away.returncode == 2
    assert away.stderr.strip().splitlines() == [
        f"Layanan tidak dapat dihubungi / Service unreachable: http://127.0.0.1:{port}/ (ConnectError); periksa "
        "REGISTRY_URL dan apakah layanannya berjalan / check REGISTRY_URL and that the service runs."]


def test_sentra_import_refuses_a_wrong_password_a_missing_file_and_a_non_registrar(cluster: Cluster,
                                                                                    tmp_path: Path) -> None:
    c = cluster
    c.start("registry")
    c.create_user("komang.panitia", ["organiser"])
    assert sentra(c, "import", str(tmp_path / "nowhere.csv"), "--user", "komang.panitia").returncode == 2
    wrong = sentra(c, "import", str(EXAMPLE), "--user", "komang.panitia", password="not-it")
    assert wrong.returncode == 1 and "sign-in failed" in wrong.stderr
    refused = sentra(c, "import", str(EXAMPLE), "--user", "komang.panitia")
    assert refused.returncode == 1 and "registrar" in refused.stderr.lower()


def test_sentra_users_create_then_the_new_user_signs_in(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    made = sentra(c, "users", "create", "made.kurator", "--role", "curator", "--full-name", "Made Kurator",
                  extra_env={"SENTRA_NEW_USER_PASSWORD": "a-long-enough-password"})
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "created made.kurator (curator)"
    eventually(lambda: c.token_for("made.kurator", "a-long-enough-password"), what="the new user signs in")
    twice = sentra(c, "users", "create", "made.kurator", "--role", "curator", "--full-name", "Made Kurator",
                   extra_env={"SENTRA_NEW_USER_PASSWORD": "a-long-enough-password"})
    assert twice.returncode == 1 and twice.stderr.strip()
