"""How long the national dashboard's data takes at national scale, on SQLite and PostgreSQL.

    python benchmarks/bench_dashboard.py [--municipalities 10000] [--pg URL | --pg auto]

Fills a fresh database with N municipalities x 2 closed rounds x 12 respondents (answers drawn
by the demo generator and scored by the real engines; a pool of scored answer sets is reused and
the stored result documents are compacted, which the dashboard never reads), then prints the
median of repeated runs of:

- dashboard data: everything the dashboard page shows (overview, distributions, levels,
  barriers, progress, breakdowns, one sorted page of the table, where to go next), read from
  the database and aggregated by readiness.national.aggregate;
- the same aggregate both ways: per dimension and level the municipalities, mean score and
  perception gaps over each municipality's latest round, plus barrier frequency, once through
  readiness (query + pandas) and once as a single hand-written SQL query; the ratio compares
  the two.

readiness keeps the frames read from the database until the data changes, paying one
fingerprint query per request; when the change is newly closed assessments it reads just those.
Three paths are printed: frames kept (no change since the last request), the first request
after an assessment is closed (a real close through the services, not timed, before each run),
and cold (frames rebuilt from the database on every run, as after a restart or a rename).

`--pg auto` starts the local cluster with .ci/postgres. Without --pg only SQLite runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from readiness import create_app  # noqa: E402
from readiness.core.questionnaire import get_questionnaire  # noqa: E402
from readiness.db import get_db, upgrade  # noqa: E402
from readiness.demo.national import build_demo  # noqa: E402
from readiness.models import Assessment, Base, Municipality, Status  # noqa: E402
from readiness.national import aggregate  # noqa: E402
from readiness.services import assessments as services  # noqa: E402
from readiness.services import survey as services_survey  # noqa: E402
from readiness.services.national import national_tables  # noqa: E402

TODAY = date(2026, 11, 27)
SAME_AGGREGATE_SQL = """
WITH last_round AS (
  SELECT municipality_id, MAX(round) AS round FROM assessment
  WHERE status = 'closed' GROUP BY municipality_id
), latest AS (
  SELECT a.id FROM assessment a
  JOIN last_round r ON r.municipality_id = a.municipality_id AND r.round = a.round
  WHERE a.status = 'closed'
)
SELECT 'dimension' AS kind, s.dimension AS name, s.level AS level, COUNT(*) AS n,
       AVG(s.score) AS mean, SUM(CASE WHEN s.divergent THEN 1 ELSE 0 END) AS gaps
