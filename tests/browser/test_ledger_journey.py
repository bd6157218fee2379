"""Finance journey in real Chromium: run a month, a second officer approves, Excel export."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from rencai.db.session import session_scope
from rencai.registry.accounts import create_account
from rencai.registry.models import Role
from tests.browser.login import log_in
from tests.ledger.world import add_schedule, contributions
from tests.support import LiveServer


def test_run_then_second_officer_approves_and_exports(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    with session_scope(url) as session:
        create_account(session, f"fa{tag}", "secret123", "财务甲", Role.finance)
        create_account(session, f"fb{tag}", "secret123", "财务乙", Role.finance)
    for seed in (901, 902):
        add_schedule(url, seed, start="2023-06-01")
    contributions(url, tmp_path, [901, 902], dt.date(2023, 6, 1), 1)

    runner = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = runner.new_page()
    log_in(page, live_server, f"fa{tag}")
    expect(page.locator("h1")).to_have_text("资金发放")
    page.fill("#run-month", "2023-06")
    page.click("#run-button")
    expect(page.locator("#notice")).to_contain_text("发放2笔")
    expect(page.locator("#notice")).to_contain_text("6000.00元")
    batch = page.locator("#batches li", has_text="2023年06月")
    expect(batch).to_contain_text("2笔 · 6,000.00元")  # money as the formatting layer shows it
    expect(batch).to_contain_text("待审核")
    expect(batch).to_contain_text("须由另一名财务人员审核")  # not the runner's to approve
    expect(batch.locator("button")).to_have_count(0)
    # running the same month again resumes the same run: still one batch
    page.fill("#run-month", "2023-06")
    page.click("#run-button")
    expect(page.locator("#notice")).to_contain_text("续跑")
    expect(page.locator("#batches li", has_text="2023年06月")).to_have_count(1)
    runner.close()

    approver = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = approver.new_page()
    log_in(page, live_server, f"fb{tag}")
    batch = page.locator("#batches li", has_text="2023年06月")
    expect(batch.locator("button")).to_have_count(0)  # approval only after seeing the lines
    batch.locator("a.batch-lines").click()
    lines = page.locator("#batch-lines tbody tr")
    expect(lines).to_have_count(2)
    for seed in (901, 902):  # every line: payee masked, amount in yuan, program, case
        row = lines.filter(has_text=f"{seed:08d}"[-4:])
        expect(row.locator(".payee")).to_have_text("人****")
        expect(row.locator(".amount")).to_have_text("3000.00元")
        expect(row.locator(".program")).to_have_text("房租补助")
    expect(page.locator("#batch-lines")).not_to_contain_text("人才901")
    page.locator("#batch-decision button[value='approve']").click()
    expect(page.locator("#notice")).to_contain_text("已审核通过")
    expect(page.locator("#batches li", has_text="2023年06月")).to_contain_text(f"审核人：fb{tag}")
    expect(page.locator("#by-program")).to_contain_text("房租补助")
    page.click("#tab-reports")  # the exports have their own tab
    with page.expect_download() as download:
        page.click("#exports a[href='/ledger/reports/program.xlsx']")
    saved = tmp_path / "program.xlsx"
    download.value.save_as(saved)
    sheet = load_workbook(saved).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "项目",
        "承诺金额（元）",
        "已发放（元）",
        "已收回（元）",
        "金额待主管部门明确（期）",
    )
    assert any(r[0] == "房租补助" for r in rows[1:])
    approver.close()
