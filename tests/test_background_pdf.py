"""Roadmap PDFs are rendered by a background worker from a task queue: the download page says
"being prepared" without waiting, a render is queued once however often it is asked for, a
closed round queues its own, and what a PDF holds is bounded in cost before layout."""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy.orm import Session

from readiness import create_app
from readiness.db import get_db
from readiness.models import Role
from readiness.tasks import STARTED, get_tasks
from readiness.web.report_download import COMBINING_RUN_MAX, bounded_text
from tests.test_report_download import _closed
from tests.web_helpers import login, make_user, post_form, recorded_workshop


@contextmanager
def queued(app: Flask, **settings: object) -> Iterator[Flask]:
    """The app on the same database with a real (not immediate) embedded queue."""
    keys = ("TESTING", "SECRET_KEY", "DATABASE_URL", "PASSWORD_HASH_METHOD",
            "SQLITE_BUSY_TIMEOUT_MS")
    other = create_app({**{k: app.config[k] for k in keys}, "INSTANCE_PATH": app.instance_path,
                        "TASK_IMMEDIATE": False, **settings})
    yield other
    get_db(other).dispose()


def test_the_pdf_is_prepared_in_the_background_once_and_then_downloaded(
        app: Flask, session: Session):
    make_user(session, "admin", Role.ADMIN)
    assessment = _closed(session)
    with queued(app) as web:
        client = web.test_client()
        login(client, "admin")
        url = f"/assessments/{assessment.public_id}/roadmap.pdf"
        started = time.monotonic()
        first = client.get(url)
        assert time.monotonic() - started < 2  # no render in the request
        assert first.status_code == 202
        assert "being prepared" in first.get_data(as_text=True)
        assert client.get(url).status_code == 202
        huey = get_tasks(web).huey
        assert huey.pending_count() == 1  # asked twice, queued once
        assert client.get("/login").status_code in (200, 302)  # other pages do not wait
        huey.execute(huey.dequeue())
        done = client.get(url)
        assert done.status_code == 200
        assert done.data.startswith(b"%PDF")


def test_closing_a_round_queues_its_roadmap(app: Flask, session: Session):
    workshop = recorded_workshop(session)
    make_user(session, "root")
    with queued(app, RENDER_ON_CLOSE=True) as web:
        client = web.test_client()
        login(client, "root")
        assert post_form(client, f"/assessments/{workshop.public_id}/close").status_code == 302
        assert get_tasks(web).huey.pending_count() == 1


def test_combining_mark_runs_are_cut_and_text_is_normalised():
    zalgo = "a" + "\u0301" * 5000 + "b"
    bounded = bounded_text(zalgo)
    assert len(bounded) <= 2 + COMBINING_RUN_MAX
    assert bounded_text("e\u0301") == unicodedata.normalize("NFC", "e\u0301") == "é"
    assert bounded_text("Ελλάδα ქართული") == "Ελλάδα ქართული"


def test_a_render_lost_with_a_killed_worker_is_queued_again_by_the_next_worker(
        app: Flask, session: Session):
    make_user(session, "admin", Role.ADMIN)
    assessment = _closed(session)
    with queued(app) as web:
        client = web.test_client()
        login(client, "admin")
        url = f"/assessments/{assessment.public_id}/roadmap.pdf"
        assert client.get(url).status_code == 202
        huey = get_tasks(web).huey
        assert huey.dequeue() is not None  # taken by a worker that is then killed (-9)
        assert client.get(url).status_code == 202
        assert huey.pending_count() == 0  # the marker still says "being prepared"
        huey.put(STARTED, time.time() + 1)  # a new worker starts
        assert client.get(url).status_code == 202
        assert huey.pending_count() == 1
