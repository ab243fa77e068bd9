"""The app as the load benchmark serves it with gunicorn, plus a bare hello endpoint (ceiling)."""

from __future__ import annotations

from flask import Flask

from readiness import create_app


def create() -> Flask:
    """The production app with `/bench/hello` added (same middleware and headers, no work)."""
    app = create_app()
    app.add_url_rule("/bench/hello", "bench_hello", lambda: "hello")
    return app
