"""Department data in real Chromium: the data office uploads a delivery on its page (a bad row
listed, the load record shown), the talent disputes a row on 我的, the reviewer sees both."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import httpx
from playwright.sync_api import Browser, expect

from rencai.db.session import session_scope
from rencai.registry.accounts import authenticate, create_account, register_talent
from rencai.registry.identifiers import id_check_character
from rencai.registry.models import Role
from tests.browser.login import log_in
from tests.profiles import doctor_today
from tests.support import LiveServer, random_first17

COLUMNS = "身份证号,姓名,毕业院校,院校类别,学历层次,专业,学习形式,毕业日期"


def test_upload_dispute_and_review(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    first17 = random_first17()
    number = first17 + id_check_character(first17)
    profile = doctor_today()
    with session_scope(url) as session:
        create_account(session, f"do{tag}", "secret123", "数据管理", Role.data_office)
        create_account(session, f"cr{tag}", "secret123", "市委人才办", Role.city_reviewer)
        register_talent(session, f"tl{tag}", "secret123", "欧阳学信", number, profile)
    delivery = tmp_path / "学信.csv"
    graduated = profile["person"]["education"][0]["graduation_date"]
    delivery.write_text(
        f"{COLUMNS}\n{number},欧阳学信,河北工业大学,double_first_class,doctorate,"
        f"化学工程与技术,非全日制,{graduated}\n"
        f"{number},欧阳学信,河北工业大学,,博士后,化学,全日制,{graduated}\n",
        encoding="utf-8",
    )

    office = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = office.new_page()
    log_in(page, live_server, f"do{tag}")
    expect(page.locator("h1")).to_have_text("数据共享：部门数据导入")
    page.select_option("#delivery-source", "degrees")
    page.set_input_files("#delivery-form input[type=file]", str(delivery))
    page.click("#delivery-form button[type=submit]")
    expect(page.locator("#delivery-result")).to_contain_text("导入1行，拒收1行")
    expect(page.locator("#rejects")).to_contain_text("学历层次")
    expect(page.locator("#loads tbody tr").first).to_contain_text("学信.csv")
    office.close()

    talent = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = talent.new_page()
    log_in(page, live_server, f"tl{tag}")
    page.goto(live_server.url + "/me")
    row = page.locator('#feed-data li[data-source="degrees"]')
    expect(row).to_contain_text("非全日制")
    row.locator("summary").click()
    row.locator("textarea").fill("本人为全日制博士研究生")
    row.locator("button[type=submit]").click()
    expect(page.locator('#feed-data li[data-source="degrees"]')).to_contain_text("已提出异议")
    talent.close()

    # the talent applies over the API (the page's own apply flow is tested elsewhere)
    with session_scope(url) as session:
        token = authenticate(session, f"tl{tag}", "secret123", kind="api").token
    created = httpx.post(
        f"{live_server.url}/api/v1/applications",
        headers={"Authorization": f"Bearer {token}"},
        json={"program": "card.b", "idempotency_key": uuid.uuid4().hex},
    )
    assert created.status_code == 201, created.text

    reviewer = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = reviewer.new_page()
    log_in(page, live_server, f"cr{tag}")
    page.goto(f"{live_server.url}/applications/{created.json()['id']}")
    checks = page.locator("#feed-checks")
    expect(checks.locator('tr[data-claim="degree"]')).to_contain_text("不一致")
    expect(checks.locator('tr[data-claim="degree"]')).to_contain_text("学习形式")
    expect(checks.locator('tr[data-claim="degree"]')).to_contain_text("申请人对该记录有异议")
    expect(checks.locator("#feed-disputes")).to_contain_text("本人为全日制博士研究生")
    reviewer.close()
