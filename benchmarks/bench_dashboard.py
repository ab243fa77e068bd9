"""How long the national dashboard's data takes at national scale, on SQLite and PostgreSQL.

    PYTHONPATH=. python benchmarks/bench_dashboard.py [--municipalities 100,1000,10000]
                                                      [--pg URL | --pg auto]

For each size, fills a fresh database with N municipalities x 2 closed rounds x 12 respondents
(answers drawn by the demo generator and scored by the real engines; a pool of scored answer
sets is reused and the stored result documents are compacted, which the dashboard never reads),
then prints the median of repeated runs of:

- dashboard data: everything the dashboard page shows (overview, distributions, levels,
  barriers, progress, breakdowns, one sorted page of the table, where to go next), read from
  the database and aggregated by readiness.national.aggregate, asked for as the page does
  (`services.national.national_dashboard`, which keeps the figures with the frames);
- the same aggregate both ways: per dimension and level the municipalities, mean score and
  perception gaps over each municipality's latest round, plus barrier frequency, once through
  readiness (query + pandas) and once as a single hand-written SQL query; the ratio compares
  the two.

readiness keeps the frames read from the database until the data changes, paying one
fingerprint query per request; when the change is newly closed assessments it reads just those.
Eight paths are printed: frames kept (no change since the last request), the first request
after an assessment is closed (a real close through the services, not timed, before each run),
the same once the background worker has worked the close out (`warm_dashboard`, untimed, as
another process: this one's frames are left as they were), the first request after a
municipality is renamed (through the services), and once the worker has worked that out,
the first request after a restart (the
process's frames dropped; what the instance folder keeps is used), the same for a page of the
table nobody asked for before (so the frames are read), and cold (frames rebuilt from the
database on every run, nothing kept anywhere). The dashboard data is the page's: its first
page (sorted by name), with the filters' choices (places, rounds). The last lines show how
each grows with the number of municipalities.

`--pg auto` starts the local cluster with .ci/postgres. Without --pg only SQLite runs.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.append(str(ROOT))  # after PYTHONPATH, so another checkout can be measured

from readiness import create_app  # noqa: E402
from readiness.core.questionnaire import get_questionnaire  # noqa: E402
from readiness.db import get_db, upgrade  # noqa: E402
from readiness.demo.national import build_demo  # noqa: E402
from readiness.models import Assessment, Base, Municipality, Status  # noqa: E402
from readiness.national import aggregate  # noqa: E402
from readiness.national import query as national_query  # noqa: E402
from readiness.services import assessments as services  # noqa: E402
from readiness.services import national as services_national  # noqa: E402
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
    answers = {item.id: q.options(item)[0].value for item in q.doc.items}
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


def fill(folder: Path, url: str, municipalities: int) -> tuple[Any, float]:
    """A fresh database at `url` with the benchmark data; the app and the seconds it took."""
    app = create_app({"TESTING": True, "SECRET_KEY": "benchmark", "DATABASE_URL": url,
                      "INSTANCE_PATH": str(folder / "instance")})
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


PATHS = (("dashboard", "dashboard data (frames kept until data change)"),
         ("dashboard_closed", "dashboard data, first request after a close"),
         ("dashboard_warmed", "  ... once the worker has worked the close out"),
         ("dashboard_renamed", "dashboard data, first request after a rename"),
         ("dashboard_renamed_warmed", "  ... once the worker has worked the rename out"),
         ("dashboard_restart", "dashboard data, first request after a restart"),
         ("dashboard_restart_other", "  ... of a page nobody asked for before"),
         ("dashboard_cold", "dashboard data, cold (nothing kept, all from DB)"),
         ("aggregate", "same aggregate (frames kept until data change)"),
         ("aggregate_cold", "same aggregate, cold (nothing kept, all from DB)"))


class Changes:
    """The changes timed paths follow, made through the services as the app makes them."""

    def __init__(self, database: Any, q: Any, closing: Iterator[int]) -> None:
        self.database, self.q, self.closing = database, q, closing

    def close(self, _n: int) -> None:
        """Close the next open round."""
        with self.database.write_session() as session:
            found = session.get(Assessment, next(self.closing))
            assert found is not None
            services.close_assessment(session, found)

    def rename(self, n: int) -> None:
        """Rename the first municipality."""
        with self.database.write_session() as session:
            town = session.scalar(select(Municipality).order_by(Municipality.id).limit(1))
            assert town is not None
            services.update_municipality(session, town, name=f"Renamed town {n}",
                                         country=town.country, region=town.region or "",
                                         population_band=town.population_band)

    @staticmethod
    def restart(_n: int) -> None:
        """What a new process starts with: no frames in memory."""
        services_national._TABLES.clear()

    def close_and_warm(self, n: int) -> None:
        """A close, then what the background worker does after it."""
        self.close(n)
        self.warm()

    def rename_and_warm(self, n: int) -> None:
        """A rename, then what the background worker does after it."""
        self.rename(n + 100)
        self.warm()

    def warm(self) -> None:
        """The worker's warm-up, as another process: this one's frames are left as they were."""
        kept = dict(services_national._TABLES)
        services_national._TABLES.clear()
        with self.database.sessions() as session:
            services_national.warm_dashboard(session, self.q, today=TODAY, languages=("en",))
        services_national._TABLES.clear()
        services_national._TABLES.update(kept)


def measure(name: str, folder: Path, url: str, municipalities: int,
            repeat: int) -> dict[str, float]:
    """Fill the database, then time the dashboard data and the same aggregate both ways."""
    app, seconds = fill(folder, url, municipalities)
    q = get_questionnaire()
    database = get_db(app)
    with database.engine.connect() as conn:
        counts = conn.execute(text(
            "SELECT (SELECT COUNT(*) FROM municipality), (SELECT COUNT(*) FROM assessment), "
            "(SELECT COUNT(*) FROM response), (SELECT COUNT(*) FROM score)")).one()
    print(f"{name}: {counts[0]} municipalities, {counts[1]} assessments, {counts[2]} responses, "
          f"{counts[3]} scores (filled in {seconds:.1f} s)")

    def dashboard_data(cached: bool, page: int = 1) -> Callable[[], None]:
        def run() -> None:
            with database.sessions() as session:
                if cached:  # as the dashboard view asks for its first page (and filters)
                    national_query.places(session)
                    national_query.closed_rounds(session)
                    services_national.national_dashboard(
                        session, q, aggregate.Filters(), today=TODAY, page=page)
                    return
                t = national_tables(session, q, cached=False)
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

    def first_after(change: Callable[[int], None], other_page: bool = False) -> float:
        """The median time of the first dashboard request after each of `repeat` changes
        (of a page never asked for before if `other_page`)."""
        dashboard_data(True)()
        times = []
        for n in range(repeat + 1):
            change(n)
            start = time.perf_counter()
            dashboard_data(True, page=n + 2 if other_page else 1)()
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times[1:])

    change = Changes(database, q, iter(open_rounds(app, 3 * (repeat + 1))))

    figures = {"dashboard": median_ms(dashboard_data(True), repeat),
               "dashboard_closed": first_after(change.close),
               "dashboard_warmed": first_after(change.close_and_warm),
               "dashboard_renamed": first_after(change.rename),
               "dashboard_renamed_warmed": first_after(change.rename_and_warm),
               "dashboard_restart": first_after(change.restart),
               "dashboard_restart_other": first_after(change.restart, other_page=True),
               "dashboard_cold": median_ms(dashboard_data(False), repeat),
               "aggregate": median_ms(same_aggregate(True), repeat),
               "aggregate_cold": median_ms(same_aggregate(False), repeat),
               "sql": median_ms(same_aggregate_sql, repeat)}
    sql = figures["sql"]
    print(f"  median of {repeat} runs, in ms                          readiness   x SQL")
    for key, label in PATHS:
        print(f"  {label:<52}{figures[key]:9.1f}  {figures[key] / sql:6.2f}x")
    print(f"  {'same aggregate as one hand-written SQL query':<52}{sql:9.1f}")
    database.dispose()
    return figures


def growth(name: str, results: dict[int, dict[str, float]]) -> None:
    """Each path's time per size, and its ratio to the SQL of the same size."""
    sizes = sorted(results)
    print(f"{name}: how each grows with the municipalities (ms, and x SQL of the same size)")
    print("  " + " " * 52 + "".join(f"{n:>18,}" for n in sizes))
    for key, label in (*PATHS, ("sql", "same aggregate as one hand-written SQL query")):
        cells = "".join(f"{results[n][key]:9.1f} {results[n][key] / results[n]['sql']:6.2f}x  "
                        for n in sizes)
        print(f"  {label:<52}{cells}")


def main() -> None:
    """Parse the arguments and run the benchmark on SQLite (and PostgreSQL if asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--municipalities", default="100,1000,10000",
                        help="sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pg", default=None,
                        help="a PostgreSQL URL, or 'auto' to start one with .ci/postgres")
    args = parser.parse_args()
    sizes = [int(n) for n in args.municipalities.split(",")]
    results: dict[int, dict[str, float]] = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            results[size] = measure("SQLite", Path(folder), f"sqlite:///{folder}/bench.sqlite",
                                    size, args.repeat)
    if len(sizes) > 1:
        growth("SQLite", results)
    if args.pg:
        url = args.pg
        if url == "auto":
            url = subprocess.run(["bash", str(ROOT / ".ci" / "postgres")], check=True,
                                 capture_output=True, text=True).stdout.strip().splitlines()[-1]
        results = {}
        for size in sizes:
            with tempfile.TemporaryDirectory() as folder:
                results[size] = measure("PostgreSQL", Path(folder), url, size, args.repeat)
        if len(sizes) > 1:
            growth("PostgreSQL", results)
    else:
        print("PostgreSQL: skipped (give --pg URL or --pg auto)")


if __name__ == "__main__":
    main()
