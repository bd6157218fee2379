"""The catalogue over real HTTP: API and pages."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from rencai.policy.catalogue import Catalogue, catalogue
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
