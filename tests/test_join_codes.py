"""The short address on an invitation: HOST/j and an eight-character code, printed on the pack
and the links page, for a practitioner with a printed page and no camera (issue 15, item 1)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from readiness import tokens
from readiness.cli.main import main
from readiness.core.questionnaire import get_questionnaire
from readiness.db import get_db
from readiness.models import Assessment, Invitation, Status
from readiness.services import assessments as services
from readiness.services import links
from readiness.tokens import link_key
from tests.test_invitation_pack import LINK, _new_round, cli  # noqa: F401 - the cli fixture
from tests.web_helpers import fresh, make_municipality, post_form

PRINTED = re.compile(r"Or go to (\S+) and type ([2-9A-Z]{4}-[2-9A-Z]{4})")
SHOWN = re.compile(r"go to (http://localhost/j) and type ([2-9A-Z]{4}-[2-9A-Z]{4})")
WRONG = "This code opens no survey."


def _pack_pages(client: FlaskClient, links_page: str) -> list[str]:
    reply = client.get(links_page.removesuffix("links") + "pack.pdf")
    assert reply.status_code == 200
    return [" ".join(page.extract_text().split())
            for page in PdfReader(io.BytesIO(reply.get_data())).pages]


def _codes(client: FlaskClient, links_page: str) -> list[str]:
    return [code for _address, code in SHOWN.findall(client.get(links_page).get_data(as_text=True))]


def test_the_pack_prints_a_short_address_and_typing_its_code_opens_that_links_survey(
        client: FlaskClient, session: Session, app: Flask):
    links_page = _new_round(client, session)
    links = LINK.findall(client.get(links_page).get_data(as_text=True))
    pages = _pack_pages(client, links_page)
    practitioner = app.test_client()
    for page, link in zip(pages, links, strict=True):
        printed = PRINTED.search(page)
        assert printed is not None, page
        assert printed.group(1) == "localhost/j"
        opened = practitioner.post("/j", data={"code": printed.group(2)})
        assert opened.status_code == 303
        assert opened.headers["Location"] == link.removeprefix("http://localhost")
        start = practitioner.get(opened.headers["Location"])
        assert start.status_code == 200
        assert "Start the survey" in start.get_data(as_text=True)
    assert len({PRINTED.search(page).group(2) for page in pages}) == 3  # type: ignore[union-attr]


def test_the_links_page_shows_each_links_short_address(client: FlaskClient, session: Session,
                                                       app: Flask):
    links_page = _new_round(client, session)
    html = client.get(links_page).get_data(as_text=True)
    links, codes = LINK.findall(html), _codes(client, links_page)
    assert len(codes) == 3
    practitioner = app.test_client()
    for link, code in zip(links, codes, strict=True):
        typed = code.lower().replace("-", " ")  # typed loosely from paper
        opened = practitioner.get(f"/j/{typed}")
        assert opened.headers["Location"] == link.removeprefix("http://localhost")


def test_the_code_page_works_without_script_as_a_plain_form(app: Flask):
    html = app.test_client().get("/j").get_data(as_text=True)
    assert "Type the code from your invitation" in html
    assert 'method="post" action="/j"' in html
    assert 'name="code"' in html


def test_a_typed_code_is_posted_and_never_taken_from_the_address(
        client: FlaskClient, session: Session, app: Flask):
    links_page = _new_round(client, session, agencies=("police",))
    code = _codes(client, links_page)[0]
    practitioner = app.test_client()
    posted = practitioner.post("/j", data={"code": code})  # no session, no CSRF token
    assert posted.status_code == 303
    assert posted.headers["Location"].startswith("/s/")
    in_address = practitioner.get("/j", query_string={"code": code})
    assert in_address.status_code == 303  # not opened: back to the bare form
    assert in_address.headers["Location"] == "/j"
    empty = practitioner.get("/j")
    assert empty.status_code == 200
    assert code not in empty.get_data(as_text=True)


def test_wrong_and_withdrawn_codes_get_one_message_that_tells_nothing(
        client: FlaskClient, session: Session, app: Flask):
    links_page = _new_round(client, session, agencies=("police",))
    old = _codes(client, links_page)[0]
    invitation = session.scalars(select(Invitation)).one()
    reissued = post_form(client, links_page,
                         to=f"/invitations/{invitation.public_id}/reissue")
    assert reissued.status_code == 302
    new = _codes(client, links_page)[0]
    assert new != old
    practitioner = app.test_client()
    answers = [practitioner.post("/j", data={"code": code})
               for code in (old, "ABCD-EFGH", "not a code")]
    assert [a.status_code for a in answers] == [400, 400, 400]
    bodies = [a.get_data(as_text=True) for a in answers]
    assert all(WRONG in body for body in bodies)
    assert practitioner.get(f"/j/{new}").status_code == 303


def test_wrong_codes_are_throttled_per_address_even_for_a_right_code_after(
        client: FlaskClient, session: Session, app: Flask):
    app.config["JOIN_CODE_FAILURES_PER_ADDRESS"] = 3
    links_page = _new_round(client, session, agencies=("police",))
    code = _codes(client, links_page)[0]
    guesser = app.test_client()
    for _ in range(3):
        assert guesser.get("/j/ZZZZ-ZZZZ").status_code == 400
    refused = guesser.get(f"/j/{code}")
    assert refused.status_code == 429
    assert "Too many wrong codes" in refused.get_data(as_text=True)
    other = app.test_client()
    assert other.get(f"/j/{code}", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 303


def test_a_closed_rounds_code_answers_closed(client: FlaskClient, session: Session,
                                             app: Flask):
    links_page = _new_round(client, session, agencies=("police",))
    code = _codes(client, links_page)[0]
    fresh(session)
    session.scalars(select(Assessment)).one().status = Status.CLOSED
    session.commit()
    practitioner = app.test_client()
    opened = practitioner.get(f"/j/{code}")
    assert opened.status_code == 303
    assert practitioner.get(opened.headers["Location"]).status_code == 410


def test_a_join_code_is_unique_among_active_links(session: Session, app: Flask,
                                                  monkeypatch: pytest.MonkeyPatch):
    municipality = make_municipality(session, "Gent")
    key = link_key(app.config["SECRET_KEY"])
    assessment, _made = services.create_assessment(
        session, municipality, q=get_questionnaire(), agencies=["police"], mode="survey",
        link_key=key)
    first = assessment.invitations[0]
    drawn = iter([first.public_id, "another-id"])
    monkeypatch.setattr(links, "new_public_id", lambda: next(drawn))
    second, _token = services.new_invitation(session, assessment, "police", link_key=key)
    assert second.public_id == "another-id"
    assert second.join_code_hash != first.join_code_hash


def test_join_codes_are_eight_characters_of_the_resume_alphabet_and_typed_loosely():
    code = tokens.join_code(b"k" * 32, "abc")
    assert code == tokens.join_code(b"k" * 32, "abc") != tokens.join_code(b"k" * 32, "abd")
    assert len(code) == 8
    assert set(code) <= set(tokens.RESUME_ALPHABET)
    shown = tokens.show_join_code(code)
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}", shown)
    assert tokens.normalise_join_code(f" {shown.lower()} ") == code
    assert tokens.normalise_join_code("ABCD-EFG0") is None  # 0 is not in the alphabet
    assert tokens.normalise_join_code("ABCD") is None


def test_assessment_create_prints_the_short_address_in_the_pack(
        cli: CliRunner, session: Session, tmp_path: Path):  # noqa: F811 - the fixture
    make_municipality(session, "Gent")
    out = tmp_path / "pack.pdf"
    result = cli.invoke(main, ["assessment", "create", "--municipality", "Gent",
                               "--agencies", "police", "--base-url", "https://maw.example",
                               "--pack", str(out), "--json"])
    assert result.exit_code == 0, result.output
    page = " ".join(PdfReader(out).pages[0].extract_text().split())
    printed = PRINTED.search(page)
    assert printed is not None, page
    assert printed.group(1) == "maw.example/j"
    assert f'"code": "{printed.group(2)}"' in result.output


def test_the_links_page_of_a_link_made_before_join_codes_writes_nothing(
        client: FlaskClient, session: Session, app: Flask):
    links_page = _new_round(client, session, agencies=("police",))
    fresh(session)
    session.scalars(select(Invitation)).one().join_code_hash = None  # as migration 0017 leaves it
    session.commit()
    sent: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    engine = get_db(app).engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        html = client.get(links_page).get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert sent, "the page read nothing: the listener is not on the app's engine"
    writes = [s for s in sent if s.lstrip().split(None, 1)[0].upper()
              in {"INSERT", "UPDATE", "DELETE"}]
    assert writes == []
    assert len(LINK.findall(html)) == 1  # the link itself is shown, its missing code is not
    assert _codes(client, links_page) == []
    fresh(session)
    assert session.scalars(select(Invitation)).one().join_code_hash is None


