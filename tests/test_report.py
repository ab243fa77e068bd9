"""The PDF roadmap: sections in order, tailored content, nothing fetched, tagged PDF/UA-1."""

from __future__ import annotations

import io
import re
from datetime import date
from html import unescape
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from readiness.cli.main import main
from readiness.core.published import publish
from readiness.core.questionnaire import Questionnaire, get_questionnaire
from readiness.core.scoring import Answer, score
from readiness.report.context import ReportContext, ReportMeta, build_report_context
from readiness.report.render import (
    ReportError,
    ReportFetcher,
    cache_key,
    html_to_pdf,
    render_pdf,
    render_roadmap_html,
)

HOSTILE = ('<img src="file:///etc/passwd"> <link rel="stylesheet" href="http://127.0.0.1:9/"> '
           '<img src="data:image/svg+xml;base64,PHN2Zy8+">')
AGENCIES = ("local_authority", "police", "health", "social_services")


def _answers(q: Questionnaire, weak: str, *, lonely: str | None = "education", per_agency: int = 3,
             doubter: str | None = None) -> list[Answer]:
    """Three respondents per agency: `weak` answered at the bottom, the rest fairly well (by
    the `doubter` agency, if any, at the bottom everywhere)."""
    rows = []
    for agency in AGENCIES:
        for n in range(per_agency):
            for item in q.doc.items:
                options = sorted(q.options(item), key=lambda o: o.score or 0)
                low = item.dimension == weak or agency == doubter
                pick = options[0 if low else -2 - (n == 2)]
                rows.append(Answer(f"{agency}{n}", agency, item.id, pick.value))
    if lonely:  # one respondent: counted, never shown on their own
        rows += [Answer("alone", lonely, item.id, "strongly_agree")
                 for item in q.doc.items if any(o.value == "strongly_agree"
                                                for o in q.options(item))]
    return rows


def _context(weak: str = "legal_basis", per_agency: int = 3, doubter: str | None = None,
             **meta: object) -> tuple[Questionnaire, ReportContext]:
    # the statements and figures below are version 1.0's: an assessment answered on 1.0 keeps
    # printing as it did (1.1's report is checked in test_questionnaire_1_1.py)
    q = get_questionnaire(version="1.0")
    result = score(q, _answers(q, weak, per_agency=per_agency, doubter=doubter))
    defaults: dict[str, object] = {
        "municipality": "Fixtureville", "assessed_on": date(2025, 3, 7), "country": "Belgium",
        "region": "Flanders", "round": 2, "facilitator": "Mobile team of the Ministry",
        "comments": {"trust": [("police", "We rarely hear back from the others.")]}}
    defaults.update(meta)
    assessed_on = defaults["assessed_on"]
    assert isinstance(assessed_on, date)
    published = publish(q, result, workshop=bool(defaults.get("workshop")),
                        assessed_on=assessed_on)
    return q, build_report_context(q, published, ReportMeta(**defaults))


def _text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def weak_on_law() -> tuple[Questionnaire, ReportContext, bytes]:
    q, ctx = _context(facilitator=HOSTILE, comments={"trust": [("police", HOSTILE)]})
    return q, ctx, html_to_pdf(render_roadmap_html(ctx))


