"""The employer's side over real HTTP: register the unit, staff, confirm employment."""

from __future__ import annotations

import os
import uuid

import httpx

from rencai.db.session import session_scope
from rencai.registry.accounts import authenticate, create_account
from rencai.registry.identifiers import id_check_character, uscc_check_character
from rencai.registry.models import Role
from tests.profiles import doctor_today
from tests.support import LiveServer, random_first17


def _uscc() -> str:
    first17 = "91130100MA" + "".join("0123456789ABCDEFGH"[b % 18] for b in uuid.uuid4().bytes[:7])
    return first17 + uscc_check_character(first17)


def _login(server: LiveServer, username: str) -> dict[str, str]:
    token = httpx.post(
        f"{server.url}/api/v1/tokens", json={"username": username, "password": "secret123"}
    ).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _employer(server: LiveServer) -> tuple[str, dict[str, str]]:
    uscc, username = _uscc(), f"hr{uuid.uuid4().hex[:8]}"
    body = {
        "uscc": uscc,
        "name": "石家庄示例科技有限公司",
        "county": "130102",
        "employer_type": "enterprise",
        "leading_industry": "electronic_information",
        "username": username,
        "password": "secret123",
        "contact_name": "人事处",
    }
    response = httpx.post(f"{server.url}/api/v1/employers", json=body)
    assert response.status_code == 201, response.text
    city = f"ci{uuid.uuid4().hex[:8]}"  # the city office verifies the unit (decision 0080)
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(s, city, "secret123", "市委人才办", Role.city_reviewer)
    verified = httpx.post(
        f"{server.url}/api/v1/employers/{response.json()['id']}/verification",
        headers=_login(server, city),
        json={"decision": "verify", "evidence": "营业执照原件已核"},
    )
    assert verified.status_code == 200, verified.text
    return uscc, _login(server, username)


def test_employment_confirmation_gates_county_approval(live_server: LiveServer) -> None:
    uscc, hr = _employer(live_server)
    _, other_hr = _employer(live_server)
    first17 = random_first17()
    number = first17 + id_check_character(first17)
    username = f"e{uuid.uuid4().hex[:8]}"
    profile = doctor_today()
    assert (
        httpx.post(
            f"{live_server.url}/api/v1/talents",
            json={
                "username": username,
                "password": "secret123",
                "name": "钱博士",
                "id_number": number,
                "profile": profile,
            },
        ).status_code
        == 201
    )
    talent = _login(live_server, username)
    linked = httpx.put(f"{live_server.url}/api/v1/me/employer", headers=talent, json={"uscc": uscc})
    assert linked.status_code == 200
    staff = httpx.get(f"{live_server.url}/api/v1/employer/staff", headers=hr).json()["items"]
    assert [s["id_number"] for s in staff] == [number[:6] + "********" + number[-4:]]
    assert (
        httpx.get(f"{live_server.url}/api/v1/employer/staff", headers=other_hr).json()["count"] == 0
    )

    case = httpx.post(
        f"{live_server.url}/api/v1/applications",
        headers=talent,
        json={"program": "card.b", "idempotency_key": uuid.uuid4().hex},
    ).json()
    assert case["employer_confirmation"] == "pending"
    tag = uuid.uuid4().hex[:6]
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(s, f"cr{tag}", "secret123", "长安区", Role.county_reviewer, county="130102")
        county = {
            "Authorization": "Bearer " + authenticate(s, f"cr{tag}", "secret123", kind="api").token
        }
    decision = {"decision": "approve", "version": case["version"]}
    early = httpx.post(
        f"{live_server.url}/api/v1/applications/{case['id']}/decision",
        headers=county,
        json=decision,
    )
    assert early.status_code == 422 and early.json()["errors"][0]["code"] == "awaiting_employer"
    url = f"{live_server.url}/api/v1/applications/{case['id']}/employment"
    assert httpx.post(url, headers=other_hr, json={"confirmed": True}).status_code == 404
    assert httpx.post(url, headers=hr, json={"confirmed": False}).status_code == 422
    assert httpx.post(url, headers=talent, json={"confirmed": True}).status_code == 403
    confirmed = httpx.post(url, headers=hr, json={"confirmed": True, "note": "在职"})
    assert confirmed.status_code == 200
    assert confirmed.json()["history"][-1]["action"] == "confirm"
    fresh = httpx.get(f"{live_server.url}/api/v1/applications/{case['id']}", headers=county).json()
    approved = httpx.post(
        f"{live_server.url}/api/v1/applications/{case['id']}/decision",
        headers=county,
        json={"decision": "approve", "version": fresh["version"]},
    )
    assert approved.status_code == 200 and approved.json()["status"] == "city_review"


def test_employer_registration_refuses_a_bad_credit_code(live_server: LiveServer) -> None:
    body = {
        "uscc": "91130100MA0CUQ5A10",
        "name": "某公司",
        "county": "130102",
        "employer_type": "enterprise",
        "username": f"x{uuid.uuid4().hex[:8]}",
        "password": "secret123",
        "contact_name": "张",
    }
    response = httpx.post(f"{live_server.url}/api/v1/employers", json=body)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "uscc"
