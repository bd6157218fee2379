"""The review workflow over real HTTP: an administrator opens staff accounts and sets programs,
a 工匠 case goes through county → 人社 → 公示, someone objects, 人社 dismisses it, the CLI ends
the notice; bulk approval; an employer applies for its new hire."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from typing import Any

import httpx

from rencai import clock
from rencai.db.session import session_scope
from rencai.registry.accounts import create_account
from rencai.registry.identifiers import uscc_check_character
from rencai.registry.models import Role
from tests.profiles import doctor_today
from tests.support import CRAFTSMAN_SELECTION_DAY, LiveServer, random_id_number

PDF = b"%PDF-1.7\n% review material\n"


def _id_number(born: str | None = None) -> str:
    return random_id_number(born)  # the number carries the profile's birth date


def _login(server: LiveServer, username: str) -> dict[str, str]:
    response = httpx.post(
        f"{server.url}/api/v1/tokens", json={"username": username, "password": "secret123"}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def _talent(server: LiveServer, profile: dict[str, Any], name: str = "张师傅") -> tuple[Any, Any]:
    username = f"t{uuid.uuid4().hex[:8]}"
    number = _id_number(profile.get("person", {}).get("birth_date"))
    body = {
        "username": username,
        "password": "secret123",
        "name": name,
        "id_number": number,
        "profile": profile,
    }
    response = httpx.post(f"{server.url}/api/v1/talents", json=body)
    assert response.status_code == 201, response.text
    return _login(server, username), number


def _admin(server: LiveServer) -> dict[str, str]:
    username = f"ad{uuid.uuid4().hex[:6]}"
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(s, username, "secret123", "管理员", Role.admin)
    return _login(server, username)


def _staff(server: LiveServer, admin: dict[str, str], role: str, **where: str) -> dict[str, str]:
    username = f"s{uuid.uuid4().hex[:8]}"
    body = {
        "username": username,
        "password": "secret123",
        "display_name": "审核",
        "role": role,
        **where,
    }
    response = httpx.post(f"{server.url}/api/v1/admin/accounts", headers=admin, json=body)
    assert response.status_code == 201, response.text
    return _login(server, username)


def _decide(server: LiveServer, who: dict[str, str], case_id: int) -> dict[str, Any]:
    api = f"{server.url}/api/v1/applications/{case_id}"
    version = httpx.get(api, headers=who).json()["version"]
    response = httpx.post(
        f"{api}/decision", headers=who, json={"decision": "approve", "version": version}
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_public_notice_with_an_objection_over_http(live_server: LiveServer) -> None:
    api = f"{live_server.url}/api/v1"
    admin = _admin(live_server)
    assert httpx.post(f"{api}/admin/programs/load-seeded", headers=admin).status_code == 200
    programs = httpx.get(f"{api}/admin/programs", headers=admin).json()
    craftsman = next(
        p for p in programs["items"] if p["program"] == "sjz.skills.craftsman_selection"
    )
    assert (craftsman["notice_days"], craftsman["notice_unit"]) == (5, "working_days")
    assert "公示期为 5 个工作日" in craftsman["notice_quote"]
    limits = {(x["program"], x["level"]): x for x in programs["limits"]}
    assert limits[("sjz.b.service.children_schooling", "education")]["working_days"] == 10

    county = _staff(live_server, admin, "county_reviewer", county="130102")
    hrss = _staff(live_server, admin, "department_officer", department="hrss")

    talent, number = _talent(
        live_server,
        {
            "jurisdiction": "shijiazhuang",
            "person": {"birth_date": "1980-01-01", "skill_level": "senior_worker"},
            "employment": {"employer_type": "enterprise", "county": "130102"},
        },
    )
    # filed in a selection year (the server runs in this process and reads the same clock)
    with clock.frozen(CRAFTSMAN_SELECTION_DAY):
        case = httpx.post(
            f"{api}/applications",
            headers=talent,
            json={
                "program": "sjz.skills.craftsman_selection",
                "idempotency_key": uuid.uuid4().hex,
            },
        ).json()
    assert case["chain"] == ["county", "hrss"]
    assert case["precheck"]["state"] == "eligible", case["precheck"]
    assert _decide(live_server, county, case["id"])["step"] == "hrss"
    published = _decide(live_server, hrss, case["id"])
    assert published["status"] == "publicity" and "5个工作日" in published["notice"]

    notices = httpx.get(f"{api}/notices")  # public: no login
    assert notices.status_code == 200 and number not in notices.text
    shown = next(n for n in notices.json()["items"] if n["id"] == case["id"])
    assert shown["name"] == "张**" and shown["rule"]["days"] == 5

    # objections come from a real-named account; the name is the registered one
    objector, _ = _talent(live_server, {"jurisdiction": "shijiazhuang"}, "赵某")
    objection = httpx.post(
        f"{api}/notices/{case['id']}/objections",
        headers=objector,
        json={"contact": "13800000000", "text": "证书取得时间有误，请核查"},
    )
    assert objection.status_code == 201 and objection.json()["status"] == "objection"
    listed = httpx.get(f"{api}/applications/{case['id']}/objections", headers=hrss).json()
    assert [o["name"] for o in listed["items"]] == ["赵某"]
    version = httpx.get(f"{api}/applications/{case['id']}", headers=hrss).json()["version"]
    unreasoned = httpx.post(
        f"{api}/objections/{objection.json()['id']}/decision",
        headers=hrss,
        json={"decision": "dismiss", "version": version},
    )
    assert unreasoned.status_code == 422 and unreasoned.json()["errors"][0]["field"] == "reason"
    dismissed = httpx.post(
        f"{api}/objections/{objection.json()['id']}/decision",
        headers=hrss,
        json={"decision": "dismiss", "reason": "核查无误", "version": version},
    )
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "publicity"
    end = dt.date.fromisoformat(dismissed.json()["notice_end"])

    # the daily run, as an operator starts it; the second run finds nothing left to do
    env = {**os.environ, "RENCAI_DATABASE_URL": os.environ["RENCAI_DATABASE_URL"]}
    command = [sys.executable, "-m", "rencai", "applications", "close-notices"]
    first = subprocess.run(
        [*command, "--on", (end + dt.timedelta(days=1)).isoformat()],
        env=env,
        capture_output=True,
        text=True,
    )
    assert first.returncode == 0, first.stderr
    assert str(case["id"]) in first.stdout
    again = subprocess.run(
        [*command, "--on", (end + dt.timedelta(days=1)).isoformat()],
        env=env,
        capture_output=True,
        text=True,
    )
    assert str(case["id"]) not in again.stdout
    final = httpx.get(f"{api}/applications/{case['id']}", headers=talent).json()
    assert final["status"] == "approved"
    assert [h["action"] for h in final["history"]][-3:] == ["object", "dismiss", "final"]
    bad = subprocess.run([*command, "--on", "tomorrow"], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


def test_administrator_settings_refusals_over_http(live_server: LiveServer) -> None:
    api = f"{live_server.url}/api/v1/admin"
    admin = _admin(live_server)
    open_notice = httpx.put(
        f"{api}/programs/sjz.b.service.finance",
        headers=admin,
        json={"chain": ["county", "housing"], "notice_required": True},
    )
    assert open_notice.status_code == 200
    assert open_notice.json()["needs_administrator"] == "公示期未设定，请管理员设定"
    stated = httpx.put(
        f"{api}/programs/sjz.skills.craftsman_selection",
        headers=admin,
        json={"chain": ["county", "hrss"], "notice_required": False},
    )
    assert stated.status_code == 422 and stated.json()["errors"][0]["code"] == "notice_stated"
    no_department = httpx.post(
        f"{api}/accounts",
        headers=admin,
        json={
            "username": f"x{uuid.uuid4().hex[:6]}",
            "password": "secret123",
            "display_name": "x",
            "role": "department_officer",
        },
    )
    assert no_department.status_code == 422
    assert no_department.json()["errors"][0]["field"] == "department"
    closure = httpx.post(
        f"{api}/counties/130131/closures",
        headers=admin,
        json={"day": "2026-12-04", "name": "本地停工", "source": "平山县通知"},
    )
    assert closure.status_code == 201
    counties = httpx.get(f"{api}/counties", headers=admin).json()["items"]
    assert any(c["code"] == "130131" and c["name"] == "平山县" for c in counties)


def test_bulk_approval_and_employer_application_over_http(live_server: LiveServer) -> None:
    api = f"{live_server.url}/api/v1"
    admin = _admin(live_server)
    county = _staff(live_server, admin, "county_reviewer", county="130102")
    profile = doctor_today()
    talent, _ = _talent(live_server, profile, "王博士")
    cases = []
    for program in ("sjz.b.service.business_tax", "sjz.b.service.entrepreneurship"):
        case = httpx.post(
            f"{api}/applications",
            headers=talent,
            json={"program": program, "idempotency_key": uuid.uuid4().hex},
        ).json()
        cases.append(case)
    upload = httpx.post(
        f"{api}/applications/{cases[0]['id']}/materials",
        headers=talent,
        files={"file": ("营业执照.pdf", PDF, "application/pdf")},
    )
    assert upload.status_code == 201
    response = httpx.post(
        f"{api}/review/bulk-approve",
        headers=county,
        json={"items": [{"id": c["id"], "version": c["version"]} for c in cases]},
    )
    assert response.status_code == 200
    outcomes = {item["id"]: item for item in response.json()["items"]}
    assert outcomes[cases[0]["id"]]["ok"] and outcomes[cases[0]["id"]]["status"] in (
        "department_review",
        "city_review",
    )
    assert outcomes[cases[1]["id"]]["code"] == "not_clean"
    assert "尚未上传材料" in outcomes[cases[1]["id"]]["message"]

    # an employer applies for its new hire; the case is visible to both
    first17 = "91130100MA" + "".join("0123456789ABCDFGH"[b % 17] for b in uuid.uuid4().bytes[:7])
    hr_name = f"hr{uuid.uuid4().hex[:6]}"
    registered = httpx.post(
        f"{api}/employers",
        json={
            "uscc": first17 + uscc_check_character(first17),
            "name": "石家庄示例新材料有限公司",
            "county": "130102",
            "employer_type": "enterprise",
            "username": hr_name,
            "password": "secret123",
            "contact_name": "人事部",
        },
    )
    assert registered.status_code == 201
    city = _staff(live_server, admin, "city_reviewer")  # the city office verifies the unit
    verified = httpx.post(
        f"{api}/employers/{registered.json()['id']}/verification",
        headers=city,
        json={"decision": "verify", "evidence": "营业执照原件已核"},
    )
    assert verified.status_code == 200
    hr = _login(live_server, hr_name)
    hire, _ = _talent(live_server, profile, "陈博士")
    linked = httpx.put(f"{api}/me/employer", headers=hire, json={"uscc": registered.json()["uscc"]})
    assert linked.status_code == 200
    staff = httpx.get(f"{api}/employer/staff", headers=hr).json()["items"]
    made = httpx.post(
        f"{api}/employer/applications",
        headers=hr,
        json={
            "talent_id": staff[0]["id"],
            "program": "card.b",
            "idempotency_key": uuid.uuid4().hex,
        },
    )
    assert made.status_code == 201, made.text
    assert made.json()["employer_confirmation"] == "confirmed"
    mine = httpx.get(f"{api}/applications", headers=hire).json()["items"]
    assert made.json()["id"] in {c["id"] for c in mine}
    refused = httpx.post(
        f"{api}/employer/applications",
        headers=hr,
        json={"talent_id": 10**9, "program": "card.b", "idempotency_key": uuid.uuid4().hex},
    )
    assert refused.status_code == 404
