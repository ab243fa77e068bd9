"""On a 390 px phone a table wider than the screen scrolls inside its own region and says so:
a visible hint above it and a marked right edge while columns are hidden there, gone at the
end; the region takes keyboard focus and is named; axe-core finds no WCAG 2.1 AA violation."""

from __future__ import annotations

import os
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.demo.municipal import OPEN_ROUND_OF
from readiness.models import Municipality
from tests.browser_support import assert_accessible, browser, live_url  # noqa: F401
from tests.test_browser_reflow import _login, demo, phone  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.db]
SHOTS = os.environ.get("READINESS_SCREENSHOTS")
# each table region: does it scroll, is its hint shown, is its right edge marked
CUES = """() => [...document.querySelectorAll('.table-wrap')].map(el => {
  const hint = el.previousElementSibling;
  return {name: el.getAttribute('aria-label'), scrolls: el.scrollWidth > el.clientWidth + 1,
          hint: !!hint && hint.classList.contains('scroll-hint') && !hint.hidden
                && hint.getBoundingClientRect().height > 0 ? hint.textContent : null,
          edge: getComputedStyle(el).borderRightWidth, tabindex: el.getAttribute('tabindex'),
          role: el.getAttribute('role')};
})"""


def test_the_plans_wide_tables_say_on_a_phone_that_they_scroll_sideways(
        phone: Any, live_url: str, session: Session, demo: dict[str, str]):  # noqa: F811
    home = session.scalars(select(Municipality).where(Municipality.name == OPEN_ROUND_OF)).one()
    _login(phone, live_url, "admin", demo["admin"])
    phone.goto(f"{live_url}/municipalities/{home.public_id}/plan")
    if SHOTS:
        phone.screenshot(path=os.path.join(SHOTS, "phone_plan_cue.png"), full_page=True)
    cues = phone.evaluate(CUES)
    tracked = next(c for c in cues if c["name"] == "Tracked actions")
    assert tracked["scrolls"], "the tracked actions should be wider than a phone"
    for cue in cues:
        assert (cue["tabindex"], cue["role"]) == ("0", "region"), cue
        if cue["scrolls"]:
            assert cue["hint"] == "Scroll sideways to see every column", cue
            assert cue["edge"] != "0px", cue
        else:
            assert cue["hint"] is None, cue
    assert_accessible(phone, "action plan on a phone")
    # scrolled to its end, the edge mark goes: nothing more is hidden there
    region = phone.get_by_role("region", name="Tracked actions").element_handle()
    phone.evaluate("el => { el.scrollLeft = el.scrollWidth; "
                   "el.dispatchEvent(new Event('scroll')); }", region)
    assert phone.evaluate("el => getComputedStyle(el).borderRightWidth", region) == "0px"


def test_a_table_that_fits_shows_no_hint_on_a_wide_screen(
        browser: Any, live_url: str, session: Session, demo: dict[str, str]):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    home = session.scalars(select(Municipality).where(Municipality.name == OPEN_ROUND_OF)).one()
    _login(tab, live_url, "admin", demo["admin"])
    tab.goto(f"{live_url}/municipalities/{home.public_id}/plan")
    assert all(c["hint"] is None and not c["scrolls"] for c in tab.evaluate(CUES))
    context.close()
