"""How long a respondent waits for a survey page, against a bare Flask page with the same HTML.

    PYTHONPATH=. python benchmarks/bench_survey.py [--requests 300] [--repeat 5] [--profile]

In process (Flask's test client, no network), on a fresh SQLite database with one open
assessment and a respondent who has started, this prints in one run the median time per request
(median of `--repeat` rounds of `--requests` requests each) of:

- bare page (baseline): a plain Flask app whose one route renders, with Jinja, the very HTML of
  question page 1 (the same header, footer and statement markup, the statements and options
  looped over from plain lists), with no database, session, CSRF or security headers;
- hello: a route added to the readiness app that returns a word (the app's fixed cost:
  security headers, session, database session per request, language choice);
- question page N (GET) for every page, with its number of statements: how the time grows with
  the work;
- saving page N (POST of valid answers with the CSRF token and resume cookie, then the redirect
  answer): the save path, one write transaction per request;

each with its ratio to the bare page and the number of SQL statements it sends. The ratio is
the median over the rounds of a round's time over that of a round of the bare page timed just
before it, so a machine whose load changes during the run moves both alike. `--profile` adds
the top functions of cProfile for question page 1. Asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event

from readiness import create_app
from readiness.core.questionnaire import get_questionnaire
from readiness.db import get_db, upgrade
from readiness.models import Municipality
from readiness.services import assessments as services
from readiness.services.survey import pages
from readiness.web.forms import comment_field, item_field

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_FORM = re.compile(r"<form method=\"post\".*?</form>", re.DOTALL)
# the question form of the bare page: the same markup, looped from plain lists
_BARE_FORM = (Path(__file__).parent / "bare_question_form.html").read_text(encoding="utf-8")


class StatementCounter:
    """Counts the SQL statements an engine sends while `counting` is on."""

    def __init__(self, engine: Any) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args: Any) -> None:
        self.count += 1


def round_ms(run: Callable[[], Any], requests: int) -> float:
    """The mean milliseconds per call of `run` over `requests` calls."""
    start = time.perf_counter()
    for _ in range(requests):
        run()
    return (time.perf_counter() - start) * 1000 / requests


def paired_ms(run: Callable[[], Any], base: Callable[[], Any], requests: int,
              repeat: int) -> tuple[float, float, float]:
    """Over `repeat` rounds, each a round of `base` then one of `run`: the median milliseconds
    per call of `run`, of `base`, and the median of the rounds' ratios run / base."""
    for _ in range(min(requests, 20)):
        run()  # warm up: templates compiled, caches filled
        base()
    runs, bases, ratios = [], [], []
    for _ in range(repeat):
        bases.append(round_ms(base, requests))
        runs.append(round_ms(run, requests))
        ratios.append(runs[-1] / bases[-1])
    return statistics.median(runs), statistics.median(bases), statistics.median(ratios)


def readiness_app(folder: Path) -> tuple[Flask, str]:
    """The production app on a fresh SQLite file, and one open survey link's token."""
    app = create_app({"SECRET_KEY": "benchmark-only-secret-key-0123456789",
                      "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
                      "INSTANCE_PATH": str(folder / "instance"),
                      "TRUSTED_HOSTS": ["localhost"]})
    app.add_url_rule("/bench/hello", "bench_hello", lambda: "hello")
    upgrade(app)
    with get_db(app).write_session() as session:
        town = Municipality(name="Benchtown", country="BE", population_band="50k_100k")
        session.add(town)
        session.flush()
        _, tokens = services.create_assessment(session, town, q=get_questionnaire(),
                                               agencies=("police", "health"))
    return app, next(iter(tokens.values()))


def bare_app(html: str, q: Any, dimension: Any, csrf: str) -> Flask:
    """A plain Flask app rendering the question page's HTML with Jinja from plain lists."""
    template = _FORM.sub(lambda _m: _BARE_FORM, html, count=1)
    items = [{"id": item_field(item.id), "label": f"{n}. {item.text}", "hint": item.help or "",
              "answer": None,
              "options": [{"value": o.value, "label": o.label} for o in q.options(item)]
              + [{"value": "dont_know", "label": "Don't know"}]}
             for n, item in enumerate(q.items_of(dimension.id), start=1)]
    bare = Flask("bare")
    compiled = bare.jinja_env.from_string(template)  # compiled once, as Flask caches templates
    bare.add_url_rule("/page", "page", lambda: compiled.render(
        items=items, csrf=csrf, action="/page", comment_label="Comment",
        comment="", max_comment=2000))
    return bare


def main() -> None:
    """Build the database, then time the bare page, hello, every question page and every save."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app, token = readiness_app(Path(folder))
        counter = StatementCounter(get_db(app).engine)
        client = app.test_client()
        link = f"/s/{token}"
        start = client.get(link).get_data(as_text=True)
        client.post(f"{link}/start", data={"csrf_token": _CSRF.findall(start)[0]})
        q = get_questionnaire()
        html = client.get(f"{link}/page/1").get_data(as_text=True)
        csrf = _CSRF.findall(html)[0]
        bare = bare_app(html, q, pages(q)[0], csrf).test_client()
        assert bare.get("/page").status_code == 200

        bases: list[float] = []

        def per_request(run: Callable[[], Any]) -> tuple[float, float, float]:
            counter.count = 0
            run()
            statements = counter.count
            ms, base, ratio = paired_ms(run, lambda: bare.get("/page"), args.requests,
                                        args.repeat)
            bases.append(base)
            return ms, ratio, statements

        rows: list[tuple[str, float, float, float]] = []
        hello = per_request(lambda: client.get("/bench/hello"))
        rows.append(("hello (readiness app, no work)", *hello))
        for number, dimension in enumerate(pages(q), start=1):
            url = f"{link}/page/{number}"
            statements = len(q.items_of(dimension.id))

            def get(url: str = url) -> None:
                reply = client.get(url)
                assert reply.status_code == 200, reply.status_code

            rows.append((f"question page {number} GET ({statements} statements)",
                         *per_request(get)))
        for number, dimension in enumerate(pages(q), start=1):
            url = f"{link}/page/{number}"
            form = {"csrf_token": csrf, "action": "continue", comment_field(dimension.id): "ok"}
            form.update({item_field(i.id): q.options(i)[0].value for i in q.items_of(dimension.id)})

            def post(url: str = url, form: dict[str, str] = form) -> None:
                reply = client.post(url, data=form)
                assert reply.status_code == 302, reply.status_code

            rows.append((f"save page {number} POST ({len(q.items_of(dimension.id))} "
                         "statements)", *per_request(post)))
        print(f"survey pages in process, SQLite; median of {args.repeat} x {args.requests} "
              "requests, ms per request")
        print(f"  {'bare Flask page, same HTML (baseline)':<44}"
              f"{statistics.median(bases):8.2f}  {1:6.2f}x   (from {min(bases):.2f} to "
              f"{max(bases):.2f} ms in the rows' rounds)")
        for label, ms, ratio, statements in rows:
            print(f"  {label:<44}{ms:8.2f}  {ratio:6.2f}x  {statements:3.0f} SQL")
        if args.profile:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.requests):
                client.get(f"{link}/page/1")
            profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
            print(out.getvalue())
        get_db(app).dispose()


if __name__ == "__main__":
    sys.exit(main())
