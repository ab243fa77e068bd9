"""Everything published of a closed round, read as its readers get it: the results page, the
PDF's text (the report HTML the PDF is rendered from: rendering a PDF per generated example
would take seconds each), the API's JSON, the national CSV and XLSX exports and the admins'
respondent export. Generated rounds with hidden agencies (hypothesis, on the database):

- no hidden agency's score can be solved from them together: per dimension and per statement,
  the municipal score is the mean of the agencies that scored it, so it must never be printed
  beside every other such agency's score (printed, or recomputable from the respondent export);
- nor its don't-know or answered share: a share mixing a hidden agency's answers with the
  others' gives it away where the others' are known (the respondent export), and at 0% or 100%
  even where they are not, so shares (per dimension, and a statement's don't-know share) are
  printed as the agencies that are not hidden make them alone;
- every figure printed in more than one place is the same in each.

`HYPOTHESIS_PROFILE=ci` (set by .ci/test) runs the same examples on every run.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from html import unescape
from statistics import mean

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from readiness.core.questionnaire import get_questionnaire
from readiness.core.scoring import Answer, score
from readiness.models import Assessment, Role
from readiness.services import assessments as services
from readiness.services import survey as survey_services
from readiness.services.national import create_api_token
from readiness.web.report_download import roadmap_html
from readiness.web.results import ScoredAssessment
from tests.web_helpers import login, make_municipality, make_user

pytestmark = pytest.mark.db
Q = get_questionnaire()
AGENCIES = ("police", "health", "education", "social_services")
TITLES = {a.id: a.title for a in Q.doc.agencies}
DIMENSIONS = {d.id: d.title for d in Q.doc.dimensions}
SCORED = [i for i in Q.doc.items if i.dimension]
NAMES = itertools.count(1)


@dataclass(frozen=True)
class Round:
    """Generated respondents: agency and answers of each."""

    respondents: tuple[tuple[str, dict[str, str]], ...]


@st.composite
def rounds(draw: st.DrawFn) -> Round:
    """Up to four agencies of 0 to 5 respondents (so some are hidden, and some rounds fall
    below the municipal minimum), each respondent leaning one way per dimension and sometimes
    answering don't know."""
    people = []
    for agency in AGENCIES:
        for n in range(draw(st.integers(0, 5))):
            lean = {d: draw(st.integers(0, 4)) for d in DIMENSIONS}
            unsure = draw(st.sampled_from((0.0, 0.0, 0.4, 1.0)))
            answers = {}
            for k, item in enumerate(Q.doc.items):
                options = sorted((o for o in Q.options(item) if o.score is not None),
                                 key=lambda o: o.score or 0.0)
                if item.dimension is None:
                    answers[item.id] = Q.options(item)[0].value
                elif (k * 7 + n) % 10 < unsure * 10:
                    answers[item.id] = "dont_know"
                else:
                    answers[item.id] = options[min(lean[item.dimension], len(options) - 1)].value
            people.append((agency, answers))
    if not people:
        people.append(("police", {i.id: "dont_know" if i.dimension else
                                  Q.options(i)[0].value for i in Q.doc.items}))
    return Round(tuple(people))


def _person(step: int, unsure: bool = False) -> dict[str, str]:
    """One respondent: every statement the `step`-th least ready option (or don't know)."""
    answers = {}
    for item in Q.doc.items:
        options = sorted((o for o in Q.options(item) if o.score is not None),
                         key=lambda o: o.score or 0.0)
        value = "dont_know" if unsure else options[min(step, len(options) - 1)].value
        answers[item.id] = Q.options(item)[0].value if item.dimension is None else value
    return answers


# two hidden agencies answering only "don't know": mixed into the shares, 50% beside the shown
# agencies' exported 0% makes their two shares sum to 2 of 2, so each was 100%
HIDDEN_UNSURE = Round((*((a, _person(n)) for a in ("police", "health") for n in range(3)),
                       *((a, _person(2, unsure=True)) for a in ("education", "social_services"))))


