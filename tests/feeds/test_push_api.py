"""A department's system pushes deliveries over real HTTP; the data office's page uploads one."""

from __future__ import annotations

import io
import os
import uuid
from typing import Any

import httpx
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rencai.db.session import session_scope
from rencai.registry.accounts import authenticate, create_account
from rencai.registry.models import Role
from tests.ledger.world import uscc
from tests.support import CSRF_HOOKS, LiveServer, random_id_number

COLUMNS = [
    "统一社会信用代码",
    "单位名称",
    "单位类型",
    "登记地区划代码",
    "行业代码",
    "登记状态",
    "成立日期",
]


@pytest.fixture(scope="module")
def office(live_server: LiveServer) -> dict[str, Any]:
    name = f"dept{uuid.uuid4().hex[:6]}"
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(s, name, "secret123", "市场监管局接口", Role.data_office)
        api = authenticate(s, name, "secret123", kind="api").token
        page = authenticate(s, name, "secret123").token
    return {"headers": {"Authorization": f"Bearer {api}"}, "page": page, "name": name}


def _csv(rows: list[list[str]], header: list[str] = COLUMNS) -> bytes:
    return "\n".join(",".join(row) for row in [header, *rows]).encode("utf-8")


def test_push_loads_good_rows_lists_rejects_and_loads_once(
    live_server: LiveServer, office: dict[str, Any]
) -> None:
    seed = uuid.uuid4().int % 900000
    rows = [
        [uscc(seed), "石家庄某科技有限公司", "企业", "130102", "C2710", "存续", "2015-03-01"],
        [uscc(seed + 1), "某事业单位", "事业单位", "130104", "P8310", "注销", "2001-01-01"],
        [uscc(seed + 2), "某公司", "企业", "130102", "C2710", "歇业", "2015-03-01"],
    ]
    url = f"{live_server.url}/api/v1/feeds/employers/deliveries"
    files = {"file": ("employers.csv", _csv(rows), "text/csv")}
    first = httpx.post(url, headers=office["headers"], files=files)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["rows"], body["loaded"], body["rejected"]) == (3, 2, 1)
    assert body["channel"] == "push" and body["loaded_by"] == office["name"]
    assert body["rejects"] == [{"line": 4, "reason": body["rejects"][0]["reason"]}]
    assert "登记状态" in body["rejects"][0]["reason"]
    again = httpx.post(url, headers=office["headers"], files=files).json()
    assert again["already_loaded"] and again["load_id"] == body["load_id"]
    loads = httpx.get(f"{live_server.url}/api/v1/feeds/loads", headers=office["headers"]).json()
    assert [item["load_id"] for item in loads["items"]].count(body["load_id"]) == 1
    rejects = httpx.get(
        f"{live_server.url}/api/v1/feeds/loads/{body['load_id']}/rejects", headers=office["headers"]
    )
    assert rejects.status_code == 200 and rejects.headers["cache-control"] == "no-store"
    lines = rejects.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("行号,统一社会信用代码") and lines[0].endswith("拒收原因")
    assert lines[1].startswith("4,") and "登记状态" in lines[1] and len(lines) == 2


def test_push_of_parquet_and_refusals_in_json(
    live_server: LiveServer, office: dict[str, Any]
) -> None:
    table = pa.table(
        {
            "身份证号": [random_id_number()],
            "区划代码": ["130102"],
            "事项": ["迁入"],
            "日期": pa.array([__import__("datetime").date(2022, 3, 1)], pa.date32()),
        }
    )
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    url = f"{live_server.url}/api/v1/feeds/residence/deliveries"
    pushed = httpx.post(
        url, headers=office["headers"], files={"file": ("r.parquet", buffer.getvalue())}
    )
    assert pushed.status_code == 200 and pushed.json()["loaded"] == 1, pushed.text
    before = httpx.get(f"{live_server.url}/api/v1/feeds/loads", headers=office["headers"]).json()
    wrong = _csv([[random_id_number(), "130102", "迁入"]], ["身份证号", "区划代码", "事项"])
    refused = httpx.post(url, headers=office["headers"], files={"file": ("r.csv", wrong)})
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["code"] == "bad_header" and "整批未导入" in error["message"]
    unknown = httpx.post(
        f"{live_server.url}/api/v1/feeds/weather/deliveries",
        headers=office["headers"],
        files={"file": ("r.csv", wrong)},
    )
    assert unknown.status_code == 404 and unknown.json()["errors"][0]["code"] == "not_found"
    pdf = httpx.post(url, headers=office["headers"], files={"file": ("r.pdf", b"%PDF")})
    assert pdf.status_code == 422 and pdf.json()["errors"][0]["code"] == "bad_format"
    after = httpx.get(f"{live_server.url}/api/v1/feeds/loads", headers=office["headers"]).json()
    assert after["count"] == before["count"]  # nothing refused was recorded as a load


