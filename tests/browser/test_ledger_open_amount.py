"""A payment line whose amount no parameter gives yet reads "待主管部门明确" to the finance officer,
never "0.00" (decision 0379): the person's payment history, the schedule list and its Excel file,
the summary by program. 石办字〔2017〕15号 可享受的服务项目（8）: "每月分别给予 1.5 万元、0.5 万元的
工作津贴" — which tier is whose is not said, so the amount awaits the office (0337, 0367)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from rencai import clock
from rencai.db.session import session_scope
from rencai.ledger.decision import NO_AMOUNT
from rencai.ledger.schedules import Terms, create_schedule
from rencai.registry.accounts import create_account
from rencai.registry.models import Role
from tests.browser.login import desk_page
from tests.ledger.world import fresh_id_number, person_with_schedule
from tests.support import LiveServer


def test_a_line_without_an_amount_reads_to_be_made_clear_on_the_finance_pages(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    number = fresh_id_number()
    with session_scope(url) as session:
        create_account(session, f"fo{tag}", "secret123", "财务", Role.finance)
        schedule = create_schedule(
            session,
            terms=Terms(
                program_name="柔性引进高层次人才工作津贴",
                per="month",
                parameter_path="a_card.flexible_allowance",
                periods=2,
                start_period=clock.today().replace(day=1),
                conditions=[],
            ),
            program="sjz.a.flexible_work_allowance",
            jurisdiction="shijiazhuang",
            county="130102",
            id_number=number,
            payee_name=f"柔{tag}",
            actor="test",
        )
        open_schedule = schedule.id
    rent = person_with_schedule(url)  # a line with its amount, for contrast: 3000.00

    page = desk_page(browser, live_server, f"fo{tag}")
    page.goto(live_server.url + "/ledger?tab=people")
    page.fill("#person-id", number)
    page.click("#person-button")
    lines = page.locator(f"section[data-schedule='{open_schedule}'] tbody tr")
    expect(lines).to_have_count(2)
    for row in lines.all():
        expect(row.locator("td.amount")).to_have_text("待主管部门明确")
        expect(row).to_contain_text(NO_AMOUNT)  # the officers' words: who is to act (0367)
        expect(row).not_to_contain_text("0.00")
    page.goto(live_server.url + "/ledger?tab=people")
    page.fill("#person-id", rent["id_number"])
    page.click("#person-button")
    first = page.locator(f"section[data-schedule='{rent['schedule_id']}'] tbody tr").first
    expect(first.locator("td.amount")).to_have_text("3000.00")

    page.goto(live_server.url + f"/ledger?tab=schedules&q=柔{tag}")
    row = page.locator(f"tr[data-schedule-row='{open_schedule}']")
    expect(row.locator("td").nth(5)).to_have_text("待主管部门明确")  # 计划金额; 已发放 is ¥0.00
    with page.expect_download() as download:
        page.click("a[href*='/ledger/schedules.xlsx']")
    saved = tmp_path / "schedules.xlsx"
    download.value.save_as(saved)
    sheet = load_workbook(saved).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    mine = next(r for r in rows[1:] if r[0] == open_schedule)
    assert mine[header.index("计划金额")] == "待主管部门明确"
    assert mine[header.index("金额待主管部门明确（期）")] == 2

    page.goto(live_server.url + "/ledger")
    summary = page.locator("#by-program tr", has_text="柔性引进高层次人才工作津贴")
    expect(summary.locator("td").nth(1)).to_have_text("待主管部门明确")
