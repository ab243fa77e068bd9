"""Render the roadmap report: HTML from reports/, then a tagged PDF/UA-1 with WeasyPrint.

The only module that imports WeasyPrint. The document is self-contained (CSS inlined, charts
inline SVG, system fonts embedded), so the URL fetcher serves nothing but the few allow-listed
report assets: no file:, no data:, no network, no redirects, and it records every request.

Time limit: `render_pdf(..., isolate=True)` (the default, and what the web app uses) renders in
a child process started from a forkserver that has WeasyPrint preloaded and its fonts opened
(`readiness.report.warm`), so it is safe from any thread (Flask, gunicorn gthread workers) and
a runaway render is killed at the deadline. With `isolate=False` (the CLI and the batch
workers, each in its own main thread) the render runs in process under SIGALRM; from a non-main
thread that falls back to the isolated path.
Closed assessments do not change: callers cache the PDF under `cache_key(html)`.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import multiprocessing
import os
import signal
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from multiprocessing.connection import Connection
from pathlib import Path
from types import FrameType
from typing import Any

import jinja2
import pydyf
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

try:  # WeasyPrint 70's internals, for chart labels drawn in one piece (`_svg_text`)
    import weasyprint.svg as svg_drawer
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.text import Style as SvgTextStyle
    from weasyprint.svg.text import TextBox as SvgTextBox
    from weasyprint.svg.text import text as letterwise_text
    from weasyprint.svg.utils import normalize as svg_normalize
    from weasyprint.svg.utils import size as svg_size
    from weasyprint.text.line_break import split_first_line
except ImportError:  # another WeasyPrint: its own SVG text drawing is kept, slower but right
    svg_drawer = None
try:  # WeasyPrint 70's leader handling, for a leader drawn as one run (`_leader_in_one_piece`)
    import weasyprint.layout.inline as inline_layout
    from weasyprint.layout.leader import leader_index
except ImportError:  # another WeasyPrint: its leaders are kept as they are
    inline_layout = None

from readiness import translate
from readiness.report.context import ReportContext
from readiness.resources import resource_dir

LOG = logging.getLogger(__name__)
# Bump when the templates or the CSS change in a way that should invalidate cached PDFs.
REPORT_FORMAT = "1"
ASSET_BASE = "https://assets.report.invalid/"
DEFAULT_TIMEOUT = 60.0
PDF_VARIANT = "pdf/ua-1"


class ReportError(RuntimeError):
    """A report that could not be rendered; the message is meant for the person who asked."""


class ReportFetcher(URLFetcher):
    """Serve only the report's own assets (by exact URL); refuse and record everything else."""

    def __init__(self, assets: Mapping[str, tuple[bytes, str]] | None = None) -> None:
        super().__init__(timeout=1, allowed_protocols=(), allow_redirects=False,
                         fail_on_errors=False)
        self.assets = {ASSET_BASE + name: value for name, value in (assets or {}).items()}
        self.requested: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Return an allow-listed asset, or raise for any other URL (never touching it)."""
        self.requested.append(url)
        if url in self.assets:
            body, mime_type = self.assets[url]
            return URLFetcherResponse(url, body, {"Content-Type": mime_type})
        self.refused.append(url)
        raise ValueError(f"the report renderer fetches nothing outside the report: {url[:80]}")


# --- SVG text in one piece ---------------------------------------------------------------------
# WeasyPrint 70 lays out and draws every letter of an SVG <text> on its own, so that it can honour
# per-letter positions (x="1 2 3", rotate, letter-spacing, textLength). The charts place each label
# at one point, and their 1,100 letters cost 13 % of a roadmap's render. A label positioned once
# is laid out and drawn here as one Pango line (same font, size, anchor, baseline and bounding box;
# kerned as HTML text is); anything positioned per letter goes to WeasyPrint's own code unchanged.

_PER_LETTER = ("rotate", "letter-spacing", "textLength", "lengthAdjust")


def _positioned_once(node: Any) -> bool:
    """Whether an SVG text node has at most one x, y, dx and dy and nothing set per letter."""
    if node.tag not in ("text", "tspan"):
        return False
    if any(node.get(name) not in (None, "", "0", "normal") for name in _PER_LETTER):
        return False
    return all(len(svg_normalize(node.attrib.get(name, "")).split()) <= 1
               for name in ("x", "y", "dx", "dy"))


def _first(svg: Any, node: Any, name: str, font_size: float, extent: float) -> float | None:
    """The one value of a position attribute (x, y, dx, dy), or None when it is not set."""
    if name not in node.attrib:
        return None
    values = svg_normalize(node.attrib[name]).split()
    return svg_size(values[0], font_size, extent) if values else None


def _baseline_shift(node: Any, font_size: float, height: float) -> float:
    """WeasyPrint's vertical alignment of SVG text (display-anchor, dominant-baseline)."""
    ascent, descent = font_size * .8, font_size * .2
    anchor = node.get("display-anchor")
    baseline = node.get("dominant-baseline", node.get("alignment-baseline"))
    if anchor in ("middle", "bottom"):
        return -height / 2 if anchor == "middle" else -height
    if anchor == "top":
        return 0
    if baseline in ("central", "middle"):
        return (ascent + descent) / 2 - descent
    if baseline in ("text-before-edge", "before_edge", "top", "hanging", "text-top"):
        return ascent
    if baseline in ("text-after-edge", "after_edge", "bottom", "text-bottom"):
        return -descent
    return 0


