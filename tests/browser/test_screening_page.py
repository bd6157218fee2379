"""In real Chromium: the city's talent office runs 政策找人, filters the result, notifies."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from playwright.sync_api import Browser, expect

from rencai import settings
from rencai.db.session import session_scope
from rencai.feeds.store import synthesize
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.identifiers import mask_id_number
from rencai.registry.models import Role
from tests.browser.login import log_in
from tests.support import LiveServer


def test_the_office_finds_people_and_tells_them(
    browser: Browser, live_server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synthesize(3_000, tmp_path, seed=11, as_of=dt.date(2026, 6, 15))
    monkeypatch.setenv("RENCAI_SCREENING_STORE", str(tmp_path))
    settings.reset()
    planted = pq.read_table(tmp_path / "planted.parquet").to_pylist()
    tag = uuid.uuid4().hex[:6]
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(s, f"zr{tag}", "secret123", "市委人才办", Role.city_reviewer)
        register_talent(s, f"zt{tag}", "secret123", "被找到的人", planted[0]["id_number"])

    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    log_in(page, live_server, f"zr{tag}")
    page.goto(live_server.url + "/screenings")
    expect(page.locator("h1")).to_have_text("政策找人")
    page.fill("#on", "2026-06-15")
    page.click("#run-screening")
    expect(page.locator("h1")).to_contain_text("政策找人结果")
    page.select_option("#filter-program", "card.b")
    page.click("#apply-filters")
    rows = page.locator("#results tbody tr")
    expect(rows.first).to_contain_text("石家庄市人才绿卡B卡")
    for person in planted:
        expect(page.locator("#results")).to_contain_text(mask_id_number(person["id_number"]))
    assert set(
        page.locator("#results tbody tr").evaluate_all("rows => rows.map(r => r.dataset.program)")
    ) == {"card.b"}
    with page.expect_download() as download:
        page.click("#export")
    assert download.value.suggested_filename.endswith(".xlsx")
    page.click("#notify")
    expect(page.locator("#sent")).to_contain_text("已发送通知")
    sent = page.locator("#sent").inner_text()
    assert "已发送通知 0 条" not in sent
    page.click("#notify")  # again: nobody is told twice
    expect(page.locator("#sent")).to_contain_text("已发送通知 0 条")


def test_the_office_builds_the_store_from_the_loads_and_screens_it(
    browser: Browser, live_server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    from rencai import clock
    from tests.feeds.world import Delivery, a_uscc, id_number_born

    monkeypatch.setenv("RENCAI_SCREENING_STORE", str(tmp_path / "store"))
    settings.reset()
    tag = uuid.uuid4().hex[:6]
    rng = random.Random(tag)
    today = clock.today()
    person = id_number_born(dt.date(today.year - 30, 6, 7), rng=rng)
    delivery = Delivery()
    employer = a_uscc(rng)
    delivery.doctor(person, f"博士{tag}", employer, today)
    delivery.employer(employer, "石家庄智造科技有限公司")
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        loads = delivery.load(s, tmp_path / "deliveries", "data1", tag)
        create_account(s, f"zb{tag}", "secret123", "市委人才办", Role.city_reviewer)

    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    log_in(page, live_server, f"zb{tag}")
    page.goto(live_server.url + "/screenings")
    expect(page.locator("#store-none")).to_contain_text("尚未生成筛查数据")
    page.click("#build-store-button")
    expect(page.locator("#built")).to_contain_text("已从已导入的部门数据生成筛查数据")
    expect(page.locator("#store-built")).to_contain_text("生成于")
    for load in loads:
        expect(page.locator(f'#store-loads tr[data-load="{load}"]')).to_contain_text(f"第{load}批")
    page.fill("#on", today.isoformat())
    page.click("#run-screening")
    expect(page.locator("h1")).to_contain_text("政策找人结果")
    page.select_option("#filter-program", "card.b")
    page.click("#apply-filters")
    expect(page.locator("#results")).to_contain_text(f"博士{tag}")
    expect(page.locator("#results")).to_contain_text("申领范围（2）")


def test_the_page_follows_a_background_screening_to_its_end(
    browser: Browser, live_server: LiveServer
) -> None:
    """A running screening shows its progress and the page follows it by itself: here the run
    is recorded as stopped by the database (as a worker would on failure), and the page shows
    why without the officer reloading it."""
    from rencai import clock
    from rencai.outreach.models import Screening

    tag = uuid.uuid4().hex[:6]
    url = os.environ["RENCAI_DATABASE_URL"]
    with session_scope(url) as s:
        officer = create_account(s, f"zp{tag}", "secret123", "市委人才办", Role.city_reviewer)
        running = Screening(
            jurisdiction="jinzhou",
            on_date=dt.date(2026, 6, 15),
            store="-",
            status="running",
            started_by=officer.id,
            started_at=clock.now(),
            heartbeat_at=clock.now(),
            done=40_000,
            total=100_000,
        )
        s.add(running)
        s.flush()
        screening_id = running.id
    page = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    log_in(page, live_server, f"zp{tag}")
    page.goto(f"{live_server.url}/screenings/{screening_id}")
    expect(page.locator("#progress")).to_contain_text("已筛查 40000 / 100000 人")
    assert page.locator("#progress progress").get_attribute("value") == "40"
    with session_scope(url) as s:
        row = s.get(Screening, screening_id)
        assert row is not None
        row.status, row.message = "failed", "筛查数据不可用：测试"
    expect(page.locator("#failed")).to_contain_text("筛查未能完成：筛查数据不可用：测试")
