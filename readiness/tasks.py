"""Background work off the request path: a huey task queue per app, rendering roadmap PDFs and
working out the national dashboard's first page ahead (after a close or a municipality edit).

The embedded default keeps the queue in `tasks.sqlite` in the instance folder (no other
service); `TASK_QUEUE_URL=redis://...` shares one queue between several app servers (install
the `redis` package). `readiness worker` runs the consumer, `readiness serve` runs one in its
own process for the embedded default; tests run tasks at once (`TASK_IMMEDIATE`, on in testing).

A render is requested at most once at a time per PDF (a pending marker in huey's key-value
store, dropped when the task ends, after `PENDING_SECONDS`, or when a worker starts after it
was set, as one killed mid-render leaves it behind), the consumer runs
`TASK_WORKERS` (default: one per core) renders at once, and a failure is kept for the next
request to report, once, before a retry may begin.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask
    from huey import Huey

EXTENSION = "readiness.tasks"
PENDING_SECONDS = 5 * 60  # a marker older than this belongs to a worker that died
STARTED = "worker_started"
ERASED = "erased:"  # + a round's public id: its queued renders store nothing


@dataclass(frozen=True)
class Tasks:
    """The app's queue and its tasks: the roadmap render, the national dashboard's warm-up."""

    huey: Huey
    render: Callable[..., Any]
    warm_national: Callable[..., Any]


def _queue(app: Flask) -> Huey:
    from huey import SqliteHuey

    url = app.config.get("TASK_QUEUE_URL")
    immediate = app.config.get("TASK_IMMEDIATE")
    immediate = app.testing if immediate is None else bool(immediate)
    if not url:
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        return SqliteHuey("readiness", filename=str(Path(app.instance_path) / "tasks.sqlite"),
                          immediate=immediate, results=False)
    if str(url).startswith(("redis://", "rediss://")):
        from huey import RedisHuey

        return RedisHuey("readiness", url=str(url), immediate=immediate, results=False)
    from readiness import ConfigError

    raise ConfigError("READINESS_TASK_QUEUE_URL must be empty (embedded) or redis://...")


def init_app(app: Flask) -> None:
    """Make the app's queue and register its tasks."""
    huey = _queue(app)

    def render_roadmap(cache_dir: str, key: str, html: str, timeout: float, max_bytes: int,
                       max_age_days: float) -> None:
        from readiness.report import cache as report_cache
        from readiness.report import render

        erased = f"{ERASED}{key.split('.', 1)[0]}"
        try:
            if huey.get(erased, peek=True) is None:
                report_cache.cached_pdf(Path(cache_dir), key,
                                        lambda: render.render_pdf(html, timeout=timeout),
                                        max_bytes=max_bytes, max_age_days=max_age_days)
            if huey.get(erased, peek=True) is not None:  # erased while it rendered
                report_cache.forget(Path(cache_dir), key.split(".", 1)[0])
        except render.ReportError as exc:
            huey.put(f"failed:{key}", str(exc))
        finally:
            huey.get(f"pending:{key}")  # reading pops the marker

    def warm_national() -> None:
        from datetime import UTC, datetime

        from readiness.core.questionnaire import get_questionnaire
        from readiness.db import get_db
        from readiness.services.national import warm_dashboard

        with get_db(app).sessions() as session:
            warm_dashboard(session, get_questionnaire(), today=datetime.now(UTC).date(),
                           languages=tuple(app.config["LANGUAGES"]),
                           min_cell=int(app.config["MIN_CELL"]))

    task = huey.task(name="render_roadmap")(render_roadmap)
    warm = huey.task(name="warm_national")(warm_national)
    app.extensions[EXTENSION] = Tasks(huey, task, warm)


def get_tasks(app: Flask) -> Tasks:
    """The queue of `app`."""
    tasks: Tasks = app.extensions[EXTENSION]
    return tasks


def request_render(app: Flask, cache_dir: Path, key: str, html: str) -> None:
    """Queue the PDF of `html` under `key` unless a render of it is already pending."""
    tasks = get_tasks(app)
    marker = f"pending:{key}"
    if not tasks.huey.put_if_empty(marker, time.time()):
        since = tasks.huey.get(marker, peek=True)
        started = tasks.huey.get(STARTED, peek=True)
        fresh = isinstance(since, float) and time.time() - since < PENDING_SECONDS
        if fresh and not (isinstance(started, float) and started > since):
            return
        tasks.huey.put(marker, time.time())
    config = app.config
    tasks.render(str(cache_dir), key, html, float(config["REPORT_TIMEOUT"]),
                 int(config["REPORT_CACHE_MAX_MB"]) * 1024 * 1024,
                 float(config["REPORT_CACHE_MAX_AGE_DAYS"]))


def request_national_warm_up(app: Flask) -> None:
    """Queue working out the national dashboard's first page again (a round closed, a
    municipality was added or edited): the worker keeps it in the instance folder, so no
    coordinator waits for it."""
    if app.config["NATIONAL_FRAMES_CACHE"]:
        get_tasks(app).warm_national()


def forget_round(app: Flask, cache_dir: Path, round_id: str) -> int:
    """A round is erased: remove its cached PDFs, and make its queued renders store nothing."""
    get_tasks(app).huey.put(f"{ERASED}{round_id}", time.time())
    from readiness.report import cache as report_cache

    return report_cache.forget(cache_dir, round_id)


def failure(app: Flask, key: str) -> str | None:
    """Why the last render of `key` failed, told once (the next request may try again)."""
    message = get_tasks(app).huey.get(f"failed:{key}")
    return str(message) if message is not None else None


def run_consumer(app: Flask, workers: int | None = None) -> None:
    """Run the queue's consumer until stopped, `workers` renders at once (default: one per
    core; threads suffice, as each render runs in its own child process)."""
    count = workers or int(app.config.get("TASK_WORKERS") or 0) or os.cpu_count() or 1
    huey = get_tasks(app).huey
    huey.put(STARTED, time.time())  # renders pending before now died with an earlier worker
    consumer = huey.create_consumer(workers=count, worker_type="thread")
    consumer.run()