FROM score s JOIN latest l ON l.id = s.assessment_id
GROUP BY s.dimension, s.level
UNION ALL
SELECT 'barrier', f.finding, NULL, COUNT(*), NULL, NULL
FROM assessment_finding f JOIN latest l ON l.id = f.assessment_id
WHERE f.kind = 'barrier'
GROUP BY f.finding
"""


def median_ms(run: Callable[[], Any], repeat: int) -> float:
    """The median wall time of `run` in milliseconds (after one warm-up run)."""
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def open_rounds(app: Any, count: int) -> list[int]:
    """A further open round, answered by 12 practitioners, in `count` municipalities."""
    q = get_questionnaire()
    answers = {item.id: "agree" for item in q.doc.items}
    made = []
    with get_db(app).write_session() as session:
        busy = select(Assessment.municipality_id).where(Assessment.status == Status.OPEN)
        towns = session.scalars(select(Municipality).where(Municipality.id.not_in(busy))
                                .order_by(Municipality.id).limit(count)).all()
        for town in towns:
            assessment, _ = services.create_assessment(
                session, town, q=q, agencies=("police", "health", "education"),
                conducted_on=TODAY)
            for invitation in assessment.invitations:
                for _ in range(4):
                    response, _ = services_survey.start_response(session, invitation)
                    services_survey.save_answers(q, response, answers, {})
                    services_survey.submit_response(session, response)
            made.append(assessment.id)
    return made


def fill(url: str, municipalities: int) -> tuple[Any, float]:
    """A fresh database at `url` with the benchmark data; the app and the seconds it took."""
    app = create_app({"TESTING": True, "SECRET_KEY": "benchmark", "DATABASE_URL": url})
    engine = get_db(app).engine
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(app)
    start = time.perf_counter()
    with get_db(app).write_session() as session:
        build_demo(session, get_questionnaire(), municipalities, seed=2026, today=TODAY,
                   rounds=2, respondents=12, pool=400, compact=True)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return app, time.perf_counter() - start


def measure(name: str, url: str, municipalities: int, repeat: int) -> dict[str, float]:
    """Fill the database, then time the dashboard data and the same aggregate both ways."""
    app, seconds = fill(url, municipalities)
    q = get_questionnaire()
    database = get_db(app)
    with database.engine.connect() as conn:
        counts = conn.execute(text(
            "SELECT (SELECT COUNT(*) FROM municipality), (SELECT COUNT(*) FROM assessment), "
            "(SELECT COUNT(*) FROM response), (SELECT COUNT(*) FROM score)")).one()
    print(f"{name}: {counts[0]} municipalities, {counts[1]} assessments, {counts[2]} responses, "
          f"{counts[3]} scores (filled in {seconds:.1f} s)")

    def dashboard_data(cached: bool) -> Callable[[], None]:
        def run() -> None:
            with database.sessions() as session:
                t = national_tables(session, q, cached=cached)
                aggregate.dashboard(t, q, aggregate.Filters(), today=TODAY, sort="overall",
                                    descending=True)
        return run

    def same_aggregate(cached: bool) -> Callable[[], None]:
        def run() -> None:
            with database.sessions() as session:
                t = national_tables(session, q, cached=cached)
                sel = aggregate.select(t, aggregate.Filters())
                aggregate.dimension_summaries(sel, q)
                aggregate.barrier_frequency(sel, q)
        return run

    def same_aggregate_sql() -> None:
        with database.engine.connect() as conn:
            conn.execute(text(SAME_AGGREGATE_SQL)).all()

    def after_a_close() -> float:
        """The median time of the first dashboard request after each of `repeat` closes."""
        times = []
        for assessment_id in open_rounds(app, repeat + 1):
            with database.write_session() as session:
                found = session.get(Assessment, assessment_id)
                assert found is not None
                services.close_assessment(session, found)
            start = time.perf_counter()
            dashboard_data(True)()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times[1:])

    figures = {"dashboard": median_ms(dashboard_data(True), repeat),
               "dashboard_closed": after_a_close(),
               "dashboard_cold": median_ms(dashboard_data(False), repeat),
               "aggregate": median_ms(same_aggregate(True), repeat),
               "aggregate_cold": median_ms(same_aggregate(False), repeat),
               "sql": median_ms(same_aggregate_sql, repeat)}
    sql = figures["sql"]
    print(f"  median of {repeat} runs, in ms                          readiness   x SQL")
    for key, label in (("dashboard", "dashboard data (frames kept until data change)"),
                       ("dashboard_closed", "dashboard data, first request after a close"),
                       ("dashboard_cold", "dashboard data, cold (frames rebuilt from DB)"),
                       ("aggregate", "same aggregate (frames kept until data change)"),
                       ("aggregate_cold", "same aggregate, cold (frames rebuilt from DB)")):
        print(f"  {label:<52}{figures[key]:9.1f}  {figures[key] / sql:6.2f}x")
    print(f"  {'same aggregate as one hand-written SQL query':<52}{sql:9.1f}")
    database.dispose()
    return figures


def main() -> None:
    """Parse the arguments and run the benchmark on SQLite (and PostgreSQL if asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pg", default=None,
                        help="a PostgreSQL URL, or 'auto' to start one with .ci/postgres")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        measure("SQLite", f"sqlite:///{folder}/bench.sqlite", args.municipalities, args.repeat)
    if args.pg:
        url = args.pg
        if url == "auto":
            url = subprocess.run(["bash", str(ROOT / ".ci" / "postgres")], check=True,
                                 capture_output=True, text=True).stdout.strip().splitlines()[-1]
        measure("PostgreSQL", url, args.municipalities, args.repeat)
    else:
        print("PostgreSQL: skipped (give --pg URL or --pg auto)")


if __name__ == "__main__":
    main()
