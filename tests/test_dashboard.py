"""The national dashboard and its downloads: who may open them, filters, exports, audit."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.models import POPULATION_BANDS, Municipality
from tests.national_web import EVIL_NAME, EVIL_REGION, Country, make_country
from tests.web_helpers import audited, fresh, login, make_municipality

pytestmark = pytest.mark.db

PAGES = ["/dashboard/", "/dashboard/export.csv", "/dashboard/export.xlsx",
         "/dashboard/respondents.csv", "/dashboard/national.pdf"]


@pytest.fixture
def country(session: Session) -> Country:
    """A demo country of 16 municipalities with users of every role."""
    return make_country(session)


@pytest.mark.parametrize("username", ["advisor", "local"])
def test_advisors_and_municipality_coordinators_get_403(client: FlaskClient, country: Country,
                                                        username: str):
    login(client, username)
    for page in PAGES:
        assert client.get(page).status_code == 403, page


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, country: Country):
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert "/login" in response.headers["Location"]


def test_the_dashboard_shows_charts_with_data_tables_and_where_to_go_next(
        client: FlaskClient, country: Country):
    login(client, "national")
    html = client.get("/dashboard/").get_data(as_text=True)
    assert html.count("<svg") == 4
    for caption in ("Distribution of scores by dimension", "Municipalities at each level",
                    "Barriers found in the municipalities", "Change between the previous",
                    "most in need of support"):
        assert caption in html
    # 16 municipalities in several regions: no region's scores can be shown, said once
    assert "Too few municipalities in each region to show its mean scores" in html
    assert "National dashboard" in html  # linked from the navigation
    assert "Responses without identity" not in html  # admins only


def test_filters_and_sort_order_live_in_the_url(client: FlaskClient, country: Country):
    login(client, "national")
    html = client.get(f"/dashboard/?country=BE&region={country.region}&sort=trust&order=desc"
                      ).get_data(as_text=True)
    assert f'<option value="{country.region}" selected>' in html
    assert '<option value="BE" selected>' in html
    assert 'aria-sort="descending"' in html
    assert "export.csv?country=BE&amp;region=" in html


def test_small_breakdowns_say_fewer_than_5_instead_of_a_number(client: FlaskClient,
                                                               country: Country):
    login(client, "national")
    html = client.get("/dashboard/?region=%2BEvil+region").get_data(as_text=True)
    assert 'class="suppressed">fewer than 5</span>' in html


JUNK = ["sort=password", "sort=trust;drop", "order=up", "since=2026-02-30", "until=tomorrow",
        "country=ZZ", "region=Atlantis", "band=huge", "round=abc", "round=0", "page=0",
        "page=99999999999", "page=%C2%B2", "debug=1", "country=BE&country=FR", "since=20260501"]


def test_junk_parameters_answer_400_never_500(client: FlaskClient, country: Country):
    login(client, "national")
    for query in JUNK:
        for page in ("/dashboard/", "/dashboard/export.csv", "/dashboard/national.pdf"):
            response = client.get(f"{page}?{query}")
            assert response.status_code == 400, (page, query)
            assert "cannot be used" in response.get_data(as_text=True)


def test_csv_export_neutralises_formula_like_cells(client: FlaskClient, country: Country):
    login(client, "national")
    response = client.get("/dashboard/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 16
    evil = next(r for r in rows if "HYPERLINK" in r["municipality"])
    assert evil["municipality"] == "'" + EVIL_NAME
    assert evil["region"] == "'" + EVIL_REGION
    assert all(not r["municipality"].startswith(("=", "+", "-", "@")) for r in rows)


def test_xlsx_export_opens_with_openpyxl_with_numbers_and_no_formulas(client: FlaskClient,
                                                                     country: Country):
    login(client, "national")
    response = client.get("/dashboard/export.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Municipalities", "Barriers", "Actions", "Dimensions",
                               "Barrier frequency", "Progress"]
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    ws = book["Municipalities"]
    header = [c.value for c in ws[1]]
    column = header.index("trust_score")
    scores = [row[column] for row in ws.iter_rows(min_row=2) if row[column].value is not None]
    assert scores
    assert all(c.data_type == "n" for c in scores)
    names = [row[0] for row in ws.iter_rows(min_row=2)]
    evil = next(c for c in names if "HYPERLINK" in str(c.value))
    assert (evil.value, evil.data_type) == (EVIL_NAME, "s")
    actions = list(book["Actions"].iter_rows(min_row=2, values_only=True))
    assert actions
    assert all(isinstance(a[3], int) and a[6] for a in actions)  # priority, title


def test_the_respondent_export_is_for_admins_only_and_names_no_one(client: FlaskClient,
                                                                   country: Country):
    login(client, "national")
    assert client.get("/dashboard/respondents.csv").status_code == 403
    client.post("/logout")
    login(client, "admin")
    response = client.get("/dashboard/respondents.csv")
    assert response.status_code == 200
    reader = csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    header = next(reader)
    assert header[:6] == ["municipality", "country", "region", "round", "assessed_on", "agency"]
    assert not {"respondent", "resume_hash", "public_id", "invitation"} & set(header)
    assert sum(1 for _ in reader) > 16
    assert client.get("/dashboard/respondents.xlsx").status_code == 200


def test_views_and_exports_are_audited_without_their_content(
        client: FlaskClient, country: Country, session: Session):
    login(client, "national")
    client.get("/dashboard/?sort=overall")
    client.get("/dashboard/export.csv")
    fresh(session)
    events = session.scalars(audited()).all()
    assert [(e.action, e.object_type, e.object_id) for e in events] == [
        ("view", "national_dashboard", ""), ("export", "national_export", "csv")]


def test_the_national_summary_pdf_covers_state_barriers_and_progress(client: FlaskClient,
                                                                     country: Country):
    login(client, "national")
    response = client.get("/dashboard/national.pdf")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    for heading in ("The state of multi-agency working", "Recurring barriers",
                    "Progress since the previous round"):
        assert heading in text


def test_the_results_page_shows_the_peer_benchmark(client: FlaskClient, country: Country,
                                                   session: Session):
    from readiness.models import Assessment, Municipality

    rows = session.execute(select(Assessment.public_id, Municipality.population_band)
                           .join(Municipality).order_by(Assessment.round)).all()
    latest = {band: public_id for public_id, band in rows}
    login(client, "admin")
    bands = [band for _, band in rows]
    common = max(set(bands), key=bands.count)
    html = client.get(f"/assessments/{latest[common]}/results").get_data(as_text=True)
    assert "Compared with similar municipalities" in html
    assert "Peers scoring lower" in html
    rare = min(set(bands), key=bands.count)
    if bands.count(rare) < 5:
        html = client.get(f"/assessments/{latest[rare]}/results").get_data(as_text=True)
        assert 'class="suppressed">fewer than 5</span>' in html


def test_the_smallest_cell_shown_is_configurable(app, client: FlaskClient, country: Country):
    app.config["MIN_CELL"] = 1  # READINESS_MIN_CELL=1
    login(client, "national")
    html = client.get("/dashboard/?region=%2BEvil+region").get_data(as_text=True)
    assert "fewer than 5" not in html
    assert 'class="suppressed">' not in html


def test_closing_an_assessment_stores_its_findings_and_a_lone_one_has_no_peers(
        client: FlaskClient, session: Session):
    from readiness.models import AssessmentFinding
    from readiness.services import assessments as services
    from tests.web_helpers import add_responses, make_assessment, make_municipality, make_user

    municipality = make_municipality(session, "Lonely", country="LU")
    assessment, _ = make_assessment(session, municipality, ("police", "health"))
    add_responses(session, assessment, "police", 3, "strongly_disagree")
    add_responses(session, assessment, "health", 3, "strongly_disagree")
    result = services.close_assessment(session, assessment)
    session.commit()
    stored = session.execute(select(AssessmentFinding.kind, AssessmentFinding.finding).where(
        AssessmentFinding.assessment_id == assessment.id)).all()
    assert {f for k, f in stored if k == "barrier"} == {b.id for b in result.barriers}
    assert result.barriers
    make_user(session, "boss")
    login(client, "boss")
    html = client.get(f"/assessments/{assessment.public_id}/results").get_data(as_text=True)
    assert "Readiness by dimension" in html
    assert "Compared with similar municipalities" not in html


def _text(html: str) -> str:
    """The page's words without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace(" )", ")").replace("( ", "(")


