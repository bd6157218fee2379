"""Each role logs in and lands on its own workspace: who is signed in with the role and office
in Chinese (never the role's code), its own navigation, today's counts, a way out; and the
reviewer's list is filtered, searched, sorted, paged and exported in real Chromium."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from rencai import clock
from rencai.applications.models import Application
from rencai.applications.service import apply
from rencai.cards.usage import register_point
from rencai.db.session import session_scope
from rencai.registry.accounts import create_account, register_employer, register_talent
from rencai.registry.identifiers import uscc_check_character
from rencai.registry.models import ROLE_LABELS, Role
from tests.browser.login import log_in
from tests.profiles import doctor_today
from tests.support import LiveServer, random_id_number

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 900}


def _talent(session: Any, username: str, name: str, county: str) -> Any:
    profile = doctor_today()
    profile["employment"]["county"] = county
    return register_talent(session, username, "secret123", name, random_id_number(), profile)


def test_every_role_lands_on_its_workspace(browser: Browser, live_server: LiveServer) -> None:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    county = "130129"  # 赞皇县: no other test files cases there, so its counts are exact
    with session_scope(url) as s:
        first17 = "91130100MA" + uuid.uuid4().hex[:7].upper().replace("E", "F")
        unit = register_employer(
            s, first17 + uscc_check_character(first17), "赞皇示例科技有限公司", county, "enterprise"
        )
        create_account(s, f"ws_cr{tag}", "secret123", "赞皇县人才办", Role.county_reviewer,
                       county=county)  # fmt: skip
        create_account(s, f"ws_ci{tag}", "secret123", "市委人才办", Role.city_reviewer)
        create_account(s, f"ws_do{tag}", "secret123", "市人社局", Role.department_officer,
                       department="hrss")  # fmt: skip
        create_account(s, f"ws_ad{tag}", "secret123", "管理员", Role.admin)
        create_account(s, f"ws_fi{tag}", "secret123", "财务科", Role.finance,
                       jurisdiction="shijiazhuang")  # fmt: skip
        create_account(s, f"ws_da{tag}", "secret123", "数据科", Role.data_office)
        create_account(s, f"ws_ho{tag}", "secret123", "住房保障科", Role.housing_office)
        create_account(s, f"ws_le{tag}", "secret123", "领导", Role.leadership)
        create_account(s, f"ws_so{tag}", "secret123", "驿站前台", Role.station_operator)
        create_account(s, f"ws_hr{tag}", "secret123", "人事部", Role.employer,
                       employer_id=unit.id)  # fmt: skip
        register_point(s, f"WS-{tag}", "公交9路", "bus", f"ws_sp{tag}", "secret123", county)
        talent = _talent(s, f"ws_tl{tag}", "赵赞皇", county)
        talent.employer_id = unit.id
        s.flush()
        late = apply(s, talent, "sjz.b.rent_subsidy", uuid.uuid4().hex)
        apply(s, talent, "sjz.b.settlement_allowance", uuid.uuid4().hex)
        late.due_date = clock.today() - dt.timedelta(days=10)  # overdue at the county step

    # (username, workspace path, office shown, {tile: count} or None for no counts)
    roles: list[tuple[Role, str, str, str, dict[str, str] | None]] = [
        (Role.talent, f"ws_tl{tag}", "/me", "", {"open": "2", "returned": "0"}),
        (Role.employer, f"ws_hr{tag}", "/employer", "赞皇示例科技有限公司", {"confirm": "2"}),
        (Role.county_reviewer, f"ws_cr{tag}", "/review", "赞皇县人才办",
         {"todo": "2", "overdue": "1", "objection": "0", "check": "0"}),
        (Role.city_reviewer, f"ws_ci{tag}", "/review", "市委人才办", None),
        (Role.department_officer, f"ws_do{tag}", "/review", "人社部门", None),
        (Role.admin, f"ws_ad{tag}", "/admin", "", None),
        (Role.finance, f"ws_fi{tag}", "/ledger", "石家庄市财务", None),
        (Role.service_point, f"ws_sp{tag}", "/verifier", "", None),
        (Role.data_office, f"ws_da{tag}", "/feeds", "", None),
        (Role.housing_office, f"ws_ho{tag}", "/housing/office", "", None),
        (Role.leadership, f"ws_le{tag}", "/stats", "", None),
        (Role.station_operator, f"ws_so{tag}", "/stations/check-in", "", None),
    ]  # fmt: skip
    for index, (role, username, home, office, tiles) in enumerate(roles):
        context = browser.new_context(viewport=PHONE if index % 2 else DESK, locale="zh-CN")
        page = context.new_page()
        log_in(page, live_server, username)
        expect(page).to_have_url(live_server.url + home)
        bar = page.locator("#rolebar")
        expect(page.locator("#signed-in-role")).to_have_text(ROLE_LABELS[role])
        expect(bar).not_to_contain_text(role.value)  # never the role's code
        if office:
            expect(page.locator("#signed-in-office")).to_have_text(office)
        expect(page.locator("#role-nav a").first).to_be_visible()
        for key, count in (tiles or {}).items():
            expect(page.locator(f"#tile-{key} .tile-number")).to_have_text(count)
        if role in (Role.city_reviewer, Role.admin, Role.finance, Role.leadership):
            expect(page.locator("#today .tile").first).to_be_visible()
        page.goto(live_server.url + "/")  # the landing page sends the signed-in home
        expect(page).to_have_url(live_server.url + home)
        page.click("#logout")  # and there is always a way out
        expect(page).to_have_url(live_server.url + "/")  # the public home, signed out
        expect(page.locator("#to-login")).to_be_visible()
        expect(page.locator("#signed-in")).to_have_count(0)
        context.close()


def test_the_reviewers_list_filters_searches_pages_and_exports(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    county = "130128"  # 深泽县: only this test's cases
    names = ["钱一", "孙二", "周三", "吴四", "郑五", "冯六", "陈七"]
    with session_scope(url) as s:
        create_account(s, f"sz{tag}", "secret123", "深泽县人才办", Role.county_reviewer,
                       county=county)  # fmt: skip
        cases = []
        for i, name in enumerate(names):
            talent = _talent(s, f"sz{tag}{i}", name, county)
            cases.append((apply(s, talent, "sjz.b.rent_subsidy", uuid.uuid4().hex), talent))
        overdue, overdue_talent = cases[3]
        overdue.due_date = clock.today() - dt.timedelta(days=7)
        overdue_id, overdue_number = overdue.id, overdue_talent.id_number
        first_id = cases[0][0].id

    page = browser.new_context(viewport=DESK, locale="zh-CN").new_page()
    log_in(page, live_server, f"sz{tag}")
    expect(page.locator("#tile-todo .tile-number")).to_have_text("7")
    expect(page.locator("#tile-overdue .tile-number")).to_have_text("1")
    expect(page.locator("#list-total")).to_have_text("共7条")
    # the most urgent first: the overdue case leads, its lateness in working days
    first = page.locator("#todo > li").first
    expect(first).to_have_attribute("data-case", str(overdue_id))
    expect(first.locator(".overdue")).to_contain_text("已超期")
    expect(first.locator(".applicant")).to_have_text("吴*")  # masked name
    expect(page.locator("#todo")).not_to_contain_text("吴四")

    # pages of three, keeping the group and the sort
    page.goto(live_server.url + "/review?queue=todo&per_page=3&sort=id")
    expect(page.locator("#todo > li")).to_have_count(3)
    expect(page.locator("#todo > li").first).to_have_attribute("data-case", str(first_id))
    expect(page.locator(".list-count")).to_contain_text("共7条，第1/3页")
    page.click("#page-next")
    expect(page).to_have_url(live_server.url + "/review?queue=todo&sort=id&page=2&per_page=3")
    expect(page.locator("#todo > li")).to_have_count(3)
    page.click("#page-next")
    expect(page.locator("#todo > li")).to_have_count(1)
    expect(page.locator("#page-next")).to_have_count(0)

    # search: by name, by the identity number's last four, by a masked number, by case number
    page.goto(live_server.url + "/review")
    for query, expected in (
        ("周三", "周*"),
        (overdue_number[-4:], "吴*"),
        (overdue_number[:6] + "*" * 8 + overdue_number[-4:], "吴*"),
        (str(overdue_id), "吴*"),
    ):
        page.fill("#list-q", query)
        page.click("#list-apply")
        expect(page.locator("#todo > li .applicant")).to_have_text([expected])
        expect(page.locator("#list-total")).to_have_text("共1条")
    page.fill("#list-q", "没有这个人")
    page.click("#list-apply")
    expect(page.locator("#todo .empty")).to_contain_text("没有符合条件的申请")
    page.click("#list-reset")

    # filters: overdue only; then the other groups hold none of these cases
    page.select_option("#filter-due", "overdue")
    page.click("#list-apply")
    expect(page.locator("#todo > li")).to_have_count(1)
    page.click("#queue-closed")
    expect(page.locator("#cases .empty")).to_be_visible()
    page.goto(live_server.url + "/review?queue=todo&status=county_review&sort=-id&per_page=2")
    expect(page.locator("#todo > li").first).to_have_attribute("data-case", str(cases[-1][0].id))
    expect(page.locator("#list-sort")).to_have_value("-id")

    # a bad parameter is refused in Chinese, and nothing is listed
    page.goto(live_server.url + "/review?per_page=100000")
    expect(page.locator("#message")).to_contain_text("每页条数须为1至200之间的整数")

    # the Excel export holds the filtered list: every match, not one page
    page.goto(live_server.url + "/review?queue=todo&per_page=2")
    with page.expect_download() as download:
        page.click("#list-export")
    saved = tmp_path / "cases.xlsx"
    download.value.save_as(saved)
    sheet = load_workbook(saved).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("申请编号", "申请事项", "申请人")
    assert len(rows) == 1 + len(names)
    assert {row[2] for row in rows[1:]} == {n[0] + "*" for n in names}
    assert all(isinstance(row[7], dt.datetime) for row in rows[1:])  # dates as dates
    assert sheet.freeze_panes == "A2"
    with session_scope(url) as s:  # the list changed nothing
        assert s.get(Application, overdue_id).status == "county_review"  # type: ignore[union-attr]


def test_the_finance_workspace_opens_on_the_month(
    browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    from rencai.ledger.models import Batch
    from tests.ledger.world import add_schedule, contributions

    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    month = clock.today().replace(day=1)
    with session_scope(url) as s:
        create_account(s, f"mf{tag}", "secret123", "财务甲", Role.finance,
                       jurisdiction="shijiazhuang")  # fmt: skip
    seed = 950 + int(tag[0], 16)  # a person of its own (the journey uses 901, 902)
    add_schedule(url, seed, start=f"{month:%Y-%m}-01", approved_on=month)
    contributions(url, tmp_path, [seed], month, 1)

    page = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(page, live_server, f"mf{tag}")
    expect(page).to_have_url(live_server.url + "/ledger")
    expect(page.locator("#month-title")).to_have_text(f"{month.year}年{month.month}月的发放")
    page.fill("#run-month", f"{month:%Y-%m}")
    page.click("#run-button")
    expect(page.locator("#month-runs")).to_contain_text("本月发放运行已完成")
    with session_scope(url) as s:
        from sqlalchemy import func, select

        pending = s.scalar(
            select(func.count()).select_from(Batch).where(Batch.status == "pending_approval")
        )
    expect(page.locator("#tile-batches .tile-number")).to_have_text(str(pending))
    # the rest has its own tabs: the batch list, filtered, searched and counted
    page.click("#tab-batches")
    expect(page.locator("#tab-batches")).to_have_attribute("aria-current", "page")
    expect(page.locator("#run-form")).to_have_count(0)  # not one long column
    page.select_option("#filter-status", "pending_approval")
    page.fill("#list-q", f"{month:%Y-%m}")
    page.click("#list-apply")
    expect(page.locator("#batch-list tbody tr").first).to_contain_text(f"{month:%Y}年{month:%m}月")
    expect(page.locator("#list-total")).to_contain_text("共")
    page.click("#tab-settings")
    expect(page.locator("#basis-settings")).to_be_visible()
    page.click("#tab-receivables")
    expect(page.locator("#receivable-list")).to_be_visible()
