"""Every response carries the security headers; personal pages and files stay out of shared
caches."""

from __future__ import annotations

import httpx

from tests.support import LiveServer


def test_pages_api_and_errors_carry_the_security_headers(live_server: LiveServer) -> None:
    for path in ("/", "/login", "/api/v1/policies", "/api/v1/me", "/no-such-page"):
        response = httpx.get(live_server.url + path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert response.headers["x-frame-options"] == "DENY", path
        assert response.headers["referrer-policy"] == "same-origin", path
        assert response.headers["cache-control"] == "private, no-cache", path


def test_responses_that_choose_their_caching_keep_it(live_server: LiveServer) -> None:
    bundle = httpx.get(live_server.url + "/api/v1/cards/trust-bundle")
    assert bundle.headers["cache-control"] == "max-age=300"
    assert bundle.headers["x-content-type-options"] == "nosniff"
    script = httpx.get(live_server.url + "/static/card.js")
    assert script.status_code == 200 and "private" not in script.headers.get("cache-control", "")