@pytest.fixture
def pilot(session: Session) -> Country:
    """A pilot of 8 municipalities: 7 assessed, enough for breakdowns, too few for levels."""
    return make_country(session, municipalities=8)


def test_a_suppressed_count_and_its_share_say_fewer_than_5_once(client: FlaskClient,
                                                                pilot: Country):
    login(client, "national")
    text = _text(client.get("/dashboard/").get_data(as_text=True))
    assert "fewer than 5" in text
    assert "fewer than 5 (fewer than 5)" not in text


def test_a_chart_whose_every_value_is_suppressed_becomes_a_sentence(client: FlaskClient,
                                                                    pilot: Country):
    login(client, "national")
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "Too few municipalities in this selection to show levels without" in html
    assert 'class="chart levels"' not in html  # no empty frame
    # nor a table of nothing but "fewer than 5" in its place (review of 2026-12-06)
    assert "Municipalities at each level, by dimension" not in html
    assert 'class="chart distribution"' in html  # a chart with figures is drawn


def test_chart_captions_come_before_their_charts(client: FlaskClient, country: Country):
    login(client, "national")
    html = client.get("/dashboard/").get_data(as_text=True)
    figures = re.findall(r"<figure[^>]*>(.*?)</figure>", html, re.S)
    assert figures
    assert all(f.strip().startswith("<figcaption") for f in figures)


