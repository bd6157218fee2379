"""In real Chromium: a unit publishes a need, the office approves and publishes the year's
catalogue, a consenting talent sees the match explained and applies, and the unit sees the
talent among its candidates (masked)."""

from __future__ import annotations

import os
import re
import uuid

from playwright.sync_api import Browser, expect

from rencai import clock
from rencai.db.session import session_scope
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.employers import register_with_hr
from rencai.registry.identifiers import mask_name, uscc_check_character
from rencai.registry.models import Role
from tests.browser.login import desk_page
from tests.profiles import doctor_birth_date
from tests.support import LiveServer, random_id_number


def test_publish_a_need_see_the_catalogue_and_match(
    browser: Browser, live_server: LiveServer
) -> None:
    tag = uuid.uuid4().hex[:6]
    code17 = f"91130100MA{uuid.uuid4().int % 10**7:07d}"
    unit = f"智造装备有限公司{tag}"
    discipline = f"机械工程{tag}"  # a discipline only this test's talent studied
    year = clock.today().year
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        employer = register_with_hr(
            s, code17 + uscc_check_character(code17), unit, "130104", "enterprise", None, False,
            f"jh{tag}", "secret123", "人事",
        )  # fmt: skip
        employer.verification_status = "verified"
        create_account(s, f"jo{tag}", "secret123", "市委人才办", Role.city_reviewer)
        profile = {
            "jurisdiction": "shijiazhuang",
            "person": {
                "birth_date": doctor_birth_date().isoformat(),
                "education": [{"degree": "master", "full_time": True, "discipline": discipline}],
            },
            "employment": {"employer_type": "enterprise", "county": "130104"},
        }
        register_talent(s, f"jt{tag}", "secret123", "钱工程", random_id_number(), profile)

    hr = desk_page(browser, live_server, f"jh{tag}")
    hr.goto(live_server.url + "/shortage")
    hr.select_option("#need-county", "130104")
    hr.fill("#need-position", f"结构设计工程师{tag}")
    hr.select_option("#need-industry", "C")
    hr.fill("#need-discipline", discipline)
    hr.select_option("#need-degree", "bachelor")
    hr.fill("#need-count", "3")
    hr.fill("#need-pay-min", "300000")
    hr.fill("#need-pay-max", "200000")
    hr.click("#submit-need-button")
    expect(hr.locator("#message")).to_contain_text("下限不高于上限")
    hr.fill("#need-pay-min", "120000")
    hr.click("#submit-need-button")
    expect(hr.locator("#done")).to_contain_text("需求已提交")
    expect(hr.locator("#own-needs")).to_contain_text("待审核")

    office = desk_page(browser, live_server, f"jo{tag}")
    office.goto(live_server.url + "/shortage")
    row = office.locator("#waiting tr", has_text=f"结构设计工程师{tag}")
    row.locator("select[name=program]").select_option("card.b")
    row.locator("button").click()
    expect(office.locator("#done")).to_have_text("审核结论已保存")
    office.fill("#publish-year", str(year))
    office.click("#publish-button")
    expect(office.locator("h1")).to_have_text(f"石家庄市{year}年度急需紧缺人才需求目录")
    expect(office.locator("#catalogue")).to_contain_text(f"结构设计工程师{tag}")
    expect(office.locator("#catalogue")).to_contain_text("大学本科及以上")
    with office.expect_download() as download:
        office.click("#xlsx")
    assert download.value.suggested_filename == f"shortage-{year}.xlsx"

    talent = desk_page(browser, live_server, f"jt{tag}")
    talent.goto(live_server.url + "/shortage")
    talent.click("#consent-button")
    match = talent.locator("#matches > li", has_text=f"结构设计工程师{tag}")
    expect(match).to_contain_text("符合全部要求")
    expect(match.locator(".explanation")).to_contain_text(
        "学历：大学本科及以上 — 最高学历：硕士研究生"
    )
    expect(match.locator(".explanation")).to_contain_text(
        f"专业：{discipline} — 所学专业：{discipline}"
    )

    hr.goto(live_server.url + "/shortage")
    hr.locator("#own-needs a", has_text="查看").first.click()
    expect(hr.locator("#candidates")).to_contain_text(mask_name("钱工程"))
    expect(hr.locator("#candidates")).not_to_contain_text("钱工程")

    match.locator(".apply button").click()
    expect(talent).to_have_url(re.compile(r"/applications/\d+$"))
    expect(talent.locator("body")).to_contain_text("石家庄市人才绿卡B卡")
