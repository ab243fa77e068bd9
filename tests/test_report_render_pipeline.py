"""One renderer, many PDFs: the fonts kept between renders and the faster deflate change nothing
in the documents."""

from __future__ import annotations

import io
import threading
import zlib

import pydyf
import pypdf

from readiness.report import render
from readiness.report.render import html_to_pdf


def _fonts(pdf: bytes) -> set[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def _doc(body: str) -> str:
    return f'<html lang="en"><head><title>t</title></head><body>{body}</body></html>'


def test_a_face_used_by_one_pdf_is_not_embedded_in_the_next():
    with_code = html_to_pdf(_doc("<p>Text and <code>a hash</code></p>"))
    without = html_to_pdf(_doc("<p>Text only</p>"))
    assert any("Mono" in name for name in _fonts(with_code))
    assert not any("Mono" in name for name in _fonts(without))


def test_the_same_html_gives_the_same_pages_before_and_after_the_warm_up():
    html = _doc("<h1>Roadmap</h1><p>Lead: <strong>police</strong> <em>by June</em></p>")
    before = pypdf.PdfReader(io.BytesIO(html_to_pdf(html)))
    render.warm_up()
    after = pypdf.PdfReader(io.BytesIO(html_to_pdf(html)))
    assert [p.extract_text() for p in after.pages] == [p.extract_text() for p in before.pages]
    assert [p.mediabox for p in after.pages] == [p.mediabox for p in before.pages]


def test_a_render_outside_the_main_thread_gets_fonts_of_its_own():
    seen = []
    thread = threading.Thread(target=lambda: seen.append(render._font_config()))
    thread.start()
    thread.join()
    assert seen == [None]  # Pango is not thread-safe: WeasyPrint makes a new configuration
    assert render._font_config() is render._font_config()


def test_pdf_streams_are_still_deflated_and_readable():
    assert pydyf.zlib is not zlib  # the level-6 stand-in is installed
    pdf = html_to_pdf(_doc("<p>" + "Repeated text. " * 400 + "</p>"))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    stream = reader.pages[0]["/Contents"].get_object()
    stream = stream[0].get_object() if isinstance(stream, pypdf.generic.ArrayObject) else stream
    assert stream["/Filter"] == "/FlateDecode"
    assert len(stream._data) < len(stream.get_data()) / 3  # compressed, and decodes
    assert "Repeated text." in reader.pages[0].extract_text()


def _runs(pdf: bytes) -> list[tuple[str, float]]:
    """Each text run of the first page with the x where it starts (text matrix and Td)."""
    runs: list[tuple[str, float]] = []
    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: runs.append(
        (text, round(tm[4] * cm[0] + cm[4], 1))) if text.strip() else None)
    return runs


CONTENTS = _doc(
    '<style>.toc a::after { content: leader(".   ") target-counter(attr(href), page); }</style>'
    '<nav class="toc"><p><a href="#one">Summary</a></p><p><a href="#two">A longer title, '
    'to the right</a></p></nav><h2 id="one">One</h2><h2 id="two">Two</h2>')


def test_a_contents_leader_is_one_run_with_its_first_dot_where_weasyprint_puts_it(monkeypatch):
    ours = _runs(html_to_pdf(CONTENTS))
    monkeypatch.setattr(render.inline_layout, "handle_leader", render._weasyprint_leader)
    theirs = _runs(html_to_pdf(CONTENTS))
    dots = [run for run in ours if run[0].strip() and set(run[0]) <= {".", " "}]
    their_dots = [run for run in theirs if run[0].strip() and set(run[0]) <= {".", " "}]
    assert len(dots) == 2  # one run per line
    assert len(their_dots) > 40  # WeasyPrint's own: one run per dot
    for text, x in dots:
        line = [dot_x for _, dot_x in their_dots if dot_x >= x - 0.1]
        assert x == min(line, key=lambda dot_x: abs(dot_x - x))  # starts on one of their dots
        assert text.count(".") >= 2
    assert {t for t, _ in ours if not set(t) <= {".", " "}} == {
        t for t, _ in theirs if not set(t) <= {".", " "}}  # titles and page numbers unchanged


def test_a_warm_up_that_fails_does_not_raise_so_the_forkserver_still_starts(monkeypatch, caplog):
    def broken(html: str, fetcher: render.ReportFetcher) -> bytes:
        raise OSError("no fonts here")

    monkeypatch.setattr(render, "_write", broken)
    render.warm_up()  # the forkserver imports readiness.report.warm: an exception would kill it
    assert "Opening the report fonts ahead failed" in caplog.text
