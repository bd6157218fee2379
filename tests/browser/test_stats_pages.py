"""The statistics pages in real Chromium: the overview draws its charts from the platform's own
files and no request leaves the server; a click on a chart's bar marks the table row behind it;
the overview fits a phone's width."""

from __future__ import annotations

import os
import random
import uuid

from playwright.sync_api import Browser, expect

from rencai import clock
from rencai.db.session import session_scope
from rencai.registry.accounts import create_account
from rencai.registry.models import Role
from tests.analytics.world import CHANGAN, World
from tests.browser.login import log_in
from tests.support import LiveServer


def _leader(server: LiveServer) -> str:
    """A leadership account, and six talents holding cards in 长安区 (enough to be shown)."""
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    month = clock.today().replace(day=1).isoformat()
    with session_scope(url) as session:
        create_account(session, f"lead{tag}", "secret123", "领导", Role.leadership)
        world = World(session)
        world.n = random.randint(10**6, 9 * 10**6)
        employer = world.employer("biomedicine")
        for n in range(6):
            name = f"S{tag}{n}"
            world.talent(
                name,
                degree="doctorate",
                born="1990-01-01",
                origin="outside_city",
                county=CHANGAN,
                employer=employer,
                submitted=month,
            )
            world.card(name, name, "B", CHANGAN, month)
    return f"lead{tag}"


def test_overview_charts_from_own_files_and_drill_down(
    browser: Browser, live_server: LiveServer
) -> None:
    username = _leader(live_server)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, live_server, username)
    expect(page).to_have_url(live_server.url + "/stats")
    expect(page.locator("h1")).to_have_text("人才统计（全市）")
    expect(page.locator(".chart[data-drawn='1']")).to_have_count(4)
    expect(page.locator(".chart canvas").first).to_be_visible()
    assert any("/static/vendor/echarts-6.1.0/echarts.min.js" in u for u in requests)
    outside = [u for u in requests if not u.startswith(live_server.url)]
    assert outside == []

    # drill-down: the county comparison's bar for 长安区 opens its topic page at its row
    chart = page.locator(".chart").first
    point = chart.evaluate(
        """(el) => {
            const chart = echarts.getInstanceByDom(el);
            const spec = JSON.parse(el.getAttribute('data-chart'));
            const index = spec.keys.indexOf('130102');
            const value = spec.series[0].data[index];
            return chart.convertToPixel({seriesIndex: 0}, [index, value / 2]);
        }"""
    )
    box = chart.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    expect(page).to_have_url(live_server.url + "/stats/talents?by=county#row-130102")
    expect(page.locator("#row-130102")).to_have_class("selected")

    # on the topic page a click marks the row behind the bar without leaving the page
    page.goto(live_server.url + "/stats/talents?by=tier")
    expect(page.locator("#figure-chart[data-drawn='1']")).to_have_count(1)
    chart = page.locator("#figure-chart")
    chart.scroll_into_view_if_needed()
    point = chart.evaluate(
        """(el) => {
            const chart = echarts.getInstanceByDom(el);
            const spec = JSON.parse(el.getAttribute('data-chart'));
            const index = spec.keys.indexOf('B');
            return chart.convertToPixel({seriesIndex: 0}, [index, spec.series[0].data[index] / 2]);
        }"""
    )
    box = chart.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    expect(page.locator("#row-B")).to_have_class("selected")
    expect(page.locator("#stats-table tfoot")).to_contain_text("合计")
    outside = [u for u in requests if not u.startswith(live_server.url)]
    assert outside == []
    context.close()


def test_overview_fits_a_phone(browser: Browser, live_server: LiveServer) -> None:
    username = _leader(live_server)
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server, username)
    expect(page.locator(".chart[data-drawn='1']")).to_have_count(4)
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]
    chart_box = page.locator(".chart").first.bounding_box()
    assert chart_box is not None and chart_box["width"] <= 375
    page.goto(live_server.url + "/stats/card_changes")
    expect(page.locator("#figure-chart[data-drawn='1']")).to_have_count(1)
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]
    context.close()


def test_overview_filters_narrow_every_chart_and_drill_down_keeps_them(
    browser: Browser, live_server: LiveServer
) -> None:
    username = _leader(live_server)
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="zh-CN")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    log_in(page, live_server, username)
    # the overview's own filters: the county comparison for B cards in 长安区 only
    page.select_option("#overview-filters select[name=county]", "130102")
    page.select_option("#overview-filters select[name=tier]", "B")
    page.select_option("#overview-filters select[name=industry]", "biomedicine")
    page.click("#overview-filters button[type=submit]")
    expect(page).to_have_url(
        live_server.url + "/stats?as_of=&county=130102&tier=B&industry=biomedicine&program="
    )
    expect(page.locator("#overview-filters select[name=tier]")).to_have_value("B")
    expect(page.locator(".chart[data-drawn='1']")).to_have_count(4)
    county = page.locator(".chart").first
    spec = county.evaluate("(el) => JSON.parse(el.getAttribute('data-chart'))")
    assert spec["keys"] == ["130102"]  # one county left, at least the six talents above
    assert spec["series"][0]["data"][0] >= 6
    # a chart whose figure cannot be narrowed by a filter says so
    captions = page.locator(".stats-chart figcaption").all_inner_texts()
    assert any("不区分产业" in c for c in captions), captions
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]  # the filter form fits a phone
    # drill-down from the narrowed chart opens the topic page with the same filters
    county.scroll_into_view_if_needed()
    point = county.evaluate(
        """(el) => {
            const chart = echarts.getInstanceByDom(el);
            const spec = JSON.parse(el.getAttribute('data-chart'));
            return chart.convertToPixel({seriesIndex: 0}, [0, spec.series[0].data[0] / 2]);
        }"""
    )
    box = county.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + point[0], box["y"] + point[1])
    expect(page).to_have_url(
        live_server.url
        + "/stats/talents?by=county&county=130102&tier=B&industry=biomedicine#row-130102"
    )
    expect(page.locator("#row-130102")).to_have_class("selected")
    expect(page.locator("#stats-filters select[name=tier]")).to_have_value("B")
    outside = [u for u in requests if not u.startswith(live_server.url)]
    assert outside == []
    # a filter the office does not know: a Chinese message, nothing else
    page.goto(live_server.url + "/stats?tier=Z")
    expect(page.locator("body")).to_contain_text("人才绿卡类别应为")
    context.close()
