"""The roadmap PDF on the web and in batch: access as for results, cache, clear failures."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from readiness.cli.report_batch import closed_assessment_jobs
from readiness.models import Assessment, Role
from readiness.report import render as report
from readiness.report.render import render_batch
from readiness.services import assessments as services
from tests.web_helpers import (
    add_responses,
    login,
    make_assessment,
    make_municipality,
    make_user,
)

HOSTILE = '<img src="file:///etc/passwd">'


def _closed(session: Session, name: str = "Mechelen") -> Assessment:
    municipality = make_municipality(session, name)
    assessment, _ = make_assessment(session, municipality)
    add_responses(session, assessment, "police", 5, "agree",  # enough for comments
                  comments={"trust": f"Police say: {HOSTILE}"})
    add_responses(session, assessment, "health", 3, "disagree")
    add_responses(session, assessment, "education", 1, "agree",
                  comments={"trust": "Only one teacher wrote this."})
    services.close_assessment(session, assessment)
    session.commit()
    return assessment


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_results_page_offers_the_pdf_and_the_pdf_is_the_tailored_roadmap(
        client: FlaskClient, session: Session):
    make_user(session, "admin", Role.ADMIN)
    assessment = _closed(session)
    login(client, "admin")
    page = client.get(f"/assessments/{assessment.public_id}/results").get_data(as_text=True)
    assert "Download roadmap (PDF)" in page
    assert f"/assessments/{assessment.public_id}/roadmap.pdf" in page
    response = client.get(f"/assessments/{assessment.public_id}/roadmap.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="roadmap-mechelen-2026-03-01-round-1.pdf"')
    text = _text(response.data)
    assert "Mechelen" in text
    assert "Belgium" in text
    assert HOSTILE in text.replace("\n", " ")  # printed as text
    assert "Only one teacher wrote this." not in text  # agency below the group size


def test_second_download_comes_from_the_cache(client: FlaskClient, session: Session,
                                              monkeypatch: pytest.MonkeyPatch):
    make_user(session, "admin", Role.ADMIN)
    assessment = _closed(session)
    login(client, "admin")
    url = f"/assessments/{assessment.public_id}/roadmap.pdf"
    first = client.get(url).data

    def must_not_render(*args: object, **kwargs: object) -> bytes:
        raise AssertionError("rendered again")

    monkeypatch.setattr(report, "render_pdf", must_not_render)
    assert client.get(url).data == first


def test_rendering_failure_is_a_clear_page_not_a_server_error(
        client: FlaskClient, session: Session, monkeypatch: pytest.MonkeyPatch):
    make_user(session, "admin", Role.ADMIN)
    assessment = _closed(session)
    login(client, "admin")

    def fail(*args: object, **kwargs: object) -> bytes:
        raise report.ReportError("Rendering the PDF took longer than 60 s and was stopped.")

    monkeypatch.setattr(report, "render_pdf", fail)  # in the worker (immediate when testing)
    response = client.get(f"/assessments/{assessment.public_id}/roadmap.pdf")
    assert response.status_code == 503
    assert "took longer than 60 s" in response.get_data(as_text=True)


def test_pdf_follows_the_results_access_rules(client: FlaskClient, session: Session):
    assessment = _closed(session)
    other = make_municipality(session, "Elsewhere")
    make_user(session, "outsider", Role.MUNICIPALITY_COORDINATOR, municipality=other)
    url = f"/assessments/{assessment.public_id}/roadmap.pdf"
    assert client.get(url).status_code == 302  # to the sign-in page
    login(client, "outsider")
    assert client.get(url).status_code == 404


def test_open_assessment_has_no_pdf(client: FlaskClient, session: Session):
    make_user(session, "admin", Role.ADMIN)
    assessment, _ = make_assessment(session, make_municipality(session))
    login(client, "admin")
    assert client.get(f"/assessments/{assessment.public_id}/roadmap.pdf").status_code == 404


def test_reports_build_renders_every_closed_assessment(app: Flask, session: Session,
                                                       tmp_path: Path):
    _closed(session, "Mechelen")
    _closed(session, "Vilvoorde")
    make_assessment(session, make_municipality(session, "Still open"))
    with app.app_context():
        results = render_batch(closed_assessment_jobs(tmp_path), workers=2)
    assert all(r.ok for r in results), results
    names = sorted(p.name for p in tmp_path.glob("*.pdf"))
    assert len(names) == 2
    assert names[0].startswith("roadmap-mechelen-")
    assert "Vilvoorde" in _text((tmp_path / names[1]).read_bytes())


def test_reports_build_command_reports_what_it_wrote(app: Flask, session: Session,
                                                     tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch):
    from click.testing import CliRunner

    from readiness.cli.main import main

    _closed(session, "Mechelen")
    monkeypatch.setenv("READINESS_DATABASE_URL", app.config["DATABASE_URL"])
    # like a fresh install: no secret key in the environment (the CLI keeps one in the instance)
    monkeypatch.delenv("READINESS_SECRET_KEY", raising=False)
    monkeypatch.setenv("READINESS_INSTANCE_PATH", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["reports", "build", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Wrote 1 of 1 roadmaps" in result.output
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 1


def test_reports_build_with_lang_fr_writes_french_roadmaps(app: Flask, session: Session,
                                                           tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch):
    from click.testing import CliRunner

    from readiness.cli.main import main

    _closed(session, "Liège")
    monkeypatch.setenv("READINESS_DATABASE_URL", app.config["DATABASE_URL"])
    monkeypatch.setenv("READINESS_INSTANCE_PATH", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["reports", "build", "--out", str(tmp_path / "out"),
                                       "--lang", "fr", "--workers", "1"])
    assert result.exit_code == 0, result.output
    [pdf] = list((tmp_path / "out").glob("*.pdf"))
    assert pdf.name.endswith("-fr.pdf")
    reader = pypdf.PdfReader(io.BytesIO(pdf.read_bytes()))
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    text = _text(pdf.read_bytes())
    assert "Les scores en un coup d’œil" in text
    assert "Scores at a glance" not in text


def test_reports_build_refuses_a_language_it_does_not_ship(tmp_path: Path):
    from click.testing import CliRunner

    from readiness.cli.main import main

    result = CliRunner().invoke(main, ["reports", "build", "--out", str(tmp_path), "--lang", "es"])
    assert result.exit_code == 2
    assert "--lang" in result.output
