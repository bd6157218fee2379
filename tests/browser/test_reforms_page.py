"""In real Chromium: the administrator defines a reform, leadership runs it and reads the cost."""

from __future__ import annotations

import os
import uuid

from playwright.sync_api import Browser, expect

from rencai.db.session import session_scope
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.identifiers import id_check_character
from rencai.registry.models import Role
from tests.browser.login import desk_page
from tests.profiles import doctor_today
from tests.support import LiveServer, random_first17


def test_define_run_and_read_a_reform(browser: Browser, live_server: LiveServer) -> None:
    tag = uuid.uuid4().hex[:6]
    profile = doctor_today()
    first17 = random_first17()
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(s, f"pa{tag}", "secret123", "管理员", Role.admin)
        create_account(s, f"pl{tag}", "secret123", "领导", Role.leadership)
        register_talent(
            s,
            f"pt{tag}",
            "secret123",
            f"王博士{tag}",
            first17 + id_check_character(first17),
            profile,
        )

    admin = desk_page(browser, live_server, f"pa{tag}")
    admin.goto(live_server.url + "/admin")
    admin.click("#to-reforms")  # reached from the administrator's page
    expect(admin.locator("h1")).to_have_text("政策模拟")
    # a bad value first: a Chinese message, nothing saved
    admin.fill("#reform-name", f"博士房租提高{tag}")
    admin.select_option("#parameter-0", "b_card.rent_subsidy.doctorate")
    admin.fill("#parameter-from-0", "2026-01-01")
    admin.fill("#parameter-value-0", "四千")
    admin.click("#save-reform")
    expect(admin.locator("#message")).to_contain_text("的值应为数值")
    expect(admin.locator("#reforms")).not_to_contain_text(f"博士房租提高{tag}")
    admin.fill("#parameter-value-0", "4000")
    admin.fill("#reform-description", "博士每月房租补助由3000元提高到4000元")
    admin.click("#save-reform")
    row = admin.locator("#reforms tbody tr", has_text=f"博士房租提高{tag}")
    expect(row).to_contain_text("B卡房租补助（博士，每月）：自2026-01-01起调整为 4000")
    assert "b_card" not in row.inner_text()  # the office's words, not the file's paths

    lead = desk_page(browser, live_server, f"pl{tag}")
    lead.goto(live_server.url + "/reforms")
    expect(lead.locator("#define-reform")).to_have_count(0)  # leadership does not define
    reform_id = row.get_attribute("data-reform")
    lead.check(f"#run-reform-{reform_id}")
    lead.select_option("#run-population", "registered")
    lead.fill("#run-start", "2026-01")
    lead.fill("#run-years", "2")
    lead.click("#run")
    expect(lead.locator("h1")).to_contain_text(f"博士房租提高{tag}")
    expect(lead.locator("#total")).to_be_visible(timeout=60_000)  # the page refreshes until done
    rent = lead.locator("#programs tbody tr[data-program='sjz.b.rent_subsidy']")
    expect(rent).to_contain_text("房租补助")
    expect(rent).to_contain_text("按月")
    difference = lead.locator("#total-difference").inner_text()
    assert difference.startswith(("1", "2", "3", "4", "5", "6", "7", "8", "9")), difference
    expect(lead.locator("#by-year tbody tr")).to_have_count(2)
    expect(lead.locator("#group-degree")).to_contain_text("博士")
    sample = lead.locator("#programs a").first
    sample.click()
    expect(lead.locator("section.sample").first).to_contain_text("现行政策")
    # a registered doctor's own account (this test's, or another doctor registered in the same
    # database: the samples are a few of those who gain), in the calculator's words, under both
    # laws
    account = lead.locator("section.sample", has_text="享受：4000.00 元/月").first
    expect(account).to_contain_text("享受：3000.00 元/月")
    expect(account).to_contain_text("享受：4000.00 元/月")
    expect(account).to_contain_text("石家庄市人才绿卡B卡人才")


def test_the_pages_are_refused_to_other_roles(browser: Browser, live_server: LiveServer) -> None:
    tag = uuid.uuid4().hex[:6]
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(s, f"pc{tag}", "secret123", "市委人才办", Role.city_reviewer)
    anonymous = browser.new_context(locale="zh-CN").new_page()
    anonymous.goto(live_server.url + "/reforms")
    assert "/login" in anonymous.url
    city = desk_page(browser, live_server, f"pc{tag}")
    for path in ("/reforms", "/reforms/runs/1", "/reforms/compare?ids=1,2"):
        response = city.goto(live_server.url + path)
        assert response is not None and response.status == 403, path
        expect(city.locator("body")).to_contain_text("仅系统管理员或领导可以进行政策模拟")
