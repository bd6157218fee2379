"""The policy catalogue page in Chromium: search as you type, open a program, read the clause."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.login import log_in
from tests.support import LiveServer


def test_search_and_open_a_program(phone: Page, live_server: LiveServer) -> None:
    phone.goto(live_server.url + "/policies")
    phone.fill("#q", "骨干人才")
    expect(phone.locator("[data-program='sjz.retention.key_talent_award']")).to_be_visible()
    expect(phone.locator(".count")).to_contain_text("找到")
    # leaving the search box must not fetch the list again under the finger that clicks it
    phone.wait_for_load_state("networkidle")
    phone.click("[data-program='sjz.retention.key_talent_award'] a")
    expect(phone.locator("h1")).to_contain_text("企业骨干人才奖")
    expect(phone.locator("#quote")).to_contain_text("每人 1 万元")
    expect(phone.locator("dl.policy")).to_contain_text("名额")
    phone.goto(live_server.url + "/policies?jurisdiction=cangzhou")
    expect(phone.locator("[data-program='cz.lion_city_card']")).to_be_visible()
    expect(phone.locator("[data-program='sjz.b.rent_subsidy']")).to_have_count(0)


def test_library_filters_page_and_header_on_a_phone(phone: Page, live_server: LiveServer) -> None:
    """The library opens on the platform's city, one page at a time; the filters keep the
    address (a reload shows the same list); the header has the site's emblem and a login link,
    the API documentation is in the footer, and the navigation stays one line on a phone."""
    phone.goto(live_server.url + "/policies")
    expect(phone.locator("#jurisdiction")).to_have_value("shijiazhuang")
    expect(phone.locator(".policy-list > li")).to_have_count(20)
    phone.locator("#pager a", has_text="2").first.click()
    expect(phone.locator("#pager [aria-current=page]")).to_have_text("2")
    assert "page=2" in phone.url
    phone.select_option("#kind", "money")
    expect(phone.locator("#count")).to_contain_text("找到")
    phone.wait_for_url("**kind=money**")
    phone.reload()
    expect(phone.locator("#kind")).to_have_value("money")
    tags = phone.locator(".policy-list > li .tag:nth-of-type(2)")
    expect(tags.first).to_have_text("资金")
    expect(phone.locator("header .emblem")).to_be_visible()
    expect(phone.locator("#header-login")).to_have_attribute("href", "/login")
    expect(phone.locator("header nav a", has_text="接口文档")).to_have_count(0)
    expect(phone.locator("#footer-api-docs")).to_have_attribute("href", "/api/docs")
    heights = phone.evaluate(
        "[...document.querySelectorAll('header nav a')].map(a => a.getBoundingClientRect().top)"
    )
    assert len(set(heights)) == 1  # one line: no link wrapped under another
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_library_opens_on_the_talents_own_city(phone: Page, live_server: LiveServer) -> None:
    import os
    import uuid

    from rencai.db.session import session_scope
    from rencai.registry.accounts import register_talent
    from rencai.registry.identifiers import id_check_character
    from tests.support import random_first17

    tag = uuid.uuid4().hex[:6]
    first17 = random_first17()
    profile = {
        "jurisdiction": "jinzhou",
        "employment": {"county": "210702"},
        "family": [],
    }
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        register_talent(
            s, f"jz{tag}", "secret123", "李硕士", first17 + id_check_character(first17), profile
        )
    log_in(phone, live_server, f"jz{tag}")
    phone.wait_for_url("**/me")
    phone.goto(live_server.url + "/policies")
    expect(phone.locator("#jurisdiction")).to_have_value("jinzhou")
    expect(phone.locator(".policy-list > li").first).to_contain_text("锦州")
    expect(phone.locator("#header-login")).to_have_count(0)  # signed in: no login link
