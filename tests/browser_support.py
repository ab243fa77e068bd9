"""Real-browser test support: the app on a local port, Debian chromium via Playwright, axe-core.

Import the fixtures into a test module (`from tests.browser_support import browser, live_url,
page`) and mark the module `pytestmark = pytest.mark.browser`. Never downloads a browser:
Playwright drives /usr/bin/chromium, installed by `.ci/install`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless chromium per test module.

    Module scope, not session: each module imports this fixture, which defines it once per
    module, and two Playwright instances alive at once in one thread refuse to start.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    """The test app served on 127.0.0.1 on a free port, in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh page in a fresh browser context (its own cookies)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def axe_violations(tab: Any) -> list[str]:
    """Run axe-core on the current page; return one readable line per WCAG 2.1 AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    lines = []
    for violation in results.response["violations"]:
        targets = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return lines


def assert_accessible(tab: Any, what: str) -> None:
    """Fail with axe-core's findings when the page has any WCAG 2.1 AA violation."""
    found = axe_violations(tab)
    assert not found, f"{what} at {tab.url}:\n" + "\n".join(found)