@pytest.fixture
def readers(app: Flask, session: Session) -> tuple[FlaskClient, dict[str, str]]:
    """An admin's browser and an API token of a national coordinator."""
    make_user(session, "admin", Role.ADMIN)
    make_user(session, "national", Role.NATIONAL_COORDINATOR)
    _, token = create_api_token(session, "national", "tests")
    session.commit()
    browser = app.test_client()
    login(browser, "admin")
    return browser, {"Authorization": f"Bearer {token}"}


def _close(session: Session, generated: Round) -> Closed:
    """The generated round, answered through one link per agency and closed."""
    municipality = make_municipality(session, name=f"Testville {next(NAMES)}")
    assessment, _ = services.create_assessment(
        session, municipality, q=Q, agencies=tuple(dict.fromkeys(a for a, _ in
                                                                 generated.respondents)),
        conducted_on=date(2026, 3, 1))
    links = {}
    for agency, answers in generated.respondents:
        if agency not in links:
            links[agency], _token = services.new_invitation(session, assessment, agency)
        response, _secret = survey_services.start_response(session, links[agency])
        survey_services.save_answers(Q, response, answers, {})
        assert survey_services.submit_response(session, response)
    services.close_assessment(session, assessment)
    session.commit()
    closed = Closed(assessment.id, assessment.public_id, municipality.public_id,
                    municipality.name)
    session.rollback()  # the app's writers begin IMMEDIATE: hold no transaction meanwhile
    return closed


@dataclass(frozen=True)
class Closed:
    """What the readers need to find a closed round."""

    id: int
    public_id: str
    municipality_id: str
    name: str


# ---------------------------------------------------------------- reading each output


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _number(cell: str) -> float | None:
    cell = _text(cell).removesuffix("%")
    return float(cell) if re.fullmatch(r"-?\d+(\.\d+)?", cell) else None


def _spreads(html: str) -> dict[str, float]:
    """Per dimension, the spread between agencies a scores table prints in its row."""
    found = {}
    for title, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', html, re.S):
        said = re.search(r"(?:spread of|Yes,) (\d+) points", _text(cells))
        dim = next((d for d, t in DIMENSIONS.items() if t == _text(title)), None)
        if said and dim:
            found[dim] = float(said.group(1))
    return found


