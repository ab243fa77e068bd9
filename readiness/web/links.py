"""Absolute links handed to people outside the app (invitation links), and the proxy setting.

Behind a reverse proxy the app sees its own address (e.g. http://127.0.0.1:8000), so a link
built from the request would point there. `PUBLIC_BASE_URL` (e.g. https://maw.example.gov)
fixes the address of every link handed out; `PROXY_FIX` (the number of trusted proxies in
front of the app) makes the app read the client's address, scheme and host from the proxy's
X-Forwarded-* headers, which sign-in throttling per address needs. Both are off by default:
forwarded headers from an untrusted client must not be believed.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, url_for
from werkzeug.middleware.proxy_fix import ProxyFix


def public_url(endpoint: str, **values: Any) -> str:
    """The absolute address of `endpoint`, on PUBLIC_BASE_URL when it is set."""
    base = current_app.config.get("PUBLIC_BASE_URL")
    if base:
        return str(base).rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def trust_proxies(app: Flask) -> None:
    """Read client address, scheme, host and prefix from PROXY_FIX trusted proxies, if any."""
    hops = int(app.config.get("PROXY_FIX") or 0)
    if hops > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=hops, x_prefix=hops)
