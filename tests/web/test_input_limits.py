"""Input bounds over real HTTP: body caps before parsing, path integers beyond BIGINT, field
lengths and numeric ranges, blank names, the identity number's birth date."""

from __future__ import annotations

import json
import os
import re
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.routing import APIRoute

from rencai.db.session import session_scope
from rencai.registry.accounts import create_account
from rencai.registry.models import Role
from rencai.web.app import create_app
from tests.profiles import doctor, doctor_today
from tests.support import LiveServer, csrf_headers, random_id_number

MIB = 1024 * 1024
TOO_BIG = 2**63  # one past the largest BIGINT


def _raw(server: LiveServer, head: str, chunks: list[bytes]) -> tuple[int, dict[str, Any]]:
    """Send a request by hand (so the body can be cut short) and read the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as sock:
        sock.sendall(head.encode())
        for chunk in chunks:
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server has answered and stopped reading: what we want
        data = b""
        while b"\r\n\r\n" not in data or len(data) < data.index(b"\r\n\r\n") + 4 + _length(data):
            part = sock.recv(65536)
            if not part:
                break
            data += part
    status = int(data.split(b" ", 2)[1])
    body = data.split(b"\r\n\r\n", 1)[1]
    return status, json.loads(body.decode())


def _length(data: bytes) -> int:
    found = re.search(rb"content-length: (\d+)", data.split(b"\r\n\r\n", 1)[0], re.I)
    return int(found.group(1)) if found else 0


def test_declared_20mb_body_is_refused_before_it_is_sent(live_server: LiveServer) -> None:
    head = (
        "POST /api/v1/entitlements HTTP/1.1\r\nHost: test\r\n"
        f"Content-Type: application/json\r\nContent-Length: {20 * MIB}\r\n\r\n"
    )
    # only 1 KB of the announced 20 MB is ever sent: an answer proves nothing waited for the rest
    status, body = _raw(live_server, head, [b'{"jurisdiction": "' + b"x" * 1024])
    assert status == 413
    error = body["errors"][0]
    assert error["code"] == "too_large" and "请求内容过大" in error["message"]


def test_streamed_body_is_counted_and_cut_off(live_server: LiveServer) -> None:
    head = (
        "POST /api/v1/talents HTTP/1.1\r\nHost: test\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    piece = b"x" * (256 * 1024)
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    # 20 MB are offered without a Content-Length, in 256 KB chunks
    status, body = _raw(live_server, head, [b'5\r\n{"a":\r\n'] + [chunk] * 80)
    assert status == 413 and body["errors"][0]["code"] == "too_large"


def _talent(server: LiveServer, **changes: Any) -> httpx.Response:
    profile = doctor_today()
    body = {
        "username": f"l{uuid.uuid4().hex[:8]}",
        "password": "secret123",
        "name": "范围测试",
        "id_number": random_id_number(),
        "profile": profile,
        **changes,
    }
    return httpx.post(f"{server.url}/api/v1/talents", json=body, timeout=60)


def _token(server: LiveServer, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{server.url}/api/v1/tokens", json={"username": username, "password": "secret123"}
    )
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_five_million_character_school_is_refused(live_server: LiveServer) -> None:
    profile = doctor_today()
    profile["person"]["education"][0]["school"] = "x" * 5_000_000
    username = f"s{uuid.uuid4().hex[:8]}"
    refused = _talent(live_server, username=username, profile=profile)
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["field"] == "person.education.0.school"
    assert "内容过长" in error["message"] and "100" in error["message"]
    assert len(refused.content) < 2000  # the text is not echoed back
    login = httpx.post(
        f"{live_server.url}/api/v1/tokens", json={"username": username, "password": "secret123"}
    )
    assert login.status_code != 200  # nothing was stored
    # the calculator and a profile update refuse it the same way
    calc = httpx.post(f"{live_server.url}/api/v1/entitlements", json=profile, timeout=60)
    assert calc.status_code == 422 and "内容过长" in calc.json()["errors"][0]["message"]
    created = _talent(live_server)
    assert created.status_code == 201
    headers = _token(live_server, _last_username(created))
    put = httpx.put(
        f"{live_server.url}/api/v1/me/profile",
        headers=headers,
        json={"version": created.json()["version"], "profile": profile},
        timeout=60,
    )
    assert put.status_code == 422 and put.json()["errors"][0]["code"] == "string_too_long"
    mine = httpx.get(f"{live_server.url}/api/v1/me/profile", headers=headers).json()
    assert "x" * 101 not in json.dumps(mine)


def _last_username(response: httpx.Response) -> str:
    return json.loads(response.request.content)["username"]


@pytest.mark.parametrize("name", ["", "   ", "\u3000"])
def test_blank_name_is_refused(live_server: LiveServer, name: str) -> None:
    refused = _talent(live_server, name=name)
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["field"] == "name" and re.search(r"[\u4e00-\u9fff]", error["message"])


def test_numeric_inputs_have_ranges(live_server: LiveServer) -> None:
    profile = doctor()
    profile["person"]["invention_patents"] = 2**31
    profile["person"]["science_awards"] = [
        {"level": "national", "kind": "progress", "grade": 1, "rank": 2**64}
    ]
    response = httpx.post(f"{live_server.url}/api/v1/entitlements", json=profile)
    assert response.status_code == 422
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert "数值过大" in errors["person.invention_patents"]
    assert "数值过大" in errors["person.science_awards.0.rank"]
    page = httpx.post(
        f"{live_server.url}/calculator",
        data={"birth_date": "1994-03-02", "invention_patents": str(2**31), "award_rank": "1"},
    )
    assert page.status_code == 422 and "发明专利数" in page.text and "数值过大" in page.text
    sized = httpx.post(
        f"{live_server.url}/calculator", data={"parents": "100000000000", "degree": "master"}
    )
    assert sized.status_code == 422 and "父母人数" in sized.text


def test_identity_number_decides_the_birth_date(live_server: LiveServer) -> None:
    """A 1980 identity number with a 1994 birth date is refused; an ID-only profile is judged
    on the number's date (issue: "年龄 32 周岁，不超过 35 周岁" for someone born in 1980)."""
    profile = doctor_today()
    refused = _talent(live_server, id_number=random_id_number("1980-05-01"), profile=profile)
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["field"] == "person.birth_date" and error["code"] == "id_birth_mismatch"
    assert "1980-05-01" in error["message"] and "不一致" in error["message"]
    # registered with the number only: the stored profile carries the number's birth date
    del profile["person"]["birth_date"]
    created = _talent(live_server, id_number=random_id_number("1980-05-01"), profile=profile)
    assert created.status_code == 201
    assert created.json()["profile"]["person"]["birth_date"] == "1980-05-01"
    headers = _token(live_server, _last_username(created))
    # an update that states another birth date is refused and changes nothing
    younger = {**profile, "person": {**profile["person"], "birth_date": "1994-03-02"}}
    put = httpx.put(
        f"{live_server.url}/api/v1/me/profile",
        headers=headers,
        json={"version": created.json()["version"], "profile": younger},
    )
    assert put.status_code == 422 and put.json()["errors"][0]["code"] == "id_birth_mismatch"
    mine = httpx.get(f"{live_server.url}/api/v1/me/profile", headers=headers).json()
    assert mine["profile"]["person"]["birth_date"] == "1980-05-01"
    # the calculator judges the age on the number's date: B card (不超过35周岁) refused
    result = httpx.get(f"{live_server.url}/api/v1/me/entitlements", headers=headers).json()
    assert "card.b" not in {c["id"] for c in result["cards"]}
    why = {n["id"]: n["why_not"] for n in result["not_eligible"]}
    assert any("超过 35 周岁" in reason for reason in why["card.b"])
    # and so does an application: the case is judged on the number's date
    case = httpx.post(
        f"{live_server.url}/api/v1/applications",
        headers=headers,
        json={"program": "card.b", "idempotency_key": uuid.uuid4().hex},
    )
    assert case.status_code in (201, 422)
    if case.status_code == 201:
        assert case.json()["precheck"]["state"] == "not_eligible"


