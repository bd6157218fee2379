"""Every housing route against every role, over real HTTP; all denials asserted."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

from rencai.db.session import session_scope
from rencai.housing import batches
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.models import Role
from rencai.web.cookies import SESSION_COOKIE
from tests.profiles import doctor_today
from tests.support import LiveServer, random_id_number

ROLES = ["anonymous", "owner", "other", "county", "office", "admin"]


@pytest.fixture(scope="module")
def world(live_server: LiveServer) -> dict[str, Any]:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    eligible = doctor_today()
    plain = doctor_today()
    plain["person"]["education"][0].update(degree="bachelor", school_tags=[])
    with session_scope(url) as s:
        register_talent(s, f"hown{tag}", "secret123", "王博士", random_id_number(), eligible)
        register_talent(s, f"hoth{tag}", "secret123", "李学士", random_id_number(), plain)
        create_account(s, f"hca{tag}", "secret123", "长安区", Role.county_reviewer, county="130102")
        office = create_account(s, f"hoff{tag}", "secret123", "住房保障科", Role.housing_office)
        create_account(s, f"hadm{tag}", "secret123", "管理员", Role.admin)
        building = batches.add_building(
            s, office, "shijiazhuang", "一号楼", "130102", "youth", True
        )
        units = [
            batches.add_unit(s, office, building.id, f"{n}", Decimal("50"), 100000).id
            for n in (101, 102, 103)
        ]
        open_batch = batches.create_batch(
            s, office, "shijiazhuang", "apartment", 900, "", ["card.b"], [], [], units[:2]
        )
        batches.open_batch(s, office, open_batch.id)
        draft = batches.create_batch(
            s, office, "shijiazhuang", "apartment", 901, "", ["card.b"], [], [], units[2:]
        )
        ids = {"building": building.id, "open": open_batch.id, "draft": draft.id}
        names = [
            ("owner", "hown"),
            ("other", "hoth"),
            ("county", "hca"),
            ("office", "hoff"),
            ("admin", "hadm"),
        ]
        tokens = {r: authenticate(s, f"{n}{tag}", "secret123", kind="api").token for r, n in names}
        pages = {
            r: authenticate(s, f"{n}{tag}", "secret123", kind="session").token for r, n in names
        }
    headers = {role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()}
    headers["anonymous"] = {}
    cookies = {role: {SESSION_COOKIE: t} for role, t in pages.items()}
    cookies["anonymous"] = {}
    applied = httpx.post(
        f"{live_server.url}/api/v1/housing/batches/{ids['open']}/applications",
        headers=headers["owner"],
        json={"preferences": [ids["building"]]},
    )
    assert applied.status_code == 201, applied.text
    ids["application"] = applied.json()["id"]
    return {"headers": headers, "cookies": cookies, "ids": ids}


TODAY = dt.date(2026, 12, 1).isoformat()

# (method, path, body); {open}/{draft}/{building}/{application} filled from the world
ROUTES: dict[str, tuple[str, str, dict[str, Any] | None]] = {
    "batches": ("GET", "/batches", None),
    "batch_open": ("GET", "/batches/{open}", None),
    "batch_draft": ("GET", "/batches/{draft}", None),
    "result_unpublished": ("GET", "/batches/{open}/result", None),
    "apply": ("POST", "/batches/{open}/applications", {"preferences": ["{building}"]}),
    "mine": ("GET", "/mine", None),
    "object": ("POST", "/batches/{open}/objections", {"text": "异议"}),
    "buildings": ("GET", "/buildings", None),
    "add_building": ("POST", "/buildings", {"name": "二号楼", "county": "130102", "kind": "x"}),
    "add_unit": (
        "POST",
        "/buildings/{building}/units",
        {"number": "101", "size_m2": "50", "rent": "1000"},
    ),
    "create_batch": ("POST", "/batches", {"kind": "x", "number": 1, "unit_ids": [1]}),
    "settings": ("PUT", "/batches/{open}/settings", {"objection_days": 7}),
    "open": ("POST", "/batches/{open}/open", None),
    "close": ("POST", "/batches/{draft}/close", None),
    "applications": ("GET", "/batches/{open}/applications", None),
    "review": ("POST", "/applications/{application}/review", {"approve": False}),
    "seed": ("POST", "/batches/{draft}/seed", {"seed": "abcd-1234"}),
    "draw": ("POST", "/batches/{draft}/draw", None),
    "publish": ("POST", "/batches/{draft}/publish", {}),
    "objections": ("GET", "/batches/{open}/objections", None),
    "answer": ("POST", "/objections/2147483000/answer", {"text": "答复"}),
    "finalize": ("POST", "/batches/{draft}/finalize", {}),
    "contract": ("POST", "/applications/{application}/contract", {"start": TODAY, "end": TODAY}),
    "contracts": ("GET", "/contracts", None),
    "renew": ("POST", "/contracts/2147483000/renew", {"end": TODAY}),
    "exit": ("POST", "/contracts/2147483000/exit", {"reason": "离职"}),
    "end": ("POST", "/contracts/2147483000/end", {}),
    "purchase": (
        "POST",
        "/contracts/2147483000/purchase",
        {"market_price": "100", "no_home_confirmed": True},
    ),
    "certificate": ("POST", "/purchases/2147483000/certificate", {"certificate_on": TODAY}),
    "recheck": ("POST", "/recheck", {}),
}

OFFICE_ONLY = {"anonymous": 401, "owner": 403, "other": 403, "county": 403}


def _office(status: int) -> dict[str, int]:
    return OFFICE_ONLY | {"office": status, "admin": status}


EVERYONE_200 = dict.fromkeys(ROLES, 200)
EXPECTED: dict[str, dict[str, int]] = {
    "batches": EVERYONE_200,
    "batch_open": EVERYONE_200,
    "batch_draft": {"anonymous": 404, "owner": 404, "other": 404, "county": 404}
    | {"office": 200, "admin": 200},
    "result_unpublished": {"anonymous": 404, "owner": 404, "other": 404, "county": 404}
    | {"office": 200, "admin": 200},
    # the owner already applied (409); the bachelor is refused by the rules engine (422)
    "apply": {"anonymous": 401, "owner": 409, "other": 422, "county": 403}
    | {"office": 403, "admin": 403},
    "mine": {"anonymous": 401, "owner": 200, "other": 200, "county": 403}
    | {"office": 403, "admin": 403},
    "object": {"anonymous": 401} | dict.fromkeys(ROLES[1:], 409),
    "buildings": _office(200),
    "add_building": _office(422),
    "add_unit": _office(422),
    "create_batch": _office(422),
    "settings": _office(200),
    "open": _office(409),
    "close": _office(409),
    "applications": _office(200),
    "review": _office(422),
    "seed": _office(409),
    "draw": _office(409),
    "publish": _office(409),
    "objections": _office(200),
    "answer": _office(404),
    "finalize": _office(409),
    "contract": _office(409),
    "contracts": _office(200),
    "renew": _office(404),
    "exit": _office(404),
    "end": _office(404),
    "purchase": _office(404),
    "certificate": _office(404),
    "recheck": _office(200),
}


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def test_every_route_is_listed() -> None:
    assert set(ROUTES) == set(EXPECTED)
    from rencai.web.api.housing import router

    assert (
        len({(tuple(r.methods), r.path) for r in router.routes}) == len(ROUTES) - 1
    )  # one route read as open and draft


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_housing_access(live_server: LiveServer, world: dict[str, Any], route: str) -> None:
    method, path, body = ROUTES[route]
    ids = world["ids"]
    seen = {}
    for role in ROLES:
        response = httpx.request(
            method,
            f"{live_server.url}/api/v1/housing{_fill(path, ids)}",
            headers=world["headers"][role],
            json=_fill(body, ids) if body is not None else None,
        )
        seen[role] = response.status_code
        if response.status_code >= 400:  # every refusal is structured, in Chinese
            error = response.json()["errors"][0]
            assert error["message"] and not error["message"].isascii(), response.text
    assert seen == EXPECTED[route]


PAGES = {
    "/housing": {"anonymous": 200} | dict.fromkeys(ROLES[1:], 200),
    "/housing/batches/{open}": dict.fromkeys(ROLES, 200),
    "/housing/batches/{draft}": {"anonymous": 404, "owner": 404, "other": 404, "county": 404}
    | {"office": 200, "admin": 200},
    "/housing/mine": {"anonymous": 303, "owner": 200, "other": 200, "county": 403}
    | {"office": 403, "admin": 403},
    "/housing/office": {"anonymous": 303, "owner": 403, "other": 403, "county": 403}
    | {"office": 200, "admin": 200},
}


@pytest.mark.parametrize("path", sorted(PAGES))
def test_housing_pages_access(live_server: LiveServer, world: dict[str, Any], path: str) -> None:
    seen = {}
    for role in ROLES:
        client = httpx.Client(cookies=world["cookies"][role], follow_redirects=False)
        with client:
            response = client.get(f"{live_server.url}{path.format(**world['ids'])}")
        seen[role] = response.status_code
    assert seen == PAGES[path]
