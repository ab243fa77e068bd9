"""The national dashboard and its downloads: who may open them, filters, exports, audit."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from readiness.models import AuditEvent
from tests.national_web import EVIL_NAME, EVIL_REGION, Country, make_country
from tests.web_helpers import fresh, login

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
                    "most in need of support", "Mean scores by region"):
        assert caption in html
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
    names = [row[0].value for row in ws.iter_rows(min_row=2)]
    assert "'" + EVIL_NAME in names
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
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
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
    from readiness import services
    from readiness.models import AssessmentFinding
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
