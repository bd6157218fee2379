"""The finance page's forms over real HTTP on PostgreSQL: Chinese refusals that change nothing,
and each action doing what it says."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from rencai import clock
from rencai.db.session import session_scope
from rencai.ledger.models import JournalEntry, Payee, Schedule, Setting
from rencai.registry.accounts import authenticate, create_account
from rencai.registry.models import Role
from tests.ledger.world import fresh_id_number, person_with_receivable, person_with_schedule, uscc
from tests.support import CSRF_HOOKS, ServerProcess


def _client(server: ServerProcess, role: Role) -> httpx.Client:
    name = f"{role.value[:3]}{uuid.uuid4().hex[:8]}"
    with session_scope(server.database_url) as session:
        create_account(session, name, "secret123", "经办人", role)
        token = authenticate(session, name, "secret123").token
    return httpx.Client(
        base_url=server.url,
        cookies={"rencai_session": token},
        follow_redirects=True,
        timeout=30,
        event_hooks=CSRF_HOOKS,
    )


@pytest.fixture(scope="module")
def finance(pg_server: ServerProcess) -> Iterator[httpx.Client]:
    with _client(pg_server, Role.finance) as client:
        yield client


def _journal(url: str, receivable_id: int) -> list[str]:
    with session_scope(url) as session:
        return list(
            session.scalars(
                select(JournalEntry.kind)
                .where(JournalEntry.receivable_id == receivable_id)
                .order_by(JournalEntry.id)
            )
        )


def test_repayment_and_write_off_forms(pg_server: ServerProcess, finance: httpx.Client) -> None:
    url = pg_server.database_url
    rid = person_with_receivable(url)["receivable_id"]
    page = finance.get(f"/ledger/receivables/{rid}")
    assert page.status_code == 200 and "6000.00" in page.text and "第17条" in page.text
    path = f"/ledger/receivables/{rid}"
    for data, status, words in [
        ({"amount": "abc"}, 422, "还款金额“abc”无效"),
        ({"amount": "-1.00"}, 422, "金额应大于0"),
        ({"amount": "6000.01"}, 422, "不超过未收回余额6000.00元"),
    ]:
        response = finance.post(path + "/repayments", data=data)
        assert response.status_code == status and words in response.text
    no_reason = finance.post(path + "/write-off", data={"amount": "", "reason": "  "})
    assert no_reason.status_code == 422 and "核销须填写原因" in no_reason.text
    unknown = finance.post("/ledger/receivables/99999999/repayments", data={"amount": "1"})
    assert unknown.status_code == 404 and "应收款99999999不存在" in unknown.text
    assert _journal(url, rid) == ["receivable_raised"]

    paid = finance.post(path + "/repayments", data={"amount": "2000", "note": "回单A1"})
    assert paid.status_code == 200 and "已登记还款2000.00元，尚未收回4000.00元" in paid.text
    assert "回单A1" in paid.text
    written = finance.post(path + "/write-off", data={"amount": "", "reason": "经批准核销"})
    assert written.status_code == 200 and "尚未收回0.00元" in written.text
    assert "已核销" in written.text
    assert _journal(url, rid) == ["receivable_raised", "repayment", "write_off"]


def test_roles_and_sign_in(pg_server: ServerProcess) -> None:
    rid = person_with_receivable(pg_server.database_url)["receivable_id"]
    with _client(pg_server, Role.city_reviewer) as reviewer:
        refused = reviewer.post(f"/ledger/receivables/{rid}/repayments", data={"amount": "1"})
        assert refused.status_code == 403 and "资金发放仅供财务人员使用" in refused.text
    anonymous = httpx.get(pg_server.url + f"/ledger/receivables/{rid}", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/login"
    assert _journal(pg_server.database_url, rid) == ["receivable_raised"]


def test_person_fraud_payee_employer_and_feed_forms(
    pg_server: ServerProcess, finance: httpx.Client
) -> None:
    url = pg_server.database_url
    person = person_with_schedule(url)
    history = finance.post("/ledger/people", data={"id_number": person["id_number"]})
    assert history.status_code == 200 and "石字〔2021〕7号" in history.text
    assert "3000.00" in history.text and "待发放" in history.text
    assert person["id_number"] not in history.text  # masked on screen
    bad_id = finance.post("/ledger/people", data={"id_number": "12345"})
    assert bad_id.status_code == 422 and "身份证号无效" in bad_id.text

    sid = person["schedule_id"]
    no_note = finance.post(f"/ledger/schedules/{sid}/fraud", data={"found_on": "2024-02-01"})
    assert no_note.status_code == 422 and "请填写查实情况" in no_note.text
    found = finance.post(
        f"/ledger/schedules/{sid}/fraud", data={"found_on": "2024-02-01", "note": "证书伪造"}
    )
    assert found.status_code == 200 and "已认定弄虚作假并停止发放" in found.text
    with session_scope(url) as session:
        schedule = session.get(Schedule, sid)
        assert schedule is not None and schedule.status == "stopped"

    number = fresh_id_number()
    form = {"id_number": number, "account_name": "赵六", "account_no": "62-22", "bank_name": "农行"}
    refused = finance.post("/ledger/payees", data=form)
    assert refused.status_code == 422 and "银行账号应为10至30位数字" in refused.text
    saved = finance.post("/ledger/payees", data={**form, "account_no": "6228480011223344"})
    assert saved.status_code == 200 and "尾号3344" in saved.text
    with session_scope(url) as session:
        payee = session.get(Payee, number)
        assert payee is not None and payee.account_no == "6228480011223344"

    suspended = person_with_schedule(url, status="suspended")
    home = finance.get("/ledger")
    assert f'data-schedule="{suspended["schedule_id"]}"' in home.text
    employer = f"/ledger/schedules/{suspended['schedule_id']}/employer"
    wrong = finance.post(employer, data={"uscc": "91130100MA0000000X"})
    assert wrong.status_code == 422
    confirmed = finance.post(employer, data={"uscc": uscc(3)})
    assert confirmed.status_code == 200 and "用人单位变更已确认" in confirmed.text
    with session_scope(url) as session:
        schedule = session.get(Schedule, suspended["schedule_id"])
        assert schedule is not None and schedule.status == "active"
        assert schedule.employer_uscc == uscc(3)

    header = "身份证号,类型,日期,城市,单位统一社会信用代码\n"
    rows = f"{fresh_id_number()},迁出本市,2024-05-03,石家庄市,\n"
    rows += f"{fresh_id_number()},出国,2024-05-03,石家庄市,\n"
    files = {"file": ("离职迁出.csv", (header + rows).encode())}
    loaded = finance.post("/ledger/feeds", data={"kind": "departures"}, files=files)
    assert loaded.status_code == 200 and "导入1行，拒收1行" in loaded.text
    assert "第3行" in loaded.text or ">3<" in loaded.text
    wrong_kind = finance.post("/ledger/feeds", data={"kind": "salaries"}, files=files)
    assert wrong_kind.status_code == 422 and "请选择数据类型" in wrong_kind.text


def test_only_the_administrator_sets_the_basis_on_the_page(
    pg_server: ServerProcess, finance: httpx.Client
) -> None:
    data = {"key": "clawback_basis.moved_away", "value": "unserved"}
    refused = finance.post("/ledger/settings", data=data)
    assert refused.status_code == 403 and "仅系统管理员" in refused.text
    with _client(pg_server, Role.admin) as admin:
        home = admin.get("/ledger?tab=settings")  # the settings have their own tab
        assert "收回全部拨付资金" in home.text  # the administrator is offered the choice
        bad = admin.post("/ledger/settings", data={**data, "value": "half"})
        assert bad.status_code == 422 and "收回口径应为" in bad.text
        with session_scope(pg_server.database_url) as session:
            assert session.get(Setting, "clawback_basis.moved_away") is None
        done = admin.post("/ledger/settings", data=data)
        assert done.status_code == 200 and "收回口径已设定为未服务期部分" in done.text
        # the same refusal as the API's, with the same status (decision 0095)
        changed = admin.post("/ledger/settings", data={**data, "value": "all"})
        assert changed.status_code == 409 and "收回口径已设定，不能更改" in changed.text


def test_a_run_month_out_of_range_is_refused_in_chinese(
    pg_server: ServerProcess, finance: httpx.Client
) -> None:
    from sqlalchemy import func

    from rencai.ledger.models import Run

    with session_scope(pg_server.database_url) as session:
        before = session.scalar(select(func.count()).select_from(Run))
    for month, words in (
        ("0000-01", "发放月份“0000-01”无效"),
        ("9999-12", "超出可发放范围"),
        ("0001-01", "超出可发放范围"),
    ):
        response = finance.post("/ledger/runs", data={"month": month})
        assert response.status_code == 422 and words in response.text
    with session_scope(pg_server.database_url) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == before


def test_the_officer_chooses_the_city_of_a_run(pg_server: ServerProcess) -> None:
    """The page offers the cities with payable programs; an officer of one city is offered only
    that city and is refused another's run; the chosen city decides the months a run may pay."""
    from sqlalchemy import func

    from rencai.ledger.models import Run

    with session_scope(pg_server.database_url) as session:
        before = session.scalar(select(func.count()).select_from(Run))
    with _client(pg_server, Role.admin) as admin:
        home = admin.get("/ledger")
        assert '<select name="jurisdiction" id="run-city">' in home.text
        assert '<option value="shijiazhuang" selected>石家庄市</option>' in home.text
        assert '<option value="jinzhou" >锦州市</option>' in home.text
        # Jinzhou's policies begin in 2023: its June 2022 cannot be run (Shijiazhuang's can)
        early = admin.post("/ledger/runs", data={"month": "2022-06", "jurisdiction": "jinzhou"})
        assert early.status_code == 422 and "2023年01月" in early.text
        unknown = admin.post("/ledger/runs", data={"month": "2024-01", "jurisdiction": "nowhere"})
        assert unknown.status_code == 422 and "未知的地区" in unknown.text
    name = f"jzf{uuid.uuid4().hex[:8]}"
    with session_scope(pg_server.database_url) as session:
        create_account(session, name, "secret123", "锦州财务", Role.finance, jurisdiction="jinzhou")
        token = authenticate(session, name, "secret123").token
    with httpx.Client(
        base_url=pg_server.url,
        cookies={"rencai_session": token},
        follow_redirects=True,
        event_hooks=CSRF_HOOKS,
    ) as officer:
        home = officer.get("/ledger")
        assert 'name="jurisdiction" value="jinzhou"' in home.text
        assert '<option value="shijiazhuang"' not in home.text
        month = f"{clock.today():%Y-%m}"
        form = {"month": month, "jurisdiction": "shijiazhuang"}
        refused = officer.post("/ledger/runs", data=form)
        assert refused.status_code == 403 and "不是石家庄市的财务人员" in refused.text
    with session_scope(pg_server.database_url) as session:
        assert session.scalar(select(func.count()).select_from(Run)) == before
