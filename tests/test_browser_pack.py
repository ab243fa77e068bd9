"""In a real browser: an advisor opens a round with a closing date, downloads the invitation
pack from the links page, and the QR code read off the printed page opens the survey."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from readiness.models import Role
from tests.browser_support import assert_accessible, browser, live_url, page  # noqa: F401
from tests.qr_helpers import qr_links
from tests.web_helpers import PASSWORD, make_municipality, make_user

pytestmark = [pytest.mark.browser, pytest.mark.db]


def _login(tab: Any, base: str, username: str) -> None:
    tab.goto(f"{base}/login")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", PASSWORD)
    with tab.expect_navigation():
        tab.click("button[type=submit]")


def test_an_advisor_prints_the_pack_and_its_qr_code_opens_the_survey(
        page: Any, live_url: str, browser: Any,  # noqa: F811
        session: Session, tmp_path: Path):
    advisor = make_user(session, "advisor", Role.ADVISOR)
    municipality = make_municipality(session, "Mechelen", advisor=advisor)
    _login(page, live_url, "advisor")
    page.goto(f"{live_url}/municipalities/{municipality.public_id}/assessments/new")
    page.fill("#conducted_on", "2026-04-01")
    page.fill("#closes_on", "2099-05-31")
    page.check("input[name=mode][value=survey]")
    assert page.is_hidden("#size_police")  # asked only once the agency is ticked (script)
    for agency in ("police", "health"):
        page.check(f"input[name=agencies][value={agency}]")
        page.fill(f"#size_{agency}", "12")
    with page.expect_navigation():
        page.click("text=Create the assessment")
    assert page.url.endswith("/links")
    assert_accessible(page, "links page")
    shown = page.input_value("#all-links-text").splitlines()
    assert len(shown) == 2
    assert page.is_visible("button[data-copy-target=all-links-text]")  # the script shows it

    with page.expect_download() as waiting:
        page.click("text=Download the invitation pack (PDF)")
    pdf = tmp_path / "pack.pdf"
    waiting.value.save_as(pdf)
    links = qr_links(pdf.read_bytes())
    assert links == [line.split(": ", 1)[1] for line in shown]

    practitioner = browser.new_context()  # a phone: no session, its own cookies
    try:
        tab = practitioner.new_page()
        tab.goto(links[0])
        assert tab.locator("h1").first.inner_text().strip() != ""
        assert tab.is_visible("text=Start now")
        assert tab.is_visible("text=This survey closes at the end of")
        assert_accessible(tab, "survey start page with a closing date")
    finally:
        practitioner.close()
