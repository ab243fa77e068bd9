"""Every table of the web pages scrolls inside its own region, which a keyboard can reach and a
screen reader names as the table's caption (WCAG 1.4.10 Reflow, 2.1.1 Keyboard), so a wide
table never makes a phone's page scroll sideways."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
REGION = re.compile(r'<div class="table-wrap" role="region" tabindex="0" aria-label="(.+?)">'
                    r'\s*<table\b[^>]*>\s*<caption[^>]*>(.+?)</caption>', re.S)


def test_every_table_of_the_web_pages_is_in_a_named_focusable_scroll_region() -> None:
    unwrapped = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        regions = REGION.findall(text)
        if text.count("<table") != len(regions):
            unwrapped.append(template.relative_to(TEMPLATES).as_posix())
        for label, caption in regions:  # the region is named as its table's caption
            assert label.replace("|trim", "") == caption, template
    assert unwrapped == []
