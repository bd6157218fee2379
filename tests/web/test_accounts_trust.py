"""Accounts trust over real HTTP: login throttles that answer alike for every name and cannot
be turned against the holder (decision 0084), password change and reset (0083), every kind of
account from the administrator (0082), verified employers (0080), named objections (0081)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import uuid
from typing import Any

import httpx
import pytest

from rencai import clock
from rencai.applications.programs import load_seeded
from rencai.applications.service import apply, decide
from rencai.db.session import session_scope
from rencai.registry.accounts import (
    authenticate,
    create_account,
    register_employer,
    register_talent,
)
from rencai.registry.identifiers import uscc_check_character
from rencai.registry.models import Account, LoginThrottle, Role
from tests.profiles import doctor_birth_date
from tests.support import CRAFTSMAN_SELECTION_DAY, CSRF_HOOKS, LiveServer, random_id_number

PASSWORD = "secret123"


def _id_number(born: str | None = None) -> str:
    # the number carries the birth date; a profile that states another is refused
    return random_id_number(born)


def _uscc() -> str:
    first17 = "91130100MA" + "".join("0123456789ABCDFGH"[b % 17] for b in uuid.uuid4().bytes[:7])
    return first17 + uscc_check_character(first17)


def _address() -> str:
    """A client address of its own (uvicorn trusts X-Forwarded-For from 127.0.0.1)."""
    b = uuid.uuid4().bytes
    return f"10.{b[0]}.{b[1]}.{b[2] or 1}"


def _url() -> str:
    return os.environ["RENCAI_DATABASE_URL"]


def _login(server: LiveServer, username: str, password: str, address: str) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/v1/tokens",
        json={"username": username, "password": password},
        headers={"X-Forwarded-For": address},
    )


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _token(server: LiveServer, username: str, password: str = PASSWORD) -> dict[str, str]:
    response = _login(server, username, password, _address())
    assert response.status_code == 200, response.text
    return _bearer(response.json()["token"])


def _talent(tag: str) -> str:
    name = f"t{tag}{uuid.uuid4().hex[:4]}"
    with session_scope(_url()) as s:
        register_talent(s, name, PASSWORD, "王小明", _id_number())
    return name


def _account(role: Role, **where: Any) -> str:
    name = f"{role.value[:3]}{uuid.uuid4().hex[:8]}"
    with session_scope(_url()) as s:
        create_account(s, name, PASSWORD, "工作人员", role, **where)
    return name


# --- item 10: login throttles -------------------------------------------------------------------


def test_unknown_and_existing_names_get_identical_answers(live_server: LiveServer) -> None:
    real = _talent("real")
    unknown = f"nobody{uuid.uuid4().hex[:8]}"
    answers = {}
    for name in (real, unknown):
        address = _address()
        seen = []
        for _ in range(8):
            response = _login(live_server, name, "wrong-pass1", address)
            seen.append((response.status_code, response.json()))
        # even the right password is refused alike while the delay runs
        response = _login(live_server, name, PASSWORD, address)
        seen.append((response.status_code, response.json()))
        answers[name] = seen

    def countdowns(seen: list) -> list[int]:
        return [int(n) for n in re.findall(r"(\d+)秒", str(seen))]

    def without_countdowns(seen: list) -> str:
        return re.sub(r"\d+秒", "N秒", str(seen))

    # identical answers; a countdown may cross a second boundary between the two runs
    assert without_countdowns(answers[real]) == without_countdowns(answers[unknown])
    pairs = zip(countdowns(answers[real]), countdowns(answers[unknown]), strict=True)
    assert all(abs(a - b) <= 1 for a, b in pairs)
    statuses = [status for status, _ in answers[real]]
    assert statuses == [401] * 6 + [429] * 3
    assert answers[real][0][1]["errors"][0]["message"] == "用户名或密码不正确"
    assert "登录尝试过于频繁" in answers[real][-1][1]["errors"][0]["message"]
    assert "锁定" not in str(answers[real])


def test_an_attacker_at_one_address_cannot_lock_the_holder_out(live_server: LiveServer) -> None:
    # the office clock stands still (the server runs in this process): the delays are counted
    # in failures, and must not run out while a busy machine hashes the guesses below
    with clock.frozen(clock.now()):
        admin = _account(Role.admin)
        attacker = _address()
        refused = [
            _login(live_server, admin, "guess-0001", attacker).status_code for _ in range(30)
        ]
        assert refused[:6] == [401] * 6 and set(refused[6:]) == {429}
        # the administrator at the office logs in at once
        office = _login(live_server, admin, PASSWORD, _address())
        assert office.status_code == 200, office.text
        # many addresses together delay the name for a minute at most, never longer
        for _ in range(25):
            _login(live_server, admin, "guess-0002", _address())
        with session_scope(_url()) as s:
            row = s.get(LoginThrottle, f"name:{admin}")
            assert row is not None and row.blocked_until is not None
            last = row.last_failure_at.replace(tzinfo=dt.UTC)
            until = row.blocked_until.replace(tzinfo=dt.UTC)
            assert dt.timedelta(0) < until - last <= dt.timedelta(minutes=1)
            later = last + dt.timedelta(seconds=61)
            assert authenticate(s, admin, PASSWORD, now=later, address="10.9.9.9").account
        # the holder logging in cleared the guesses at the name; the attacker's address stays slowed
        assert _login(live_server, admin, PASSWORD, _address()).status_code == 200
        assert _login(live_server, admin, PASSWORD, attacker).status_code == 429


def test_an_over_long_password_is_refused_before_hashing(live_server: LiveServer) -> None:
    name = _talent("long")
    address = _address()
    for _ in range(8):  # refused before anything is checked or counted
        response = _login(live_server, name, "a1" * 65, address)
        assert response.status_code == 422
        assert response.json()["errors"][0]["code"] == "password_too_long"
        assert "128" in response.json()["errors"][0]["message"]
    assert _login(live_server, name, PASSWORD, address).status_code == 200
    huge = _login(live_server, name, "x" * 1_000_000, address)
    assert huge.status_code == 422
    registration = httpx.post(
        f"{live_server.url}/api/v1/talents",
        json={
            "username": f"lg{uuid.uuid4().hex[:8]}",
            "password": "a1" * 65,
            "name": "李四",
            "id_number": _id_number(),
        },
    )
    assert registration.status_code == 422


# --- item 9: change and reset -------------------------------------------------------------------


def test_changing_the_password_revokes_every_token(live_server: LiveServer) -> None:
    api = f"{live_server.url}/api/v1"
    name = _talent("chg")
    first, second = _token(live_server, name), _token(live_server, name)
    wrong = httpx.put(
        f"{api}/me/password",
        headers=first,
        json={"old_password": "not-it-123", "new_password": "newpass456"},
    )
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "old_password"
    weak = httpx.put(
        f"{api}/me/password", headers=first, json={"old_password": PASSWORD, "new_password": "1234"}
    )
    assert weak.status_code == 422 and weak.json()["errors"][0]["code"] == "weak_password"
    assert httpx.get(f"{api}/me", headers=second).status_code == 200  # nothing changed yet
    done = httpx.put(
        f"{api}/me/password",
        headers=first,
        json={"old_password": PASSWORD, "new_password": "newpass456"},
    )
    assert done.status_code == 200, done.text
    assert httpx.get(f"{api}/me", headers=first).status_code == 401
    assert httpx.get(f"{api}/me", headers=second).status_code == 401
    assert httpx.get(f"{api}/me", headers=_bearer(done.json()["token"])).status_code == 200
    assert _login(live_server, name, PASSWORD, _address()).status_code == 401
    assert _login(live_server, name, "newpass456", _address()).status_code == 200


def test_an_administrator_reset_forces_a_change_first(live_server: LiveServer) -> None:
    api = f"{live_server.url}/api/v1"
    admin = _token(live_server, _account(Role.admin))
    name = _talent("rst")
    before = _token(live_server, name)
    with session_scope(_url()) as s:
        from sqlalchemy import select

        account_id = s.scalar(select(Account.id).where(Account.username == name))
    reset = httpx.post(
        f"{api}/admin/accounts/{account_id}/password-reset",
        headers=admin,
        json={"temporary_password": "temp1234x"},
    )
    assert reset.status_code == 200 and reset.json()["must_change_password"] is True
    assert httpx.get(f"{api}/me/profile", headers=before).status_code == 401  # revoked
    login = _login(live_server, name, "temp1234x", _address())
    assert login.status_code == 200 and login.json()["must_change_password"] is True
    pending = _bearer(login.json()["token"])
    blocked = httpx.get(f"{api}/me/profile", headers=pending)
    assert blocked.status_code == 403
    assert blocked.json()["errors"][0]["code"] == "password_change_required"
    changed = httpx.put(
        f"{api}/me/password",
        headers=pending,
        json={"old_password": "temp1234x", "new_password": "mine12345"},
    )
    assert changed.status_code == 200
    fresh = _bearer(changed.json()["token"])
    assert httpx.get(f"{api}/me/profile", headers=fresh).status_code == 200
    # the pages too: after a reset, the holder lands on the change form whatever they open
    httpx.post(
        f"{api}/admin/accounts/{account_id}/password-reset",
        headers=admin,
        json={"temporary_password": "temp5678x"},
    )
    with httpx.Client(
        base_url=live_server.url, follow_redirects=False, event_hooks=CSRF_HOOKS
    ) as browser:
        signed = browser.post("/login", data={"username": name, "password": "temp5678x"})
        assert signed.headers["location"] == "/me/password"
        me = browser.get("/me")
        assert me.status_code == 303 and me.headers["location"] == "/login"
        assert browser.get("/login").headers["location"] == "/me/password"
        form = browser.get("/me/password")
        assert "管理员已重置您的密码" in form.text
        mismatch = browser.post(
            "/me/password",
            data={
                "old_password": "temp5678x",
                "new_password": "mine67890",
                "new_password2": "mine6789",
            },
        )
        assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.text
        ok = browser.post(
            "/me/password",
            data={
                "old_password": "temp5678x",
                "new_password": "mine67890",
                "new_password2": "mine67890",
            },
        )
        assert ok.status_code == 200 and "密码已修改" in ok.text
        assert browser.get("/me").status_code == 200


# --- item 8: every kind of account --------------------------------------------------------------


def test_the_administrator_manages_every_kind_of_account(live_server: LiveServer) -> None:
    api = f"{live_server.url}/api/v1/admin"
    admin = _token(live_server, _account(Role.admin))
    tag = uuid.uuid4().hex[:6]
    finance = {
        "username": f"fi{tag}",
        "password": PASSWORD,
        "display_name": "财务科",
        "role": "finance",
    }
    no_city = httpx.post(f"{api}/accounts", headers=admin, json=finance)
    assert no_city.status_code == 422 and no_city.json()["errors"][0]["field"] == "jurisdiction"
    created = httpx.post(
        f"{api}/accounts", headers=admin, json={**finance, "jurisdiction": "shijiazhuang"}
    )
    assert created.status_code == 201, created.text
    assert (created.json()["role"], created.json()["jurisdiction"]) == ("finance", "shijiazhuang")
    point = {
        "username": f"bu{tag}",
        "password": PASSWORD,
        "display_name": "公交9路",
        "role": "service_point",
        "county": "130102",
    }
    no_kind = httpx.post(f"{api}/accounts", headers=admin, json={**point, "point_code": "B9"})
    assert no_kind.status_code == 422 and no_kind.json()["errors"][0]["field"] == "point_kind"
    bus = httpx.post(
        f"{api}/accounts",
        headers=admin,
        json={**point, "point_code": f"BUS-{tag}", "point_kind": "bus"},
    )
    assert bus.status_code == 201, bus.text
    assert bus.json()["point"] == {"code": f"BUS-{tag}", "kind": "bus", "kind_label": "公交"}
    listed = httpx.get(f"{api}/accounts", headers=admin).json()["items"]
    assert {f"fi{tag}", f"bu{tag}"} <= {a["username"] for a in listed}
    # finance is an office role: re-roled; a service point keeps its role
    moved = httpx.patch(
        f"{api}/accounts/{created.json()['id']}", headers=admin, json={"role": "city_reviewer"}
    )
    assert moved.status_code == 200 and moved.json()["jurisdiction"] is None
    fixed = httpx.patch(f"{api}/accounts/{bus.json()['id']}", headers=admin, json={"role": "admin"})
    assert fixed.status_code == 422 and fixed.json()["errors"][0]["code"] == "fixed_role"
    # deactivated: its token stops at once, it cannot log in, whatever its kind
    for account, username in ((bus.json(), f"bu{tag}"), (None, _talent("off"))):
        token = _token(live_server, username)
        assert httpx.get(f"{live_server.url}/api/v1/me", headers=token).status_code == 200
        if account is None:
            found = httpx.get(f"{api}/accounts", headers=admin, params={"q": username}).json()
            account = found["items"][0]
        off = httpx.patch(f"{api}/accounts/{account['id']}", headers=admin, json={"active": False})
        assert off.status_code == 200 and off.json()["active"] is False
        assert httpx.get(f"{live_server.url}/api/v1/me", headers=token).status_code == 401
        assert _login(live_server, username, PASSWORD, _address()).status_code == 401


# --- item 3: verified employers -----------------------------------------------------------------


def test_an_unverified_employer_cannot_confirm_employment(live_server: LiveServer) -> None:
    api = f"{live_server.url}/api/v1"
    tag = uuid.uuid4().hex[:6]
    uscc = _uscc()
    registered = httpx.post(
        f"{api}/employers",
        json={
            "uscc": uscc,
            "name": "虚构科技有限公司",
            "county": "130102",
            "employer_type": "enterprise",
            "username": f"hr{tag}",
            "password": PASSWORD,
            "contact_name": "人事",
        },
    )
    assert registered.status_code == 201
    assert registered.json()["verification_status"] == "pending"
    employer_id = registered.json()["id"]
    hr = _token(live_server, f"hr{tag}")
    talent = _talent("emp")
    with session_scope(_url()) as s:
        from sqlalchemy import select

        from rencai.registry.models import TalentProfile

        account_id = s.scalar(select(Account.id).where(Account.username == talent))
        profile = s.scalar(select(TalentProfile).where(TalentProfile.account_id == account_id))
        assert profile is not None
        profile.employer_id = employer_id
        profile.profile = (
            '{"jurisdiction": "shijiazhuang", "person": {"birth_date": "'
            + doctor_birth_date().isoformat()
            + '", '
            '"education": [{"degree": "doctorate", "full_time": true}]}, '
            '"employment": {"employer_type": "enterprise", "county": "130102", '
            '"introduced_from": "outside_city", "start_date": "2025-01-01"}}'
        )
        s.flush()
        case = apply(s, profile, "card.b", uuid.uuid4().hex)
        case_id = case.id
    body = {"confirmed": True}
    refused = httpx.post(f"{api}/applications/{case_id}/employment", headers=hr, json=body)
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["code"] == "employer_unverified" and "尚未经市委人才办核验" in error["message"]
    # the city office lists the unit and verifies it with the evidence on record
    city = _token(live_server, _account(Role.city_reviewer))
    county = _token(live_server, _account(Role.county_reviewer, county="130102"))
    assert httpx.get(f"{api}/employers/unverified", headers=county).status_code == 403
    waiting = httpx.get(f"{api}/employers/unverified", headers=city).json()["items"]
    assert uscc in {e["uscc"] for e in waiting}
    verify = f"{api}/employers/{employer_id}/verification"
    blank = httpx.post(verify, headers=city, json={"decision": "verify", "evidence": "  "})
    assert blank.status_code == 422
    done = httpx.post(
        verify, headers=city, json={"decision": "verify", "evidence": "营业执照原件已核，登记存续"}
    )
    assert done.status_code == 200 and done.json()["verification_status"] == "verified"
    assert done.json()["verified_by"] and done.json()["verified_at"]
    confirmed = httpx.post(f"{api}/applications/{case_id}/employment", headers=hr, json=body)
    assert confirmed.status_code == 200, confirmed.text
    assert uscc not in {
        e["uscc"] for e in httpx.get(f"{api}/employers/unverified", headers=city).json()["items"]
    }


def test_a_refused_employer_is_told_why(live_server: LiveServer) -> None:
    from rencai.applications.service import ApplicationError, confirm_employment
    from rencai.registry.employers import decide as verify

    with session_scope(_url()) as s:
        city = create_account(s, f"ci{uuid.uuid4().hex[:8]}", PASSWORD, "市委", Role.city_reviewer)
        employer = register_employer(s, _uscc(), "空壳公司", "130102", "enterprise")
        verify(s, city, employer, "refuse", "国家企业信用信息公示系统查无此单位")
        hr = create_account(
            s, f"hr{uuid.uuid4().hex[:8]}", PASSWORD, "人事", Role.employer, employer_id=employer.id
        )
        talent = register_talent(s, f"rf{uuid.uuid4().hex[:8]}", PASSWORD, "赵六", _id_number())
        talent.employer_id = employer.id
        talent.profile = '{"jurisdiction": "shijiazhuang", "employment": {"county": "130102"}}'
        with pytest.raises(ApplicationError) as caught:
            apply(s, talent, "card.b", uuid.uuid4().hex, hr)  # on behalf = a confirmation
        assert caught.value.code == "employer_unverified" and "核验未通过" in caught.value.message
        case = apply(s, talent, "card.b", uuid.uuid4().hex)
        with pytest.raises(ApplicationError):
            confirm_employment(s, hr, case, True, None)


# --- item 4: objections -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def notices(live_server: LiveServer) -> dict[str, Any]:
    craftsman = {
        "jurisdiction": "shijiazhuang",
        "person": {"birth_date": "1980-01-01", "skill_level": "senior_worker"},
        "employment": {"employer_type": "enterprise", "county": "130102"},
    }
    tag = uuid.uuid4().hex[:6]
    with session_scope(_url()) as s:
        load_seeded(s)
        county = create_account(
            s, f"oc{tag}", PASSWORD, "长安区", Role.county_reviewer, county="130102"
        )
        hrss = create_account(
            s, f"oh{tag}", PASSWORD, "人社", Role.department_officer, department="hrss"
        )
        ids = []
        for n in range(5):
            worker = register_talent(
                s, f"ow{n}{tag}", PASSWORD, "张师傅", _id_number("1980-01-01"), craftsman
            )
            with clock.frozen(CRAFTSMAN_SELECTION_DAY):  # filed in a selection year
                case = apply(s, worker, "sjz.skills.craftsman_selection", uuid.uuid4().hex)
            assert json.loads(case.precheck)["state"] == "eligible", case.precheck
            decide(s, county, case, "approve", None, case.version)
            decide(s, hrss, case, "approve", None, case.version)
            assert case.status == "publicity"
            ids.append(case.id)
    return {"ids": ids, "hrss": f"oh{tag}", "county": f"oc{tag}"}


def test_objections_need_a_real_named_account_and_are_limited(
    live_server: LiveServer, notices: dict[str, Any]
) -> None:
    api = f"{live_server.url}/api/v1"
    first = notices["ids"][0]
    body = {"contact": "13800000000", "text": "该人选的证书取得时间有误"}
    anonymous = httpx.post(f"{api}/notices/{first}/objections", json=body)
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["code"] == "unauthenticated"
    assert httpx.get(f"{api}/notices").json()["count"] >= 1
    for _ in range(6):  # the anonymous pause nothing
        httpx.post(f"{api}/notices/{first}/objections", json=body)
    statuses = {n["id"]: n["status"] for n in httpx.get(f"{api}/notices").json()["items"]}
    assert statuses[first] == "publicity"
    staff = _token(live_server, notices["county"])
    not_named = httpx.post(f"{api}/notices/{first}/objections", headers=staff, json=body)
    assert not_named.status_code == 403
    assert not_named.json()["errors"][0]["code"] == "not_real_named"
    citizen = _token(live_server, _talent("obj"))
    lodged = httpx.post(f"{api}/notices/{first}/objections", headers=citizen, json=body)
    assert lodged.status_code == 201 and lodged.json()["status"] == "objection"
    again = httpx.post(f"{api}/notices/{first}/objections", headers=citizen, json=body)
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "already_objected"
    codes = [
        httpx.post(f"{api}/notices/{case}/objections", headers=citizen, json=body).status_code
        for case in notices["ids"][1:4]
    ]
    assert codes == [201, 201, 429]  # three a day
    with session_scope(_url()) as s:
        from sqlalchemy import func, select

        from rencai.applications.models import Objection

        assert s.scalar(select(func.count()).where(Objection.application_id == first)) == 1
        name = s.scalar(select(Objection.name).where(Objection.application_id == first))
        assert name == "王小明"  # the registered name, never a typed one


def test_a_bad_faith_objection_is_dismissed_in_one_action(
    live_server: LiveServer, notices: dict[str, Any]
) -> None:
    api = f"{live_server.url}/api/v1"
    case = notices["ids"][4]
    citizen = _token(live_server, _talent("bad"))
    lodged = httpx.post(
        f"{api}/notices/{case}/objections",
        headers=citizen,
        json={"contact": "13900000000", "text": "随便说说，就是不服"},
    )
    assert lodged.status_code == 201
    officer = _token(live_server, notices["hrss"])
    version = httpx.get(f"{api}/applications/{case}", headers=officer).json()["version"]
    objection = httpx.get(f"{api}/applications/{case}/objections", headers=officer).json()
    objection_id = objection["items"][0]["id"]
    no_reason = httpx.post(
        f"{api}/objections/{objection_id}/decision",
        headers=officer,
        json={"decision": "dismiss", "version": version, "bad_faith": True},
    )
    assert no_reason.status_code == 422
    dismissed = httpx.post(
        f"{api}/objections/{objection_id}/decision",
        headers=officer,
        json={
            "decision": "dismiss",
            "reason": "无事实依据，系恶意异议",
            "version": version,
            "bad_faith": True,
        },
    )
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json()["status"] == "publicity"
    items = httpx.get(f"{api}/applications/{case}/objections", headers=officer).json()["items"]
    assert (items[0]["status"], items[0]["bad_faith"]) == ("dismissed", True)
