"""In real Chromium: the housing office lists an apartment and opens a batch, a talent applies
(pre-checked, with its clause), the office draws from a published seed, the result is
published with masked names, and after the objection window the contract is signed."""

from __future__ import annotations

import datetime as dt
import os
import uuid

from playwright.sync_api import Browser, expect

from rencai import clock
from rencai.db.session import session_scope
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.models import Role
from tests.browser.login import desk_page
from tests.profiles import doctor_today
from tests.support import LiveServer, random_id_number


def test_apply_for_an_apartment_lottery_and_contract(
    browser: Browser, live_server: LiveServer
) -> None:
    tag = uuid.uuid4().hex[:6]
    profile = doctor_today()
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(s, f"hj{tag}", "secret123", "住房保障科", Role.housing_office)
        register_talent(s, f"tj{tag}", "secret123", "欧阳娜娜", random_id_number(), profile)

    office = desk_page(browser, live_server, f"hj{tag}")
    office.goto(live_server.url + "/housing/office")
    expect(office.locator("h1")).to_have_text("住房保障工作台")
    building = f"青年人才公寓{tag}"
    office.fill("#building-name", building)
    office.fill("#building-county", "130102")
    office.select_option("#building-kind", "youth")
    office.check("#building-gov")
    office.click("#add-building")
    card = office.locator("details.building", has_text=building)
    card.locator("input[name=number]").fill("1201")
    card.locator("input[name=size_m2]").fill("58.5")
    card.locator("input[name=rent]").fill("1200")
    card.locator("button", has_text="登记房间").click()
    card = office.locator("details.building", has_text=building)
    expect(card).to_contain_text("1200.00")
    number = str(int(tag, 16) % 9000 + 1000)
    office.fill("#batch-number", number)
    office.fill("#batch-title-input", f"第{number}批市级人才公寓")
    office.check("input[name=eligible_programs][value='card.b']")
    office.fill("#batch-documents", "身份证明\n劳动合同")
    office.check(f"label:has-text('{building} 1201') input[name=unit_ids]")
    office.click("#create-batch")
    office.click(f"a:has-text('第{number}批市级人才公寓')")
    # the rules the texts leave open are flagged until the office sets them
    expect(office.locator("#settings-flag")).to_contain_text("政策文件未规定")
    office.select_option("#mode", "order")
    office.fill("#objection_days", "5")
    office.click("#save-settings")
    expect(office.locator("#settings-flag")).to_have_count(0)
    office.click("#open-batch")
    expect(office.locator("#batch-status")).to_have_text("受理申请中")
    batch_url = office.url

    talent = desk_page(browser, live_server, f"tj{tag}")
    talent.goto(batch_url)
    talent.select_option("#pref1", label=building)
    talent.click("#apply-button")
    expect(talent.locator("#my-application")).to_contain_text("待审核")
    expect(talent.locator("#apply")).to_contain_text("石办字〔2017〕39号")

    office.reload()
    office.click("#close-batch")
    office.locator("#applications tr", has_text="欧").locator("button[value=approve]").click()
    expect(office.locator("#applications .status")).to_have_text("审核通过，待摇号")
    office.fill("#seed-input", f"公证处-{tag}")
    office.click("#publish-seed")
    expect(office.locator("#seed")).to_contain_text(f"公证处-{tag}")
    office.click("#draw")
    # the result was published six days ago: its five-day objection window has passed
    with clock.frozen(clock.now() - dt.timedelta(days=6)):
        office.click("#publish-result")
        expect(office.locator("#batch-status")).to_have_text("结果公示中")

    talent.reload()
    row = talent.locator("#result-table tbody tr").first
    expect(row.locator(".name")).to_have_text("欧***")  # masked on the published result
    expect(row.locator(".unit")).to_contain_text(f"{building} 1201")
    assert "欧阳娜娜" not in talent.content()

    office.reload()
    office.click("#finalize")
    expect(office.locator("#batch-status")).to_have_text("分配生效")
    form = office.locator("form.contract-form").first
    start = clock.today()
    form.locator("input[name=start]").fill(start.isoformat())
    form.locator("input[name=end]").fill(start.replace(year=start.year + 3).isoformat())
    form.locator("button").click()
    expect(office.locator("#contract-table")).to_contain_text(f"{building} 1201")
    talent.goto(live_server.url + "/housing/mine")
    expect(talent.locator("#my-contracts")).to_contain_text("履行中")
    expect(talent.locator("#my-contracts")).to_contain_text("1200.00")
