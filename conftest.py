"""Project-wide pytest fixtures: uploads in a temporary media folder, and for browser tests a
chromium tab (Debian's, through Playwright) that refuses every request leaving the live
server and lists them in ``page.outside``."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded workbooks and generated files go to a per-test folder.
    settings.MEDIA_ROOT = tmp_path / "media"


CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
def tab(live_server, monkeypatch):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    outside: list[str] = []
    host = urlsplit(live_server.url).hostname
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(locale="zh-CN")

        def only_the_live_server(route):
            url = route.request.url
            if url.startswith("data:") or urlsplit(url).hostname == host:
                route.continue_()
            else:
                outside.append(url)
                route.abort()

        context.route("**/*", only_the_live_server)
        page = context.new_page()
        page.outside = outside
        yield page
        browser.close()