def test_calculator_api_reads_the_birth_date_from_the_number(live_server: LiveServer) -> None:
    profile = doctor()
    number = random_id_number("1980-05-01")
    profile["person"] = {**profile["person"], "id_number": number, "birth_date": "1994-03-02"}
    refused = httpx.post(f"{live_server.url}/api/v1/entitlements", json=profile)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "person.birth_date"
    del profile["person"]["birth_date"]
    result = httpx.post(f"{live_server.url}/api/v1/entitlements", json=profile).json()
    why = {n["id"]: n["why_not"] for n in result["not_eligible"]}
    assert any("超过 35 周岁" in reason for reason in why["card.b"])
    young = {
        **profile,
        "person": {**profile["person"], "id_number": random_id_number("1994-03-02")},
    }
    granted = httpx.post(f"{live_server.url}/api/v1/entitlements", json=young).json()
    card_b = next(c for c in granted["cards"] if c["id"] == "card.b")
    assert any("不超过 35 周岁" in reason for reason in card_b["because"])


# --- every integer path parameter, past BIGINT ---------------------------------------------


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router (FastAPI keeps it nested)
            yield from _api_routes(route.original_router.routes)


def _int_routes() -> list[tuple[str, str]]:
    """(method, path) of every route of the app with an integer path parameter."""
    found = []
    for route in _api_routes(create_app().routes):
        ints = {p.name for p in route.dependant.path_params if p.field_info.annotation is int}
        if not ints:
            continue
        path = route.path_format
        for param in route.dependant.path_params:
            value = str(TOO_BIG) if param.name in ints else "x"
            path = path.replace("{" + param.name + "}", value)
        for method in sorted(route.methods):
            found.append((method, path))
    return found


