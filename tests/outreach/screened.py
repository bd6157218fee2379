"""A screening started over HTTP runs in the background (decision 0176): wait for its end."""

from __future__ import annotations

import time
from typing import Any

import httpx


def finished(url: str, headers: dict[str, str], screening_id: int, within: float = 180) -> Any:
    """The screening's answer once it is no longer running (polled like the office's page)."""
    deadline = time.monotonic() + within
    while True:
        answer = httpx.get(f"{url}/api/v1/screenings/{screening_id}", headers=headers, timeout=60)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        if body["status"] != "running":
            return body
        assert time.monotonic() < deadline, f"screening {screening_id} still running"
        time.sleep(0.2)


def screened(url: str, headers: dict[str, str], body: dict[str, Any]) -> Any:
    """Start a screening and wait for it: its finished answer."""
    started = httpx.post(f"{url}/api/v1/screenings", headers=headers, json=body, timeout=60)
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "running"
    return finished(url, headers, started.json()["id"])
