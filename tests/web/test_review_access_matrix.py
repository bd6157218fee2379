"""Every review-workflow and administration route (API and pages) against every role, over real
HTTP; all denials asserted. Cases: one at a department step (公安), one approved automatically
and sampled, one under public notice with an objection."""

from __future__ import annotations

import copy
import json
import os
import uuid
from typing import Any

import httpx
import pytest

from rencai import clock
from rencai.applications.materials import store
from rencai.applications.models import Application, Objection
from rencai.applications.programs import configure, load_seeded
from rencai.applications.publicity import lodge_objection
from rencai.applications.service import apply, decide
from rencai.db.session import session_scope
from rencai.registry.accounts import (
    authenticate,
    create_account,
    register_employer,
    register_talent,
)
from rencai.registry.employers import decide as verify_employer
from rencai.registry.identifiers import uscc_check_character
from rencai.registry.models import Account, Role
from tests.profiles import doctor_today
from tests.support import CRAFTSMAN_SELECTION_DAY, CSRF_HOOKS, LiveServer, random_id_number

ROLES = [
    "anonymous",
    "owner",
    "other",
    "county",
    "wrong_county",
    "city",
    "police",
    "hrss",
    "admin",
    "hr",
    "other_hr",
]
STAFF = ["county", "wrong_county", "city", "police", "hrss"]


def _id_number(born: str | None = None) -> str:
    return random_id_number(born)  # the number carries the profile's birth date


def _uscc() -> str:
    first17 = "91130100MA" + "".join("0123456789ABCDFGH"[b % 17] for b in uuid.uuid4().bytes[:7])
    return first17 + uscc_check_character(first17)


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> dict[str, Any]:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    profile = doctor_today()
    craftsman = {
        "jurisdiction": "shijiazhuang",
        "person": {"birth_date": "1980-01-01", "skill_level": "senior_worker"},
        "employment": {"employer_type": "enterprise", "county": "130102"},
    }
    users: dict[str, str] = {}
    with session_scope(url) as s:
        load_seeded(s)
        admin = create_account(s, f"ad{tag}", "secret123", "管理员", Role.admin)
        county = create_account(
            s, f"ca{tag}", "secret123", "长安区", Role.county_reviewer, county="130102"
        )
        create_account(s, f"qx{tag}", "secret123", "桥西区", Role.county_reviewer, county="130104")
        create_account(s, f"ci{tag}", "secret123", "市委", Role.city_reviewer)
        police = create_account(
            s, f"po{tag}", "secret123", "公安", Role.department_officer, department="police"
        )
        hrss = create_account(
            s, f"hs{tag}", "secret123", "人社", Role.department_officer, department="hrss"
        )
        employer = register_employer(s, _uscc(), "甲公司", "130102", "enterprise")
        other_employer = register_employer(s, _uscc(), "乙公司", "130102", "enterprise")
        for unit in (employer, other_employer):  # verified by the city office (decision 0080)
            verify_employer(s, admin, unit, "verify", "营业执照原件已核")
        unverified = register_employer(s, _uscc(), "丙公司", "130102", "enterprise")
        hr = create_account(
            s, f"hr{tag}", "secret123", "人事", Role.employer, employer_id=employer.id
        )
        create_account(
            s, f"oh{tag}", "secret123", "人事", Role.employer, employer_id=other_employer.id
        )
        owner = register_talent(s, f"ow{tag}", "secret123", "王小明", _id_number(), profile)
        owner.employer_id = employer.id
        register_talent(s, f"ot{tag}", "secret123", "李四", _id_number(), copy.deepcopy(profile))
        worker = register_talent(
            s, f"cr{tag}", "secret123", "张师傅", _id_number("1980-01-01"), craftsman
        )
        configure(
            s, admin, "sjz.b.service.research", chain=["county", "city"], auto_approve=True,
            sample_percent=100,
        )  # fmt: skip
        at_police = apply(s, owner, "sjz.b.service.household_registration", uuid.uuid4().hex, hr)
        material = store(s, at_police, hr.id, "户口本.pdf", b"%PDF-1.7 matrix")
        decide(s, county, at_police, "approve", None, at_police.version)
        sampled = apply(s, owner, "sjz.b.service.research", uuid.uuid4().hex, hr)
        assert sampled.post_check == "pending"
        with clock.frozen(CRAFTSMAN_SELECTION_DAY):  # filed in a selection year
            notice = apply(s, worker, "sjz.skills.craftsman_selection", uuid.uuid4().hex)
        assert json.loads(notice.precheck)["state"] == "eligible", notice.precheck
        decide(s, county, notice, "approve", None, notice.version)
        decide(s, hrss, notice, "approve", None, notice.version)
        citizen = register_talent(s, f"zh{tag}", "secret123", "赵某", _id_number())
        objector = s.get(Account, citizen.account_id)
        assert objector is not None
        objection = lodge_objection(s, notice, objector, "13800000000", "证书取得时间有误")
        ids = {
            "dept": at_police.id,
            "auto": sampled.id,
            "notice": notice.id,
            "objection": objection.id,
            "owner": owner.id,
            "police_account": police.id,
            "material": material.id,
            "unverified": unverified.id,
            "owner_account": owner.account_id,
        }
        users = {
            "owner": f"ow{tag}",
            "other": f"ot{tag}",
            "county": f"ca{tag}",
            "wrong_county": f"qx{tag}",
            "city": f"ci{tag}",
            "police": f"po{tag}",
            "hrss": f"hs{tag}",
            "admin": f"ad{tag}",
            "hr": f"hr{tag}",
            "other_hr": f"oh{tag}",
        }
        tokens = {
            role: authenticate(s, name, "secret123", kind="api").token
            for role, name in users.items()
        }
    return {"ids": ids, "tokens": tokens, "number": owner.id_number}


