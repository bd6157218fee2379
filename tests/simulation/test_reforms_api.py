"""政策模拟 over real HTTP: reforms saved and refused, runs in the background, comparison, and
every route against every role."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from rencai.db.session import session_scope
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.identifiers import id_check_character
from rencai.registry.models import Account, Role
from rencai.simulation import service
from rencai.simulation.models import ReformRun
from tests.profiles import doctor_today
from tests.support import LiveServer, random_first17

RENT = {"parameter": "b_card.rent_subsidy.doctorate", "from": "2021-02-10", "value": 3000}


def _id_number() -> str:
    first17 = random_first17()
    return first17 + id_check_character(first17)


@pytest.fixture(scope="module")
def office(live_server: LiveServer) -> dict[str, Any]:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    profile = doctor_today()
    tokens = {}
    with session_scope(url) as s:
        create_account(s, f"radm{tag}", "secret123", "管理员", Role.admin)
        create_account(s, f"rlead{tag}", "secret123", "领导", Role.leadership)
        create_account(s, f"rcity{tag}", "secret123", "市委人才办", Role.city_reviewer)
        create_account(s, f"rfin{tag}", "secret123", "财务", Role.finance)
        create_account(
            s, f"rcounty{tag}", "secret123", "长安区", Role.county_reviewer, county="130102"
        )
        register_talent(s, f"rtal{tag}", "secret123", "王博士", _id_number(), profile)
        for role, name in [
            ("admin", "radm"),
            ("leadership", "rlead"),
            ("city", "rcity"),
            ("finance", "rfin"),
            ("county", "rcounty"),
            ("talent", "rtal"),
        ]:
            tokens[role] = authenticate(s, f"{name}{tag}", "secret123", kind="api").token
    headers = {role: {"Authorization": f"Bearer {t}"} for role, t in tokens.items()}
    headers["anonymous"] = {}
    return {"headers": headers, "tag": tag}


def _save(server: LiveServer, office: dict[str, Any], name: str, *changes: dict) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/v1/reforms",
        headers=office["headers"]["admin"],
        json={"name": f"{name}{office['tag']}", "changes": list(changes)},
    )


def _wait(server: LiveServer, headers: dict[str, str], run_id: int) -> dict[str, Any]:
    for _ in range(300):
        run = httpx.get(f"{server.url}/api/v1/reform-runs/{run_id}", headers=headers).json()
        if run["status"] in ("done", "failed"):
            return run
        time.sleep(0.2)
    raise AssertionError("the run did not finish")


def test_save_run_in_background_and_compare(live_server: LiveServer, office: dict) -> None:
    admin, lead = office["headers"]["admin"], office["headers"]["leadership"]
    saved = _save(
        live_server, office, "博士房租提高", {**RENT, "from": "2026-01-01", "value": 4000}
    )
    assert saved.status_code == 201, saved.text
    reform = saved.json()
    assert "B卡房租补助（博士，每月）：自2026-01-01起调整为 4000" in reform["changes"][0]["text"]
    nothing = _save(live_server, office, "不作调整")
    assert nothing.status_code == 201
    # leadership runs a saved reform, on the registered talents, for a year
    body = {
        "reforms": [reform["id"]],
        "population": "registered",
        "start": "2026-01-01",
        "months": 12,
    }
    started = httpx.post(f"{live_server.url}/api/v1/reform-runs", headers=lead, json=body)
    assert started.status_code == 202, started.text
    assert started.json()["status"] == "queued"
    run = _wait(live_server, lead, started.json()["id"])
    assert run["status"] == "done", run
    assert run["done_months"] == 12
    result = run["result"]
    rent = next(p for p in result["programs"] if p["program"] == "sjz.b.rent_subsidy")
    # each registered doctorate's rent subsidy rises from 3000 to 4000 yuan a month while paid
    # (other tests' talents share the database: other degrees' months do not change)
    difference = rent["difference_fen"]
    assert difference % 100_000 == 0 and 0 < difference <= 100_000 * rent["reform_recipient_months"]
    assert result["total"]["difference_fen"] == difference and result["total"]["losers"] == 0
    zero = httpx.post(
        f"{live_server.url}/api/v1/reform-runs",
        headers=admin,
        json={**body, "reforms": [nothing.json()["id"]]},
    )
    zero_run = _wait(live_server, admin, zero.json()["id"])
    assert zero_run["result"]["total"]["difference_fen"] == 0
    both = f"{run['id']},{zero_run['id']}"
    compared = httpx.get(f"{live_server.url}/api/v1/reform-runs/compare?ids={both}", headers=lead)
    assert compared.status_code == 200
    assert [c["id"] for c in compared.json()["items"]] == [run["id"], zero_run["id"]]
    listed = httpx.get(f"{live_server.url}/api/v1/reform-runs", headers=lead).json()
    assert {run["id"], zero_run["id"]} <= {r["id"] for r in listed["items"]}
    assert all(r["result"] is None for r in listed["items"])  # the list is light


def test_refusals_are_structured_and_change_nothing(live_server: LiveServer, office: dict) -> None:
    admin = office["headers"]["admin"]
    before = httpx.get(f"{live_server.url}/api/v1/reforms", headers=admin).json()["count"]
    bad = _save(live_server, office, "错参数", {**RENT, "parameter": "b_card.rent"})
    assert bad.status_code == 422
    error = bad.json()["errors"][0]
    assert (
        error["code"] == "unknown_parameter" and "b_card.rent_subsidy.doctorate" in error["message"]
    )
    clash = _save(live_server, office, "冲突", RENT, {**RENT, "value": 5000})
    assert clash.status_code == 422 and clash.json()["errors"][0]["code"] == "conflict"
    first = _save(live_server, office, "甲方案", RENT)
    second = _save(live_server, office, "乙方案", {**RENT, "value": 3500})
    assert first.status_code == second.status_code == 201
    again = _save(live_server, office, "甲方案", RENT)
    assert again.status_code == 409
    after = httpx.get(f"{live_server.url}/api/v1/reforms", headers=admin).json()["count"]
    assert after == before + 2
    # two saved reforms changing the same parameter cannot be stacked
    body = {"reforms": [first.json()["id"], second.json()["id"]], "months": 12}
    stacked = httpx.post(f"{live_server.url}/api/v1/reform-runs", headers=admin, json=body)
    assert stacked.status_code == 422
    assert stacked.json()["errors"][0]["code"] == "conflict"
    long = httpx.post(
        f"{live_server.url}/api/v1/reform-runs",
        headers=admin,
        json={"reforms": [first.json()["id"]], "months": 999},
    )
    assert long.status_code == 422 and long.json()["errors"][0]["field"] == "months"


ROUTES = ["catalogue", "list", "create", "detail", "update", "run", "runs", "run_detail", "compare"]
ROUTES += ["rerun"]
# who may: the administrator everything; leadership reads and runs; nobody else anything
ALLOWED = {
    "admin": set(ROUTES),
    "leadership": {"catalogue", "list", "detail", "run", "runs", "run_detail", "compare", "rerun"},
}


def _call(server: LiveServer, office: dict, role: str, route: str, ids: dict) -> int:
    h = office["headers"][role]
    api = f"{server.url}/api/v1"
    unique = uuid.uuid4().hex[:8]
    if route == "catalogue":
        return httpx.get(f"{api}/reforms/catalogue", headers=h).status_code
    if route == "list":
        return httpx.get(f"{api}/reforms", headers=h).status_code
    if route == "create":
        body = {"name": f"矩阵{unique}", "changes": []}
        return httpx.post(f"{api}/reforms", headers=h, json=body).status_code
    if route == "detail":
        return httpx.get(f"{api}/reforms/{ids['reform']}", headers=h).status_code
    if route == "update":
        body = {"name": f"矩阵{unique}", "changes": []}
        return httpx.put(f"{api}/reforms/{ids['reform']}", headers=h, json=body).status_code
    if route == "run":
        body = {"reforms": [ids["reform"]], "months": 1, "start": "2026-01-01"}
        return httpx.post(f"{api}/reform-runs", headers=h, json=body).status_code
    if route == "runs":
        return httpx.get(f"{api}/reform-runs", headers=h).status_code
    if route == "run_detail":
        return httpx.get(f"{api}/reform-runs/{ids['run']}", headers=h).status_code
    if route == "rerun":  # a finished run is not run again (422): past the gate all the same
        return httpx.post(f"{api}/reform-runs/{ids['run']}/rerun", headers=h).status_code
    assert route == "compare"
    return httpx.get(
        f"{api}/reform-runs/compare?ids={ids['run']},{ids['other']}", headers=h
    ).status_code


def test_access_matrix(live_server: LiveServer, office: dict) -> None:
    admin = office["headers"]["admin"]
    reform = _save(live_server, office, "矩阵方案").json()["id"]
    runs = []
    for _ in range(2):
        body = {"reforms": [reform], "months": 1, "start": "2026-01-01"}
        started = httpx.post(f"{live_server.url}/api/v1/reform-runs", headers=admin, json=body)
        runs.append(_wait(live_server, admin, started.json()["id"])["id"])
    ids = {"reform": reform, "run": runs[0], "other": runs[1]}
    success = {"create": 201, "run": 202, "rerun": 422}
    for role in ["anonymous", "talent", "county", "city", "finance", "leadership", "admin"]:
        for route in ROUTES:
            status = _call(live_server, office, role, route, ids)
            if role in ALLOWED and route in ALLOWED[role]:
                assert status == success.get(route, 200), (role, route, status)
            else:
                assert status == (401 if role == "anonymous" else 403), (role, route, status)


def test_a_run_whose_process_was_killed_fails_visibly_and_runs_again(
    live_server: LiveServer, office: dict
) -> None:
    admin = office["headers"]["admin"]
    reform = _save(live_server, office, "中断方案", RENT).json()["id"]
    url = os.environ["RENCAI_DATABASE_URL"]
    with session_scope(url) as s:
        account = s.scalar(select(Account).where(Account.username == f"radm{office['tag']}"))
        assert account is not None
        request = service.RunRequest([reform], [], "registered", dt.date(2026, 1, 1), 36)
        run_id = service.start(s, account, request).id
    # the run computed by a process of its own, killed while it computes
    worker = subprocess.Popen(
        [sys.executable, "-c", KILLED, str(run_id), url],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    try:
        for _ in range(600):
            run = httpx.get(f"{live_server.url}/api/v1/reform-runs/{run_id}", headers=admin).json()
            if run["status"] == "running":
                break
            assert worker.poll() is None
            time.sleep(0.05)
        assert run["status"] == "running"
    finally:
        worker.kill()
        worker.wait()
    run = httpx.get(f"{live_server.url}/api/v1/reform-runs/{run_id}", headers=admin).json()
    assert run["status"] == "running" and run["done_months"] < 36  # nobody knows yet
    # time passes: its last sign of life grows older than the limit
    with session_scope(url) as s:
        row = s.get(ReformRun, run_id)
        assert row is not None and row.heartbeat_at is not None
        row.heartbeat_at -= dt.timedelta(minutes=10)
    page = httpx.get(f"{live_server.url}/api/v1/reform-runs/{run_id}", headers=admin).json()
    assert page["status"] == "failed" and page["status_label"] == "失败"
    assert page["error"] == service.INTERRUPTED and page["result"] is None
    # and it runs again, the same reform on the same population and window
    again = httpx.post(f"{live_server.url}/api/v1/reform-runs/{run_id}/rerun", headers=admin)
    assert again.status_code == 202, again.text
    assert again.json()["id"] != run_id and again.json()["reforms"] == [reform]
    done = _wait(live_server, admin, again.json()["id"])
    assert done["status"] == "done" and done["months"] == 36
    # a run that did not fail is not run again
    twice = httpx.post(f"{live_server.url}/api/v1/reform-runs/{done['id']}/rerun", headers=admin)
    assert twice.status_code == 422 and twice.json()["errors"][0]["field"] == "run"


KILLED = (
    "import sys; from rencai.simulation.service import execute; "
    "execute(int(sys.argv[1]), sys.argv[2])"
)
