"""The finance officer's schedules (发放计划) take the list parameters (q, status, program,
county, level, sort, page, per_page) the same way in the API, the /ledger tab and its Excel
export: counted in the database, money as numbers, identity numbers masked as on the page."""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import uuid
from decimal import Decimal

import httpx
from openpyxl import load_workbook
from sqlalchemy import select

from rencai.db.session import session_scope
from rencai.ledger.models import Line
from rencai.ledger.schedules import create_schedule, terms_for
from rencai.registry.accounts import authenticate, create_account
from rencai.registry.models import Role
from tests.ledger.world import fresh_id_number, uscc
from tests.profiles import DOCTOR
from tests.support import CSRF_HOOKS, LiveServer

COUNTY = "130184"  # 新乐市: only this test's schedules


def test_the_schedule_list_filters_searches_sorts_pages_and_exports(
    live_server: LiveServer,
) -> None:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    profile = copy.deepcopy(DOCTOR)
    profile["employment"]["start_date"] = "2024-01-01"
    profile["employment"]["county"] = COUNTY
    terms = terms_for("shijiazhuang", profile, "sjz.b.rent_subsidy", dt.date(2026, 11, 1))
    assert terms is not None
    ids, numbers = [], []
    with session_scope(url) as s:
        create_account(s, f"fs{tag}", "secret123", "财务人员", Role.finance)
        for name in ["韩一", "杨二", "朱三"]:
            # 杨二's ends in the check character X: found by its last four, typed either case
            number = fresh_id_number("X" if name == "杨二" else None)
            schedule = create_schedule(s, terms=terms, program="sjz.b.rent_subsidy",
                                       jurisdiction="shijiazhuang", county=COUNTY,
                                       id_number=number, payee_name=name, actor="test",
                                       employer_uscc=uscc(1))  # fmt: skip
            ids.append(schedule.id)
            numbers.append(number)
        schedule.status = "suspended"  # 朱三's
        first = s.scalar(select(Line).where(Line.schedule_id == ids[0], Line.seq == 1))
        assert first is not None
        first.status = "paid"
        paid_fen = first.amount_fen
        token = authenticate(s, f"fs{tag}", "secret123", kind="api").token
    api = f"{live_server.url}/api/v1/ledger/schedules"

    def get(**params: object) -> httpx.Response:
        return httpx.get(api, params=params, headers={"Authorization": f"Bearer {token}"},
                         timeout=30)  # fmt: skip

    page = get(county=COUNTY, per_page=2, sort="id").json()
    assert (page["count"], page["pages"]) == (3, 2)
    assert [r["id"] for r in page["items"]] == ids[:2]
    row = page["items"][0]
    assert row["payee"] == "韩*" and row["id_number"].endswith(numbers[0][-4:])
    assert numbers[0] not in str(page) and "韩一" not in str(page)
    assert row["paid_fen"] == paid_fen and row["planned_fen"] > paid_fen
    assert row["county_name"] == "新乐市" and row["level_label"] == "市级"
    assert [r["id"] for r in get(county=COUNTY).json()["items"]] == ids[::-1]  # newest first
    assert [r["id"] for r in get(q=numbers[1][-4:], county=COUNTY).json()["items"]] == [ids[1]]
    assert [r["id"] for r in get(q=numbers[1][-4:].lower(), county=COUNTY).json()["items"]] == [
        ids[1]
    ]
    masked = numbers[2][:6] + "*" * 8 + numbers[2][-4:]
    assert [r["id"] for r in get(q=masked).json()["items"]] == [ids[2]]
    assert [r["id"] for r in get(q=str(ids[1])).json()["items"]] == [ids[1]]
    assert get(county=COUNTY, status="suspended").json()["count"] == 1
    assert get(county=COUNTY, level="county").json()["count"] == 0
    assert get(county=COUNTY, program="sjz.b.rent_subsidy").json()["count"] == 3
    for params, field in (({"sort": "amount"}, "sort"), ({"county": "999999"}, "county"),
                          ({"program": "bad program!"}, "program")):  # fmt: skip
        refused = get(**params)
        assert refused.status_code == 422, params
        error = refused.json()["errors"][0]
        assert error["field"] == field and error["code"] == "bad_list_parameter"
    for params in ({"per_page": 0}, {"page": 0}, {"status": "lost"}, {"level": "province"}):
        assert get(**params).status_code == 422, params

    office = httpx.Client(base_url=live_server.url, event_hooks=CSRF_HOOKS)
    login = office.post("/login", data={"username": f"fs{tag}", "password": "secret123"})
    assert login.status_code == 303
    html = office.get("/ledger", params={"tab": "schedules", "county": COUNTY}).text
    assert "共3条" in html and "韩*" in html and "韩一" not in html and "¥" in html
    assert 'id="filter-program"' in html and "新乐市" in html
    empty = office.get("/ledger", params={"tab": "schedules", "q": "没有这个人"}).text
    assert "共0条" in empty and "没有符合条件的发放计划" in empty
    bad = office.get("/ledger", params={"tab": "schedules", "sort": "amount"})
    assert bad.status_code == 422 and "排序方式无效" in bad.text
    export = office.get("/ledger/schedules.xlsx", params={"county": COUNTY, "sort": "id"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "计划号" and [r[0] for r in rows[1:]] == ids
    assert rows[1][1] == "韩*" and rows[1][2] == row["id_number"]  # masked, as text
    assert isinstance(rows[1][10], int | float)  # a number, not text
    assert Decimal(str(rows[1][10])) == Decimal(paid_fen) / 100


def test_the_schedule_list_is_documented(live_server: LiveServer) -> None:
    spec = httpx.get(f"{live_server.url}/api/openapi.json", timeout=30).json()
    names = {p["name"] for p in spec["paths"]["/api/v1/ledger/schedules"]["get"]["parameters"]}
    assert {"q", "status", "program", "county", "level", "sort", "page", "per_page"} <= names