def _outline(pdf: bytes) -> list[tuple[str, int]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    flat: list[tuple[str, int]] = []

    def walk(items: list) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                flat.append((item["/Title"], reader.get_destination_page_number(item)))

    walk(reader.outline)
    return flat


def test_an_assessment_dated_at_the_end_of_the_calendar_still_gets_its_report_dates():
    _, ctx = _context(assessed_on=date(9999, 12, 31))
    assert ctx.reassess_on == "31 December 9999"
    assert all(a.check_by == "31 December 9999" for a in ctx.first_actions)


def test_the_contents_give_the_page_each_section_starts_on(weak_on_law):
    q, _, pdf = weak_on_law
    contents = _text(pdf)[1]
    page_of = dict(_outline(pdf))
    for heading in ("Summary", "Scores at a glance", q.doc.dimensions[0].title, "Roadmap",
                    "Monitoring plan", "Glossary", "Methodology and sources"):
        shown = re.search(re.escape(heading) + r"[ .]*(\d+)", contents)
        assert shown, (heading, contents)
        assert int(shown.group(1)) == page_of[heading] + 1, heading


def test_sections_appear_in_order_after_the_contents(weak_on_law):
    q, _, pdf = weak_on_law
    pages = _text(pdf)
    assert "Fixtureville" in pages[0]
    assert "Contents" in pages[1]
    headings = ["Summary", "Scores at a glance", *(d.title for d in q.doc.dimensions),
                "Perception gaps between agencies", "Suggested way of working", "Roadmap",
                "First 3 months", "Monitoring plan", "Glossary", "Methodology and sources"]
    outline = _outline(pdf)
    titles = [title for title, _ in outline]
    found = [titles.index(h) for h in headings]
    assert found == sorted(found), titles
    page_of = dict(outline)
    numbers = [page_of[h] for h in headings]
    assert numbers == sorted(numbers)
    assert numbers[0] == 2
    for heading in headings:
        assert heading in pages[page_of[heading]], heading


def test_each_dimension_section_gives_views_statements_dont_know_and_findings(weak_on_law):
    _, _, pdf = weak_on_law
    body = "\n".join(_text(pdf))
    for part in ("Each agency's view", "Statements that pulled it down",
                 "\u201cDon't know\u201d answers", "Barriers and facilitators found"):
        assert body.count(part) == 5, part


def test_cover_names_agencies_with_counts_and_the_facilitator_but_no_person(weak_on_law):
    _, ctx, pdf = weak_on_law
    cover = _text(pdf)[0]
    assert "Flanders, Belgium" in cover
    assert "7 March 2025" in cover
    assert "Police 3" in cover
    assert "Education and schools 1" in cover
    assert "alone" not in cover  # respondent ids never printed
    assert ctx.respondents == 13


def test_summary_fits_one_page_with_stage_points_and_first_three_actions(weak_on_law):
    _, ctx, pdf = weak_on_law
    page_of = dict(_outline(pdf))
    assert page_of["Scores at a glance"] == page_of["Summary"] + 1  # one page, no more
    summary = _text(pdf)[page_of["Summary"]]
    assert ctx.stage_title in summary
    assert "Strongest points" in summary
    assert "Weakest points" in summary
    assert "The first three actions" in summary
    for action in ctx.first_actions:
        assert action.title in summary.replace("\n", " ")
    assert len(ctx.first_actions) == 3


def test_summary_points_give_a_dimension_its_own_score_and_quote_statements_as_statements(
        weak_on_law):
    _, ctx, pdf = weak_on_law
    summary = " ".join(_text(pdf)[dict(_outline(pdf))["Summary"]].split())
    points = summary[summary.index("Strongest points"):summary.index("The first three actions")]
    scores = {d.title: f"{d.score:.0f}" for d in ctx.dimensions}
    named = re.findall("(" + "|".join(map(re.escape, scores)) + r"): (\d+) of 100", points)
    assert len(named) >= 2
    assert all(scores[title] == figure for title, figure in named), named
    assert ("Highest-scoring statement (73 of 100): on average, practitioners agree with "
            "\u201c") in points


def test_statements_that_pulled_a_dimension_down_say_what_practitioners_answered(weak_on_law):
    _, ctx, pdf = weak_on_law
    legal = next(d for d in ctx.dimensions if d.id == "legal_basis")
    answers = {s.text: s.answer for s in legal.statements}
    # reverse-worded: a score of 0 means practitioners strongly agree with the worry
    assert answers["Practitioners in my agency hold back information that could prevent harm, "
                   "for fear of breaking confidentiality or data protection rules."] == (
                       "Strongly agree")
    body = " ".join("\n".join(_text(pdf)).split())
    assert "0 of 100 (on average \u201cstrongly agree\u201d)" in body
    assert "20 of 100 (on average \u201cdisagree\u201d)" in body  # one agency of five agreed


def test_findings_across_dimensions_are_told_apart_as_barriers_and_facilitators():
    _, ctx = _context(doubter="police")  # a gap between shown agencies on every dimension
    html = render_roadmap_html(ctx)
    general = html[html.index('id="dim-general"'):html.index('id="gaps"')]
    assert [b.title for b in ctx.general_barriers] == ["Agencies see the situation differently"]
    assert ('<span class="tag">Barrier</span> <strong>Agencies see the situation differently'
            in general)
    assert '<span class="tag">Finding</span>' not in general


def test_first_phase_of_a_municipality_weak_on_legal_basis_works_on_information_sharing():
    _, ctx = _context("legal_basis")
    first_phase = ctx.phases[0][2]
    texts = [f"{a.title} {a.what}".lower() for a in first_phase]
    assert any(re.search(r"shar(e|ing)", t) and ("information" in t or "law" in t)
               for t in texts)


def test_pages_are_numbered_n_of_total_and_the_contents_give_page_numbers(weak_on_law):
    _, _, pdf = weak_on_law
    pages = _text(pdf)
    total = len(pages)
    assert f"Page 2 of {total}" in pages[1]
    assert f"Page {total} of {total}" in pages[-1]
    assert re.search(r"Summary[ .]*3\b", pages[1])
    assert "Fixtureville" in pages[3]  # running header


def test_pdf_has_bookmarks_for_every_section(weak_on_law):
    _, _, pdf = weak_on_law
    outline = pypdf.PdfReader(io.BytesIO(pdf)).outline
    top = [item["/Title"] for item in outline if not isinstance(item, list)]
    assert top[:3] == ["Contents", "Summary", "Scores at a glance"]
    assert top[-3:] == ["Monitoring plan", "Glossary", "Methodology and sources"]


def test_free_text_is_printed_as_text_and_nothing_is_fetched(weak_on_law):
    q, ctx, _ = weak_on_law
    html = render_roadmap_html(ctx)
    assert "<img" not in html
    assert "<link" not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    fetcher = ReportFetcher()
    pdf = html_to_pdf(html, fetcher=fetcher)
    assert fetcher.requested == []
    body = "\n".join(_text(pdf)).replace("\n", " ")
    assert 'src="file:///etc/passwd"' in body
    assert "http://127.0.0.1:9/" in body
    assert "data:image/svg+xml" in body
    assert b"/EmbeddedFile" not in pdf
    assert b"root:" not in pdf


def test_fetcher_refuses_file_network_and_data_urls_even_in_raw_markup():
    fetcher = ReportFetcher()
    html = ('<html lang="en"><head><title>t</title><link rel="stylesheet" '
            'href="http://127.0.0.1:9/x.css"><link rel="attachment" href="file:///etc/passwd">'
            '</head><body><img alt="a" src="file:///etc/passwd"><img alt="b" '
            'src="data:image/svg+xml;base64,PHN2Zy8+"><p>x</p></body></html>')
    pdf = html_to_pdf(html, fetcher=fetcher)
    assert set(fetcher.refused) == {"http://127.0.0.1:9/x.css", "file:///etc/passwd",
                                    "data:image/svg+xml;base64,PHN2Zy8+"}
    assert b"/EmbeddedFile" not in pdf


def test_fetcher_serves_only_its_own_assets():
    fetcher = ReportFetcher({"logo.svg": (b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                          "image/svg+xml")})
    served = fetcher.fetch("https://assets.report.invalid/logo.svg")
    assert served.read().startswith(b"<svg")
    with pytest.raises(ValueError, match="fetches nothing"):
        fetcher.fetch("https://assets.report.invalid/../../etc/passwd")


def test_agencies_below_the_group_size_are_counted_but_not_shown(weak_on_law):
    _, ctx, _ = weak_on_law
    trust = ctx.dimensions[0]
    hidden = {a.title for a in trust.agencies if not a.shown}
    # one small agency, so the smallest other one is hidden too (complementary suppression)
    assert hidden == {"Education and schools", "Local authority / city hall"}
    assert not hidden & set(ctx.heatmap_agencies)
    chart = str(trust.agency_chart)
    assert "Education and schools: fewer than 3 respondents: not shown" in chart
    assert "Local authority / city hall: not shown, to protect a smaller group" in chart


def test_the_cover_says_which_agency_is_too_small_and_which_is_hidden_to_protect_it(weak_on_law):
    _, ctx, _ = weak_on_law
    cover = unescape(render_roadmap_html(ctx).split('class="cover-note"', 1)[1].split("</p>")[0])
    assert ("Agencies with fewer than 3 respondents count in the municipality's figures but are "
            "not shown separately: Education and schools.") in cover
    assert ("Local authority / city hall is not shown separately so that the figures of "
            "Education and schools cannot be worked out from it.") in cover


def test_perception_gaps_are_measured_between_shown_agencies_only():
    q = get_questionnaire()
    result = score(q, _answers(q, "legal_basis"))
    _, ctx = _context()
    leaky = 0
    for section in ctx.dimensions:
        shown = [a.score for a in section.agencies if a.shown and a.score is not None]
        full = result.dimension(section.id).spread
        if section.spread is not None:
            assert section.spread == pytest.approx(max(shown) - min(shown))
        if full is not None and full - (max(shown) - min(shown)) >= 1:
            leaky += 1
            assert f"differ by {full:.0f} points" not in section.agency_chart
    assert leaky  # the lone education respondent widens the spread over all agencies
    for gap in ctx.gaps:
        high, low = (float(g.rsplit("(", 1)[1].rstrip(")")) for g in (gap.highest, gap.lowest))
        assert gap.spread == pytest.approx(high - low, abs=1)


def test_comments_of_agencies_not_shown_are_left_out():
    _, ctx = _context(per_agency=5,
                      comments={"trust": [("education", "Only one teacher wrote this."),
                                          ("police", "Police wrote this.")]})
    assert ctx.dimensions[0].comments == (("Police", "Police wrote this."),)


def test_comments_need_more_respondents_than_an_agency_s_figures():
    """Three police officers are enough for police's scores, not for their words: free text
    is easier to attribute than a mean (min_comment_group)."""
    _, ctx = _context(comments={"trust": [("police", "Police wrote this.")]})
    assert any(a.title == "Police" and a.shown for a in ctx.dimensions[0].agencies)
    assert ctx.dimensions[0].comments == ()


def test_workshop_answers_show_every_agency():
    _, ctx = _context(workshop=True)
    assert all(a.shown for a in ctx.dimensions[0].agencies)


def test_pdf_is_tagged_pdf_ua_1_with_language_title_alt_text_and_embedded_fonts(weak_on_law):
    _, ctx, pdf = weak_on_law
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title == ctx.title
    xmp = root["/Metadata"].get_object().get_data()
    assert b"pdfuaid:part" in xmp
    assert re.search(rb"pdfuaid:part[^0-9]{1,3}1", xmp)
    figures, tags = [], set()
    stack = [root["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        if hasattr(node, "get_object"):
            node = node.get_object()
        if isinstance(node, pypdf.generic.ArrayObject):
            stack.extend(node)
            continue
        if not isinstance(node, pypdf.generic.DictionaryObject):
            continue
        if "/S" in node:
            tags.add(node["/S"])
            if node["/S"] == "/Figure":
                figures.append(node)
        if "/K" in node:
            stack.append(node["/K"])
    assert {"/H1", "/H2", "/H3", "/P", "/Table", "/TH", "/TD", "/L", "/LI"} <= tags
    assert len(figures) >= 11  # radar + a level bar and agency bars per dimension
    assert all(str(f.get("/Alt", "")).strip() for f in figures)
    fonts = [font.get_object() for page in reader.pages
             for font in page["/Resources"]["/Font"].values()]
    for font in fonts:
        descendants = font.get("/DescendantFonts")
        described = descendants[0].get_object() if descendants else font
        descriptor = described["/FontDescriptor"].get_object()
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_render_time_limit_gives_a_clear_error():
    html = render_roadmap_html(_context()[1])
    with pytest.raises(ReportError, match="took longer than"):
        render_pdf(html, timeout=0.05, isolate=False)
    with pytest.raises(ReportError, match="took longer than"):
        render_pdf(html, timeout=0.05, isolate=True)


def test_deeply_nested_markup_becomes_a_clear_message_not_a_crash():
    html = "<html><body>" + "<div>" * 3000 + "x" + "</div>" * 3000 + "</body></html>"
    with pytest.raises(ReportError, match="nested too deeply"):
        html_to_pdf(html)


def test_isolated_rendering_returns_the_same_pdf_pages():
    html = ('<html lang="en"><head><title>Small</title></head><body><h1>Small</h1>'
            "<p>One page.</p></body></html>")
    pdf = render_pdf(html, timeout=60)
    assert "One page." in _text(pdf)[0]


def test_cache_key_changes_with_the_content_and_only_with_it():
    _, ctx = _context()
    html = render_roadmap_html(ctx)
    assert cache_key(html) == cache_key(render_roadmap_html(ctx))
    assert cache_key(html) != cache_key(html.replace("Fixtureville", "Otherville"))


def test_cli_roadmap_writes_pdf_and_html(tmp_path: Path):
    q = get_questionnaire()
    csv_path = tmp_path / "responses.csv"
    lines = ["respondent,agency,item,value"]
    lines += [f"{a.respondent},{a.agency},{a.item},{a.value}"
              for a in _answers(q, "legal_basis", lonely=None)]
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, html = tmp_path / "roadmap.pdf", tmp_path / "roadmap.html"
    result = CliRunner().invoke(main, ["roadmap", str(csv_path), "--municipality", "Cli<town>",
                                       "--out", str(out), "--html", str(html),
                                       "--date", "2025-03-07"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-1.7")
    assert "Cli&lt;town&gt;" in html.read_text(encoding="utf-8")
    assert "Cli<town>" in _text(out.read_bytes())[0]


def test_cli_roadmap_refuses_a_bad_date_and_a_missing_file(tmp_path: Path):
    runner = CliRunner()
    result = runner.invoke(main, ["roadmap", str(tmp_path / "none.csv"), "--municipality", "X",
                                  "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code != 0
    assert "none.csv" in result.output
    result = runner.invoke(main, ["roadmap", str(tmp_path / "none.csv"), "--municipality", "X",
                                  "--out", str(tmp_path / "x.pdf"), "--date", "7/3/2025"])
    assert result.exit_code == 2
    assert "2025-03-07" in result.output
