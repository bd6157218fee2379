"""The payments API over real HTTP: finance only, four eyes as a structured 409, Excel."""

from __future__ import annotations

import datetime as dt
import io
import os
import uuid
from pathlib import Path

import httpx
from openpyxl import load_workbook

from rencai.db.session import session_scope
from rencai.registry.accounts import create_account
from rencai.registry.models import Role
from tests.ledger.world import add_schedule, contributions
from tests.support import LiveServer


def _token(server: LiveServer, username: str) -> dict[str, str]:
    response = httpx.post(
        server.url + "/api/v1/tokens", json={"username": username, "password": "secret123"}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_run_approve_and_report_over_http(live_server: LiveServer, tmp_path: Path) -> None:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    with session_scope(url) as session:
        create_account(session, f"fx{tag}", "secret123", "财务", Role.finance)
        create_account(session, f"fy{tag}", "secret123", "财务", Role.finance)
        create_account(session, f"rv{tag}", "secret123", "市级", Role.city_reviewer)
    add_schedule(url, 911, start="2023-07-01")
    contributions(url, tmp_path, [911], dt.date(2023, 7, 1), 1)
    runner, second = _token(live_server, f"fx{tag}"), _token(live_server, f"fy{tag}")
    api = live_server.url + "/api/v1/ledger"

    refused = httpx.post(
        api + "/runs", json={"month": "2023-07"}, headers=_token(live_server, f"rv{tag}")
    )
    assert refused.status_code == 403 and refused.json()["errors"][0]["code"] == "forbidden"
    bad = httpx.post(api + "/runs", json={"month": "2023-13"}, headers=runner)
    assert bad.status_code == 422
    run = httpx.post(api + "/runs", json={"month": "2023-07"}, headers=runner, timeout=60)
    assert run.status_code == 200, run.text
    body = run.json()
    # the app's database is shared with other tests: only this talent's line is paid
    assert body["decisions"]["pay"] == 1 and body["batch_total"] == "3000.00"
    other = httpx.post(api + "/runs", json={"month": "2023-07", "run_id": "x" * 8}, headers=runner)
    assert other.status_code == 409 and other.json()["errors"][0]["code"] == "month_already_run"
    decision = api + f"/batches/{body['batch_id']}/decision"
    own = httpx.post(decision, json={"decision": "approve"}, headers=runner)
    assert own.status_code == 409 and own.json()["errors"][0]["code"] == "four_eyes"
    approved = httpx.post(decision, json={"decision": "approve"}, headers=second)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    excel = httpx.get(api + "/reports/month.xlsx", headers=second)
    assert excel.status_code == 200
    rows = list(load_workbook(io.BytesIO(excel.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "月份" and any(r[0] == "2023-07" for r in rows[1:])
    # money is a number in 元 a finance officer can sum; the header stays in view
    sheet = load_workbook(io.BytesIO(excel.content)).worksheets[0]
    july = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "2023-07")
    assert sheet.freeze_panes == "A2"
    headers = [cell.value for cell in sheet[1]]
    assert headers[-1] == "金额待主管部门明确（期）"  # a count of lines, not money (0379)
    for cell in july[1:-1]:
        assert cell.data_type == "n" and cell.number_format == '#,##0.00"元"', cell.value
    assert july[-1].data_type == "n" and july[-1].value == 0


def test_only_an_administrator_sets_the_recovery_basis(live_server: LiveServer) -> None:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    with session_scope(url) as session:
        create_account(session, f"ad{tag}", "secret123", "管理员", Role.admin)
        create_account(session, f"fz{tag}", "secret123", "财务", Role.finance)
    setting = live_server.url + "/api/v1/ledger/settings/clawback_basis.fraud"
    finance = httpx.put(setting, json={"value": "all"}, headers=_token(live_server, f"fz{tag}"))
    assert finance.status_code == 403
    admin = _token(live_server, f"ad{tag}")
    bad = httpx.put(setting, json={"value": "half"}, headers=admin)
    assert bad.status_code == 422
    unknown = httpx.put(setting.replace("fraud", "other"), json={"value": "all"}, headers=admin)
    assert unknown.status_code == 404
    done = httpx.put(setting, json={"value": "all"}, headers=admin)
    assert done.status_code == 200 and done.json()["value"] == "all"
    changed = httpx.put(setting, json={"value": "unserved"}, headers=admin)
    # a conflict with the setting already made: 409, as on the finance page (decision 0095)
    assert changed.status_code == 409 and changed.json()["errors"][0]["code"] == "already_set"


def test_a_month_out_of_range_is_a_structured_422_and_writes_nothing(
    live_server: LiveServer,
) -> None:
    from sqlalchemy import func, select

    from rencai.ledger.models import Batch, Run

    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    with session_scope(url) as session:
        create_account(session, f"fm{tag}", "secret123", "财务", Role.finance)
        runs_before = session.scalar(select(func.count()).select_from(Run))
        batches_before = session.scalar(select(func.count()).select_from(Batch))
    headers = _token(live_server, f"fm{tag}")
    for month in ("0000-01", "0001-01", "9999-12", "2016-12", "2024-1", "二〇二四-01"):
        response = httpx.post(
            live_server.url + "/api/v1/ledger/runs", json={"month": month}, headers=headers
        )
        assert response.status_code == 422, (month, response.text)
        error = response.json()["errors"][0]
        assert error["field"] == "month" or "month" in str(error.get("field"))
        assert "发放月份" in error["message"] or "月份" in error["message"]
    with session_scope(url) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == runs_before
        assert session.scalar(select(func.count()).select_from(Batch)) == batches_before


def test_the_approver_sees_every_line_of_a_batch(live_server: LiveServer, tmp_path: Path) -> None:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    with session_scope(url) as session:
        create_account(session, f"fp{tag}", "secret123", "财务", Role.finance)
        create_account(session, f"fq{tag}", "secret123", "财务", Role.finance)
    for seed in (921, 922):
        add_schedule(url, seed, start="2023-08-01")
    contributions(url, tmp_path, [921, 922], dt.date(2023, 8, 1), 1)
    runner, second = _token(live_server, f"fp{tag}"), _token(live_server, f"fq{tag}")
    api = live_server.url + "/api/v1/ledger"
    run = httpx.post(api + "/runs", json={"month": "2023-08"}, headers=runner, timeout=60)
    assert run.status_code == 200, run.text
    batch_id = run.json()["batch_id"]
    detail = httpx.get(api + f"/batches/{batch_id}", headers=second)
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["status"] == "pending_approval" and body["total"] == "6000.00"
    assert len(body["lines"]) == body["items"] == 2
    for line in body["lines"]:
        assert line["payee"] == "人****"  # 人才921: the surname only
        assert line["amount_label"] == "3000.00元" and line["program_name"] == "房租补助"
        assert line["account_no_masked"].startswith("****") and "period" in line
        assert "application_id" in line and line["schedule_id"]
    assert "人才92" not in detail.text and "62220000" not in detail.text
    missing = httpx.get(api + "/batches/2147483647", headers=second)
    assert missing.status_code == 404
