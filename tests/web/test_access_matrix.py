"""Every application route against every role, over real HTTP; all denials asserted."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Any

import httpx
import pytest

from rencai import settings
from rencai.db.session import session_scope
from rencai.feeds.store import synthesize
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.identifiers import id_check_character
from rencai.registry.models import Role
from tests.profiles import doctor
from tests.support import LiveServer, random_first17


def _id_number() -> str:
    first17 = random_first17()
    return first17 + id_check_character(first17)


@pytest.fixture(scope="module")
def people(live_server: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    url = os.environ["RENCAI_DATABASE_URL"]
    store = tmp_path_factory.mktemp("screening-store")  # what 政策找人 screens
    synthesize(500, store, seed=5, as_of=dt.date(2026, 6, 15))
    os.environ["RENCAI_SCREENING_STORE"] = str(store)
    settings.reset()
    tag = uuid.uuid4().hex[:6]
    profile = doctor()
    del profile["on"]
    tokens = {}
    with session_scope(url) as s:
        register_talent(s, f"owner{tag}", "secret123", "王博士", _id_number(), profile)
        register_talent(s, f"other{tag}", "secret123", "李四", _id_number(), profile)
        create_account(s, f"ca{tag}", "secret123", "长安区", Role.county_reviewer, county="130102")
        create_account(s, f"qx{tag}", "secret123", "桥西区", Role.county_reviewer, county="130104")
        create_account(s, f"city{tag}", "secret123", "市委人才办", Role.city_reviewer)
        for role, name in [
            ("owner", "owner"),
            ("other", "other"),
            ("county", "ca"),
            ("wrong_county", "qx"),
            ("city", "city"),
        ]:
            tokens[role] = authenticate(s, f"{name}{tag}", "secret123", kind="api").token
    headers = {role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()}
    headers["anonymous"] = {}
    created = httpx.post(
        f"{live_server.url}/api/v1/applications",
        headers=headers["owner"],
        json={"program": "card.b", "idempotency_key": uuid.uuid4().hex},
    )
    assert created.status_code == 201, created.text
    screening = httpx.post(
        f"{live_server.url}/api/v1/screenings", headers=headers["city"], json={}, timeout=60
    )
    assert screening.status_code == 201, screening.text
    return {"headers": headers, "case": created.json(), "screening": screening.json()}


ROLES = ["anonymous", "owner", "other", "county", "wrong_county", "city"]


def _status(server: LiveServer, people: dict[str, Any], role: str, route: str) -> int:
    case = people["case"]
    headers = people["headers"][role]
    base = f"{server.url}/api/v1/applications"
    if route == "list":
        response = httpx.get(base, headers=headers)
        if response.status_code == 200:  # listing works, but must not show others' cases
            seen = {item["id"] for item in response.json()["items"]}
            return 200 if case["id"] in seen else 204
        return response.status_code
    if route == "detail":
        return httpx.get(f"{base}/{case['id']}", headers=headers).status_code
    if route == "decide":
        body = {"decision": "return", "reason": "测试", "version": 999}  # stale on purpose
        return httpx.post(f"{base}/{case['id']}/decision", headers=headers, json=body).status_code
    if route == "resubmit":
        return httpx.post(
            f"{base}/{case['id']}/resubmit", headers=headers, json={"version": 999}
        ).status_code
    screenings = f"{server.url}/api/v1/screenings"
    if route == "screen":
        return httpx.post(screenings, headers=headers, json={}, timeout=60).status_code
    if route == "screening":
        return httpx.get(f"{screenings}/{people['screening']['id']}", headers=headers).status_code
    if route == "screening_notices":
        url = f"{screenings}/{people['screening']['id']}/notices"
        return httpx.post(url, headers=headers).status_code
    if route == "screening_applications":
        url = f"{screenings}/{people['screening']['id']}/applications"
        return httpx.post(url, headers=headers).status_code
    no_application = f"{server.url}/api/v1/no-application-programs"
    if route == "no_application_list":
        return httpx.get(no_application, headers=headers).status_code
    if route == "no_application_set":  # the administrator's alone
        body = {"enabled": False}
        return httpx.put(f"{no_application}/card.b", headers=headers, json=body).status_code
    if route == "apply":
        body = {"program": "card.a", "idempotency_key": uuid.uuid4().hex}
        return httpx.post(base, headers=headers, json=body).status_code
    raise AssertionError(route)


# expected status per route and role; 204 here means "listed, but the case is not in the list"
EXPECTED = {
    "list": {
        "anonymous": 401,
        "owner": 200,
        "other": 204,
        "county": 200,
        "wrong_county": 204,
        "city": 200,
    },
    "detail": {
        "anonymous": 401,
        "owner": 200,
        "other": 404,
        "county": 200,
        "wrong_county": 404,
        "city": 200,
    },
    # a visible reviewer reaches the version check (409); others are stopped before it
    "decide": {
        "anonymous": 401,
        "owner": 409,
        "other": 404,
        "county": 409,
        "wrong_county": 404,
        "city": 409,
    },
    "resubmit": {
        "anonymous": 401,
        "owner": 422,
        "other": 404,
        "county": 403,
        "wrong_county": 403,
        "city": 403,
    },
    # talents may apply even where the pre-check says no: it is recorded for the reviewer
    "apply": {
        "anonymous": 401,
        "owner": 201,
        "other": 201,
        "county": 403,
        "wrong_county": 403,
        "city": 403,
    },
    # 政策找人: the city's talent office (and the administrator) only
    "screen": {
        "anonymous": 401,
        "owner": 403,
        "other": 403,
        "county": 403,
        "wrong_county": 403,
        "city": 201,
    },
    "screening": {
        "anonymous": 401,
        "owner": 403,
        "other": 403,
        "county": 403,
        "wrong_county": 403,
        "city": 200,
    },
    "screening_notices": {
        "anonymous": 401,
        "owner": 403,
        "other": 403,
        "county": 403,
        "wrong_county": 403,
        "city": 200,
    },
    "screening_applications": {
        "anonymous": 401,
        "owner": 403,
        "other": 403,
        "county": 403,
        "wrong_county": 403,
        "city": 200,
    },
    "no_application_list": {
        "anonymous": 401,
        "owner": 403,
        "other": 403,
        "county": 403,
        "wrong_county": 403,
        "city": 200,
    },
    "no_application_set": {
        "anonymous": 401,
        "owner": 403,
        "other": 403,
        "county": 403,
        "wrong_county": 403,
        "city": 403,
    },
}


@pytest.mark.parametrize("route", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_access(route: str, role: str, live_server: LiveServer, people: dict[str, Any]) -> None:
    assert _status(live_server, people, role, route) == EXPECTED[route][role]


def test_owner_decision_is_refused_even_with_the_right_version(
    live_server: LiveServer, people: dict[str, Any]
) -> None:
    case = people["case"]
    response = httpx.post(
        f"{live_server.url}/api/v1/applications/{case['id']}/decision",
        headers=people["headers"]["owner"],
        json={"decision": "approve", "version": case["version"]},
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "forbidden"
