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
from rencai.feeds.departments import load_delivery
from rencai.feeds.source import FileSource
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
    with session_scope(url) as s:  # department data the office can build its store from
        residence = tmp_path_factory.mktemp("residence") / f"residence-{tag}.csv"
        residence.write_text(
            f"身份证号,区划代码,事项,日期\n{_id_number()},130102,落户,2021-09-01\n",
            encoding="utf-8",
        )
        load_delivery(s, "residence", FileSource(residence), "data1", residence.parent)
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
    if route == "readyz":  # readiness: open to the monitoring, says nothing about anyone
        response = httpx.get(f"{server.url}/readyz", headers=headers)
        assert response.json() == {"status": "ok"}
        return response.status_code
    if route == "decide":
        body = {"decision": "return", "reason": "测试", "version": 999}  # stale on purpose
        return httpx.post(f"{base}/{case['id']}/decision", headers=headers, json=body).status_code
    if route == "resubmit":
        return httpx.post(
            f"{base}/{case['id']}/resubmit", headers=headers, json={"version": 999}
        ).status_code
    if route == "feed_checks":
        return httpx.get(f"{base}/{case['id']}/feed-checks", headers=headers).status_code
    screenings = f"{server.url}/api/v1/screenings"
    if route == "screen":
        return httpx.post(screenings, headers=headers, json={}, timeout=60).status_code
    if route == "screening":
        return httpx.get(f"{screenings}/{people['screening']['id']}", headers=headers).status_code
    if route == "screening_store":
        return httpx.get(f"{screenings}/store", headers=headers).status_code
    if route == "screening_store_build":
        return httpx.post(f"{screenings}/store", headers=headers, timeout=60).status_code
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
    # what the department feeds say about the claims: the case's reviewers only
    "feed_checks": {
        "anonymous": 401,
        "owner": 403,
        "other": 404,
        "county": 200,
        "wrong_county": 404,
        "city": 200,
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
    # the store built from the loaded department data: its state, and building it again
    "screening_store": {
        "anonymous": 401,
        "owner": 403,
        "other": 403,
        "county": 403,
        "wrong_county": 403,
        "city": 200,
    },
    "screening_store_build": {
        "anonymous": 401,
        "owner": 403,
        "other": 403,
        "county": 403,
        "wrong_county": 403,
        "city": 201,
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
    "readyz": {role: 200 for role in ROLES},
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


# --- department feeds (数据共享): the push API, the load records and the data office's page ---

FEED_ROLES = {
    "data_office": Role.data_office,
    # a department system's account, bound to 市场监管 (decision 0129): the matrix's delivery is
    # 户籍, so it is refused the loads and reaches the rest like the data office
    "system": Role.data_office,
    "finance": Role.finance,
    "admin": Role.admin,
    "city": Role.city_reviewer,
    "county": Role.county_reviewer,
    "talent": Role.talent,
}


@pytest.fixture(scope="module")
def feed_callers(live_server: LiveServer) -> dict[str, dict[str, str]]:
    """Per caller: the API headers (Bearer) and the page cookie (session) of one account."""
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    callers: dict[str, dict[str, str]] = {"anonymous": {}}
    with session_scope(url) as s:
        for key, role in FEED_ROLES.items():
            name = f"f{key[:4]}{tag}"
            if role is Role.talent:
                register_talent(s, name, "secret123", "张三", _id_number(), {})
            else:
                county = "130102" if role is Role.county_reviewer else None
                department = "employers" if key == "system" else None
                create_account(
                    s, name, "secret123", key, role, county=county, department=department
                )
            callers[key] = {
                "api": authenticate(s, name, "secret123", kind="api").token,
                "page": authenticate(s, name, "secret123").token,
            }
    return callers


def _feed_status(server: LiveServer, caller: dict[str, str], route: str) -> int:
    from tests.support import CSRF_HOOKS

    headers = {"Authorization": f"Bearer {caller['api']}"} if caller else {}
    cookies = {"rencai_session": caller["page"]} if caller else {}
    delivery = (
        "residence.csv",
        f"身份证号,区划代码,事项,日期\n{_id_number()},130102,落户,2021-09-01\n".encode(),
        "text/csv",
    )
    with httpx.Client(
        base_url=server.url, cookies=cookies, event_hooks=CSRF_HOOKS, follow_redirects=False
    ) as client:
        if route == "push":
            response = client.post(
                "/api/v1/feeds/residence/deliveries", headers=headers, files={"file": delivery}
            )
        elif route == "loads":
            response = client.get("/api/v1/feeds/loads", headers=headers)
        elif route == "rejects":  # no such load: the data office reaches the lookup (404)
            response = client.get(f"/api/v1/feeds/loads/{2**31 - 1}/rejects", headers=headers)
        elif route == "page":
            response = client.get("/feeds")
        elif route == "my_data":
            response = client.get("/api/v1/me/feed-data", headers=headers)
        elif route == "dispute":  # a row that is no one's: a talent reaches the lookup (404)
            body = {"source": "degrees", "row_id": 2**31 - 1, "reason": "不是本人"}
            response = client.post("/api/v1/me/feed-data/disputes", headers=headers, json=body)
        elif route == "upload":
            response = client.post("/feeds", data={"source": "residence"}, files={"file": delivery})
        else:
            raise AssertionError(route)
    return response.status_code


_OFFICE = ("data_office", "system")
_OFFICE_ONLY_API = {"anonymous": 401} | {key: 200 if key in _OFFICE else 403 for key in FEED_ROLES}
_OFFICE_ONLY_PAGE = {"anonymous": 303} | {key: 200 if key in _OFFICE else 403 for key in FEED_ROLES}
_TALENT_ONLY = {"anonymous": 401, "talent": 200} | {
    key: 403 for key in FEED_ROLES if key != "talent"
}
FEED_EXPECTED = {
    "my_data": _TALENT_ONLY,
    "dispute": _TALENT_ONLY | {"talent": 404},
    "push": _OFFICE_ONLY_API | {"system": 403},
    "loads": _OFFICE_ONLY_API,
    "rejects": _OFFICE_ONLY_API | {"data_office": 404, "system": 404},
    "page": _OFFICE_ONLY_PAGE,
    "upload": _OFFICE_ONLY_PAGE | {"system": 403},
}


@pytest.mark.parametrize("route", list(FEED_EXPECTED))
@pytest.mark.parametrize("caller", ["anonymous", *FEED_ROLES])
def test_feed_access(
    route: str, caller: str, live_server: LiveServer, feed_callers: dict[str, dict[str, str]]
) -> None:
    status = _feed_status(live_server, feed_callers[caller], route)
    assert status == FEED_EXPECTED[route][caller]