INT_ROUTES = _int_routes()


def test_the_sweep_covers_the_reported_routes() -> None:
    paths = " ".join(path for _, path in INT_ROUTES)
    for family in ("applications", "materials", "objections", "receivables", "accounts"):
        assert family in paths, family
    assert len(INT_ROUTES) >= 30


@pytest.fixture(scope="module")
def staff(live_server: LiveServer) -> dict[str, str]:
    tag = uuid.uuid4().hex[:6]
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(s, f"la{tag}", "secret123", "管理员", Role.admin)
        create_account(s, f"lf{tag}", "secret123", "财务", Role.finance)
    return {"admin": f"la{tag}", "finance": f"lf{tag}"}


@pytest.mark.parametrize("role", ["admin", "finance"])
def test_path_integers_beyond_bigint_are_not_found(
    live_server: LiveServer, staff: dict[str, str], role: str
) -> None:
    token = httpx.post(
        f"{live_server.url}/api/v1/tokens",
        json={"username": staff[role], "password": "secret123"},
    ).json()["token"]
    failures = []
    with httpx.Client(
        base_url=live_server.url,
        headers={"Authorization": f"Bearer {token}"},
        cookies={"rencai_session": token},
        timeout=30,
        follow_redirects=False,
    ) as client:
        for method, path in INT_ROUTES:
            for value in (str(TOO_BIG), str(2**64), "9" * 40):
                url = path.replace(str(TOO_BIG), value)
                response = client.request(method, url, json={} if method != "GET" else None)
                wanted = "编号超出范围"
                if response.status_code != 404 or wanted not in response.text:
                    failures.append((method, url, response.status_code, response.text[:120]))
    assert not failures, failures


def test_largest_bigint_reaches_the_route(live_server: LiveServer) -> None:
    created = _talent(live_server)
    headers = _token(live_server, _last_username(created))
    response = httpx.get(f"{live_server.url}/api/v1/applications/{2**63 - 1}", headers=headers)
    assert response.status_code == 404 and "编号超出范围" not in response.text


def test_review_reason_from_the_page_is_bounded(live_server: LiveServer) -> None:
    """Forms reach the services without a body model: the services bound the text too."""
    from rencai.applications.service import apply
    from rencai.registry.accounts import register_talent

    tag = uuid.uuid4().hex[:6]
    profile = doctor_today()
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(s, f"lc{tag}", "secret123", "长安区", Role.county_reviewer, county="130102")
        talent = register_talent(s, f"lt{tag}", "secret123", "王博士", random_id_number(), profile)
        case = apply(s, talent, "card.b", uuid.uuid4().hex)
        case_id, version = case.id, case.version
    token = httpx.post(
        f"{live_server.url}/api/v1/tokens", json={"username": f"lc{tag}", "password": "secret123"}
    ).json()["token"]
    page = httpx.post(
        f"{live_server.url}/applications/{case_id}/decision",
        cookies={"rencai_session": token},
        headers=csrf_headers(token),
        data={"decision": "return", "reason": "补" * 3000, "version": str(version)},
    )
    assert page.status_code == 409 and "理由不超过2000字" in page.text
    after = httpx.get(
        f"{live_server.url}/api/v1/applications/{case_id}",
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    assert after["status"] == "county_review" and after["version"] == version
    # a number beyond Python's digit limit (and BIGINT) typed into a form is refused, not a 500
    huge = httpx.post(
        f"{live_server.url}/applications/{case_id}/decision",
        cookies={"rencai_session": token},
        headers=csrf_headers(token),
        data={"decision": "approve", "reason": "", "version": "9" * 5000},
    )
    assert huge.status_code == 409 and "已被他人处理" in huge.text
