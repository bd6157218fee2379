"""In real Chromium: an employer's HR confirms a hire's employment from the case page and applies
on behalf of another new hire; both cases show on the employer's page and the talent's."""

from __future__ import annotations

import copy
import os
import uuid

from playwright.sync_api import Browser, expect

from rencai.applications.service import apply
from rencai.db.session import session_scope
from rencai.registry.accounts import create_account, register_employer, register_talent
from rencai.registry.identifiers import uscc_check_character
from rencai.registry.models import Role
from tests.browser.login import log_in
from tests.profiles import doctor_today
from tests.support import LiveServer, random_id_number


def _id_number(born: str | None = None) -> str:
    return random_id_number(born)  # the number carries the profile's birth date


def test_employer_confirms_and_applies_for_a_hire(
    browser: Browser, live_server: LiveServer
) -> None:
    tag = uuid.uuid4().hex[:6]
    profile = doctor_today()
    first17 = "91130100MA" + "".join("0123456789ABCDFGH"[b % 17] for b in uuid.uuid4().bytes[:7])
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        employer = register_employer(
            s, first17 + uscc_check_character(first17), "示例药业", "130102", "enterprise"
        )
        uscc = employer.uscc
        create_account(s, f"hr{tag}", "secret123", "人事部", Role.employer, employer_id=employer.id)
        create_account(s, f"ci{tag}", "secret123", "市委人才办", Role.city_reviewer)
        waiting = register_talent(s, f"w{tag}", "secret123", "周博士", _id_number(), profile)
        hire = register_talent(
            s, f"h{tag}", "secret123", "吴博士", _id_number(), copy.deepcopy(profile)
        )
        waiting.employer_id = hire.employer_id = employer.id
        s.flush()
        pending = apply(s, waiting, "card.b", uuid.uuid4().hex)
        assert pending.employer_confirmation == "pending"
        pending_id, hire_id = pending.id, hire.id

    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(page, live_server, f"hr{tag}")
    expect(page.locator("h1")).to_contain_text("示例药业")
    expect(page.locator("#cases")).to_contain_text("待单位确认在职")
    # not yet verified by the city office: told so, and a confirmation is refused
    expect(page.locator("#unverified")).to_contain_text("尚未经市委人才办核验")
    page.click(f"#cases a[href='/applications/{pending_id}']")
    page.select_option("#confirmed", "yes")
    page.click("#submit-employment")
    expect(page.locator("#message")).to_contain_text("尚未经市委人才办核验")
    office = browser.new_context().new_page()
    log_in(office, live_server, f"ci{tag}")
    office.click("#to-employers")
    unit = office.locator(f"[data-employer='{uscc}']")
    expect(unit).to_contain_text("待核验")
    unit.locator("button[value='verify']").click()  # no evidence: the browser requires it
    unit.locator("textarea[name='evidence']").fill(
        "营业执照原件已核，国家企业信用信息公示系统显示存续"
    )
    unit.locator("button[value='verify']").click()
    expect(office.locator(f"[data-employer='{uscc}']")).to_have_count(0)
    page.goto(live_server.url + "/employer")
    expect(page.locator("#verified")).to_contain_text("已经核验")
    page.click(f"#cases a[href='/applications/{pending_id}']")
    page.select_option("#confirmed", "no")
    page.click("#submit-employment")
    expect(page.locator("#message")).to_contain_text("须说明理由")
    page.goto(f"{live_server.url}/applications/{pending_id}")
    page.select_option("#confirmed", "yes")
    page.click("#submit-employment")
    expect(page.locator("#timeline")).to_contain_text("确认在职")
    expect(page.locator("#employment")).to_have_count(0)

    page.goto(live_server.url + "/employer")
    row = page.locator(f"[data-talent='{hire_id}']")
    expect(row).to_contain_text("吴博士")
    row.locator("select[name='program']").select_option("sjz.b.rent_subsidy")
    row.locator("button").click()
    expect(page.locator("#status")).to_contain_text("县级审核中")
    expect(page.locator("#timeline")).to_contain_text("用人单位")

    talent = browser.new_context().new_page()
    log_in(talent, live_server, f"h{tag}")
    expect(talent.locator("#my-cases")).to_contain_text("房租补助")
