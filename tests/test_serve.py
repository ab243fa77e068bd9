"""`readiness serve` runs a production WSGI server (waitress), and `/healthz` answers for the
proxy: 200 while the database answers, 503 when it does not."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from flask import Flask

from readiness import create_app


def test_healthz_answers_ok_while_the_database_answers(app: Flask):
    reply = app.test_client().get("/healthz")
    assert reply.status_code == 200
    assert reply.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(tmp_path: Path):
    broken = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path),
                         "DATABASE_URL": f"sqlite:///{tmp_path / 'missing' / 'db.sqlite'}"})
    reply = broken.test_client().get("/healthz")
    assert reply.status_code == 503
    assert reply.get_json()["database"] == "unreachable"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_runs_a_production_server_not_flasks_development_one(tmp_path: Path):
    port = _free_port()
    env = {**os.environ, "READINESS_INSTANCE_PATH": str(tmp_path)}
    env.pop("READINESS_DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "readiness.cli.main", "serve", "--port", str(port)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        body, server_header = None, ""
        for _ in range(600):  # up to a minute on a busy machine
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body, server_header = json.load(r), r.headers.get("Server", "")
                    break
            except OSError:
                time.sleep(0.1)
        assert body == {"status": "ok", "database": "ok"}
        assert "MAW Readiness" in server_header  # waitress's ident, not Werkzeug's
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert "development server" not in output
    assert "Werkzeug" not in output
