"""Every finance action route (API and page) against every role, over real HTTP on PostgreSQL.

Allowed roles send input the service refuses (or a read), so the matrix changes nothing: an
allowed role is told 422 (or 200 for reads), a refused one 403, the anonymous 401 (API) or sent
to the login page (303). Afterwards the receivable's journal is checked to be untouched."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from rencai.db.session import session_scope
from rencai.ledger.models import JournalEntry, Schedule
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.models import Role
from tests.ledger.world import fresh_id_number, person_with_receivable
from tests.profiles import doctor_today
from tests.support import CSRF_HOOKS, ServerProcess

ROLES = [
    "anonymous",
    "talent",
    "employer",
    "county",
    "city",
    "department",
    "service_point",
    "finance",
    "admin",
]


@pytest.fixture(scope="module")
def world(pg_server: ServerProcess) -> dict[str, Any]:
    url, tag = pg_server.database_url, uuid.uuid4().hex[:6]
    person = person_with_receivable(url)
    tokens = {}
    with session_scope(url) as s:
        profile = doctor_today()
        register_talent(s, f"tl{tag}", "secret123", "王博士", fresh_id_number(), profile)
        accounts = {
            "employer": (Role.employer, {}),
            "county": (Role.county_reviewer, {"county": "130102"}),
            "city": (Role.city_reviewer, {}),
            "department": (Role.department_officer, {"department": "hrss"}),
            "service_point": (Role.service_point, {}),
            "finance": (Role.finance, {}),
            "admin": (Role.admin, {}),
        }
        for name, (role, extra) in accounts.items():
            create_account(s, f"{name[:3]}{tag}", "secret123", name, role, **extra)
        for name in ["talent", *accounts]:
            username = f"tl{tag}" if name == "talent" else f"{name[:3]}{tag}"
            tokens[name] = authenticate(s, username, "secret123", kind="api").token
    return {"person": person, "tokens": tokens}


def _api(server: ServerProcess, world: dict[str, Any], role: str, route: str) -> int:
    token = world["tokens"].get(role)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    rid, sid = world["person"]["receivable_id"], world["person"]["schedule_id"]
    api = f"{server.url}/api/v1/ledger"
    with httpx.Client(headers=headers, timeout=30) as client:
        if route == "receivable":
            return client.get(f"{api}/receivables/{rid}").status_code
        if route == "repay":
            return client.post(
                f"{api}/receivables/{rid}/repayments", json={"amount": "abc"}
            ).status_code
        if route == "write_off":
            return client.post(
                f"{api}/receivables/{rid}/write-off", json={"reason": ""}
            ).status_code
        if route == "fraud":
            body = {"found_on": "2999-01-01", "note": "伪造"}
            return client.post(f"{api}/schedules/{sid}/fraud", json=body).status_code
        if route == "payee":
            body = {
                "id_number": world["person"]["id_number"],
                "account_name": "张三",
                "account_no": "12",
                "bank_name": "工商银行",
            }
            return client.post(f"{api}/payees", json=body).status_code
        if route == "employer":
            return client.post(f"{api}/schedules/{sid}/employer", json={"uscc": "bad"}).status_code
        if route == "history":
            body = {"id_number": world["person"]["id_number"]}
            return client.post(f"{api}/payment-history", json=body).status_code
        if route == "feed":
            files = {"file": ("x.csv", "错误表头\n1\n".encode())}
            return client.post(f"{api}/feeds/contributions", files=files).status_code
        if route == "setting":
            body = {"value": "half"}
            return client.put(f"{api}/settings/clawback_basis.fraud", json=body).status_code
        if route == "run":  # a month out of range: refused, nothing written
            return client.post(f"{api}/runs", json={"month": "0000-01"}).status_code
        if route == "batch":  # the approver's view of a batch's lines (none such here)
            return client.get(f"{api}/batches/{NO_BATCH}").status_code
        if route == "batch_list":  # the list, filtered, sorted and paged
            return client.get(f"{api}/batches?status=approved&sort=-month&per_page=5").status_code
        if route == "receivable_list":
            return client.get(f"{api}/receivables?q=1234&status=open").status_code
        if route == "schedule_list":
            return client.get(f"{api}/schedules?q=1234&status=active&sort=start").status_code
        if route == "decision":
            body = {"decision": "approve"}
            return client.post(f"{api}/batches/{NO_BATCH}/decision", json=body).status_code
    raise AssertionError(route)


def _page(server: ServerProcess, world: dict[str, Any], role: str, route: str) -> int:
    token = world["tokens"].get(role)
    cookies = {"rencai_session": token} if token else {}
    rid, sid = world["person"]["receivable_id"], world["person"]["schedule_id"]
    with httpx.Client(
        base_url=server.url,
        cookies=cookies,
        follow_redirects=False,
        timeout=30,
        event_hooks=CSRF_HOOKS,
    ) as client:
        if route == "receivable":
            return client.get(f"/ledger/receivables/{rid}").status_code
        if route == "repay":
            return client.post(
                f"/ledger/receivables/{rid}/repayments", data={"amount": "-5"}
            ).status_code
        if route == "write_off":
            return client.post(
                f"/ledger/receivables/{rid}/write-off", data={"reason": ""}
            ).status_code
        if route == "fraud":
            data = {"found_on": "not-a-date", "note": "伪造"}
            return client.post(f"/ledger/schedules/{sid}/fraud", data=data).status_code
        if route == "payee":
            data = {"id_number": "1", "account_name": "张三", "account_no": "1", "bank_name": "x"}
            return client.post("/ledger/payees", data=data).status_code
        if route == "employer":
            return client.post(f"/ledger/schedules/{sid}/employer", data={"uscc": "x"}).status_code
        if route == "history":
            data = {"id_number": world["person"]["id_number"]}
            return client.post("/ledger/people", data=data).status_code
        if route == "feed":
            files = {"file": ("x.csv", "错误表头\n1\n".encode())}
            return client.post(
                "/ledger/feeds", data={"kind": "contributions"}, files=files
            ).status_code
        if route == "setting":
            data = {"key": "clawback_basis.fraud", "value": "half"}
            return client.post("/ledger/settings", data=data).status_code
        if route == "run":
            return client.post("/ledger/runs", data={"month": "0000-01"}).status_code
        if route == "batch":
            return client.get(f"/ledger/batches/{NO_BATCH}").status_code
        if route == "batch_list":  # the batches tab and its export
            tab = client.get("/ledger?tab=batches&status=approved&sort=-month")
            export = client.get("/ledger/batches.xlsx?status=approved")
            assert tab.status_code == export.status_code
            return tab.status_code
        if route == "receivable_list":
            tab = client.get("/ledger?tab=receivables&q=1234")
            export = client.get("/ledger/receivables.xlsx?q=1234")
            assert tab.status_code == export.status_code
            return tab.status_code
        if route == "schedule_list":
            tab = client.get("/ledger?tab=schedules&q=1234&level=city")
            export = client.get("/ledger/schedules.xlsx?q=1234&level=city")
            assert tab.status_code == export.status_code
            return tab.status_code
        if route == "decision":
            data = {"decision": "approve"}
            return client.post(f"/ledger/batches/{NO_BATCH}/decision", data=data).status_code
    raise AssertionError(route)


STAFF = {"finance", "admin"}
READS = {"receivable", "history", "batch_list", "receivable_list", "schedule_list"}
ROUTES = [
    "receivable",
    "repay",
    "write_off",
    "fraud",
    "payee",
    "employer",
    "history",
    "feed",
    "run",
    "batch",
    "decision",
    "batch_list",
    "receivable_list",
    "schedule_list",
]
NO_BATCH = 2147483647
MISSING = {"batch", "decision"}  # staff are told the batch does not exist


def _expected(role: str, route: str, anonymous: int) -> int:
    if role == "anonymous":
        return anonymous
    if route == "setting":  # only the administrator decides the recovery basis
        return 422 if role == "admin" else 403
    if role not in STAFF:
        return 403
    if route in MISSING:
        return 404
    return 200 if route in READS else 422


@pytest.mark.parametrize("route", [*ROUTES, "setting"])
@pytest.mark.parametrize("role", ROLES)
def test_api_access(route: str, role: str, pg_server: ServerProcess, world: dict[str, Any]) -> None:
    assert _api(pg_server, world, role, route) == _expected(role, route, 401)


@pytest.mark.parametrize("route", [*ROUTES, "setting"])
@pytest.mark.parametrize("role", ROLES)
def test_page_access(
    route: str, role: str, pg_server: ServerProcess, world: dict[str, Any]
) -> None:
    assert _page(pg_server, world, role, route) == _expected(role, route, 303)


def test_the_matrix_changed_nothing(pg_server: ServerProcess, world: dict[str, Any]) -> None:
    url = pg_server.database_url
    with session_scope(url) as session:
        kinds = session.scalars(
            select(JournalEntry.kind).where(
                JournalEntry.receivable_id == world["person"]["receivable_id"]
            )
        ).all()
        schedule = session.get(Schedule, world["person"]["schedule_id"])
        assert schedule is not None
        assert list(kinds) == ["receivable_raised"]
        assert schedule.employer_uscc is not None and schedule.employer_uscc.startswith("91130100")
