"""The catalogue over real HTTP: API and pages."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from rencai.policy.catalogue import Catalogue, Entry, catalogue
from rencai.web.cookies import CSRF_COOKIE
from tests.support import LiveServer


def test_search_and_detail(live_server: LiveServer) -> None:
    found = httpx.get(f"{live_server.url}/api/v1/policies", params={"q": "购房"}).json()
    ids = {item["id"] for item in found["items"]}
    assert "sjz.b.purchase_subsidy" in ids and found["count"] == len(found["items"])
    detail = httpx.get(f"{live_server.url}/api/v1/policies/sjz.b.purchase_subsidy").json()
    assert detail["document"] == "石办字〔2017〕39号" and "30万元" in detail["quote"]
    assert detail["status"] == "computed"
    missing = httpx.get(f"{live_server.url}/api/v1/policies/sjz.nothing")
    assert missing.status_code == 404 and missing.json()["errors"][0]["code"] == "not_found"


def test_who_pays_is_shown_as_the_text_says_with_its_clause(live_server: LiveServer) -> None:
    """资金来源: the text's words and the clause saying so (here another article of the rules,
    第七条 “上述支持资金由市财政创业扶持资金负担。”); a program whose text names no payer shows
    none."""
    detail = httpx.get(f"{live_server.url}/api/v1/policies/sjz.skills.rules.master_studio").json()
    assert detail["funding"]["source"] == "市财政创业扶持资金"
    assert detail["funding"]["clause"] == "第七条"
    page = httpx.get(f"{live_server.url}/policies/sjz.skills.rules.master_studio").text
    assert "资金来源" in page and "市财政创业扶持资金" in page
    assert "上述支持资金由市财政创业扶持资金负担。" in page
    rent = httpx.get(f"{live_server.url}/policies/sjz.b.rent_subsidy").text
    assert "资金来源" not in rent


def test_filters(live_server: LiveServer) -> None:
    items = httpx.get(
        f"{live_server.url}/api/v1/policies",
        params={"jurisdiction": "shijiazhuang", "target": "person"},
    ).json()["items"]
    assert items and all(i["target"] == "person" for i in items)
    bad = httpx.get(f"{live_server.url}/api/v1/policies", params={"target": "alien"})
    assert bad.status_code == 422 and "errors" in bad.json()


def test_pages(live_server: LiveServer) -> None:
    page = httpx.get(f"{live_server.url}/policies", params={"q": "安家"})
    assert page.status_code == 200 and "B卡人才一次性安家补贴" in page.text
    detail = httpx.get(f"{live_server.url}/policies/sjz.b.settlement_allowance")
    assert "条款原文" in detail.text and "一次性安家" in detail.text
    assert httpx.get(f"{live_server.url}/policies/nope").status_code == 404


def test_pages_and_kinds_in_the_api(live_server: LiveServer) -> None:
    api = f"{live_server.url}/api/v1/policies"
    every = httpx.get(api).json()
    assert every["count"] == len(every["items"]) > 40  # without page=: every match, as before
    first = httpx.get(api, params={"page": 1, "per_page": 20}).json()
    second = httpx.get(api, params={"page": 2, "per_page": 20}).json()
    assert first["count"] == every["count"] and len(first["items"]) == 20
    assert [i["id"] for i in first["items"] + second["items"]] == [
        i["id"] for i in every["items"][:40]
    ]
    money = httpx.get(api, params={"kind": "money", "jurisdiction": "shijiazhuang"}).json()
    assert money["items"] and {i["kind"] for i in money["items"]} == {"money"}
    bad = httpx.get(api, params={"kind": "alien"})
    assert bad.status_code == 422 and "errors" in bad.json()
    assert httpx.get(api, params={"per_page": 1000}).status_code == 422


def test_the_library_pages_and_opens_on_the_default_city(live_server: LiveServer) -> None:
    page = httpx.get(f"{live_server.url}/policies")
    assert page.status_code == 200
    html = page.text
    assert '<option value="shijiazhuang" selected>' in html  # not the first city in the list
    assert html.count("<li data-program=") == 20  # one page, not the whole catalogue
    assert 'data-program="cz.' not in html
    assert 'id="pager"' in html and "第 1/" in html
    everywhere = httpx.get(f"{live_server.url}/policies", params={"jurisdiction": ""}).text
    assert '<option value="" selected>全部地区</option>' in everywhere
    last = httpx.get(
        f"{live_server.url}/policies", params={"jurisdiction": "", "page": "99999"}
    ).text
    assert 'aria-current="page"' in last and "<li data-program=" in last  # the last page
    filtered = httpx.get(
        f"{live_server.url}/policies", params={"jurisdiction": "shijiazhuang", "kind": "card"}
    ).text
    shown = filtered.count("<li data-program=")
    assert shown > 0 and filtered.count('<span class="tag">人才卡</span>') == shown
    assert "仅编目" not in filtered


def test_a_repeated_search_is_answered_from_the_kept_answer(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    searches: list[tuple[object, ...]] = []
    original = Catalogue.search

    def counted(self: Catalogue, *args: Any, **kwargs: Any) -> Any:
        searches.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Catalogue, "search", counted)
    params = {"q": "房租", "target": "person"}
    first = httpx.get(f"{live_server.url}/api/v1/policies", params=params)
    again = httpx.get(f"{live_server.url}/api/v1/policies", params=params)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content and first.json()["count"] >= 1
    assert len(searches) <= 1  # searched at most once (none if an earlier test asked the same)
    other = httpx.get(f"{live_server.url}/api/v1/policies", params={"q": "购房 补贴"})
    assert other.json()["items"] != first.json()["items"]
    assert len(searches) <= 2
    # a catalogue built anew (a new release's process) is searched anew
    catalogue.cache_clear()
    try:
        fresh = httpx.get(f"{live_server.url}/api/v1/policies", params=params)
    finally:
        catalogue.cache_clear()
    assert fresh.content == first.content and searches[-1][0] == "房租"


def test_a_new_search_rebuilds_nothing_and_answers_as_before(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cat = catalogue()
    cat.listing_json(0, ())  # what the process builds at start-up (rencai.web.warm)
    rebuilt: list[str] = []
    as_dict, scan = Entry.as_dict, Catalogue.scan

    def counted_as_dict(self: Entry, documents: Any) -> Any:
        rebuilt.append(self.id)
        return as_dict(self, documents)

    def counted_scan(self: Catalogue, *args: Any) -> Any:
        rebuilt.append("scan")
        return scan(self, *args)

    monkeypatch.setattr(Entry, "as_dict", counted_as_dict)
    monkeypatch.setattr(Catalogue, "scan", counted_scan)
    # a query never asked before (its page and page size make it new to the kept answers)
    per_page = secrets.choice(range(7, 20))
    params = {"q": "奖励 企业", "page": 2, "per_page": per_page}
    answer = httpx.get(f"{live_server.url}/api/v1/policies", params=params)
    page = httpx.get(f"{live_server.url}/policies", params={"q": "奖励 企业", "jurisdiction": ""})
    assert answer.status_code == page.status_code == 200
    assert rebuilt == []  # no program re-rendered, no program read in turn
    monkeypatch.undo()
    found = cat.scan("奖励 企业")
    assert len(found) > per_page  # a second page
    expected = {
        "count": len(found),
        "items": [e.as_dict(cat.documents) for e in found[per_page : 2 * per_page]],
    }
    assert answer.json() == expected
    assert page.text.count("<li data-program=") == min(len(found), 20)
    assert f'data-program="{found[0].id}"' in page.text


def test_the_library_pages_read_as_when_each_program_was_rendered_anew(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cookies = {CSRF_COOKIE: "a-fixed-browser"}  # the same form token on every page
    asked = [{"q": "房租"}, {"q": "人才", "jurisdiction": "", "page": "3"}, {"kind": "money"}]

    def pages() -> list[str]:
        return [
            httpx.get(f"{live_server.url}/policies", params=p, cookies=cookies, headers=h).text
            for p in asked
            for h in ({}, {"HX-Request": "true"})
        ]

    kept = pages()
    monkeypatch.setattr(
        Catalogue,
        "views",
        property(lambda c: {e.id: e.as_dict(c.documents) for e in c.entries.values()}),
    )
    assert pages() == kept
    assert "石办字〔2017〕39号 可享受的服务项目（5） · " in kept[0]  # each citation heading
