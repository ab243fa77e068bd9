"""Load on the web survey: requests/s and p50/p99 latency under gunicorn, driven by wrk.

Three endpoints in one run, on the same server and database:
- a bare hello endpoint added to the same app (the ceiling: middleware, headers, no work);
- a survey question page (GET /s/<token>/page/1) for a respondent with a started response;
- saving a page of answers (POST of the same page, CSRF token and resume cookie included).

Prints figures; asserts nothing. Needs Debian's `wrk` (apt-get install wrk).
Run: python benchmarks/bench_load.py [--workers 4] [--connections 16] [--seconds 10]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_RATE = re.compile(r"Requests/sec:\s+([\d.]+)")
_STATUS = re.compile(r"Non-2xx or 3xx responses: (\d+)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _wrk(url: str, args: argparse.Namespace, script: Path | None) -> dict[str, float]:
    command = ["wrk", f"-t{min(2, args.connections)}", f"-c{args.connections}",
               f"-d{args.seconds}s", "--latency", "--timeout", "10s"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], check=True, capture_output=True, text=True).stdout
    latency = {p: _ms(v, u) for p, v, u in _LATENCY.findall(output)}
    errors = _STATUS.search(output)
    rate = _RATE.search(output)
    assert rate, output
    return {"rps": float(rate.group(1)), "p50": latency["50"], "p99": latency["99"],
            "errors": float(errors.group(1)) if errors else 0.0}


def _lua(path: Path, method: str, cookie: str, body: str = "") -> Path:
    lines = [f'wrk.method = "{method}"', f'wrk.headers["Cookie"] = {json.dumps(cookie)}']
    if body:
        lines += ['wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"',
                  f"wrk.body = {json.dumps(body)}"]
    path.write_text("\n".join(lines) + "\n")
    return path


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def _respondent(base: str, link: str) -> tuple[str, str, str]:
    """Start a response through the link; return (cookie header, csrf token, page-1 form body)."""
    from readiness.core.questionnaire import get_questionnaire
    from readiness.services.survey import pages
    from readiness.web.forms import comment_field, item_field

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    start = opener.open(link).read().decode()
    token = _CSRF.search(start)
    assert token, "no CSRF token on the start page"
    opener.open(urllib.request.Request(
        f"{link}/start", data=urllib.parse.urlencode({"csrf_token": token.group(1)}).encode()))
    page = opener.open(f"{link}/page/1").read().decode()
    csrf = _CSRF.search(page)
    assert csrf, "no CSRF token on the question page"
    q = get_questionnaire()
    dimension = pages(q)[0]
    form = {"csrf_token": csrf.group(1), "action": "continue",
            comment_field(dimension.id): "Saved under load."}
    form.update({item_field(i.id): "agree" for i in q.items_of(dimension.id)})
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return cookie, csrf.group(1), urllib.parse.urlencode(form)


def main() -> None:
    """Start gunicorn on a fresh SQLite database, load three endpoints with wrk, print figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1,
                        help="Threads per worker (more than 1 uses gunicorn's gthread workers).")
    parser.add_argument("--database-url", help="Another database (default: a temp SQLite file).")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    env = {**os.environ, "READINESS_SECRET_KEY": "benchmark-only-secret-key-0123456789",
           "READINESS_DATABASE_URL": args.database_url or f"sqlite:///{work / 'bench.sqlite'}",
           "READINESS_INSTANCE_PATH": str(work), "READINESS_TRUSTED_HOSTS": "127.0.0.1"}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    created = subprocess.run(
        ["readiness", "assessment", "create", "--municipality", "Loadtown", "--country", "BE",
         "--population", "50k_100k", "--agencies", "police,health", "--json",
         "--base-url", base], check=True, capture_output=True, text=True, env=env)
    link = json.loads(created.stdout)["links"][0]["url"]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "--threads", str(args.threads),
         "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "benchmarks.load_app:create()"], cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/bench/hello", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        cookie, _csrf, body = _respondent(base, link)
        figures = {
            "hello (ceiling)": _wrk(f"{base}/bench/hello", args, None),
            "question page (GET)": _wrk(f"{link}/page/1", args,
                                        _lua(work / "get.lua", "GET", cookie)),
            "save a page (POST)": _wrk(f"{link}/page/1", args,
                                       _lua(work / "post.lua", "POST", cookie, body)),
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
    kind = "sync" if args.threads == 1 else f"gthread x{args.threads}"
    print(f"gunicorn {args.workers} {kind} workers, wrk {args.connections} connections, "
          f"{args.seconds} s each, {os.cpu_count()} cores, {env['READINESS_DATABASE_URL'][:10]}...")
    ceiling = figures["hello (ceiling)"]["rps"]
    for name, f in figures.items():
        print(f"{name:<22} {f['rps']:8.0f} req/s  p50 {f['p50']:7.2f} ms  p99 {f['p99']:7.2f} ms"
              f"  {f['rps'] / ceiling:5.0%} of ceiling  non-2xx/3xx: {f['errors']:.0f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