def test_the_page_uploads_and_shows_the_load_records(
    live_server: LiveServer, office: dict[str, Any]
) -> None:
    with httpx.Client(
        base_url=live_server.url,
        cookies={"rencai_session": office["page"]},
        event_hooks=CSRF_HOOKS,
    ) as client:
        page = client.get("/feeds")
        assert (
            page.status_code == 200 and "数据共享" in page.text and 'name="csrf_token"' in page.text
        )
        content = _csv(
            [[random_id_number(), "130102", "落户", "2021-09-01"], ["1", "130102", "落户", "x"]],
            ["身份证号", "区划代码", "事项", "日期"],
        )
        done = client.post(
            "/feeds", data={"source": "residence"}, files={"file": ("户籍.csv", content)}
        )
        assert done.status_code == 200
        assert "导入1行，拒收1行" in done.text and "身份证号" in done.text
        assert "户籍.csv" in done.text and 'id="loads"' in done.text
        bad = client.post(
            "/feeds",
            data={"source": "residence"},
            files={"file": ("x.csv", _csv([["1"]], ["姓名"]))},
        )
        assert bad.status_code == 422 and "表头应为" in bad.text
    without_token = httpx.post(
        f"{live_server.url}/feeds",
        cookies={"rencai_session": office["page"]},
        data={"source": "residence"},
        files={"file": ("y.csv", content)},
    )
    assert without_token.status_code == 403  # the page form's CSRF check


def test_a_department_system_pushes_and_uploads_only_its_own_source(
    live_server: LiveServer,
) -> None:
    """A data-office account bound to 市场监管 (decision 0129): another source is refused with a
    Chinese 403 (JSON in the API, a message on the page) and loads nothing; its own loads; its
    load records and rejects are of its own source only."""
    name = f"scmj{uuid.uuid4().hex[:6]}"
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(
            s, name, "secret123", "市场监管局接口", Role.data_office, department="employers"
        )
        api = authenticate(s, name, "secret123", kind="api").token
        page = authenticate(s, name, "secret123").token
    headers = {"Authorization": f"Bearer {api}"}
    loads_url = f"{live_server.url}/api/v1/feeds/loads"
    before = httpx.get(loads_url, headers=headers).json()["items"]
    residence = _csv(
        [[random_id_number(), "130102", "落户", "2021-09-01"]],
        ["身份证号", "区划代码", "事项", "日期"],
    )
    refused = httpx.post(
        f"{live_server.url}/api/v1/feeds/residence/deliveries",
        headers=headers,
        files={"file": ("户籍.csv", residence, "text/csv")},
    )
    assert refused.status_code == 403, refused.text
    error = refused.json()["errors"][0]
    assert error["code"] == "forbidden" and "仅可报送市场监管" in error["message"]
    assert httpx.get(loads_url, headers=headers).json()["items"] == before  # nothing loaded
    with httpx.Client(
        base_url=live_server.url, cookies={"rencai_session": page}, event_hooks=CSRF_HOOKS
    ) as client:
        shown = client.get("/feeds")
        assert shown.status_code == 200
        assert 'value="employers"' in shown.text and 'value="residence"' not in shown.text
        upload = client.post(
            "/feeds", data={"source": "residence"}, files={"file": ("户籍.csv", residence)}
        )
        assert upload.status_code == 403 and "不能报送户籍" in upload.text
    seed = uuid.uuid4().int % 900000
    own = _csv([[uscc(seed), "某公司", "企业", "130102", "C2710", "存续", "2015-03-01"]])
    done = httpx.post(
        f"{live_server.url}/api/v1/feeds/employers/deliveries",
        headers=headers,
        files={"file": ("employers.csv", own, "text/csv")},
    )
    assert done.status_code == 200 and done.json()["loaded"] == 1
    loads = httpx.get(loads_url, headers=headers).json()["items"]
    assert loads[0]["load_id"] == done.json()["load_id"]
    assert {item["source"] for item in loads} == {"employers"}  # its own source's loads only