def _text_style(svg: Any, node: Any, font_size: float) -> Any:
    """The text style WeasyPrint builds for an SVG text node (font family, style, weight, size)."""
    style = SvgTextStyle(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [font.strip("\"'") for font in
                            node.get("font-family", "sans-serif").split(",")]
    style["font_style"] = node.get("font-style", "normal")
    style["font_size"] = font_size
    if node.get("direction") in ("ltr", "rtl"):
        style["direction"] = node.get("direction")
    weight = node.get("font-weight", 400)
    named = {"normal": 400, "bold": 700}
    style["font_weight"] = named.get(weight) or (int(weight) if str(weight).isdigit() else 400)
    return style


def _svg_text(svg: Any, node: Any, font_size: float) -> None:
    """Draw an SVG text node positioned once as one line; leave the rest to WeasyPrint."""
    if not _positioned_once(node):
        letterwise_text(svg, node, font_size)
        return
    if not node.text:  # a <text> holding only <tspan>s: move the cursor, lay nothing out
        x, y, dx, dy = (_first(svg, node, name, font_size, extent) for name, extent in (
            ("x", svg.inner_width), ("y", svg.inner_height),
            ("dx", svg.inner_width), ("dy", svg.inner_height)))
        svg.cursor_position = ((svg.cursor_position[0] if x is None else x) + (dx or 0),
                               (svg.cursor_position[1] if y is None else y) + (dy or 0))
        return
    style = _text_style(svg, node, font_size)
    layout, _, _, width, height, baseline = split_first_line(
        node.text, style, svg.context, float("inf"), 0)
    x, y = (_first(svg, node, name, font_size, extent) for name, extent
            in (("x", svg.inner_width), ("y", svg.inner_height)))
    dx, dy = (_first(svg, node, name, font_size, extent) for name, extent
              in (("dx", svg.inner_width), ("dy", svg.inner_height)))
    if x:  # as WeasyPrint does, letter by letter
        svg.cursor_d_position[0] = 0
    if y:
        svg.cursor_d_position[1] = 0
    svg.cursor_d_position[0] += dx or 0
    svg.cursor_d_position[1] += dy or 0
    x = svg.cursor_position[0] if x is None else x
    y = svg.cursor_position[1] if y is None else y
    svg.cursor_position = x + width, y
    left = x + svg.cursor_d_position[0]
    bottom = y + svg.cursor_d_position[1] + _baseline_shift(node, font_size, height)
    node.text_bounding_box = extend_bounding_box(node.text_bounding_box, (
        (left, bottom - baseline), (left + width, bottom - baseline + height)))
    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    box = SvgTextBox(layout, style)
    box.baseline = baseline
    emojis = draw_first_line(svg.stream, box, "none", "none", Matrix(d=-1, e=left, f=bottom))
    svg.stream.end_text()
    svg.stream.pop_state()
    draw_emojis(svg.stream, style, x, y, emojis)


def _draw_svg_text_in_one_piece() -> None:
    """Make WeasyPrint's SVG drawer use `_svg_text` (its anchor code compares against `text`)."""
    if svg_drawer is None or getattr(svg_drawer, "text", None) is not letterwise_text:
        return  # another WeasyPrint, or done already: keep what is there
    svg_drawer.text = _svg_text
    for tag, draw in list(svg_drawer.TAGS.items()):
        if draw is letterwise_text:
            svg_drawer.TAGS[tag] = _svg_text


_draw_svg_text_in_one_piece()


# --- contents leaders as one run of text ----------------------------------------------------------
# WeasyPrint 70 fills a leader with one copy of its text box per repetition, each laid out again
# by Pango and drawn alone when the page is painted: the contents' dotted leaders are about 700
# of the roadmap's 1,600 drawn text boxes (2.5 % of a render). Once WeasyPrint has placed them
# (from the right edge, so dots line up from line to line), the copies of a line are replaced by
# one box holding the same text repeated, starting where the first copy started: the same dots
# in the same places (pages compared at 110 dpi), one layout and one text run per line.


def _leader_in_one_piece(context: Any, line: Any, containing_block: Any) -> None:
    """WeasyPrint's leader handling, then the copies of a left-to-right leader merged into one."""
    _weasyprint_leader(context, line, containing_block)
    _, leader = leader_index(line)
    if leader is None or len(leader.children) < 2 or line.style["direction"] != "ltr":
        return
    first = min(leader.children, key=lambda box: box.position_x)
    text = first.text * len(leader.children)
    layout, _, _, width, _, _ = split_first_line(text, first.style, context, float("inf"), 0)
    merged = first.copy_with_text(text)
    merged.pango_layout, merged.width = layout, width
    leader.children = (merged,)


def _draw_leaders_in_one_piece() -> None:
    """Make WeasyPrint's line layout use `_leader_in_one_piece` (once, WeasyPrint 70 only)."""
    if inline_layout is None or svg_drawer is None:
        return
    if getattr(inline_layout.handle_leader, "__module__", "") == "weasyprint.layout.leader":
        inline_layout.handle_leader = _leader_in_one_piece


_weasyprint_leader: Any = getattr(inline_layout, "handle_leader", None)
_draw_leaders_in_one_piece()


# --- PDF streams deflated at zlib's default level ------------------------------------------------
# pydyf compresses every content stream at level 9: 0.054 s of a 12-action roadmap's ~1 s, for a
# PDF 3 % smaller (166 KB) than level 6 makes it in 0.013 s (171 KB). Same content, same decoder.

class _DefaultLevelZlib:
    """zlib as pydyf sees it, with `compressobj` capped at level 6 (zlib's own default)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)

    @staticmethod
    def compressobj(level: int = -1, *args: Any, **kwargs: Any) -> Any:
        """A compressor at the requested level, at most 6."""
        return zlib.compressobj(min(level, 6), *args, **kwargs)


def _deflate_at_default_level() -> None:
    """Make pydyf deflate its streams at level 6 (only if it still uses the zlib module)."""
    if getattr(pydyf, "zlib", None) is zlib:
        pydyf.zlib = _DefaultLevelZlib()


_deflate_at_default_level()


# --- fonts found once per process ----------------------------------------------------------------
# WeasyPrint gives each document a new FontConfiguration, so Pango matches, opens and measures
# every face again for each PDF (about 6 % of a roadmap). A renderer that outlives one PDF (the
# batch workers, a process rendering several) keeps one for its main thread; the forkserver the
# isolated renders start from fills it once (`warm_up`), so each child finds the fonts ready.
# Only system fonts are used (no @font-face: the fetcher serves no font), so nothing from one
# document can reach another. Pango is not thread-safe: other threads get a configuration each.

_FONTS: list[FontConfiguration] = []


def _font_config() -> FontConfiguration | None:
    """The process's font configuration in the main thread; None (a new one) elsewhere."""
    if threading.current_thread() is not threading.main_thread():
        return None
    if not _FONTS:
        _FONTS.append(FontConfiguration())
    return _FONTS[0]


# Every face and size the roadmap uses (text, headings, tables, notes, chart labels), in a page.
_WARM_BODY = (
    '<section class="cover"><p class="kicker">k</p><h1>a</h1><p class="place">b</p>'
    '<p class="cover-sub">c</p><dl class="cover-facts"><dt>d</dt><dd>e</dd></dl></section>'
    '<nav class="toc"><ol><li><a href="#s">f</a><ol><li><a href="#s">g</a></li></ol></li></ol>'
    '</nav><section id="s"><h2>h</h2><p class="stage"><span class="stage-label">i</span> j '
    '<span class="stage-score">1</span></p><p class="lead">l</p><p>m <strong>n</strong> <em>o'
    '</em> <code>p</code> <span class="ev">q</span> <span class="fig">r</span></p>'
    '<p class="note">s</p><p class="big-score">7 <span class="level">t</span></p><h3>u</h3>'
    '<ul class="findings"><li><span class="tag">v</span> w</li></ul><blockquote><p>x</p>'
    '<footer>y</footer></blockquote><table class="heatmap"><caption>z</caption><thead><tr>'
    '<th class="num">a</th></tr></thead><tbody><tr><th>b</th><td class="num c0">c</td></tr>'
    '</tbody></table><div class="phase"><h3>d</h3><article class="action"><h4><span '
    'class="prio">1</span> e</h4><p class="facts">f</p><p>g</p><div class="inspiration"><p>h'
    '</p></div></article></div><svg xmlns="http://www.w3.org/2000/svg" width="90" height="20">'
    + "".join(f'<text x="1" y="9" font-size="{size}" font-weight="{weight}">i</text>'
              for size in ("7.4", "8", "8.7", "9", "10", "11.6") for weight in ("normal", "bold"))
    + '</svg></section>')


def warm_up() -> None:
    """Render one small page in every face and size the reports use, so that renders after it
    in this process (or in processes forked from it) find Pango's fonts already open. Never
    raises: a forkserver whose preload raised would fail every isolated render after it."""
    try:
        html_to_pdf(f'<!DOCTYPE html><html lang="en"><head><title>-</title><style>'
                    f'{_stylesheet()}</style></head><body>{_WARM_BODY}</body></html>')
    except ReportError as exc:  # logged by html_to_pdf; the renders after it find fonts alone
        LOG.warning("Opening the report fonts ahead failed: %s", exc)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource_dir("reports")),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, auto_reload=False,
        lstrip_blocks=True, extensions=["jinja2.ext.i18n"])
    # `{{ _("...") }}` in reports/ speaks the current language (translate.use_language)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        translate.template_gettext, translate.template_ngettext, newstyle=True)
    env.globals["report_lang"] = translate.current_language
    env.filters["local_date"] = translate.format_date
    # a sentence's first letter raised, the rest kept: German nouns keep their capital
    env.filters["capitalize"] = translate.upper_first
    # figures with the language's decimal mark, as on the pages (readiness.i18n)
    env.filters["local_number"] = lambda value, digits=0, signed=False: translate.format_number(
        value, digits, signed=signed)
    return env


