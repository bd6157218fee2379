"""In real Chromium: an administrator opens a 人社 officer account and loads the seeds' notice
rules; the officer (made to change the first password) approves a 工匠 case into 公示; a
real-named visitor objects on the public page, once; the officer dismisses the objection.
And a 秒批 case explained clause by clause, checked by the city."""

from __future__ import annotations

import json
import os
import uuid

from playwright.sync_api import Browser, expect

from rencai import clock
from rencai.applications.programs import configure
from rencai.applications.service import apply, decide
from rencai.db.session import session_scope
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.models import Role
from tests.browser.login import log_in
from tests.profiles import doctor_today
from tests.support import CRAFTSMAN_SELECTION_DAY, LiveServer, random_id_number


def _id_number(born: str | None = None) -> str:
    return random_id_number(born)  # the number carries the profile's birth date


def test_admin_configures_and_a_notice_meets_an_objection(
    browser: Browser, live_server: LiveServer
) -> None:
    tag = uuid.uuid4().hex[:6]
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        create_account(s, f"ad{tag}", "secret123", "管理员", Role.admin)
        county = create_account(
            s, f"ca{tag}", "secret123", "长安区", Role.county_reviewer, county="130102"
        )
        register_talent(s, f"zh{tag}", "secret123", "赵某", _id_number())  # a citizen
        worker = register_talent(
            s,
            f"cr{tag}",
            "secret123",
            "张铁柱",
            _id_number("1980-01-01"),
            {
                "jurisdiction": "shijiazhuang",
                "person": {"birth_date": "1980-01-01", "skill_level": "senior_worker"},
                "employment": {"employer_type": "enterprise", "county": "130102"},
            },
        )

    admin = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(admin, live_server, f"ad{tag}")
    expect(admin.locator("h1")).to_contain_text("系统管理")
    admin.fill("#staff-username", f"hs{tag}")
    admin.fill("#staff-password", "secret123")
    admin.fill("#staff-name", "市人社局")
    admin.select_option("#staff-role", "department_officer")
    admin.click("#create-staff")
    expect(admin.locator("#message")).to_contain_text("须指定部门")  # no department chosen
    admin.goto(live_server.url + "/admin")
    admin.fill("#staff-username", f"hs{tag}")
    admin.fill("#staff-password", "secret123")
    admin.fill("#staff-name", "市人社局")
    admin.select_option("#staff-role", "department_officer")
    admin.select_option("#staff-department", "hrss")
    admin.click("#create-staff")
    expect(admin.locator(f"[data-account='hs{tag}']")).to_contain_text("人社部门")
    moved = admin.locator(f"[data-account='hs{tag}']")
    moved.locator("summary", has_text="修改角色或分工").click()
    moved.locator(".change-staff select[name='department']").select_option("education")
    moved.locator(".change-staff button").click()
    expect(admin.locator(f"[data-account='hs{tag}']")).to_contain_text("教育部门")
    moved = admin.locator(f"[data-account='hs{tag}']")
    moved.locator("summary", has_text="修改角色或分工").click()
    moved.locator(".change-staff select[name='department']").select_option("hrss")
    moved.locator(".change-staff button").click()
    expect(admin.locator(f"[data-account='hs{tag}']")).to_contain_text("人社部门")
    admin.select_option("#closure-county", "130131")
    admin.fill("#closure-day", "2099-12-01")
    admin.fill("#closure-name", "本地停工")
    admin.fill("#closure-source", "平山县通知")
    admin.click("#add-closure")
    expect(admin.locator("#closures")).to_contain_text("2099-12-01 · 平山县 · 本地停工")
    admin.goto(live_server.url + "/admin/programs")
    admin.click("#load-seeded")
    craftsman = admin.locator("[data-program='sjz.skills.craftsman_selection']")
    expect(craftsman).to_contain_text("5个工作日")
    expect(craftsman).to_contain_text("公示期为 5 个工作日")
    expect(admin.locator("#limits")).to_contain_text("即报即批")

    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        with clock.frozen(CRAFTSMAN_SELECTION_DAY):  # filed in a selection year
            case = apply(s, worker, "sjz.skills.craftsman_selection", uuid.uuid4().hex)
        assert json.loads(case.precheck)["state"] == "eligible", case.precheck
        decide(s, county, case, "approve", None, case.version)
        case_id = case.id

    officer = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(officer, live_server, f"hs{tag}")
    # the account was opened with 首次登录须修改密码: nothing else until it is changed
    expect(officer.locator("#forced")).to_contain_text("请先设置新密码")
    officer.goto(live_server.url + "/review")
    expect(officer.locator("#forced")).to_be_visible()
    officer.fill("#old_password", "secret123")
    officer.fill("#new_password", "changed123")
    officer.fill("#new_password2", "changed123")
    officer.click("#change-password")
    expect(officer.locator("#done")).to_contain_text("密码已修改")
    officer.goto(live_server.url + "/review")
    officer.click(f"#todo li[data-case='{case_id}'] a")
    expect(officer.locator("#chain")).to_contain_text("人社部门")
    officer.click("#submit-decision")
    expect(officer.locator("#status")).to_contain_text("公示中")
    expect(officer.locator("#notice")).to_contain_text("5个工作日")

    visitor = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    visitor.goto(live_server.url + "/notices")
    notice = visitor.locator(f"[data-notice='{case_id}']")
    expect(notice).to_contain_text("张**")
    expect(notice).not_to_contain_text("张铁柱")
    # the page says who may object and how often; a visitor must sign in first
    expect(visitor.locator("#objection-rules")).to_contain_text("每个账号对同一公示限提一次异议")
    notice.locator("summary").click()
    expect(notice).to_contain_text("请先登录实名注册的个人账号")
    log_in(visitor, live_server, f"zh{tag}")
    visitor.goto(live_server.url + "/notices")
    notice = visitor.locator(f"[data-notice='{case_id}']")
    notice.locator("summary").click()
    notice.locator("input[name='contact']").fill("13800000000")
    notice.locator("textarea[name='text']").fill("短")
    notice.locator("button").click()
    expect(visitor.locator("#message")).to_contain_text("5至2000字")
    notice = visitor.locator(f"[data-notice='{case_id}']")
    notice.locator("summary").click()
    notice.locator("input[name='contact']").fill("13800000000")
    notice.locator("textarea[name='text']").fill("该人选的技能等级证书取得时间有误")
    notice.locator("button").click()
    expect(visitor.locator("#done")).to_contain_text(str(case_id))
    expect(visitor.locator(f"[data-notice='{case_id}']")).to_contain_text("异议核查中")
    notice = visitor.locator(f"[data-notice='{case_id}']")
    notice.locator("summary").click()
    notice.locator("input[name='contact']").fill("13800000000")
    notice.locator("textarea[name='text']").fill("再提一次同样的异议")
    notice.locator("button").click()
    expect(visitor.locator("#message")).to_contain_text("每人对同一公示限提一次")

    officer.goto(live_server.url + "/review")
    officer.click(f"#objection-queue a[href='/applications/{case_id}']")
    expect(officer.locator("#objections")).to_contain_text("该人选的技能等级证书取得时间有误")
    officer.locator(".objection-decision select").select_option("dismiss")
    officer.locator(".objection-decision input[name='reason']").fill("经核查证书真实有效")
    officer.locator(".objection-decision input[name='bad_faith']").check()
    officer.locator(".objection-decision button").click()
    expect(officer.locator("#status")).to_contain_text("公示中")
    expect(officer.locator("#timeline")).to_contain_text("异议不成立，公示继续")


