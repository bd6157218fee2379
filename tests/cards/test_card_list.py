"""The card office's list takes the list parameters (q, status, tier, county, sort, page,
per_page) the same way in the API, the page and its Excel export, counted in the database; a
bad value is refused with structured JSON or a Chinese page."""

from __future__ import annotations

import io
import uuid

import httpx
from openpyxl import load_workbook
from sqlalchemy import select

from rencai.applications.service import apply, decide
from rencai.cards.models import Card
from rencai.db.session import database_url, session_scope
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.models import Role
from tests.profiles import doctor_today
from tests.support import CSRF_HOOKS, LiveServer, random_id_number

COUNTY = "130184"  # 新乐市: only this test's cards


def test_the_card_list_filters_searches_sorts_pages_and_exports(live_server: LiveServer) -> None:
    tag = uuid.uuid4().hex[:6]
    with session_scope(database_url()) as s:
        county = create_account(s, f"xl{tag}", "secret123", "新乐市人才办", Role.county_reviewer,
                                county=COUNTY)  # fmt: skip
        city = create_account(s, f"xlc{tag}", "secret123", "市委人才办", Role.city_reviewer)
        other = create_account(s, f"xlo{tag}", "secret123", "长安区人才办", Role.county_reviewer,
                               county="130102")  # fmt: skip
        numbers = []
        for i, name in enumerate(["韩一", "杨二", "朱三"]):
            profile = doctor_today()
            profile["employment"]["county"] = COUNTY
            talent = register_talent(s, f"xl{tag}{i}", "secret123", name, random_id_number(),
                                     profile)  # fmt: skip
            case = apply(s, talent, "card.b", uuid.uuid4().hex)
            decide(s, county, case, "approve", None, case.version)
            decide(s, city, case, "approve", None, case.version)
            card = s.scalar(select(Card).where(Card.application_id == case.id, Card.tier == "B"))
            assert card is not None
            numbers.append(card.number)
        token = authenticate(s, f"xl{tag}", "secret123", kind="api").token
        other_token = authenticate(s, f"xlo{tag}", "secret123", kind="api").token
        _ = other
    api = f"{live_server.url}/api/v1/cards"

    def get(token: str = token, **params: object) -> httpx.Response:
        return httpx.get(api, params=params, headers={"Authorization": f"Bearer {token}"},
                         timeout=30)  # fmt: skip

    page = get(tier="B", per_page=2, sort="issued").json()
    assert (page["count"], page["pages"], page["page"]) == (3, 2, 1)
    assert [c["number"] for c in page["items"]] == numbers[:2]
    last = get(tier="B", per_page=2, sort="issued", page=2).json()
    assert [c["number"] for c in last["items"]] == numbers[2:]
    newest = get(tier="B").json()
    assert [c["number"] for c in newest["items"]] == numbers[::-1]  # newest first by default
    assert [c["number"] for c in get(q="杨二").json()["items"]] == [numbers[1]]
    assert [c["number"] for c in get(q=numbers[2][-6:], tier="B").json()["items"]] == [numbers[2]]
    assert get(q=numbers[2][1:].lower()).json()["count"] == 2  # the main card and its 副卡
    assert get(tier="B", status="suspended").json()["count"] == 0
    assert get(tier="B", county=COUNTY).json()["count"] == 3
    assert get(county="130102").json()["count"] == 0  # another county's cards: not this office's
    assert get(other_token, q="杨二").json()["count"] == 0  # and this office's not theirs
    for params, field in (({"sort": "salary"}, "sort"), ({"tier": "Z"}, "tier"),
                          ({"county": "999999"}, "county")):  # fmt: skip
        refused = get(**params)
        assert refused.status_code == 422, params
        error = refused.json()["errors"][0]
        assert error["field"] == field and error["code"] == "bad_list_parameter"
        assert all(ord(c) > 127 for c in error["message"][:2])
    for params in ({"per_page": 0}, {"per_page": 201}, {"page": 0}, {"status": "lost"}):
        assert get(**params).status_code == 422, params

    office = httpx.Client(base_url=live_server.url, event_hooks=CSRF_HOOKS)
    login = office.post("/login", data={"username": f"xl{tag}", "password": "secret123"})
    assert login.status_code == 303
    html = office.get("/cards/manage", params={"tier": "B", "per_page": 2}).text
    assert "共3条" in html and 'id="page-next"' in html and numbers[2] in html
    assert numbers[0] not in html  # page 1 of 2, newest first
    empty = office.get("/cards/manage", params={"q": "没有这个人"}).text
    assert "共0条" in empty and "没有符合条件的卡片" in empty
    bad = office.get("/cards/manage", params={"sort": "salary"})
    assert bad.status_code == 422 and "排序方式无效" in bad.text
    export = office.get("/cards/manage.xlsx", params={"tier": "B", "sort": "issued"})
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "卡号" and [r[0] for r in rows[1:]] == numbers
    assert rows[1][3] == "韩一" and rows[1][4] == "新乐市" and hasattr(rows[1][6], "year")


def test_the_card_list_is_documented(live_server: LiveServer) -> None:
    spec = httpx.get(f"{live_server.url}/api/openapi.json", timeout=30).json()
    names = {p["name"] for p in spec["paths"]["/api/v1/cards"]["get"]["parameters"]}
    assert {"q", "status", "tier", "county", "sort", "page", "per_page"} <= names