def _headers(world: dict[str, Any], role: str) -> dict[str, str]:
    token = world["tokens"].get(role)
    return {"Authorization": f"Bearer {token}"} if token else {}


def _cookies(world: dict[str, Any], role: str) -> dict[str, str]:
    token = world["tokens"].get(role)
    return {"rencai_session": token} if token else {}


def _api(server: LiveServer, world: dict[str, Any], role: str, route: str) -> int | str:
    ids, headers = world["ids"], _headers(world, role)
    api = f"{server.url}/api/v1"
    with httpx.Client(headers=headers, timeout=30) as client:
        if route == "admin_accounts":
            return client.get(f"{api}/admin/accounts").status_code
        if route == "admin_create":  # a weak password: the administrator reaches validation
            body = {
                "username": f"n{uuid.uuid4().hex[:8]}",
                "password": "short",
                "display_name": "新",
                "role": "city_reviewer",
            }
            return client.post(f"{api}/admin/accounts", json=body).status_code
        if route == "admin_patch":
            response = client.patch(
                f"{api}/admin/accounts/{ids['police_account']}", json={"role": "talent"}
            )
            return response.status_code
        if route == "admin_unlock":
            return client.post(f"{api}/admin/accounts/{ids['police_account']}/unlock").status_code
        if route == "admin_counties":
            return client.get(f"{api}/admin/counties").status_code
        if route == "admin_closure":
            body = {"day": "2026-12-01", "name": "停电", "source": "测试"}
            return client.post(f"{api}/admin/counties/999999/closures", json=body).status_code
        if route == "admin_programs":
            return client.get(f"{api}/admin/programs").status_code
        if route == "admin_program_put":
            body = {"chain": ["nowhere"]}
            return client.put(f"{api}/admin/programs/x.test", json=body).status_code
        if route == "admin_limit_put":  # the seeds state this limit: nobody may change it
            body = {
                "program": "sjz.b.service.household_registration",
                "level": "police",
                "working_days": 3,
                "source": "测试",
            }
            return client.put(f"{api}/admin/review-limits", json=body).status_code
        if route == "admin_load_seeded":
            return client.post(f"{api}/admin/programs/load-seeded").status_code
        if route == "bulk":  # answered per case: the reviewer of the step reaches the version
            body = {"items": [{"id": ids["dept"], "version": 999}]}
            response = client.post(f"{api}/review/bulk-approve", json=body)
            if response.status_code != 200:
                return response.status_code
            return str(response.json()["items"][0]["code"])
        if route == "post_check":
            body = {"confirmed": True, "version": 999}
            return client.post(
                f"{api}/applications/{ids['auto']}/post-check", json=body
            ).status_code
        if route == "objections":
            return client.get(f"{api}/applications/{ids['notice']}/objections").status_code
        if route == "objection_decide":
            body = {"decision": "dismiss", "reason": "核查无误", "version": 999}
            return client.post(
                f"{api}/objections/{ids['objection']}/decision", json=body
            ).status_code
        if route == "notices":
            response = client.get(f"{api}/notices")
            assert world["number"] not in response.text and "张师傅" not in response.text
            return response.status_code
        if route == "notice_object":  # real-named people reach validation (a too short text)
            body = {"contact": "1", "text": "短"}
            return client.post(f"{api}/notices/{ids['notice']}/objections", json=body).status_code
        if route == "admin_reset":  # a weak temporary password: the administrator reaches it
            return client.post(
                f"{api}/admin/accounts/{ids['owner_account']}/password-reset",
                json={"temporary_password": "short"},
            ).status_code
        if route == "employers_unverified":
            return client.get(f"{api}/employers/unverified").status_code
        if route == "employer_verify":  # no evidence: the city office reaches validation
            return client.post(
                f"{api}/employers/{ids['unverified']}/verification",
                json={"decision": "verify", "evidence": " "},
            ).status_code
        if route == "my_password":  # a wrong old password: every signed-in caller reaches it
            body = {"old_password": "not-mine-1", "new_password": "whatever123"}
            return client.put(f"{api}/me/password", json=body).status_code
        if route == "employer_apply":
            body = {
                "talent_id": ids["owner"],
                "program": "sjz.b.purchase_subsidy",
                "idempotency_key": uuid.uuid4().hex,
            }
            return client.post(f"{api}/employer/applications", json=body).status_code
        if route == "dept_detail":
            return client.get(f"{api}/applications/{ids['dept']}").status_code
        if route == "dept_material":
            response = client.get(f"{api}/applications/{ids['dept']}/materials/{ids['material']}")
            if response.status_code == 200:
                assert response.content == b"%PDF-1.7 matrix"
            return response.status_code
        if route == "admin_required":
            return client.get(f"{api}/admin/required-materials").status_code
        if route == "admin_required_put":  # no basis given: the administrator reaches validation
            body = {"items": ["学位证书"], "source": ""}
            return client.put(f"{api}/admin/required-materials/x.test", json=body).status_code
        if route == "dept_decide":
            body = {"decision": "approve", "version": 999}
            return client.post(f"{api}/applications/{ids['dept']}/decision", json=body).status_code
        if route in ("summary_pdf", "notice_pdf", "notice_pending"):
            return client.get(f"{api}/applications/{_pdf_case(ids, route)}").status_code
        if route in ("todo_queue", "objection_queue", "check_queue", "all_visible"):
            # which of this world's cases the caller's list holds (other tests add cases too)
            queue = route.removesuffix("_queue") if route != "all_visible" else "all"
            response = client.get(f"{api}/applications", params={"queue": queue, "per_page": 200})
            if response.status_code != 200:
                return response.status_code
            listed = {item["id"] for item in response.json()["items"]}
            names = {ids["dept"]: "dept", ids["auto"]: "auto", ids["notice"]: "notice"}
            return ",".join(sorted(name for case, name in names.items() if case in listed))
    raise AssertionError(route)


