"""register → apply → county review → city review → decision, in real Chromium."""

from __future__ import annotations

import os
import uuid

from playwright.sync_api import Browser, expect

from rencai.db.session import session_scope
from rencai.registry.accounts import create_account
from rencai.registry.identifiers import id_check_character
from rencai.registry.models import Role
from tests.browser.login import log_in
from tests.profiles import doctor_today
from tests.support import LiveServer, random_first17


def test_whole_review_journey(browser: Browser, live_server: LiveServer) -> None:
    tag = uuid.uuid4().hex[:6]
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as session:
        create_account(
            session, f"ca{tag}", "secret123", "长安区人才办", Role.county_reviewer, county="130102"
        )
        create_account(
            session, f"qx{tag}", "secret123", "桥西区人才办", Role.county_reviewer, county="130104"
        )
        create_account(session, f"city{tag}", "secret123", "市委人才办", Role.city_reviewer)

    talent = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    asked = doctor_today()  # the number and the dates the form gets, counted from today
    first17 = random_first17()
    talent.goto(live_server.url + "/register")
    talent.fill("#username", f"t{tag}")
    talent.fill("#password", "secret123")
    talent.fill("#name", "赵博士")
    talent.fill("#id_number", first17 + id_check_character(first17))
    talent.click("#register")
    talent.fill("#birth_date", asked["person"]["birth_date"])
    talent.select_option("#degree", "doctorate")
    talent.select_option("#employer_type", "enterprise")
    talent.select_option("#county", "130102")
    talent.select_option("#introduced_from", "outside_city")
    talent.fill("#start_date", asked["employment"]["start_date"])
    talent.click("#save")
    talent.click("[data-apply='sjz.b.rent_subsidy']")
    expect(talent.locator("#status")).to_contain_text("县级审核中")
    case_url = talent.url
    talent.go_back()  # a second click on the same page view applies only once
    talent.click("[data-apply='sjz.b.rent_subsidy']")
    assert talent.url == case_url
    talent.set_input_files(
        "#file",
        files=[
            {
                "name": "毕业证.png",
                "mimeType": "image/png",
                "buffer": b"\x89PNG\r\n\x1a\n" + b"0" * 64,
            }
        ],
    )
    talent.click("#upload-button")
    expect(talent.locator("#materials")).to_contain_text("毕业证.png")
    talent.set_input_files(
        "#file", files=[{"name": "病毒.exe", "mimeType": "image/png", "buffer": b"MZ" + b"0" * 64}]
    )
    talent.click("#upload-button")
    expect(talent.locator("#message")).to_contain_text("只接受PDF、JPG、PNG")
    talent.goto(case_url)
    expect(talent.locator("#materials li")).to_have_count(1)
    # the stepper follows the program's chain; 我的 no longer offers to apply again
    stepper = talent.locator(".stepper").first
    expect(stepper.locator(".step-name")).to_have_text(
        ["提交申请", "县级审核", "市级审核", "作出决定"]
    )
    expect(stepper.locator("li[aria-current=step] .step-name")).to_have_text("县级审核")
    talent.goto(live_server.url + "/me")
    row = talent.locator("#my-cases li[data-program='sjz.b.rent_subsidy']")
    expect(row).to_contain_text("提交")
    expect(row).to_contain_text("下一步：等待县级审核")
    expect(talent.locator("[data-apply='sjz.b.rent_subsidy']")).to_have_count(0)
    expect(talent.locator("[data-taken='sjz.b.rent_subsidy']")).to_contain_text("县级审核中")
    expect(talent.locator("[data-apply='sjz.b.purchase_subsidy']")).to_have_count(1)

    reviewer = browser.new_context().new_page()
    log_in(reviewer, live_server, f"qx{tag}")  # another county sees nothing
    expect(reviewer.locator("#todo")).to_contain_text("暂无待审核申请")
    reviewer.goto(case_url)
    expect(reviewer.locator("#message")).to_contain_text("没有找到该申请")

    log_in(reviewer, live_server, f"ca{tag}")
    reviewer.click("#todo a")
    expect(reviewer.locator(".precheck")).to_contain_text("符合条件")
    reviewer.select_option("#decision", "return")
    reviewer.click("#submit-decision")
    expect(reviewer.locator("#message")).to_contain_text("须填写理由")
    reviewer.goto(case_url)
    reviewer.select_option("#decision", "return")
    reviewer.fill("#reason", "请补充劳动合同")
    reviewer.click("#submit-decision")
    expect(reviewer.locator("#status")).to_contain_text("退回补正")

    talent.goto(case_url)
    expect(talent.locator("#timeline")).to_contain_text("请补充劳动合同")
    talent.click("#resubmit")
    expect(talent.locator("#status")).to_contain_text("县级审核中")

    reviewer.goto(case_url)
    reviewer.click("#submit-decision")  # 通过
    expect(reviewer.locator("#status")).to_contain_text("市级审核中")
    log_in(reviewer, live_server, f"city{tag}")
    reviewer.goto(case_url)
    reviewer.click("#submit-decision")
    expect(reviewer.locator("#status")).to_contain_text("已通过")

    talent.goto(live_server.url + "/me")
    expect(talent.locator("#my-cases")).to_contain_text("已通过")
    row = talent.locator("#my-cases li[data-program='sjz.b.rent_subsidy']")
    expect(row.locator(".case-dates")).to_contain_text("决定")
    expect(row.locator(".stepper li.step-done")).to_have_count(4)
    expect(talent.locator("[data-apply='sjz.b.rent_subsidy']")).to_have_count(0)
    expect(talent.locator("[data-taken='sjz.b.rent_subsidy']")).to_contain_text("已通过")
