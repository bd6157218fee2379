"""The data office's load records take the list parameters (q, source, channel, from, to, sort,
page, per_page) the same way in GET /api/v1/feeds/loads, on /feeds and in its Excel export."""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from rencai import clock
from rencai.db.session import session_scope
from rencai.feeds.departments import load_delivery
from rencai.feeds.source import FileSource
from rencai.registry.accounts import authenticate, create_account
from rencai.registry.models import Role
from tests.support import CSRF_HOOKS, LiveServer, random_id_number


def test_the_load_list_filters_searches_sorts_pages_and_exports(
    live_server: LiveServer, tmp_path: Path
) -> None:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:8]
    loader = f"ld{tag}"
    header = "身份证号,区划代码,事项,日期\n"
    ids = []
    with session_scope(url) as s:
        create_account(s, loader, "secret123", "数据管理", Role.data_office)
        for i, channel in enumerate(["file", "upload", "push"]):
            path = tmp_path / f"户籍{tag}-{i}.csv"
            rows = f"{random_id_number()},130102,落户,2021-09-01\n"
            if i == 2:
                rows += "坏号码,130102,落户,2021-09-01\n"  # one row refused
            path.write_text(header + rows, encoding="utf-8")
            result = load_delivery(s, "residence", FileSource(path), loader, tmp_path,
                                   channel=channel)  # fmt: skip
            ids.append(result.load.id)
        token = authenticate(s, loader, "secret123", kind="api").token
    api = f"{live_server.url}/api/v1/feeds/loads"

    def get(**params: object) -> httpx.Response:
        return httpx.get(api, params=params, headers={"Authorization": f"Bearer {token}"},
                         timeout=30)  # fmt: skip

    page = get(q=loader, per_page=2).json()
    assert (page["count"], page["pages"]) == (3, 2)
    assert [r["load_id"] for r in page["items"]] == ids[::-1][:2]  # newest first
    assert [r["load_id"] for r in get(q=loader, sort="id").json()["items"]] == ids
    assert [r["load_id"] for r in get(q=loader, channel="push").json()["items"]] == [ids[2]]
    assert get(q=loader, sort="-rejected").json()["items"][0]["load_id"] == ids[2]
    assert ids[1] in [r["load_id"] for r in get(q=str(ids[1]), per_page=200).json()["items"]]
    assert get(q=f"户籍{tag}-0").json()["count"] == 1
    today = clock.today().isoformat()
    assert get(q=loader, **{"from": today, "to": today}).json()["count"] == 3
    assert get(q=loader, to="2020-01-01").json()["count"] == 0
    assert get(q=loader, source="tax").json()["count"] == 0
    for params, field in (({"sort": "size"}, "sort"), ({"source": "weather"}, "source"),
                          ({"from": "2026-02-30"}, "from")):  # fmt: skip
        refused = get(**params)
        assert refused.status_code == 422, params
        error = refused.json()["errors"][0]
        assert error["field"] == field and error["code"] == "bad_list_parameter"
    assert get(channel="fax").status_code == 422

    office = httpx.Client(base_url=live_server.url, event_hooks=CSRF_HOOKS)
    login = office.post("/login", data={"username": loader, "password": "secret123"})
    assert login.status_code == 303
    html = office.get("/feeds", params={"q": loader, "per_page": 2}).text
    assert "共3条" in html and 'id="page-next"' in html and f'data-load="{ids[2]}"' in html
    assert f'data-load="{ids[0]}"' not in html and 'id="filter-from"' in html
    empty = office.get("/feeds", params={"q": loader, "channel": "file", "to": "2020-01-01"}).text
    assert "共0条" in empty and "没有符合条件的导入记录" in empty
    bad = office.get("/feeds", params={"to": "明天"})
    assert bad.status_code == 422 and "截止日期须为日期" in bad.text
    export = office.get("/feeds/loads.xlsx", params={"q": loader, "sort": "id"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "批次" and [r[0] for r in rows[1:]] == ids
    assert rows[3][3] == "接口推送" and rows[3][10] == 1 and isinstance(rows[3][8], int)


@pytest.mark.parametrize("path", ["/api/v1/feeds/loads"])
def test_the_load_list_is_documented(live_server: LiveServer, path: str) -> None:
    spec = httpx.get(f"{live_server.url}/api/openapi.json", timeout=30).json()
    names = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
    assert {"q", "source", "channel", "from", "to", "sort", "page", "per_page"} <= names
