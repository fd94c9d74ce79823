"""The console in a real browser (Debian's chromium through Playwright) against the three services
and the console as processes on real Redis: a registrar's journey, the language switch, and a
curator scoring a case."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from shared.demo import DEMO_PASSWORD, seed_demo
from tests.support.browser import chromium
from tests.support.cluster import ADMIN_PASSWORD, Cluster

WAIT_MS = 30_000


@pytest.fixture
def console(cluster: Cluster) -> Iterator[Cluster]:
    """The services with the demo people (a registrar, three kriya curators) and the console."""
    cluster.start()
    seed_demo(cluster["registry"].url, cluster["curation"].url, cluster["exhibitions"].url, ADMIN_PASSWORD)
    cluster.start_console()
    yield cluster


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pekerjaan hari ini")


def fill_registration(page: Page, nik: str) -> None:
    page.get_by_label("Nama usaha").fill("UD Perak Sari Singapadu")
    page.get_by_label("Sektor").select_option("kriya")
    page.get_by_label("Tenaga kerja").fill("6")
    page.get_by_label("Investasi (rupiah)").fill("150.000.000")
    page.get_by_label("Nama pemilik").fill("Ni Made Sari")
    page.get_by_label("NIK").fill(nik)
    page.get_by_label("Kabupaten/kota").select_option(label="Kabupaten Gianyar")
    expect(page.locator("#f-district_code option", has_text="Sukawati")).to_have_count(1)
    page.get_by_label("Kecamatan").select_option(label="Sukawati")
    expect(page.locator("#f-village_code option", has_text="Singapadu")).not_to_have_count(0)
    page.get_by_label("Desa/kelurahan").select_option(label="Singapadu")
    page.locator("#f-products\\.0\\.name").fill("Cincin perak motif jawan")
    page.locator("#f-products\\.0\\.price_idr").fill("450.000")


def test_a_registrar_registers_an_ikm_corrects_a_field_and_watches_the_timeline(console: Cluster,
                                                                                browser: Browser) -> None:
    base = console.start_console().url
    page = browser.new_page()
    sign_in(page, base, "registrar")
    page.get_by_role("link", name="Daftarkan IKM").first.click()
    fill_registration(page, nik="510401410180000")  # 15 digits: one short

    page.get_by_role("button", name="Daftarkan").click()
    error = page.locator("#err-owner\\.nik")
    expect(error).to_contain_text("NIK harus 16 digit")
    expect(page.get_by_label("NIK")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Nama usaha")).to_have_value("UD Perak Sari Singapadu")  # the rest is kept
    expect(page.get_by_label("Desa/kelurahan")).to_have_value(re.compile(r"^5104\d{6}$"))

    page.get_by_label("NIK").fill("5104014101800001")
    page.get_by_role("button", name="Daftarkan").click()
    expect(page).to_have_url(re.compile(r"/ikms/[0-9a-f-]{36}\?registered=1$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("UD Perak Sari Singapadu")
    expect(page.locator("main")).to_contain_text("Rp 150.000.000")
    expect(page.locator("main")).to_contain_text("Kabupaten Gianyar")
    # The page polls: the case curation opens arrives in the timeline without a reload.
    expect(page.locator("#timeline")).to_contain_text("Kasus kurasi dibuka untuk Cincin perak motif jawan",
                                                      timeout=WAIT_MS)

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.locator("#timeline")).to_contain_text("Curation case opened for Cincin perak motif jawan")
    expect(page.get_by_role("link", name="Register an IKM")).to_be_visible()
    page.get_by_role("link", name="Bahasa Indonesia").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", name="Linimasa")).to_be_visible()


def test_a_curator_finds_the_case_in_the_queue_and_scores_it(console: Cluster, browser: Browser) -> None:
    ikm = console.call("registry", "POST", "/ikms", user="admin", json={
        "name": "Tenun Ikat Pendem", "owner": {"name": "Ni Ketut Rai", "nik": "5101014101800002"},
        "sector": "kriya", "regency_code": "5104", "district_code": "5104010", "village_code": "5104010007",
        "workers": 4, "products": [{"name": "Kain endek", "price_idr": 750000}]})
    assert ikm.status_code == 201, ikm.text
    base = console.start_console().url
    page = browser.new_page()
    sign_in(page, base, "kurator1")
    expect(page.locator("main")).to_contain_text("kasus menunggu nilai Anda", timeout=WAIT_MS)
    page.goto(f"{base}/cases")
    expect(page.get_by_role("link", name="Kain endek")).to_be_visible(timeout=WAIT_MS)
    page.get_by_role("link", name="Kain endek").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kain endek")

    page.get_by_role("button", name="Kirim nilai saya").click()  # nothing answered
    expect(page.locator("#err-scores\\.quality")).to_contain_text("Wajib diisi")

    for gate in ("maker", "legal", "domicile", "food_permit", "original"):
        page.locator(f"input[name='gates.{gate}'][value='yes']").check()
    for criterion, score in {"quality": 4, "design": 5, "packaging": 3, "price": 4, "capacity": 4,
                             "legality": 3}.items():
        page.locator(f"input[name='scores.{criterion}'][value='{score}']").check()
    page.get_by_label("Catatan untuk IKM").fill("Label belum mencantumkan berat bersih.")
    page.get_by_role("button", name="Kirim nilai saya").click()
    expect(page.get_by_role("status")).to_have_text("Nilai Anda sudah tersimpan.")
    expect(page.get_by_role("button", name="Perbaiki nilai saya")).to_be_visible()


def test_signing_out_clears_the_session_and_a_forged_form_is_refused(console: Cluster, browser: Browser) -> None:
    base = console.start_console().url
    page = browser.new_page()
    sign_in(page, base, "registrar")
    cookie = next(c for c in page.context.cookies() if c["name"] == "sentra_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    # A POST without the form's CSRF token (what another site could send) is refused.
    forged = page.request.post(f"{base}/ikms/new", form={"name": "Palsu"}, max_redirects=0)
    assert forged.status == 403
    page.get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(f"{base}/login")
    assert not [c for c in page.context.cookies() if c["name"] == "sentra_session"]
    # Signing out revoked the token at the registry: a copy of the cookie is worth nothing.
    copied = httpx.get(f"{console['registry'].url}/users/me", headers={"Authorization": f"Bearer {cookie['value']}"})
    assert copied.status_code == 401
    page.goto(f"{base}/ikms")
    expect(page).to_have_url(re.compile(r"/login\?next=/ikms$"))
