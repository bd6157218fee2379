"""Accounts over real HTTP: register, log in, own profile and entitlements, access control."""

from __future__ import annotations

import uuid

import httpx

from rencai.registry.identifiers import id_check_character
from tests.profiles import doctor_birth_date, doctor_today
from tests.support import LiveServer, random_first17


def _id_number() -> str:
    first17 = random_first17()
    return first17 + id_check_character(first17)


def _register(server: LiveServer, **extra: object) -> tuple[str, str]:
    username = f"t{uuid.uuid4().hex[:10]}"
    number = _id_number()
    body = {"username": username, "password": "secret123", "name": "张三", "id_number": number}
    body.update(extra)
    response = httpx.post(f"{server.url}/api/v1/talents", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["id_number"] != number and response.json()["id_number"].endswith(
        number[-4:]
    )
    token = httpx.post(
        f"{server.url}/api/v1/tokens", json={"username": username, "password": "secret123"}
    ).json()["token"]
    return username, token


def test_talent_sees_own_entitlements(live_server: LiveServer) -> None:
    profile = doctor_today()
    _, token = _register(live_server, profile=profile)
    headers = {"Authorization": f"Bearer {token}"}
    me = httpx.get(f"{live_server.url}/api/v1/me", headers=headers).json()
    assert me["role"] == "talent" and me["role_label"] == "人才"
    result = httpx.get(f"{live_server.url}/api/v1/me/entitlements", headers=headers).json()
    assert "card.b" in {c["id"] for c in result["cards"]}


def test_profile_update_with_stale_version_is_a_conflict(live_server: LiveServer) -> None:
    _, token = _register(live_server)
    headers = {"Authorization": f"Bearer {token}"}
    current = httpx.get(f"{live_server.url}/api/v1/me/profile", headers=headers).json()
    new = {
        "jurisdiction": "shijiazhuang",
        "person": {"birth_date": doctor_birth_date().isoformat()},
    }
    first = httpx.put(
        f"{live_server.url}/api/v1/me/profile",
        headers=headers,
        json={"version": current["version"], "profile": new},
    )
    assert first.status_code == 200 and first.json()["version"] == current["version"] + 1
    second = httpx.put(
        f"{live_server.url}/api/v1/me/profile",
        headers=headers,
        json={"version": current["version"], "profile": new},
    )
    assert second.status_code == 409
    assert second.json()["errors"][0]["code"] == "stale_version"
    bad = httpx.put(
        f"{live_server.url}/api/v1/me/profile",
        headers=headers,
        json={"version": first.json()["version"], "profile": {"jurisdiction": "x"}},
    )
    assert bad.status_code == 422


def test_without_or_with_a_bad_token_nothing_personal_is_returned(live_server: LiveServer) -> None:
    for headers in ({}, {"Authorization": "Bearer forged"}):
        for path in ("/api/v1/me", "/api/v1/me/profile", "/api/v1/me/entitlements"):
            response = httpx.get(f"{live_server.url}{path}", headers=headers)
            assert response.status_code == 401, path
            assert response.json()["errors"][0]["code"] == "unauthenticated"


def test_logout_revokes_the_token(live_server: LiveServer) -> None:
    _, token = _register(live_server)
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        httpx.delete(f"{live_server.url}/api/v1/tokens/current", headers=headers).status_code == 204
    )
    assert httpx.get(f"{live_server.url}/api/v1/me", headers=headers).status_code == 401


def test_bad_registration_and_lock_out(live_server: LiveServer) -> None:
    response = httpx.post(
        f"{live_server.url}/api/v1/talents",
        json={
            "username": "abc",
            "password": "secret123",
            "name": "李四",
            "id_number": "110105194912310021",
        },
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "id_number"
    username, _ = _register(live_server)
    here = {"X-Forwarded-For": "192.0.2.55"}  # one client address (uvicorn trusts 127.0.0.1)
    for _ in range(6):
        wrong = httpx.post(
            f"{live_server.url}/api/v1/tokens",
            json={"username": username, "password": "nope1234"},
            headers=here,
        )
        assert wrong.status_code == 401
    slowed = httpx.post(
        f"{live_server.url}/api/v1/tokens",
        json={"username": username, "password": "secret123"},
        headers=here,
    )
    assert slowed.status_code == 429 and "频繁" in slowed.json()["errors"][0]["message"]