def test_population_bands_come_in_size_order_in_the_filter_and_the_breakdown(
        app: Flask, client: FlaskClient, country: Country):
    app.config["MIN_CELL"] = 1  # every band shown, to read their order
    login(client, "national")
    html = client.get("/dashboard/").get_data(as_text=True)
    select_html = html[html.index('id="f-band"'):]
    select_html = select_html[:select_html.index("</select>")]
    assert re.findall(r'<option value="(\w+)"', select_html) == list(POPULATION_BANDS)
    table = html[html.index("Mean scores by population"):]
    table = table[:table.index("</table>")]
    rows = re.findall(r'<th scope="row">([^<]+)</th>', table)
    labels = ["Under 10,000 inhabitants", "10,000 to 50,000", "50,000 to 100,000",
              "100,000 to 250,000", "Over 250,000"]
    assert len(rows) >= 2
    assert rows == [label for label in labels if label in rows]


def test_with_a_country_chosen_only_its_regions_are_offered(client: FlaskClient,
                                                            country: Country, session: Session):
    finnish = make_municipality(session, "Kallioniemi", country="FI")
    finnish.region = "Uusimaa"
    session.commit()
    login(client, "national")

    def regions(query: str) -> list[str]:
        html = client.get(f"/dashboard/?{query}").get_data(as_text=True)
        options = html[html.index('id="f-region"'):]
        return re.findall(r'<option value="([^"]+)"', options[:options.index("</select>")])

    belgian = set(session.scalars(select(Municipality.region).where(
        Municipality.country == "BE")))
    assert "Uusimaa" in regions("")
    assert set(regions("country=BE")) == belgian
    assert regions("country=FI") == ["Uusimaa"]
    # a region of another country: the dashboard drops it and says so; downloads refuse it
    response = client.get("/dashboard/?country=BE&region=Uusimaa")
    assert response.status_code == 200
    assert "Uusimaa is not a region of BE" in response.get_data(as_text=True)
    for page in ("/dashboard/export.csv", "/dashboard/national.pdf"):
        refused = client.get(f"{page}?country=BE&region=Uusimaa")
        assert refused.status_code == 400, page
        assert "is not a region of BE" in refused.get_data(as_text=True)


def test_the_need_score_is_explained_next_to_the_list(client: FlaskClient, country: Country):
    login(client, "national")
    text = _text(client.get("/dashboard/").get_data(as_text=True))
    assert "How the need score adds up" in text
    assert "100 minus the mean of the two weakest dimensions, times 0.6" in text
    assert "a municipality never assessed gets 55" in text


def test_coordinators_are_told_to_ask_for_an_api_token_and_admins_where_tokens_are(
        client: FlaskClient, country: Country):
    login(client, "national")
    html = client.get("/dashboard/").get_data(as_text=True)
    assert "api-token create" not in html
    assert "Ask your administrator for an API token." in html
    assert "/users/tokens" not in html
    client.post("/logout")
    login(client, "admin")
    html = client.get("/dashboard/").get_data(as_text=True)
    assert 'href="/users/tokens"' in html


def test_the_page_says_which_figures_are_suppressed_and_which_name_municipalities(
        client: FlaskClient, country: Country):
    login(client, "national")
    text = _text(client.get("/dashboard/").get_data(as_text=True))
    assert ("show no figure about a group of fewer than 5 municipalities") in text
    assert "national coordinators may read every municipality's results" in text


def test_the_pdf_no_longer_claims_no_municipality_can_be_singled_out(client: FlaskClient,
                                                                     pilot: Country):
    login(client, "national")
    response = client.get("/dashboard/national.pdf")
    text = " ".join(" ".join(page.extract_text() for page in
                             PdfReader(io.BytesIO(response.data)).pages).split())
    assert "no municipality can be singled out" not in text
    assert "national coordinators may read every municipality's results" in text
    assert "Privacy" in text
    assert "Too few municipalities in this selection to show levels without" in text
    assert "fewer than 5 (fewer than 5)" not in text


def test_a_breakdown_with_every_figure_hidden_is_one_sentence_on_the_dashboard(
        client: FlaskClient, country: Country):
    """16 municipalities over several regions and sizes: every region's and size's figures are
    hidden; the review read tables of nothing but "fewer than 5"."""
    login(client, "national")
    html = client.get("/dashboard/").get_data(as_text=True)
    for caption in ("Mean scores by region", "Mean scores by population"):
        assert f"<caption>{caption}</caption>" not in html, caption
    for said in ("Too few municipalities in each region to show its mean scores",
                 "Too few municipalities of each size to show their mean scores"):
        assert said in html
    assert "<caption>Distribution of scores by dimension</caption>" in html  # figures to show
