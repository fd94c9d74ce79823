"""`/docs` works without internet: Swagger UI's files come from the service, and a real browser that
may reach nothing but this machine renders the API's operations."""

from __future__ import annotations

import httpx
from playwright.sync_api import Route

from tests.support.browser import chromium
from tests.support.cluster import Cluster


def test_the_docs_page_renders_in_a_browser_with_no_other_host_reachable(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    url = c["registry"].url
    page_html = httpx.get(f"{url}/docs").text
    assert "cdn." not in page_html and "/docs/swagger-ui-bundle.js" in page_html
    asset = httpx.get(f"{url}/docs/swagger-ui-bundle.js")
    assert asset.status_code == 200 and asset.headers["content-type"].startswith("text/javascript")
    csp = httpx.get(f"{url}/docs").headers["content-security-policy"]
    assert "http" not in csp  # only 'self': no other host may serve the page anything

    outside: list[str] = []
    with chromium() as browser:
        page = browser.new_page()

        def only_this_machine(route: Route) -> None:
            if route.request.url.startswith(url):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_this_machine)
        page.goto(f"{url}/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=20_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert outside == []
    assert any("/ikms" in p for p in paths)
