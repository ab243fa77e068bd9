"""Survey saves under load with the background worker running, then kill -9 of the app server.

`readiness serve` (waitress, with its embedded worker beside it) on a fresh SQLite database;
N respondents, each with their own started response, save page 1 again and again, each save
carrying a new comment `c<client>-<n>`. Phase 1 measures requests, errors and p50/p99 latency.
Phase 2 keeps the same load while the server process is killed with SIGKILL K times (and started
again on the same port); afterwards every response in the database must hold at least the
last save its client saw acknowledged (a 302): one that holds an older one is a lost save.
Connection failures while the server is down are counted apart from HTTP errors.

    python3 -m benchmarks.bench_saves [--clients 32] [--seconds 40] [--kills 5]

Prints figures; asserts nothing. Only processes this script started are stopped, by id.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TAG = re.compile(r"^c(\d+)-(\d+)$")


@dataclass
class Tally:
    """What the clients saw, shared by their threads (appends and += under the GIL)."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0  # HTTP answers other than the 302 of a save
    refused: int = 0  # no answer: the server was down
    acked: dict[int, int] = field(default_factory=dict)  # client -> last acknowledged n

    def count(self) -> int:
        """Requests that got an HTTP answer."""
        return len(self.latencies)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([sys.executable, "-m", "readiness.cli.main", "serve", "--port",
                               str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if requests.get(f"{base}/healthz", timeout=1).ok:
                return server
        except requests.ConnectionError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def _children(pid: int) -> list[int]:
    """The child processes of `pid` (the embedded worker `serve` started), from /proc."""
    found: list[int] = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _respondent(link: str) -> tuple[requests.Session, str, dict[str, str]]:
    """A started response through `link`: its browser, page-1 URL and form (without comment)."""
    from readiness.core.questionnaire import get_questionnaire
    from readiness.services.survey import pages
    from readiness.web.forms import item_field

    browser = requests.Session()
    start = CSRF.search(browser.get(link).text)
    assert start, "no CSRF token on the start page"
    browser.post(f"{link}/start", data={"csrf_token": start.group(1)})
    page = CSRF.search(browser.get(f"{link}/page/1").text)
    assert page, "no CSRF token on the question page"
    q = get_questionnaire()
    form = {"csrf_token": page.group(1), "action": "continue"}
    form.update({item_field(i.id): "agree" for i in q.items_of(pages(q)[0].id)})
    return browser, f"{link}/page/1", form


def _client(number: int, link: str, comment: str, tally: Tally, stop: threading.Event) -> None:
    browser, url, form = _respondent(link)
    n = 0
    while not stop.is_set():
        n += 1
        started = time.monotonic()
        try:
            reply = browser.post(url, data={**form, comment: f"c{number}-{n}"},
                                 allow_redirects=False, timeout=30)
        except requests.RequestException:
            tally.refused += 1
            time.sleep(0.05)
            continue
        tally.latencies.append(time.monotonic() - started)
        if reply.status_code == 302:
            tally.acked[number] = n
        else:
            tally.errors += 1


def _lost(database: Path, dimension: str, acked: dict[int, int]) -> tuple[int, int]:
    """(responses holding an older save than their client saw acknowledged, clients with an
    acknowledged save); comments are stored by dimension id."""
    stored: dict[int, int] = {}
    with sqlite3.connect(database) as db:
        for (comments,) in db.execute("SELECT comments FROM response"):
            tag = TAG.match(str(json.loads(comments or "{}").get(dimension, "")))
            if tag:
                stored[int(tag.group(1))] = int(tag.group(2))
    return sum(1 for c, n in acked.items() if stored.get(c, 0) < n), len(acked)


def _figures(name: str, tally: Tally, seconds: float) -> str:
    ordered = sorted(tally.latencies) or [0.0]
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return (f"{name}: {tally.count()} saves answered in {seconds:.0f} s "
            f"({tally.count() / seconds:.0f}/s), p50 {statistics.median(ordered) * 1000:.0f} ms,"
            f" p99 {p99 * 1000:.0f} ms, max {ordered[-1] * 1000:.0f} ms, "
            f"{tally.errors} HTTP errors, {tally.refused} refused connections")


def _load(clients: int, link: str, comment: str, tally: Tally,
          first: int = 1) -> tuple[list[threading.Thread], threading.Event]:
    """`clients` threads saving (numbered from `first`: each phase has its own respondents)."""
    stop = threading.Event()
    threads = [threading.Thread(target=_client, args=(n, link, comment, tally, stop))
               for n in range(first, first + clients)]
    for thread in threads:
        thread.start()
    return threads, stop


def main() -> None:
    """Set up, run both phases, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--between", type=float, default=8, help="Seconds between kills.")
    args = parser.parse_args()
    from readiness.core.questionnaire import get_questionnaire
    from readiness.services.survey import pages
    from readiness.web.forms import comment_field

    work = Path(tempfile.mkdtemp(prefix="bench-saves-"))
    database = work / "bench.sqlite"
    env = {**os.environ, "READINESS_SECRET_KEY": "benchmark-only-secret-key-0123456789",
           "READINESS_DATABASE_URL": f"sqlite:///{database}",
           "READINESS_INSTANCE_PATH": str(work), "READINESS_TRUSTED_HOSTS": "127.0.0.1",
           "READINESS_SURVEY_STARTS_PER_ADDRESS": "100000"}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    subprocess.run([sys.executable, "-m", "readiness.cli.main", "db", "upgrade"], check=True,
                   env=env, capture_output=True)
    created = subprocess.run(
        [sys.executable, "-m", "readiness.cli.main", "assessment", "create", "--municipality",
         "Loadtown", "--country", "BE", "--population", "50k_100k", "--agencies",
         "police,health", "--json", "--base-url", base],
        check=True, capture_output=True, text=True, env=env)
    link = json.loads(created.stdout)["links"][0]["url"]
    dimension = pages(get_questionnaire())[0].id
    comment = comment_field(dimension)
    servers = [_serve(port, env)]
    workers = _children(servers[0].pid)
    try:
        steady = Tally()
        threads, stop = _load(args.clients, link, comment, steady)
        time.sleep(2)  # every client has started its response
        steady.latencies.clear()
        steady.errors = steady.refused = 0
        began = time.monotonic()
        time.sleep(args.seconds)
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        lost, read = _lost(database, dimension, steady.acked)
        print(f"{args.clients} clients, `readiness serve` (waitress) with its worker, SQLite, "
              f"{os.cpu_count()} cores shared with other jobs")
        print(_figures("steady load", steady, elapsed) + f", lost saves {lost} of {read} responses")

        killed = Tally()
        threads, stop = _load(args.clients, link, comment, killed, first=1001)
        began = time.monotonic()
        for _ in range(args.kills):
            time.sleep(args.between)
            os.kill(servers[-1].pid, signal.SIGKILL)
            servers[-1].wait()
            servers.append(_serve(port, env))
            workers += _children(servers[-1].pid)
        time.sleep(args.between)
        stop.set()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - began
        lost, read = _lost(database, dimension, killed.acked)
        print(_figures(f"kill -9 of the server {args.kills} times", killed, elapsed)
              + f"; lost saves (acknowledged, then missing): {lost} of {read} responses")
    finally:
        for server in servers:
            if server.poll() is None:
                server.terminate()
                server.wait(timeout=30)
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
