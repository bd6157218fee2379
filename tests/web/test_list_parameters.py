"""The list endpoints take the pages' parameters (q, the list's filters, sort, page, per_page),
count in the database, refuse a bad value with structured JSON, and document it all."""

from __future__ import annotations

import os
import uuid
from typing import Any

import httpx

from rencai.applications.service import apply
from rencai.db.session import session_scope
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.models import Role
from tests.profiles import doctor_today
from tests.support import LiveServer, random_id_number


def test_the_case_list_filters_searches_sorts_and_pages(live_server: LiveServer) -> None:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    county = "130127"  # 高邑县: only this test's cases
    with session_scope(url) as s:
        create_account(s, f"gy{tag}", "secret123", "高邑县人才办", Role.county_reviewer,
                       county=county)  # fmt: skip
        ids, numbers = [], []
        for i, name in enumerate(["韩一", "杨二", "朱三", "秦四", "尤五"]):
            profile = doctor_today()
            profile["employment"]["county"] = county
            number = random_id_number()
            talent = register_talent(s, f"gy{tag}{i}", "secret123", name, number, profile)
            ids.append(apply(s, talent, "sjz.b.rent_subsidy", uuid.uuid4().hex).id)
            numbers.append(number)
        token = authenticate(s, f"gy{tag}", "secret123", kind="api").token
    api = f"{live_server.url}/api/v1/applications"
    headers = {"Authorization": f"Bearer {token}"}

    def get(**params: object) -> httpx.Response:
        return httpx.get(api, params=params, headers=headers, timeout=30)

    page = get(queue="todo", per_page=2, sort="id").json()
    assert (page["count"], page["pages"], page["page"]) == (5, 3, 1)
    assert [item["id"] for item in page["items"]] == ids[:2]
    assert page["items"][0]["applicant"] == "韩*" and "韩一" not in str(page)
    assert "working_days_left" in page["items"][0] and page["items"][0]["employer"] is None
    last = get(queue="todo", per_page=2, sort="id", page=3).json()
    assert [item["id"] for item in last["items"]] == ids[4:]
    backwards = get(queue="todo", sort="-id", per_page=5).json()
    assert [item["id"] for item in backwards["items"]] == ids[::-1]
    for query, expected in (
        ("朱三", ids[2]),
        (numbers[3][-4:], ids[3]),
        (numbers[1][:6] + "*" * 8 + numbers[1][-4:], ids[1]),
        (numbers[4], ids[4]),
        (str(ids[0]), ids[0]),
    ):
        found = get(q=query).json()
        assert [item["id"] for item in found["items"]] == [expected], query
    assert get(q="高邑县没有的人").json()["count"] == 0
    assert get(queue="closed").json()["count"] == 0
    assert get(county="130104").json()["count"] == 0  # another county: not visible anyway

    for params, field in (
        ({"sort": "salary"}, "sort"),
        ({"status": "nonsense"}, "status"),
        ({"county": "999999"}, "county"),
        ({"program": "bad program!"}, "program"),
    ):
        refused = get(**params)
        assert refused.status_code == 422, params
        error = refused.json()["errors"][0]
        assert error["field"] == field and error["code"] == "bad_list_parameter"
        assert all(ord(c) > 127 for c in error["message"][:2])  # Chinese
    for params in ({"per_page": 0}, {"per_page": 201}, {"page": 0}, {"queue": "mine"}):
        assert get(**params).status_code == 422, params


def test_the_lists_are_documented(live_server: LiveServer) -> None:
    spec = httpx.get(f"{live_server.url}/api/openapi.json", timeout=30).json()

    def names(path: str) -> set[str]:
        return {p["name"] for p in spec["paths"][path]["get"].get("parameters", [])}

    common = {"q", "sort", "page", "per_page", "status"}
    assert common | {"queue", "program", "county", "due"} <= names("/api/v1/applications")
    assert common <= names("/api/v1/ledger/batches")
    assert common <= names("/api/v1/ledger/receivables")


LISTS = (
    "/api/v1/applications",
    "/api/v1/cards",
    "/api/v1/audit",
    "/api/v1/feeds/loads",
    "/api/v1/ledger/batches",
    "/api/v1/ledger/receivables",
    "/api/v1/ledger/schedules",
)


def test_every_list_declares_the_shared_parameters_alike(live_server: LiveServer) -> None:
    """Decision 0251: q, sort, page and per_page (and from, to of the lists by date) are one
    declaration, the same limits and words on every list; what a list searches and how it sorts
    is in its own description."""
    spec = httpx.get(f"{live_server.url}/api/openapi.json", timeout=30).json()

    def shared(path: str, names: set[str]) -> dict[str, Any]:
        parameters = spec["paths"][path]["get"]["parameters"]
        return {p["name"]: p for p in parameters if p["name"] in names}

    names = {"q", "sort", "page", "per_page"}
    first = shared(LISTS[0], names)
    assert set(first) == names
    per_page = first["per_page"]["schema"]
    assert (per_page["minimum"], per_page["maximum"], per_page["default"]) == (1, 200, 20)
    for path in LISTS[1:]:
        assert shared(path, names) == first, path
    dated = [shared(path, {"from", "to"}) for path in ("/api/v1/audit", "/api/v1/feeds/loads")]
    assert dated[0] == dated[1] and set(dated[0]) == {"from", "to"}
    for path in LISTS:
        description = spec["paths"][path]["get"]["description"]
        assert "搜索 q：" in description and "排序 sort：" in description, path