@cache
def _stylesheet() -> Markup:
    css = (resource_dir("reports") / "report.css").read_text(encoding="utf-8")
    return Markup(css.replace("</", "<\\/"))


def render_roadmap_html(ctx: ReportContext) -> str:
    """The roadmap as one self-contained HTML document (also what `--html` writes)."""
    template = _environment().get_template("roadmap.html")
    return template.render(ctx=ctx, css=_stylesheet())


def render_document_html(template: str, **values: Any) -> str:
    """Another report template of reports/ (e.g. the national summary), CSS inlined."""
    return _environment().get_template(template).render(css=_stylesheet(), **values)


def cache_key(html: str) -> str:
    """A key for caching a rendered PDF: the report format and the exact HTML it came from."""
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    return f"roadmap-v{REPORT_FORMAT}-{digest}"


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise ReportError in the main thread when `seconds` pass (SIGALRM)."""

    def expired(signum: int, frame: FrameType | None) -> None:
        """Stop the render."""
        raise ReportError(f"Rendering the PDF took longer than {seconds:g} s and was stopped. "
                          "Try again later.")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _paused_gc(allowed: bool, resume: bool) -> Iterator[None]:
    """Pause the cyclic GC while WeasyPrint builds its millions of objects (only in a main
    thread): its collections traverse the growing heap again and again (~20 % of the render),
    while the render's own garbage is almost all freed by reference counting. A process that
    ends right after the render (the isolated child) passes resume=False."""
    paused = allowed and gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused and resume:
            gc.enable()


def html_to_pdf(html: str, *, fetcher: ReportFetcher | None = None,
                timeout: float | None = None, resume_gc: bool = True) -> bytes:
    """Render report HTML to PDF/UA-1 bytes in this process; failures become ReportError."""
    fetcher = fetcher or ReportFetcher()
    in_main = threading.current_thread() is threading.main_thread()
    try:
        with _paused_gc(in_main, resume_gc):
            if timeout is not None and in_main:
                with _deadline(timeout):
                    return _write(html, fetcher)
            return _write(html, fetcher)
    except ReportError:
        raise
    except RecursionError:
        LOG.warning("PDF rendering failed: markup nested too deeply")
        raise ReportError("The report is nested too deeply to lay out as a PDF; "
                          "the people who run this service have been told.") from None
    except Exception as exc:
        LOG.exception("PDF rendering failed")
        raise ReportError(f"The PDF could not be rendered ({type(exc).__name__}); "
                          "the people who run this service have been told.") from None


def _write(html: str, fetcher: ReportFetcher) -> bytes:
    document = HTML(string=html, base_url=ASSET_BASE, url_fetcher=fetcher)
    pdf = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True, font_config=_font_config())
    assert pdf is not None
    return bytes(pdf)


# --- isolated rendering (child process with a hard time limit) -------------------------------

_FORKSERVER = multiprocessing.get_context("forkserver")
# The forkserver imports the renderer and renders a page once (readiness.report.warm): every
# isolated render then starts with WeasyPrint imported and the fonts open.
_FORKSERVER.set_forkserver_preload(["readiness.report.render", "readiness.report.warm"])


def _child(conn: Connection, html: str) -> None:
    try:
        conn.send(("ok", html_to_pdf(html, resume_gc=False)))  # the child exits next
    except ReportError as exc:
        conn.send(("error", str(exc)))
    except BaseException as exc:  # noqa: BLE001 - report anything to the parent, then exit
        conn.send(("error", f"The PDF could not be rendered ({type(exc).__name__})."))
    finally:
        conn.close()


def _render_isolated(html: str, timeout: float) -> bytes:
    receiver, sender = _FORKSERVER.Pipe(duplex=False)
    process = _FORKSERVER.Process(target=_child, args=(sender, html), daemon=True,
                                  name="readiness-pdf")
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise ReportError(f"Rendering the PDF took longer than {timeout:g} s and was "
                              "stopped. Try again later.")
        status, payload = receiver.recv()
    except EOFError:
        raise ReportError("The PDF renderer stopped unexpectedly. Try again later.") from None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if status != "ok":
        raise ReportError(payload)
    return bytes(payload)


def render_pdf(html: str, *, timeout: float = DEFAULT_TIMEOUT, isolate: bool = True) -> bytes:
    """Render report HTML to PDF within `timeout` seconds, isolated in a child by default."""
    if isolate or threading.current_thread() is not threading.main_thread():
        return _render_isolated(html, timeout)
    return html_to_pdf(html, timeout=timeout)


# --- batch rendering (all cores) -------------------------------------------------------------


@dataclass(frozen=True)
class BatchResult:
    """The outcome of one document of a batch: where it went, or why it failed."""

    path: Path
    ok: bool
    message: str
    seconds: float


def _render_to_file(path: Path, html: str, timeout: float) -> BatchResult:
    start = time.perf_counter()
    try:
        pdf = html_to_pdf(html, timeout=timeout)  # a worker's main thread: SIGALRM applies
    except ReportError as exc:
        return BatchResult(path, False, str(exc), time.perf_counter() - start)
    temp = path.with_name(path.name + ".part")
    temp.write_bytes(pdf)
    os.replace(temp, path)
    return BatchResult(path, True, f"{len(pdf) // 1024} KB", time.perf_counter() - start)


def render_batch(jobs: Iterable[tuple[Path, str]], *, workers: int | None = None,
                 timeout: float = DEFAULT_TIMEOUT) -> list[BatchResult]:
    """Render (path, html) jobs to PDF files on all cores; jobs start as they are produced."""
    workers = workers or os.cpu_count() or 1
    with ProcessPoolExecutor(max_workers=workers, mp_context=_FORKSERVER) as pool:
        futures: list[Future[BatchResult]] = [
            pool.submit(_render_to_file, path, html, timeout) for path, html in jobs]
        return [future.result() for future in futures]
