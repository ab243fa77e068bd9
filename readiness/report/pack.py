"""The invitation pack: one printable A4 page per agency link of a round, with the link as a QR
code, as an address to type and as a short code to type at HOST/j, the closing date, who runs
the round, how long the survey takes and the privacy notice in short. HTML here, PDF through
`report.render` like every PDF.

The QR code is an inline SVG made by segno from the link alone (nothing fetched, no data:
URL needed); its <title> names the link for assistive technology.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import segno
from markupsafe import Markup

QR_ERROR_LEVEL = "m"  # survives a crease or a smudge on paper (15 %)


@dataclass(frozen=True)
class PackLink:
    """One page of the pack: an agency, its link, and its join code as printed (ABCD-EFGH),
    None for a link without one."""

    agency: str
    url: str
    code: str | None = None


@dataclass(frozen=True)
class PackNotice:
    """The privacy notice in short: the configured parts, None where not configured."""

    controller: str | None
    contact: str | None
    retention: str | None
    url: str | None


@dataclass(frozen=True)
class Pack:
    """What every page of a round's pack says, and the links it carries."""

    municipality: str
    round: int
    title: str
    closes_on: date | None
    runner: str
    minutes: int
    min_group: int
    notice: PackNotice
    links: list[PackLink]
    join_url: str = ""  # where a join code is typed (HOST/j), shown without its scheme


def qr_svg(url: str) -> Markup:
    """The QR code of `url` as inline SVG markup (segno escapes the title it writes)."""
    code = segno.make(url, error=QR_ERROR_LEVEL, micro=False)
    return Markup(code.svg_inline(scale=4, border=4, title=url, svgclass="qr", lineclass=None,
                                  omitsize=True))


def pack_html(pack: Pack) -> str:
    """The pack as one self-contained HTML document, ready for `render.render_pdf`."""
    from readiness.report.render import render_document_html

    return render_document_html("pack.html", pack=pack,
                                codes={link.url: qr_svg(link.url) for link in pack.links})
