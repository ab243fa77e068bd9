"""SVG chart labels in the PDF: each label placed once is one run of real text, not letters."""

from __future__ import annotations

import io

import pypdf

from readiness.report.render import html_to_pdf


def _page(svg_body: str) -> pypdf.PageObject:
    html = ('<html lang="en"><body><svg xmlns="http://www.w3.org/2000/svg" width="240" '
            f'height="60" role="img"><title>Chart</title>{svg_body}</svg></body></html>')
    return pypdf.PdfReader(io.BytesIO(html_to_pdf(html))).pages[0]


def _text_runs(page: pypdf.PageObject) -> int:
    """The text-showing operators on the page and in the forms it draws (anchored labels)."""
    streams = [page.get_contents().get_data()]
    forms = page["/Resources"].get("/XObject", {})
    streams += [forms[name].get_object().get_data() for name in forms]
    return sum(data.count(b" TJ") + data.count(b" Tj") for data in streams)


def test_a_chart_label_is_drawn_as_one_run_of_text_not_letter_by_letter():
    page = _page('<text x="10" y="20" font-size="10">Governance</text>')
    assert _text_runs(page) == 1  # WeasyPrint's own SVG text: one run per letter (10)
    assert "Governance" in page.extract_text()


def test_anchored_labels_and_lines_of_a_wrapped_label_are_one_run_each():
    page = _page('<text x="120" y="20" font-size="9" text-anchor="middle">'
                 '<tspan x="120" dy="0">Legal basis for</tspan>'
                 '<tspan x="120" dy="11">information sharing</tspan></text>'
                 '<text x="230" y="50" font-size="8" text-anchor="end">71 of 100</text>')
    assert _text_runs(page) == 3
    text = page.extract_text()
    assert "Legal basis for" in text
    assert "information sharing" in text
    assert "71 of 100" in text


def test_a_label_placed_letter_by_letter_keeps_each_letter_where_it_was_put():
    page = _page('<text x="10 40 70" y="30" font-size="10">abc</text>'
                 '<text x="10" y="50" rotate="15" font-size="10">de</text>')
    assert _text_runs(page) == 5
