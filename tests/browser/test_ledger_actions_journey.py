"""Finance officer in real Chromium on a phone, app on PostgreSQL: a refused amount (Chinese,
nothing recorded), a repayment, then a write-off with its reason."""

from __future__ import annotations

import uuid

from playwright.sync_api import Browser, expect

from rencai.db.session import session_scope
from rencai.registry.accounts import create_account
from rencai.registry.models import Role
from tests.browser.login import log_in
from tests.ledger.world import person_with_receivable
from tests.support import ServerProcess


def test_repayment_and_write_off_on_the_finance_page(
    browser: Browser, pg_server: ServerProcess
) -> None:
    url, name = pg_server.database_url, f"fj{uuid.uuid4().hex[:6]}"
    with session_scope(url) as session:
        create_account(session, name, "secret123", "财务丙", Role.finance)
    rid = person_with_receivable(url)["receivable_id"]

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the write-off asks to be confirmed
    log_in(page, pg_server, name)
    expect(page.locator("h1")).to_have_text("资金发放")
    page.locator(f"#receivables li[data-receivable='{rid}'] a").click()
    expect(page.locator("h1")).to_have_text(f"应收款{rid}")
    expect(page.locator("#outstanding")).to_contain_text("6000.00")

    page.fill("#repay-amount", "三千元")
    page.click("#repay-button")
    expect(page.locator("#message")).to_contain_text("还款金额“三千元”无效")
    page.click("#back")
    expect(page.locator("#outstanding")).to_contain_text("6000.00")
    expect(page.locator("#repayments")).to_contain_text("暂无还款")

    page.fill("#repay-amount", "1000.00")
    page.fill("#repay-note", "银行回单20231101")
    page.click("#repay-button")
    expect(page.locator("#notice")).to_contain_text("已登记还款1000.00元，尚未收回5000.00元")
    expect(page.locator("#outstanding")).to_contain_text("5000.00")
    expect(page.locator("#repayments")).to_contain_text("银行回单20231101")

    page.click("#write-off-button")  # no reason: refused
    expect(page.locator("#message")).to_contain_text("核销须填写原因")
    page.click("#back")
    page.fill("#write-off-reason", "当事人已出境无法追缴，经局务会研究同意核销")
    page.click("#write-off-button")
    expect(page.locator("#notice")).to_contain_text("已核销，尚未收回0.00元")
    expect(page.locator("#status")).to_have_text("已核销")
    expect(page.locator("#journal tbody tr")).to_have_count(3)
    expect(page.locator("#journal")).to_contain_text("当事人已出境无法追缴")
    expect(page.locator("#repay-form")).to_have_count(0)
    context.close()