def _table(html: str, caption: str) -> tuple[list[str], dict[str, list[float | None]]]:
    """A table's column heads and, per row head, its cells as numbers (None: no figure)."""
    if caption not in html:
        return [], {}
    body = html.split(caption, 1)[1].split("</table>", 1)[0]
    heads = [_text(h) for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', body, re.S)]
    rows = {}
    for head, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', body, re.S):
        rows[_text(head)] = [_number(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
    return heads, rows


@dataclass
class Outputs:
    """The figures each output prints: overall, per dimension, per agency and dimension."""

    overall: dict[str, float | None]
    dimensions: dict[str, dict[str, float | None]]  # output -> dimension id -> score
    agencies: dict[str, dict[tuple[str, str], float]]  # output -> (agency, dimension) -> score
    counts: dict[str, str]  # output -> the respondents line
    statements: dict[str, float]  # PDF: statement id -> score printed
    respondent_rows: list[tuple[str, dict[str, str]]]  # agency id, answers
    shown: tuple[str, ...] = ()  # the agencies the published view shows
    answered: dict[str, dict[str, float | None]] = field(default_factory=dict)  # output -> dim
    dont_know: dict[str, dict[str, float | None]] = field(default_factory=dict)  # output -> dim
    statement_dont_know: dict[str, float] = field(default_factory=dict)  # PDF: statement -> %
    spreads: dict[str, dict[str, float]] = field(default_factory=dict)  # output -> dim


def _page(browser: FlaskClient, public_id: str, out: Outputs) -> None:
    html = browser.get(f"/assessments/{public_id}/results").get_data(as_text=True)
    found = re.search(r"overall (?:score )?(\d+) of 100", html)
    out.overall["page"] = float(found.group(1)) if found else None
    scores = next((t for t in html.split("<table")[1:] if ">Answered</th>" in t), "")
    _, rows = _table("<table" + scores, "<table")
    out.dimensions["page"] = {d: (rows.get(t) or [None])[0] for d, t in DIMENSIONS.items()}
    out.answered["page"] = {d: (rows.get(t) or [None] * 3)[2] for d, t in DIMENSIONS.items()}
    out.dont_know["page"] = {d: _number(re.split(r"<span", cell)[0]) for d, t in
                             DIMENSIONS.items()
                             for cell in [_dont_know_cell(scores, t)] if cell is not None}
    out.spreads["page"] = _spreads(scores)
    heads, agency_rows = _table(html, "Scores by agency (0–100)")
    out.agencies["page"] = _agency_cells(heads[1:-1], agency_rows)
    counts = re.search(r"(\d+ practitioners? in \d+ agenc(?:y|ies))", _text(html))
    out.counts["page"] = counts.group(1) if counts else ""


def _dont_know_cell(table: str, title: str) -> str | None:
    """The raw don't-know cell (the fourth) of a dimension's row of the scores table."""
    for head, cells in re.findall(r'<th scope="row">(.*?)</th>(.*?)</tr>', table, re.S):
        if _text(head) == title:
            found = re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
            return found[3] if len(found) > 3 else None
    return None


def _agency_cells(heads: list[str], rows: Mapping[str, list[float | None]]
                  ) -> dict[tuple[str, str], float]:
    by_title = {t: a for a, t in TITLES.items()}
    cells = {}
    for dim, title in DIMENSIONS.items():
        for head, value in zip(heads, rows.get(title, ()), strict=False):
            if value is not None:
                cells[(by_title[head], dim)] = value
    return cells


def _pdf(app: Flask, session: Session, closed: Closed, out: Outputs) -> None:
    with app.test_request_context():
        assessment = session.get(Assessment, closed.id)
        assert assessment is not None
        q, published = services.publish_assessment(session, assessment)
        html = roadmap_html(session, ScoredAssessment(assessment, q, published))
    session.rollback()
    out.shown = published.shown
    found = re.search(r'<span class="stage-score">(\d+)</span>', html)
    out.overall["pdf"] = float(found.group(1)) if found else None
    _, rows = _table(html, "<caption>The five dimensions</caption>")
    out.dimensions["pdf"] = {d: (rows.get(t) or [None])[0] for d, t in DIMENSIONS.items()}
    out.answered["pdf"] = {d: (rows.get(t) or [None] * 3)[2] for d, t in DIMENSIONS.items()}
    table = html.split("<caption>The five dimensions</caption>", 1)[-1].split("</table>", 1)[0]
    out.spreads["pdf"] = _spreads(table)
    heads, agency_rows = _table(html, "<caption>Scores by agency and dimension</caption>")
    out.agencies["pdf"] = _agency_cells(heads[1:], agency_rows)
    text = _text(html)
    counts = re.search(r"(\d+ practitioners? in \d+ agenc(?:y|ies))", text)
    out.counts["pdf"] = counts.group(1) if counts else ""
    for item in SCORED:
        said = re.search(re.escape(f"“{item.text}”") + r" (\d+) of 100 \(on average “[^”]*”"
                         r"(?:, (\d+)% don't know)?\)", text)
        if said:
            out.statements[item.id] = float(said.group(1))
            out.statement_dont_know[item.id] = float(said.group(2) or 0)  # none: below 0.5%
    shares = re.findall(r"(\d+)% of the answers on this dimension were “don't know”", text)
    if len(shares) == len(DIMENSIONS):  # one section per dimension, in questionnaire order
        out.dont_know["pdf"] = {d: float(v) for d, v in zip(DIMENSIONS, shares, strict=True)}


def _api(browser: FlaskClient, token: dict[str, str], municipality: str, out: Outputs) -> None:
    reply = browser.get(f"/api/v1/municipalities/{municipality}", headers=token)
    assert reply.status_code == 200
    latest = reply.get_json()["rounds"][-1]
    out.overall["api"] = latest["overall"]
    out.dimensions["api"] = {d["id"]: d["score"] for d in latest["dimensions"]}


def _exports(browser: FlaskClient, name: str, out: Outputs) -> None:
    rows = list(csv.DictReader(io.StringIO(
        browser.get("/dashboard/export.csv").get_data(as_text=True).lstrip("\ufeff"))))
    mine = next(r for r in rows if r["municipality"] == name)
    out.overall["csv"] = float(mine["overall"]) if mine["overall"] else None
    out.dimensions["csv"] = {d: float(mine[f"{d}_score"]) if mine[f"{d}_score"] else None
                             for d in DIMENSIONS}
    book = load_workbook(io.BytesIO(browser.get("/dashboard/export.xlsx").data))
    sheet = book["Municipalities"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    for values in sheet.iter_rows(min_row=2, values_only=True):
        row = dict(zip(header, values, strict=True))
        if row["municipality"] == name:
            out.overall["xlsx"] = row["overall"]
            out.dimensions["xlsx"] = {d: row[f"{d}_score"] for d in DIMENSIONS}
    answers = csv.DictReader(io.StringIO(
        browser.get("/dashboard/respondents.csv").get_data(as_text=True).lstrip("\ufeff")))
    codes = {f"{t} ({a})": a for a, t in TITLES.items()}
    out.respondent_rows = [(codes.get(r["agency"], r["agency"]),
                            {i.id: r.get(i.id) or "" for i in SCORED})
                           for r in answers if r["municipality"] == name]


def _outputs(app: Flask, session: Session, browser: FlaskClient, token: dict[str, str],
             closed: Closed) -> Outputs:
    out = Outputs({}, {}, {}, {}, {}, [])
    _page(browser, closed.public_id, out)
    _api(browser, token, closed.municipality_id, out)
    _exports(browser, closed.name, out)
    _pdf(app, session, closed, out)
    return out


# ---------------------------------------------------------------- what a reader can work out


def _respondent_means(rows: list[tuple[str, dict[str, str]]], items: list[str]
                      ) -> Iterator[tuple[str, float]]:
    for agency, answers in rows:
        values = [Q.option_score(i, answers[i]) for i in items if answers.get(i)]
        scored = [v for v in values if v is not None]
        if scored:
            yield agency, mean(scored) * 100


def _recomputable(generated: Round, exported: list[tuple[str, dict[str, str]]],
                  items: list[str]) -> set[str]:
    """Agencies whose score over `items` the respondent export gives exactly: every one of
    their responses is there with every answer they gave to these items."""
    known = set()
    for agency in {a for a, _ in generated.respondents}:
        raw = sorted(tuple(ans[i] for i in items) for a, ans in generated.respondents
                     if a == agency)
        out = sorted(tuple(ans.get(i, "") for i in items) for a, ans in exported if a == agency)
        if out and raw == out:
            known.add(agency)
    return known


def _assert_nothing_solves_a_hidden_agency(generated: Round, out: Outputs) -> None:
    raw = score(Q, [Answer(f"r{n}", agency, item, value)
                    for n, (agency, answers) in enumerate(generated.respondents)
                    for item, value in answers.items()])
    printed = {pair for cells in out.agencies.values() for pair in cells}
    for dim in raw.dimensions:
        if all(out.dimensions[o].get(dim.id) is None for o in out.dimensions):
            continue  # no municipal score on this dimension anywhere
        scored = {a for a, v in dim.by_agency.items() if v is not None}
        items = [i.id for i in SCORED if i.dimension == dim.id]
        known = {a for a, d in printed if d == dim.id}
        known |= _recomputable(generated, out.respondent_rows, items) & scored
        assert len(scored - known) != 1, (dim.id, scored, known)
    for ident, item in raw.items.items():
        if ident not in out.statements:
            continue
        scored = {a for a, v in item.by_agency.items() if v is not None}
        known = _recomputable(generated, out.respondent_rows, [ident]) & scored
        assert len(scored - known) != 1, (ident, scored, known)


@dataclass
class Shares:
    """One agency's answers on one dimension or statement: given, don't know, respondents."""

    given: int = 0
    dont_know: int = 0
    respondents: int = 0


def _shares(generated: Round, items: list[str]) -> dict[str, Shares]:
    """Per agency of the round, its answers to `items` (0 given: it answered none)."""
    found: dict[str, Shares] = {}
    for agency, answers in generated.respondents:
        mine = found.setdefault(agency, Shares())
        mine.respondents += 1
        for i in items:
            if answers.get(i):
                mine.given += 1
                mine.dont_know += Q.option_score(i, answers[i]) is None
    return found


def _without_hidden(printed: float | None, hidden: set[str], contributors: set[str],
                    alone: float) -> bool:
    """Whether a printed share (%) is what the agencies that are not hidden make `alone`,
    whenever a hidden agency contributed to it (within the whole percent it is printed to)."""
    if printed is None or not contributors & hidden:
        return True
    return abs(printed - alone * 100) <= 0.5 + 1e-9


def _assert_no_share_gives_a_hidden_agency_away(generated: Round, out: Outputs) -> None:
    """A printed share that mixed hidden agencies' answers with the others' would give them
    away wherever the others' shares are known (the respondent export), and even where they
    are not at 0% or 100% (two hidden agencies' shares summing to 0 are both 0): so a share is
    printed as the agencies that are not hidden make it alone."""
    hidden = {a for a, _ in generated.respondents} - set(out.shown)
    for dim in DIMENSIONS:
        items = [i.id for i in SCORED if i.dimension == dim]
        shares = _shares(generated, items)
        answering = {a for a, s in shares.items() if s.given}
        unsure = [shares[a].dont_know / shares[a].given for a in answering - hidden]
        covered = [(shares[a].given - shares[a].dont_know) / (len(items) * shares[a].respondents)
                   for a in set(shares) - hidden]
        for output, printed in out.dont_know.items():
            assert _without_hidden(printed.get(dim), hidden, answering,
                                   mean(unsure) if unsure else 0.0), (
                "don't know", output, dim, hidden, printed.get(dim), unsure)
        for output, printed in out.answered.items():
            assert _without_hidden(printed.get(dim), hidden, set(shares),
                                   mean(covered) if covered else 0.0), (
                "answered", output, dim, hidden, printed.get(dim), covered)
    for ident, printed_share in out.statement_dont_know.items():
        shares = _shares(generated, [ident])
        others = set(shares) - hidden
        given = sum(shares[a].given for a in others)
        pooled = sum(shares[a].dont_know for a in others) / given if given else 0.0
        assert _without_hidden(printed_share, hidden, {a for a, s in shares.items() if s.given},
                               pooled), ("statement don't know", ident, hidden, printed_share)


def _assert_every_figure_is_the_same_everywhere(out: Outputs) -> None:
    overall = dict(out.overall)  # page and PDF print whole points, the rest one decimal
    assert {o for o, v in overall.items() if v is None} in (set(), set(overall)), overall
    if overall["api"] is not None:
        assert overall["csv"] == overall["xlsx"] == round(overall["api"], 1), overall
        for whole in ("page", "pdf"):
            assert abs(overall[whole] - overall["api"]) <= 0.5 + 1e-9, overall  # type: ignore[operator]
    for dim in DIMENSIONS:
        values = {o: out.dimensions[o][dim] for o in out.dimensions}
        assert {o for o, v in values.items() if v is None} in (set(), set(values)), (dim, values)
        if values["api"] is None:
            continue
        assert values["csv"] == values["xlsx"] == round(values["api"], 1), (dim, values)
        assert values["page"] == values["pdf"], (dim, values)
        assert abs(values["page"] - values["api"]) <= 0.5 + 1e-9, (dim, values)  # type: ignore[operator]
    assert out.agencies["page"] == out.agencies["pdf"]
    assert out.answered["page"] == out.answered["pdf"]
    if "pdf" in out.dont_know:
        assert out.dont_know["page"] == out.dont_know["pdf"]
    assert out.spreads["page"] == out.spreads["pdf"]
    # what was read is what is shown: the readers above found every shown agency's figures
    assert {a for a, _ in out.agencies["page"]} <= set(out.shown)
    assert {a for a, _ in out.respondent_rows} <= set(out.shown)
    assert out.counts["page"] == out.counts["pdf"]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(generated=rounds())
@example(generated=HIDDEN_UNSURE)
def test_no_output_solves_a_hidden_agency_and_every_output_prints_the_same_figures(
        app: Flask, session: Session, readers: tuple[FlaskClient, dict[str, str]],
        generated: Round):
    browser, token = readers
    assessment = _close(session, generated)
    out = _outputs(app, session, browser, token, assessment)
    _assert_nothing_solves_a_hidden_agency(generated, out)
    _assert_no_share_gives_a_hidden_agency_away(generated, out)
    _assert_every_figure_is_the_same_everywhere(out)
