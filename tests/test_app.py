"""The app factory: configuration order, the secret key rule, headers on every page."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from readiness import ConfigError, create_app


def test_settings_come_from_defaults_then_environment_then_test_config(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("READINESS_SECRET_KEY", "from the environment")
    monkeypatch.setenv("READINESS_COMMENT_MAX_LENGTH", "500")
    monkeypatch.setenv("READINESS_DATABASE_URL", f"sqlite:///{tmp_path / 'env.sqlite'}")
    monkeypatch.setenv("READINESS_TRUSTED_HOSTS", "maw.example.gov, localhost")
    app = create_app({"COMMENT_MAX_LENGTH": 300, "INSTANCE_PATH": str(tmp_path)})
    assert app.config["TRUSTED_HOSTS"] == ["maw.example.gov", "localhost"]
    assert app.config["SECRET_KEY"] == "from the environment"
    assert app.config["COMMENT_MAX_LENGTH"] == 300
    assert app.config["DATABASE_URL"].endswith("env.sqlite")
    assert app.config["LOGIN_MAX_FAILURES"] == 5


def test_a_secret_key_is_required_outside_debug_and_testing(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("READINESS_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="READINESS_SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    debug_app = create_app({"DEBUG": True, "INSTANCE_PATH": str(tmp_path)})
    assert len(debug_app.config["SECRET_KEY"]) >= 32


def test_outside_debug_a_public_address_or_trusted_hosts_are_required(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.setenv("READINESS_SECRET_KEY", "s" * 40)
    monkeypatch.delenv("READINESS_PUBLIC_BASE_URL", raising=False)
    monkeypatch.delenv("READINESS_TRUSTED_HOSTS", raising=False)
    with pytest.raises(ConfigError, match="READINESS_TRUSTED_HOSTS"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
    assert create_app({"INSTANCE_PATH": str(tmp_path),
                       "PUBLIC_BASE_URL": "https://maw.example.gov"})


def test_a_forged_host_header_is_refused_before_any_page(tmp_path: Path):
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path),
                      "TRUSTED_HOSTS": ["maw.example.gov"]})
    client = app.test_client()
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/login", headers={"Host": "maw.example.gov"}).status_code == 200


def test_the_default_database_is_a_sqlite_file_in_the_instance_folder(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("READINESS_DATABASE_URL", raising=False)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path / "inst")})
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'inst' / 'readiness.sqlite'}"


def test_session_cookie_is_httponly_and_samesite(app: Flask):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_every_page_sends_the_security_headers(client: FlaskClient):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client: FlaskClient):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()


def test_unknown_pages_answer_404_with_a_page_in_the_layout(client: FlaskClient):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<title>Page not found – MAW Readiness</title>" in html
