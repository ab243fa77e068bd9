"""With the background worker running: sign-in page latency while hostile roadmaps render, and
kill -9 of the worker mid-render (every PDF must still arrive once a worker is back).

    python3 -m benchmarks.bench_worker [--rounds 4] [--kills 3] [--clients 8]

Hostile rounds carry, in every comment, a letter followed by 1,900 combining marks.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
ZALGO = "x" + "\u0301" * 1900


def _setup(rounds: int) -> list[str]:
    """An admin and `rounds` closed hostile rounds in the configured database; their ids."""
    from readiness import create_app
    from readiness.core.questionnaire import get_questionnaire
    from readiness.db import get_db, upgrade
    from readiness.services import assessments as services
    from tests.web_helpers import FAST_HASH, PASSWORD, add_responses, make_assessment

    app = create_app({"PASSWORD_HASH_METHOD": FAST_HASH})
    upgrade(app)
    ids = []
    with get_db(app).sessions() as db:
        services.create_user(db, "admin", PASSWORD, "admin", password_method=FAST_HASH)
        dimensions = [d.id for d in get_questionnaire().doc.dimensions]
        for n in range(rounds):
            place = services.create_municipality(db, name=f"Town {n}", country="BE",
                                                 population_band="10k_50k")
            assessment, _ = make_assessment(db, place)
            for agency in ("police", "health", "education"):
                add_responses(db, assessment, agency, 3, "agree",
                              comments=dict.fromkeys(dimensions, ZALGO))
            services.close_assessment(db, assessment)
            db.commit()
            ids.append(assessment.public_id)
    get_db(app).dispose()
    return ids


def _signed_in(base: str) -> requests.Session:
    from tests.web_helpers import PASSWORD

    client = requests.Session()
    token = CSRF.search(client.get(f"{base}/login").text)
    assert token
    client.post(f"{base}/login", data={"csrf_token": token.group(1), "username": "admin",
                                       "password": PASSWORD}, allow_redirects=False)
    return client


def _pdf_seconds(client: requests.Session, url: str, limit: float = 300) -> float:
    started = time.monotonic()
    while time.monotonic() - started < limit:
        reply = client.get(url)
        if reply.status_code == 200 and reply.content.startswith(b"%PDF"):
            return time.monotonic() - started
        time.sleep(0.5)
    return float("inf")


def _worker_pids() -> list[int]:
    found = subprocess.run(["pgrep", "-f", "readiness.cli.main worker"], capture_output=True,
                           text=True).stdout.split()
    return [int(pid) for pid in found]


def main() -> None:
    """Run both measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-worker-"))
    env = {"READINESS_INSTANCE_PATH": str(work), "READINESS_TRUSTED_HOSTS": "127.0.0.1",
           "READINESS_SECRET_KEY": "benchmark-only-secret-key-0123456789",
           "READINESS_PASSWORD_HASH_METHOD": "scrypt:1024:8:1"}
    os.environ.update(env)
    ids = _setup(args.rounds + args.kills)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "readiness.cli.main", "serve", "--port",
                               str(port)], env={**os.environ}, stdout=subprocess.DEVNULL)
    extra: list[subprocess.Popen[bytes]] = []
    try:
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        client = _signed_in(base)
        latencies: list[float] = []
        errors = 0
        done = threading.Event()

        def browse() -> None:
            nonlocal errors
            session = requests.Session()
            while not done.is_set():
                started = time.monotonic()
                if session.get(f"{base}/login", timeout=60).status_code != 200:
                    errors += 1
                latencies.append(time.monotonic() - started)

        browsers = [threading.Thread(target=browse) for _ in range(args.clients)]
        for thread in browsers:
            thread.start()
        started = time.monotonic()
        first = [client.get(f"{base}/assessments/{i}/roadmap.pdf") for i in ids[:args.rounds]]
        times = [_pdf_seconds(client, f"{base}/assessments/{i}/roadmap.pdf")
                 for i in ids[:args.rounds]]
        done.set()
        for thread in browsers:
            thread.join()
        latencies.sort()
        print(f"{args.rounds} hostile roadmaps requested at once: first answers "
              f"{sorted({r.status_code for r in first})} in "
              f"{max(r.elapsed.total_seconds() for r in first):.2f} s at most; all PDFs ready "
              f"after {time.monotonic() - started:.1f} s (slowest poll {max(times):.1f} s)")
        print(f"meanwhile {len(latencies)} sign-in pages by {args.clients} clients: p50 "
              f"{statistics.median(latencies) * 1000:.0f} ms, p99 "
              f"{latencies[int(len(latencies) * 0.99) - 1] * 1000:.0f} ms, max "
              f"{latencies[-1] * 1000:.0f} ms, {errors} errors")
        recovered = 0
        for public_id in ids[args.rounds:]:
            url = f"{base}/assessments/{public_id}/roadmap.pdf"
            client.get(url)
            time.sleep(1.0)  # the worker is rendering
            for pid in _worker_pids():
                os.kill(pid, 9)
            extra.append(subprocess.Popen([sys.executable, "-m", "readiness.cli.main",
                                           "worker"], env={**os.environ},
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            recovered += _pdf_seconds(client, url) != float("inf")
        print(f"kill -9 of the worker mid-render, {args.kills} times: {recovered} of "
              f"{args.kills} PDFs arrived once a new worker started")
    finally:
        server.terminate()
        server.wait(timeout=30)
        for process in extra:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
