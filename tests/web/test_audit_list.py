"""The administrator's audit log: /admin/audit, GET /api/v1/audit and the export take the same
list parameters (q, area, from, to, sort, page, per_page), filter by office day, speak Chinese
and refuse a bad value."""

from __future__ import annotations

import datetime as dt
import io
import os
import uuid

import httpx
from openpyxl import load_workbook

from rencai.audit.log import append
from rencai.db.session import session_scope
from rencai.registry.accounts import authenticate, create_account
from rencai.registry.models import Role
from tests.support import CSRF_HOOKS, LiveServer


def test_the_audit_log_is_searched_filtered_paged_and_exported(live_server: LiveServer) -> None:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:8]
    actor = f"aud{tag}"
    with session_scope(url) as s:
        create_account(s, f"adm{tag}", "secret123", "系统管理员", Role.admin)
        # 20:00 UTC is 04:00 the next morning at the office
        append(
            s, actor, "card.photo", f"card:B{tag}", at=dt.datetime(2020, 1, 1, 20, tzinfo=dt.UTC)
        )
        append(s, actor, "account.password_reset", "account:7")
        append(s, actor, "ledger.batch.approve", "batch:9", {"amount_fen": 1})
        token = authenticate(s, f"adm{tag}", "secret123", kind="api").token
    api = f"{live_server.url}/api/v1/audit"

    def get(**params: object) -> httpx.Response:
        return httpx.get(api, params=params, headers={"Authorization": f"Bearer {token}"},
                         timeout=30)  # fmt: skip

    page = get(q=actor, per_page=2).json()
    assert (page["count"], page["pages"]) == (3, 2)
    first = page["items"][0]  # newest first
    assert (first["actor"], first["area"], first["action"], first["target"]) == (
        actor, "资金发放", "审核通过发放批次", "批次 9"
    )  # fmt: skip
    assert page["items"][1]["action"] == "重置密码" and page["items"][1]["target"] == "账户 7"
    oldest = get(q=actor, sort="at").json()["items"][0]
    assert oldest["target"] == f"卡 B{tag}" and oldest["at"].startswith("2020-01-02 04:00")
    assert get(q=actor, area="card").json()["count"] == 1
    assert get(q=actor, **{"from": "2020-01-02", "to": "2020-01-02"}).json()["count"] == 1
    assert get(q=actor, to="2020-01-01").json()["count"] == 0  # an office day, not a UTC one
    assert get(q=actor, **{"from": "2020-01-03"}).json()["count"] == 2
    assert get(q=f"卡 B{tag}").json()["count"] == 1  # a record found by its Chinese kind
    for params, field in (
        ({"from": "2020-13-01"}, "from"),
        ({"from": "2020-02-01", "to": "2020-01-01"}, "to"),
        ({"area": "nonsense"}, "area"),
        ({"sort": "hash"}, "sort"),
    ):
        refused = get(**params)
        assert refused.status_code == 422, params
        error = refused.json()["errors"][0]
        assert error["field"] == field and error["code"] == "bad_list_parameter"
        assert all(ord(c) > 127 for c in error["message"][:2])

    office = httpx.Client(base_url=live_server.url, event_hooks=CSRF_HOOKS)
    login = office.post("/login", data={"username": f"adm{tag}", "password": "secret123"})
    assert login.status_code == 303
    html = office.get("/admin/audit", params={"q": actor}).text
    assert "共3条" in html and "重置密码" in html and 'id="filter-from"' in html
    assert "ledger.batch" not in html and "account:7" not in html
    empty = office.get("/admin/audit", params={"q": actor, "to": "2019-12-31"}).text
    assert "共0条" in empty and "没有符合条件的记录" in empty
    bad = office.get("/admin/audit", params={"from": "昨天"})
    assert bad.status_code == 422 and "起始日期须为日期" in bad.text
    export = office.get("/admin/audit.xlsx", params={"q": actor, "sort": "at"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("序号", "时间", "操作人") and len(rows) == 4
    assert rows[3][3:6] == ("资金发放", "审核通过发放批次", "批次 9")
    assert '"amount_fen":1' in str(rows[3][6])


def test_the_audit_list_is_documented(live_server: LiveServer) -> None:
    spec = httpx.get(f"{live_server.url}/api/openapi.json", timeout=30).json()
    names = {p["name"] for p in spec["paths"]["/api/v1/audit"]["get"]["parameters"]}
    assert {"q", "area", "from", "to", "sort", "page", "per_page"} <= names


def test_housing_batches_and_contracts_are_named_in_chinese(live_server: LiveServer) -> None:
    """A housing batch's or contract's entry names its record in Chinese, never its code."""
    url, tag = os.environ["RENCAI_DATABASE_URL"], uuid.uuid4().hex[:8]
    with session_scope(url) as s:
        create_account(s, f"adm{tag}", "secret123", "系统管理员", Role.admin)
        append(s, f"hs{tag}", "housing.publish", "housing_batch:41")
        append(s, f"hs{tag}", "housing.contract_exit", "housing_contract:42")
        token = authenticate(s, f"adm{tag}", "secret123", kind="api").token
    found = httpx.get(
        f"{live_server.url}/api/v1/audit",
        params={"q": f"hs{tag}", "sort": "at"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()["items"]
    assert [(e["area"], e["target"]) for e in found] == [
        ("人才住房", "住房批次 41"),
        ("人才住房", "住房合同 42"),
    ]