def test_automatic_approval_explained_and_checked(
    browser: Browser, live_server: LiveServer
) -> None:
    tag = uuid.uuid4().hex[:6]
    profile = doctor_today()
    with session_scope(os.environ["RENCAI_DATABASE_URL"]) as s:
        admin = create_account(s, f"ad{tag}", "secret123", "管理员", Role.admin)
        create_account(s, f"ci{tag}", "secret123", "市委人才办", Role.city_reviewer)
        configure(
            s, admin, "sjz.b.service.daily_life", chain=["county", "city"], auto_approve=True,
            sample_percent=100,
        )  # fmt: skip
        talent = register_talent(s, f"dr{tag}", "secret123", "王博士", _id_number(), profile)
        case_id = apply(s, talent, "sjz.b.service.daily_life", uuid.uuid4().hex).id

    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(page, live_server, f"dr{tag}")
    page.goto(f"{live_server.url}/applications/{case_id}")
    expect(page.locator("#status")).to_contain_text("已通过")
    expect(page.locator("#automatic")).to_contain_text("石办字〔2017〕39号 申领范围（2）")
    expect(page.locator("#automatic")).to_contain_text("可享受的服务项目（8）")
    expect(page.locator("#sample")).to_contain_text("已抽中")
    expect(page.locator("#post-check")).to_have_count(0)  # the applicant does not check
    # the draw and the rules version are for reviewers and auditors, not the applicant
    for internal in ("抽签值", "规则版本", "SHA-256", "mod"):
        expect(page.locator("main")).not_to_contain_text(internal)

    reviewer = browser.new_context().new_page()
    log_in(reviewer, live_server, f"ci{tag}")
    reviewer.click(f"#check-queue a[href='/applications/{case_id}']")
    reviewer.select_option("#check-result", "confirmed")
    reviewer.click("#submit-check")
    expect(reviewer.locator("#sample")).to_contain_text("复核无误")
    expect(reviewer.locator("#sample")).to_contain_text("抽签值")
    expect(reviewer.locator("#sample")).not_to_contain_text("mod 10000")
    expect(reviewer.locator("#rules-version")).to_contain_text("计算规则版本")
    expect(reviewer.locator("#timeline")).to_contain_text("抽查复核无误")