def _pdf_case(ids: dict[str, int], route: str) -> str:
    """The summary of the case at 公安; the notice of the approved 秒批 case, and of the case
    still under review (none yet)."""
    if route == "summary_pdf":
        return f"{ids['dept']}/summary.pdf"
    return f"{ids['auto' if route == 'notice_pdf' else 'dept']}/notice.pdf"


def _row(default: int | str, **overrides: int | str) -> dict[str, int | str]:
    return {role: overrides.get(role, default) for role in ROLES}


ADMIN_ONLY = {"anonymous": 401}
API_EXPECTED: dict[str, dict[str, int | str]] = {
    "admin_accounts": _row(403, **ADMIN_ONLY, admin=200),
    "admin_create": _row(403, **ADMIN_ONLY, admin=422),
    "admin_patch": _row(403, **ADMIN_ONLY, admin=422),
    "admin_unlock": _row(403, **ADMIN_ONLY, admin=200),
    "admin_counties": _row(403, **ADMIN_ONLY, admin=200),
    "admin_closure": _row(403, **ADMIN_ONLY, admin=404),
    "admin_programs": _row(403, **ADMIN_ONLY, admin=200),
    "admin_program_put": _row(403, **ADMIN_ONLY, admin=422),
    "admin_limit_put": _row(403, **ADMIN_ONLY, admin=409),
    "admin_load_seeded": _row(403, **ADMIN_ONLY, admin=200),
    # reviewers only; the case is at the 公安 step, so only 公安 reaches its version check
    "bulk": _row(
        403, anonymous=401, **{**dict.fromkeys(STAFF, "not_found"), "police": "stale_version"}
    ),
    # the sampled 秒批 case (county → city, the owner's employer applied): the city checks it
    "post_check": _row(404, anonymous=401, owner=403, county=403, admin=403, hr=403, city=409),
    # the 工匠 notice (county → 人社): objectors' names are for the handling step (and admin)
    "objections": _row(404, anonymous=401, county=403, city=403, hrss=200, admin=200),
    "objection_decide": _row(404, anonymous=401, county=403, city=403, admin=403, hrss=409),
    "notices": _row(200),
    "notice_object": _row(403, anonymous=401, owner=422, other=422),
    "admin_reset": _row(403, **ADMIN_ONLY, admin=422),
    "employers_unverified": _row(403, anonymous=401, city=200, admin=200),
    "employer_verify": _row(403, anonymous=401, city=422, admin=422),
    "my_password": _row(422, anonymous=401),
    "employer_apply": _row(403, anonymous=401, hr=201, other_hr=404),
    "dept_detail": _row(
        404, anonymous=401, owner=200, county=200, city=200, police=200, admin=200, hr=200
    ),
    # the same people as the case itself; every 200 is audited (test_case_materials_api)
    "dept_material": _row(
        404, anonymous=401, owner=200, county=200, city=200, police=200, admin=200, hr=200
    ),
    "admin_required": _row(403, **ADMIN_ONLY, admin=200),
    "admin_required_put": _row(403, **ADMIN_ONLY, admin=422),
    "dept_decide": _row(
        404, anonymous=401, owner=409, county=409, city=409, police=409, admin=409, hr=409
    ),
    # a case's PDFs: the summary for its reviewers, the notice for its applicant and reviewers
    # once decided; whoever cannot see the case is told it does not exist
    "summary_pdf": _row(
        404, anonymous=401, owner=403, hr=403, county=200, city=200, police=200, admin=200
    ),
    "notice_pdf": _row(404, anonymous=401, owner=200, hr=403, county=200, city=200, admin=200),
    "notice_pending": _row(
        404, anonymous=401, owner=409, hr=403, county=409, city=409, police=409, admin=409
    ),
    # the list's groups, decided in SQL, agree with who may decide / handle each case
    "todo_queue": _row("", anonymous=401, police="dept"),
    "objection_queue": _row("", anonymous=401, hrss="notice"),
    "check_queue": _row("", anonymous=401, city="auto"),
    # everything the caller may see (service.can_see), the same cases as each detail route
    "all_visible": _row(
        "",
        anonymous=401,
        owner="auto,dept",
        county="auto,dept,notice",
        city="auto,dept,notice",
        police="dept",
        hrss="notice",
        admin="auto,dept,notice",
        hr="auto,dept",
    ),
}


