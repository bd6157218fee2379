"""The administrator finds the audit log from the workspace and narrows it in Chromium: search,
business area, a date range picked in date inputs, the count, the pages and the export of the
same filter; an empty result says what to do."""

from __future__ import annotations

import datetime as dt
import os
import uuid

from playwright.sync_api import Browser, expect

from rencai.audit.log import append
from rencai.db.session import session_scope
from rencai.registry.accounts import create_account
from rencai.registry.models import Role
from tests.browser.login import log_in
from tests.browser.test_accessibility import _violations
from tests.support import LiveServer

DESK = {"width": 1366, "height": 900}


def test_the_administrator_narrows_the_audit_log(browser: Browser, live_server: LiveServer) -> None:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:8]
    actor = f"ab{tag}"
    with session_scope(url) as s:
        create_account(s, f"ad{tag}", "secret123", "系统管理员", Role.admin)
        old = dt.datetime(2021, 3, 1, 2, tzinfo=dt.UTC)
        for i in range(3):
            append(s, actor, "account.password_reset", f"account:{i + 1}", at=old)
        append(s, actor, "card.photo", f"card:B{tag}")

    page = browser.new_context(viewport=DESK, locale="zh-CN").new_page()
    log_in(page, live_server, f"ad{tag}")
    page.get_by_role("link", name="审计日志").first.click()
    expect(page).to_have_url(live_server.url + "/admin/audit")
    page.fill("#list-q", actor)
    page.click("#list-apply")
    expect(page.locator("#list-total")).to_have_text("共4条")
    assert _violations(page) == []  # axe-core: no serious violation on the list page
    expect(page.locator("#audit-list tbody tr").first).to_contain_text("上传持卡人照片")
    page.select_option("#filter-area", "account")
    page.fill("#filter-from", "2021-03-01")
    page.fill("#filter-to", "2021-03-01")
    page.select_option("#list-sort", "at")
    page.click("#list-apply")
    expect(page.locator("#list-total")).to_have_text("共3条")
    expect(page.locator("#audit-list tbody tr").first).to_contain_text("账户 1")
    expect(page.locator("#audit-list")).to_contain_text("2021-03-01 10:00")  # office time
    export = page.locator("#list-export")
    same = f"q={actor}&area=account&from=2021-03-01&to=2021-03-01&sort=at"
    expect(export).to_have_attribute("href", f"/admin/audit.xlsx?{same}")
    page.goto(page.url + "&per_page=2")
    page.click("#page-next")
    expect(page.locator("#audit-list tbody tr")).to_have_count(1)
    expect(page.locator("#audit-list tbody tr")).to_contain_text("账户 3")
    page.fill("#filter-to", "2021-02-28")
    page.fill("#filter-from", "2021-02-01")
    page.click("#list-apply")
    expect(page.locator("#list-total")).to_have_text("共0条")
    expect(page.locator("#audit-list .empty")).to_contain_text("请放宽日期范围")
    page.click("#list-reset")
    expect(page).to_have_url(live_server.url + "/admin/audit")
