"""Every application route against every role, over real HTTP; all denials asserted."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from typing import Any

import httpx
import pytest

from rencai import clock, settings
from rencai.db.session import session_scope
from rencai.feeds.departments import load_delivery
from rencai.feeds.source import FileSource
from rencai.feeds.store import synthesize
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.identifiers import id_check_character
from rencai.registry.models import Account, Role
from tests.outreach.screened import finished, screened
from tests.profiles import doctor_today
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
    profile = doctor_today()
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
    screening = screened(live_server.url, headers["city"], {})
    with session_scope(url) as s:  # department data the office can build its store from
        residence = tmp_path_factory.mktemp("residence") / f"residence-{tag}.csv"
        residence.write_text(
            f"身份证号,区划代码,事项,日期\n{_id_number()},130102,落户,2021-09-01\n",
            encoding="utf-8",
        )
        load_delivery(s, "residence", FileSource(residence), "data1", residence.parent)
    return {"headers": headers, "case": created.json(), "screening": screening}


ROLES = ["anonymous", "owner", "other", "county", "wrong_county", "city"]


def _status(server: LiveServer, people: dict[str, Any], role: str, route: str) -> int:
    case = people["case"]
    headers = people["headers"][role]
    base = f"{server.url}/api/v1/applications"
    if route == "list":
        # the list is paged and the database is shared: search for the case by its number
        response = httpx.get(base, headers=headers, params={"q": str(case["id"])})
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
        response = httpx.post(screenings, headers=headers, json={}, timeout=60)
        if response.status_code == 202:  # let it end before the next case starts one
            finished(server.url, headers, response.json()["id"])
        return response.status_code
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
    ask = f"{server.url}/api/v1/ask"
    if route == "ask":  # policy questions: open to everyone
        body = {"question": "B卡房租补助多少"}
        return httpx.post(ask, headers=headers, json=body, timeout=60).status_code
    if route == "ask_case":  # a case question answers from the asker's own cases only
        body = {"question": "我的申请到哪一步了"}
        response = httpx.post(ask, headers=headers, json=body, timeout=60)
        if response.status_code == 200:
            records = response.json()["records"] or {}
            return 200 if case["id"] in records.get("cases", []) else 204
        return response.status_code
    api = f"{server.url}/api/v1"
    if route == "reforms":  # 政策模拟 (every route and role: tests/simulation/test_reforms_api.py)
        return httpx.get(f"{api}/reforms", headers=headers).status_code
    if route == "reform_define":
        body = {"name": f"矩阵{uuid.uuid4().hex[:6]}", "changes": []}
        return httpx.post(f"{api}/reforms", headers=headers, json=body).status_code
    if route == "reform_run":
        body = {"reforms": [1], "months": 1}
        return httpx.post(f"{api}/reform-runs", headers=headers, json=body).status_code
    if route == "reform_runs":
        return httpx.get(f"{api}/reform-runs", headers=headers).status_code
    if route == "reform_rerun":
        return httpx.post(f"{api}/reform-runs/1/rerun", headers=headers).status_code
    raise AssertionError(route)


# expected status per route and role; 204 here means "listed, but the case is not in the list"
EXPECTED = {
    "ask": {role: 200 for role in ROLES},
    # 204: answered, without the owner's case
    "ask_case": {
        "anonymous": 204,
        "owner": 200,
        "other": 204,
        "county": 204,
        "wrong_county": 204,
        "city": 204,
    },
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
        "city": 202,  # started; it runs in the background
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
    # 政策模拟: the administrator and leadership only (none of these roles)
    **{
        route: {role: 401 if role == "anonymous" else 403 for role in ROLES}
        for route in ("reforms", "reform_define", "reform_run", "reform_runs", "reform_rerun")
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
        elif route == "loads_list":  # the list parameters, in the API
            params = "?channel=push&from=2026-01-01&sort=-rejected&per_page=5"
            response = client.get("/api/v1/feeds/loads" + params, headers=headers)
        elif route == "page_list":  # and on the page and its export
            response = client.get("/feeds?channel=upload&q=csv")
            export = client.get("/feeds/loads.xlsx?channel=upload&q=csv")
            assert export.status_code == response.status_code
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
    "loads_list": _OFFICE_ONLY_API,
    "rejects": _OFFICE_ONLY_API | {"data_office": 404, "system": 404},
    "page": _OFFICE_ONLY_PAGE,
    "page_list": _OFFICE_ONLY_PAGE,
    "upload": _OFFICE_ONLY_PAGE | {"system": 403},
}


@pytest.mark.parametrize("route", list(FEED_EXPECTED))
@pytest.mark.parametrize("caller", ["anonymous", *FEED_ROLES])
def test_feed_access(
    route: str, caller: str, live_server: LiveServer, feed_callers: dict[str, dict[str, str]]
) -> None:
    status = _feed_status(live_server, feed_callers[caller], route)
    assert status == FEED_EXPECTED[route][caller]


# --- 青年人才驿站 (stations): the API and the pages, every role ---

STATION_ROLES = {
    "talent": Role.talent,
    "operator": Role.station_operator,
    "city": Role.city_reviewer,
    "admin": Role.admin,
    "county": Role.county_reviewer,
    "finance": Role.finance,
}


@pytest.fixture(scope="module")
def station_callers(live_server: LiveServer) -> dict[str, dict[str, str]]:
    from rencai.stations import service as stations

    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    callers: dict[str, dict[str, str]] = {"anonymous": {}}
    with session_scope(url) as s:
        station = stations.create_station(s, "130102", f"矩阵驿站{tag}", "地址", 10000)
        for key, role in STATION_ROLES.items():
            name = f"s{key[:4]}{tag}"
            if role is Role.talent:
                register_talent(s, name, "secret123", "张三", _id_number(), {})
            else:
                county = "130102" if role is Role.county_reviewer else None
                jurisdiction = "shijiazhuang" if role is Role.finance else None
                account = create_account(
                    s, name, "secret123", key, role, county=county, jurisdiction=jurisdiction
                )
                if role is Role.station_operator:
                    stations.add_operator(s, station, account)
            callers[key] = {
                "api": authenticate(s, name, "secret123", kind="api").token,
                "page": authenticate(s, name, "secret123").token,
            }
    return callers


_NONE = 2**31 - 1
_STATION_BODY = {"county": "000000", "name": "x", "address": "y", "nightly_rate": "100"}
STATION_API = {  # route: (method, path, body)
    "list": ("GET", "/api/v1/stations", None),
    "create": ("POST", "/api/v1/stations", _STATION_BODY),
    "rooms": (
        "POST",
        f"/api/v1/stations/{_NONE}/rooms",
        {"first": "2026-01-01", "last": "2026-01-02", "rooms": 1},
    ),
    "availability": ("GET", f"/api/v1/stations/{_NONE}/availability", None),
    "operators": (
        "POST",
        f"/api/v1/stations/{_NONE}/operators",
        {"username": "nobody1", "password": "secret123", "display_name": "x"},
    ),
    "policies": ("GET", "/api/v1/stations/policies", None),
    "set_policy": (
        "PUT",
        "/api/v1/stations/policies/shijiazhuang",
        {"max_nights": 3, "nightly_cap": "100"},
    ),
    "book": (
        "POST",
        "/api/v1/stations/bookings",
        {"station_id": _NONE, "first_night": "2030-01-01", "nights": 1},
    ),
    "bookings": ("GET", "/api/v1/stations/bookings", None),
    "booking": ("GET", f"/api/v1/stations/bookings/{_NONE}", None),
    "qr": ("GET", f"/api/v1/stations/bookings/{_NONE}/qr.png", None),
    "cancel": ("POST", f"/api/v1/stations/bookings/{_NONE}/cancel", None),
    "check_in": ("POST", "/api/v1/stations/check-in", {"code": "RS1:junk"}),
    "release": ("POST", "/api/v1/stations/release-no-shows", None),
    "costs": ("GET", "/api/v1/stations/costs?jurisdiction=shijiazhuang&month=2026-01", None),
    "costs_xlsx": (
        "GET",
        "/api/v1/stations/costs.xlsx?jurisdiction=shijiazhuang&month=2026-01",
        None,
    ),
}
_SIGNED_IN = {"anonymous": 401} | {key: 200 for key in STATION_ROLES}
_STATION_OFFICE = {"anonymous": 401} | {
    key: 200 if key in ("city", "admin") else 403 for key in STATION_ROLES
}
_STATION_TALENT = {"anonymous": 401} | {
    key: 404 if key == "talent" else 403 for key in STATION_ROLES
}
STATION_API_EXPECTED = {
    "list": _SIGNED_IN,
    "create": _STATION_OFFICE | {"city": 422, "admin": 422},
    "rooms": _STATION_OFFICE | {"city": 404, "admin": 404},
    "availability": _SIGNED_IN | {key: 404 for key in STATION_ROLES},
    "operators": _STATION_OFFICE | {"city": 404, "admin": 404},
    "policies": _SIGNED_IN,
    "set_policy": _STATION_OFFICE | {"city": 403, "admin": 409},
    "book": _STATION_TALENT,
    "bookings": _SIGNED_IN | {"county": 403, "finance": 403},
    "booking": _SIGNED_IN | {key: 404 for key in STATION_ROLES},
    "qr": _STATION_TALENT,
    "cancel": _STATION_TALENT,
    "check_in": {"anonymous": 401} | {k: 422 if k == "operator" else 403 for k in STATION_ROLES},
    "release": _STATION_OFFICE,
    "costs": _STATION_OFFICE,
    "costs_xlsx": _STATION_OFFICE,
}
STATION_PAGES = {  # route: (method, path, form)
    "overview": ("GET", "/stations", None),
    "book": (
        "POST",
        "/stations/bookings",
        {"station_id": str(_NONE), "first_night": "2030-01-01", "nights": "1"},
    ),
    "booking": ("GET", f"/stations/bookings/{_NONE}", None),
    "cancel": ("POST", f"/stations/bookings/{_NONE}/cancel", {}),
    "check_in_form": ("GET", "/stations/check-in", None),
    "check_in": ("POST", "/stations/check-in", {"code": "junk"}),
    "create": ("POST", "/stations", {**_STATION_BODY}),
    "rooms": (
        "POST",
        f"/stations/{_NONE}/rooms",
        {"first": "2026-01-01", "last": "2026-01-01", "rooms": "1"},
    ),
    "operators": (
        "POST",
        f"/stations/{_NONE}/operators",
        {"username": "nobody2", "password": "secret123"},
    ),
    "policies": (
        "POST",
        "/stations/policies",
        {"jurisdiction": "shijiazhuang", "max_nights": "3", "nightly_cap": "100"},
    ),
    "release": ("POST", "/stations/release-no-shows", {}),
    "costs": ("GET", "/stations/costs?jurisdiction=shijiazhuang&month=2026-01", None),
}
_PAGE_SIGNED_IN = {"anonymous": 303} | {key: 200 for key in STATION_ROLES}
_PAGE_OFFICE = {"anonymous": 303} | {
    key: 200 if key in ("city", "admin") else 403 for key in STATION_ROLES
}
STATION_PAGES_EXPECTED = {
    "overview": _PAGE_SIGNED_IN,
    "book": _PAGE_SIGNED_IN | {key: 403 for key in STATION_ROLES} | {"talent": 404},
    "booking": _PAGE_SIGNED_IN | {key: 404 for key in STATION_ROLES},
    "cancel": _PAGE_SIGNED_IN | {key: 404 for key in STATION_ROLES},
    "check_in_form": {"anonymous": 303}
    | {k: 200 if k == "operator" else 403 for k in STATION_ROLES},
    "check_in": {"anonymous": 303} | {k: 422 if k == "operator" else 403 for k in STATION_ROLES},
    "create": _PAGE_OFFICE | {"city": 422, "admin": 422},
    "rooms": _PAGE_OFFICE | {"city": 404, "admin": 404},
    "operators": _PAGE_OFFICE | {"city": 404, "admin": 404},
    "policies": _PAGE_SIGNED_IN | {key: 403 for key in STATION_ROLES} | {"admin": 409},
    "release": _PAGE_OFFICE,
    "costs": _PAGE_OFFICE,
}


def _station_status(
    server: LiveServer, caller: dict[str, str], method: str, path: str, body: Any, page: bool
) -> int:
    from tests.support import CSRF_HOOKS

    headers = {"Authorization": f"Bearer {caller['api']}"} if caller and not page else {}
    cookies = {"rencai_session": caller["page"]} if caller and page else {}
    # not httpx's 5 s: the catalogue's PDF is rendered (CJK font embedded) on a busy machine
    with httpx.Client(
        base_url=server.url,
        cookies=cookies,
        event_hooks=CSRF_HOOKS,
        follow_redirects=False,
        timeout=60,
    ) as client:
        if page:
            response = client.request(method, path, data=body)
        else:
            response = client.request(method, path, headers=headers, json=body)
    return response.status_code


@pytest.mark.parametrize("route", list(STATION_API))
@pytest.mark.parametrize("caller", ["anonymous", *STATION_ROLES])
def test_station_api_access(
    route: str, caller: str, live_server: LiveServer, station_callers: dict[str, dict[str, str]]
) -> None:
    method, path, body = STATION_API[route]
    status = _station_status(live_server, station_callers[caller], method, path, body, False)
    assert status == STATION_API_EXPECTED[route][caller]


@pytest.mark.parametrize("route", list(STATION_PAGES))
@pytest.mark.parametrize("caller", ["anonymous", *STATION_ROLES])
def test_station_page_access(
    route: str, caller: str, live_server: LiveServer, station_callers: dict[str, dict[str, str]]
) -> None:
    method, path, body = STATION_PAGES[route]
    status = _station_status(live_server, station_callers[caller], method, path, body, True)
    assert status == STATION_PAGES_EXPECTED[route][caller]


# --- 急需紧缺人才需求目录 (shortage): the API and the pages, every role ---

_YEAR = clock.today().year
SHORTAGE_ROLES = {
    "talent": Role.talent,
    "hr": Role.employer,
    "other_hr": Role.employer,
    "city": Role.city_reviewer,
    "admin": Role.admin,
    "county": Role.county_reviewer,
}


@pytest.fixture(scope="module")
def shortage_world(live_server: LiveServer) -> dict[str, Any]:
    from rencai.registry.employers import register_with_hr
    from rencai.registry.identifiers import uscc_check_character
    from rencai.shortage import service as shortage

    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    callers: dict[str, dict[str, str]] = {"anonymous": {}}
    with session_scope(url) as s:
        office = create_account(s, f"xo{tag}", "secret123", "人才办", Role.admin)
        for key, role in SHORTAGE_ROLES.items():
            name = f"x{key[:5]}{tag}"
            if role is Role.talent:
                register_talent(s, name, "secret123", "张三", _id_number(), {})
            elif role is Role.employer:
                code17 = f"91130100MA{uuid.uuid4().int % 10**7:07d}"
                unit = register_with_hr(
                    s, code17 + uscc_check_character(code17), f"{key}{tag}", "130102",
                    "enterprise", None, False, name, "secret123", "人事",
                )  # fmt: skip
                unit.verification_status = "verified"
            else:
                county = "130102" if role is Role.county_reviewer else None
                create_account(s, name, "secret123", key, role, county=county)
            callers[key] = {
                "api": authenticate(s, name, "secret123", kind="api").token,
                "page": authenticate(s, name, "secret123").token,
            }
        hr = s.query(Account).filter_by(username=f"xhr{tag}").one()
        need = shortage.submit(
            s,
            hr,
            shortage.NeedInput(_YEAR, "130102", "岗位", "C", None, None, None, 1, 1000, 2000),
        )
        shortage.review(s, office, need, "approve", None, None)
        shortage.publish(s, office, "shijiazhuang", _YEAR)
        need_id = need.id
    return {"callers": callers, "need": need_id}


_NEED_BODY = {
    "year": _YEAR, "county": "000000", "position": "x", "industry": "C",
    "count": 1, "pay_min": 1, "pay_max": 2,
}  # fmt: skip
SHORTAGE_API = {  # route: (method, path, body); {need} is the published need of the fixture
    "submit": ("POST", "/api/v1/shortage/needs", _NEED_BODY),
    "needs": ("GET", "/api/v1/shortage/needs", None),
    "need": ("GET", "/api/v1/shortage/needs/{need}", None),
    "review": ("POST", "/api/v1/shortage/needs/{need}/review", {"decision": "approve"}),
    "candidates": ("GET", "/api/v1/shortage/needs/{need}/candidates", None),
    "publish": ("POST", "/api/v1/shortage/catalogues", {"jurisdiction": "jinzhou", "year": _YEAR}),
    "catalogues": ("GET", "/api/v1/shortage/catalogues", None),
    "catalogue": ("GET", "/api/v1/shortage/catalogues/shijiazhuang/{year}", None),
    "xlsx": ("GET", "/api/v1/shortage/catalogues/shijiazhuang/{year}/catalogue.xlsx", None),
    "pdf": ("GET", "/api/v1/shortage/catalogues/shijiazhuang/{year}/catalogue.pdf", None),
    "consent": ("PUT", "/api/v1/shortage/consent", {"consent": False}),
    "matches": ("GET", "/api/v1/shortage/matches", None),
    "apply": ("POST", "/api/v1/shortage/matches/{need}/application", None),
    # a year out of range: refused by the office's own check, so nothing is added
    "add_occupation": (
        "POST",
        "/api/v1/shortage/occupations",
        {"jurisdiction": "jinzhou", "year": 2001, "name": "焊工", "source": "省目录"},
    ),
    "occupations": ("GET", "/api/v1/shortage/occupations", None),
    "remove_occupation": ("DELETE", "/api/v1/shortage/occupations/2147483000", None),
}
_PUBLIC = {"anonymous": 200} | {key: 200 for key in SHORTAGE_ROLES}
_UNITS = {"anonymous": 401} | {
    key: 200 if key in ("hr", "other_hr", "city", "admin") else 403 for key in SHORTAGE_ROLES
}
_SHORTAGE_OFFICE = {"anonymous": 401} | {
    key: 200 if key in ("city", "admin") else 403 for key in SHORTAGE_ROLES
}
_SHORTAGE_TALENT = {"anonymous": 401} | {
    key: 200 if key == "talent" else 403 for key in SHORTAGE_ROLES
}
SHORTAGE_API_EXPECTED = {
    "submit": {"anonymous": 401} | {k: 422 if "hr" in k else 403 for k in SHORTAGE_ROLES},
    "needs": _UNITS,
    "need": _UNITS | {"other_hr": 404},
    "review": _SHORTAGE_OFFICE | {"city": 409, "admin": 409},  # already published
    "candidates": _UNITS | {"other_hr": 404},
    "publish": _SHORTAGE_OFFICE | {"city": 409, "admin": 409},  # nothing approved in Jinzhou
    "catalogues": _PUBLIC,
    "catalogue": _PUBLIC,
    "xlsx": _PUBLIC,
    "pdf": _PUBLIC,
    "consent": _SHORTAGE_TALENT,
    "matches": _SHORTAGE_TALENT | {"talent": 409},  # no consent given
    "apply": _SHORTAGE_TALENT | {"talent": 409},  # no program attached to the need
    "add_occupation": _SHORTAGE_OFFICE | {"city": 422, "admin": 422},
    "occupations": _SHORTAGE_OFFICE,
    "remove_occupation": _SHORTAGE_OFFICE | {"city": 404, "admin": 404},
}
SHORTAGE_PAGES = {
    "overview": ("GET", "/shortage", None),
    "catalogue": ("GET", "/shortage/catalogues/shijiazhuang/{year}", None),
    "submit": ("POST", "/shortage/needs", {**_NEED_BODY}),
    "review": ("POST", "/shortage/needs/{need}/review", {"decision": "approve"}),
    "publish": ("POST", "/shortage/catalogues", {"jurisdiction": "jinzhou", "year": str(_YEAR)}),
    "consent": ("POST", "/shortage/consent", {"consent": "no"}),
    "apply": ("POST", "/shortage/matches/{need}/application", {}),
    "candidates": ("GET", "/shortage/needs/{need}/candidates", None),
    "add_occupation": (
        "POST",
        "/shortage/occupations",
        {"jurisdiction": "jinzhou", "year": "2001", "name": "焊工", "source": "省目录"},
    ),
    "remove_occupation": ("POST", "/shortage/occupations/2147483000/delete", {}),
}
_PAGE_ANY = {"anonymous": 303} | {key: 200 for key in SHORTAGE_ROLES}
SHORTAGE_PAGES_EXPECTED = {
    "overview": _PUBLIC,
    "catalogue": _PUBLIC,
    "submit": {"anonymous": 303} | {k: 422 if "hr" in k else 403 for k in SHORTAGE_ROLES},
    "review": {"anonymous": 303}
    | {k: 409 if k in ("city", "admin") else 403 for k in SHORTAGE_ROLES},
    "publish": {"anonymous": 303}
    | {k: 409 if k in ("city", "admin") else 403 for k in SHORTAGE_ROLES},
    "consent": _PAGE_ANY | {k: 403 for k in SHORTAGE_ROLES if k != "talent"},
    "apply": _PAGE_ANY | {k: 403 for k in SHORTAGE_ROLES} | {"talent": 409},
    "candidates": _PAGE_ANY | {"talent": 403, "county": 403, "other_hr": 404},
    "add_occupation": {"anonymous": 303}
    | {k: 422 if k in ("city", "admin") else 403 for k in SHORTAGE_ROLES},
    "remove_occupation": {"anonymous": 303}
    | {k: 404 if k in ("city", "admin") else 403 for k in SHORTAGE_ROLES},
}


@pytest.mark.parametrize("route", list(SHORTAGE_API))
@pytest.mark.parametrize("caller", ["anonymous", *SHORTAGE_ROLES])
def test_shortage_api_access(
    route: str, caller: str, live_server: LiveServer, shortage_world: dict[str, Any]
) -> None:
    method, path, body = SHORTAGE_API[route]
    path = path.format(need=shortage_world["need"], year=_YEAR)
    status = _station_status(
        live_server, shortage_world["callers"][caller], method, path, body, False
    )
    assert status == SHORTAGE_API_EXPECTED[route][caller]


@pytest.mark.parametrize("route", list(SHORTAGE_PAGES))
@pytest.mark.parametrize("caller", ["anonymous", *SHORTAGE_ROLES])
def test_shortage_page_access(
    route: str, caller: str, live_server: LiveServer, shortage_world: dict[str, Any]
) -> None:
    method, path, body = SHORTAGE_PAGES[route]
    path = path.format(need=shortage_world["need"], year=_YEAR)
    status = _station_status(
        live_server, shortage_world["callers"][caller], method, path, body, True
    )
    assert status == SHORTAGE_PAGES_EXPECTED[route][caller]


# --- statistics (人才统计): the API, the pages and the Excel export (decision 0137) ---

STATS_ROLES = {
    "leadership": Role.leadership,
    "city": Role.city_reviewer,
    "admin": Role.admin,
    "county": Role.county_reviewer,
    "finance": Role.finance,
    "department": Role.department_officer,
    "data_office": Role.data_office,
    "employer": Role.employer,
    "talent": Role.talent,
}


@pytest.fixture(scope="module")
def stats_callers(live_server: LiveServer) -> dict[str, dict[str, str]]:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    callers: dict[str, dict[str, str]] = {"anonymous": {}}
    with session_scope(url) as s:
        for key, role in STATS_ROLES.items():
            name = f"s{key[:5]}{tag}"
            if role is Role.talent:
                register_talent(s, name, "secret123", "张三", _id_number(), {})
            else:
                county = "130102" if role is Role.county_reviewer else None
                department = "police" if role is Role.department_officer else None
                create_account(
                    s, name, "secret123", key, role, county=county, department=department
                )
            callers[key] = {
                "api": authenticate(s, name, "secret123", kind="api").token,
                "page": authenticate(s, name, "secret123").token,
            }
    return callers


def _stats_status(server: LiveServer, caller: dict[str, str], route: str) -> int:
    headers = {"Authorization": f"Bearer {caller['api']}"} if caller else {}
    cookies = {"rencai_session": caller["page"]} if caller else {}
    with httpx.Client(base_url=server.url, cookies=cookies, follow_redirects=False) as client:
        paths = {
            "catalogue": "/api/v1/stats",
            "talents": "/api/v1/stats/talents?by=county",
            "money": "/api/v1/stats/money",
            "other_county": "/api/v1/stats/talents?county=130104",
            "overview": "/stats",
            "page": "/stats/talents?by=tier",
            "money_page": "/stats/money",
            "export": "/stats/card_uses/export.xlsx",
            "report": "/stats/report.pdf?month=2026-06",
        }
        path = paths[route]
        response = client.get(path, headers=headers if path.startswith("/api/") else {})
    return response.status_code


_SEES_ALL = ("leadership", "city", "admin", "county")
_STATS_API = {"anonymous": 401} | {key: 200 if key in _SEES_ALL else 403 for key in STATS_ROLES}
_STATS_PAGE = _STATS_API | {"anonymous": 303}
STATS_EXPECTED = {
    "catalogue": _STATS_API | {"finance": 200},
    "talents": _STATS_API,
    "money": _STATS_API | {"finance": 200},
    "other_county": _STATS_API | {"county": 403},
    "overview": _STATS_PAGE | {"finance": 200},
    "page": _STATS_PAGE,
    "money_page": _STATS_PAGE | {"finance": 200},
    "export": _STATS_PAGE,
    "report": _STATS_PAGE,
}


@pytest.mark.parametrize("route", list(STATS_EXPECTED))
@pytest.mark.parametrize("caller", ["anonymous", *STATS_ROLES])
def test_stats_access(
    route: str, caller: str, live_server: LiveServer, stats_callers: dict[str, dict[str, str]]
) -> None:
    status = _stats_status(live_server, stats_callers[caller], route)
    assert status == STATS_EXPECTED[route][caller]


# --- the lists that scale (card office, audit log): the API, the page and its export ---

LIST_PATHS = {
    "cards_api": "/api/v1/cards?status=active&sort=-issued",
    "cards_page": "/cards/manage?status=active",
    "cards_export": "/cards/manage.xlsx?status=active",
    "audit_api": "/api/v1/audit?area=account&from=2026-01-01",
    "audit_page": "/admin/audit?area=account",
    "audit_export": "/admin/audit.xlsx?area=account",
}
_CARD_OFFICE = ("city", "admin", "county")
_CARDS_API = {"anonymous": 401} | {k: 200 if k in _CARD_OFFICE else 403 for k in STATS_ROLES}
_AUDIT_API = {"anonymous": 401} | {k: 200 if k == "admin" else 403 for k in STATS_ROLES}
LIST_EXPECTED = {
    "cards_api": _CARDS_API,
    "cards_page": _CARDS_API | {"anonymous": 303},
    "cards_export": _CARDS_API | {"anonymous": 303},
    # the audit log: the administrator's alone
    "audit_api": _AUDIT_API,
    "audit_page": _AUDIT_API | {"anonymous": 303},
    "audit_export": _AUDIT_API | {"anonymous": 303},
}


@pytest.mark.parametrize("route", list(LIST_EXPECTED))
@pytest.mark.parametrize("caller", ["anonymous", *STATS_ROLES])
def test_list_access(
    route: str, caller: str, live_server: LiveServer, stats_callers: dict[str, dict[str, str]]
) -> None:
    who = stats_callers[caller]
    path = LIST_PATHS[route]
    headers = {"Authorization": f"Bearer {who['api']}"} if who and path.startswith("/api/") else {}
    cookies = {"rencai_session": who["page"]} if who and not path.startswith("/api/") else {}
    with httpx.Client(base_url=live_server.url, cookies=cookies, follow_redirects=False) as client:
        status = client.get(path, headers=headers).status_code
    assert status == LIST_EXPECTED[route][caller]
