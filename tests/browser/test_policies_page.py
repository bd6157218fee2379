"""The policy catalogue page in Chromium: search as you type, open a program, read the clause."""

from __future__ import annotations

from playwright.sync_api import Page, expect

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
