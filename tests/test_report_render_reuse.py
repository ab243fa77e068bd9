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