@pytest.mark.parametrize("route", list(API_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_api_access(route: str, role: str, live_server: LiveServer, world: dict[str, Any]) -> None:
    assert _api(live_server, world, role, route) == API_EXPECTED[route][role]


def _page(server: LiveServer, world: dict[str, Any], role: str, route: str) -> int | str:
    ids = world["ids"]
    with httpx.Client(
        base_url=server.url,
        cookies=_cookies(world, role),
        follow_redirects=False,
        timeout=30,
        event_hooks=CSRF_HOOKS,
    ) as client:
        if route in ("/admin", "/admin/programs", "/employer", "/review", "/notices", "/assistant"):
            return client.get(route).status_code
        if route == "review_export":  # the filtered list as Excel: the reviewers' own list
            response = client.get("/review/export.xlsx", params={"queue": "all"})
            if response.status_code == 200:
                assert response.content.startswith(b"PK")
            return response.status_code
        if route == "review_list":  # a group, a search and a page of the workspace's list
            params = {"queue": "all", "q": "王", "sort": "-submitted", "page": 1}
            return client.get("/review", params=params).status_code
        if route == "new_staff":
            form = {"username": "x" + uuid.uuid4().hex[:6], "password": "short", "role": "admin"}
            return client.post("/admin/accounts", data=form).status_code
        if route == "staff_update":
            return client.post(
                f"/admin/accounts/{ids['police_account']}", data={"role": "talent"}
            ).status_code
        if route == "configure":
            return client.post(
                "/admin/programs", data={"program": "x.test", "chain_step": ["nowhere"]}
            ).status_code
        if route == "bulk":
            return client.post(
                "/review/bulk-approve", data={"case": f"{ids['dept']}:999"}
            ).status_code
        if route == "objection_decide":
            form = {"decision": "dismiss", "reason": "核查无误", "version": "999"}
            return client.post(f"/objections/{ids['objection']}/decision", data=form).status_code
        if route == "post_check":
            form = {"result": "confirmed", "version": "999"}
            return client.post(f"/applications/{ids['auto']}/post-check", data=form).status_code
        if route == "employer_apply":
            form = {"talent_id": str(ids["owner"]), "program": "sjz.b.settlement_allowance"}
            return client.post("/employer/applications", data=form).status_code
        if route == "material_page":
            return client.get(
                f"/applications/{ids['dept']}/materials/{ids['material']}"
            ).status_code
        if route == "required_page":  # no basis given: the administrator reaches validation
            form = {"program": "x.test", "items": "学位证书", "source": ""}
            return client.post("/admin/required-materials", data=form).status_code
        if route == "notice_object":
            form = {"contact": "1", "text": "短"}
            return client.post(f"/notices/{ids['notice']}/objections", data=form).status_code
        if route == "/review/employers":
            return client.get(route).status_code
        if route == "employer_verify":  # no evidence: the city office reaches validation
            form = {"decision": "verify", "evidence": ""}
            return client.post(f"/review/employers/{ids['unverified']}", data=form).status_code
        if route == "/me/password":
            return client.get(route).status_code
        if route == "my_password":
            form = {"old_password": "x", "new_password": "y", "new_password2": "z"}
            return client.post("/me/password", data=form).status_code
        if route == "admin_reset":
            form = {"action": "reset", "temporary_password": "short"}
            return client.post(f"/admin/accounts/{ids['owner_account']}", data=form).status_code
        if route == "closure":  # no county chosen: the administrator reaches validation
            form = {"county": "", "day": "2026-12-01", "name": "停电", "source": "通知"}
            return client.post("/admin/closures", data=form).status_code
        if route == "assistant_ask":  # the chat page answers everyone's policy questions
            return client.post("/assistant", data={"question": "B卡房租补助多少"}).status_code
        if route == "employment":  # a denial without a reason: HR reaches validation
            form = {"confirmed": "no", "note": ""}
            return client.post(f"/applications/{ids['dept']}/employment", data=form).status_code
        if route in ("summary_pdf", "notice_pdf", "notice_pending"):
            return client.get(f"/applications/{_pdf_case(ids, route)}").status_code
    raise AssertionError(route)


LOGIN = {"anonymous": 303}  # pages send the anonymous to the login page
PAGE_EXPECTED: dict[str, dict[str, int | str]] = {
    "/admin": _row(403, **LOGIN, admin=200),
    "/admin/programs": _row(403, **LOGIN, admin=200),
    "/employer": _row(403, **LOGIN, hr=200, other_hr=200),
    "/review": _row(403, **LOGIN, **dict.fromkeys(STAFF, 200), admin=200),
    "review_export": _row(403, **LOGIN, **dict.fromkeys(STAFF, 200), admin=200),
    "review_list": _row(403, **LOGIN, **dict.fromkeys(STAFF, 200), admin=200),
    "/notices": _row(200),
    "new_staff": _row(403, **LOGIN, admin=422),
    "staff_update": _row(403, **LOGIN, admin=422),
    "configure": _row(403, **LOGIN, admin=422),
    "bulk": _row(403, **LOGIN, **dict.fromkeys(STAFF, 200)),
    "objection_decide": _row(403, **LOGIN, hrss=409),
    "post_check": _row(403, **LOGIN, city=409),
    "employer_apply": _row(403, **LOGIN, hr=303, other_hr=404),
    "notice_object": _row(403, **LOGIN, owner=422, other=422),
    "material_page": _row(
        404, **LOGIN, owner=200, county=200, city=200, police=200, admin=200, hr=200
    ),
    "required_page": _row(403, **LOGIN, admin=422),
    "/review/employers": _row(403, **LOGIN, city=200, admin=200),
    "employer_verify": _row(403, **LOGIN, city=422, admin=422),
    "/me/password": _row(200, **LOGIN),
    "my_password": _row(422, **LOGIN),
    "admin_reset": _row(403, **LOGIN, admin=422),
    "employment": _row(403, **LOGIN, hr=422, other_hr=404),
    "closure": _row(403, **LOGIN, admin=422),
    "/assistant": _row(200),
    "assistant_ask": _row(200),
    "summary_pdf": _row(
        404, **LOGIN, owner=403, hr=403, county=200, city=200, police=200, admin=200
    ),
    "notice_pdf": _row(404, **LOGIN, owner=200, hr=403, county=200, city=200, admin=200),
    "notice_pending": _row(
        404, **LOGIN, owner=409, hr=403, county=409, city=409, police=409, admin=409
    ),
}


@pytest.mark.parametrize("route", list(PAGE_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_page_access(route: str, role: str, live_server: LiveServer, world: dict[str, Any]) -> None:
    assert _page(live_server, world, role, route) == PAGE_EXPECTED[route][role]


def test_nothing_was_decided_by_a_denied_request(world: dict[str, Any]) -> None:
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        dept = s.get(Application, world["ids"]["dept"])
        auto = s.get(Application, world["ids"]["auto"])
        objection = s.get(Objection, world["ids"]["objection"])
        police = s.get(Account, world["ids"]["police_account"])
        assert dept is not None and auto is not None and objection is not None
        assert police is not None and police.role == "department_officer"
        assert (dept.status, auto.post_check, objection.status) == (
            "department_review",
            "pending",
            "pending",
        )
