"""Finance actions over real HTTP on PostgreSQL: repayment, write-off, fraud, bank account,
employer change, feed upload, payment history. Every refusal is checked to change nothing."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from rencai.db.session import session_scope
from rencai.feeds.models import FeedLoad
from rencai.ledger.models import JournalEntry, Payee, Schedule
from rencai.registry.accounts import authenticate, create_account
from rencai.registry.models import Role
from tests.ledger.world import fresh_id_number, person_with_receivable, person_with_schedule, uscc
from tests.support import ServerProcess


@pytest.fixture(scope="module")
def officers(pg_server: ServerProcess) -> dict[str, dict[str, str]]:
    tag = uuid.uuid4().hex[:6]
    headers = {}
    with session_scope(pg_server.database_url) as session:
        for role, kind in (("finance", Role.finance), ("city", Role.city_reviewer)):
            create_account(session, f"{role}{tag}", "secret123", role, kind)
            token = authenticate(session, f"{role}{tag}", "secret123", kind="api").token
            headers[role] = {"Authorization": f"Bearer {token}"}
    return headers


def _journal(url: str, receivable_id: int) -> list[tuple[str, int]]:
    with session_scope(url) as session:
        return [
            (e.kind, e.amount_fen)
            for e in session.scalars(
                select(JournalEntry)
                .where(JournalEntry.receivable_id == receivable_id)
                .order_by(JournalEntry.id)
            )
        ]


def _error(response: httpx.Response) -> dict[str, Any]:
    return dict(response.json()["errors"][0])


def test_repayment_and_write_off(
    pg_server: ServerProcess, officers: dict[str, dict[str, str]]
) -> None:
    url, api = pg_server.database_url, pg_server.url + "/api/v1/ledger"
    person = person_with_receivable(url)
    rid = person["receivable_id"]
    finance = officers["finance"]
    detail = httpx.get(f"{api}/receivables/{rid}", headers=finance)
    assert detail.status_code == 200, detail.text
    assert detail.json()["outstanding"] == "6000.00"
    assert detail.json()["citation"]["document"] == "石字〔2021〕7号"
    before = _journal(url, rid)
    assert before == [("receivable_raised", 600000)]

    repay = f"{api}/receivables/{rid}/repayments"
    refusals = [
        (httpx.post(repay, json={"amount": "三千"}, headers=finance), 422, "bad_amount"),
        (httpx.post(repay, json={"amount": "-100.00"}, headers=finance), 422, "bad_amount"),
        (httpx.post(repay, json={"amount": "0"}, headers=finance), 422, "bad_amount"),
        (httpx.post(repay, json={"amount": "10.001"}, headers=finance), 422, "bad_amount"),
        (httpx.post(repay, json={"amount": "6000.01"}, headers=finance), 422, "bad_amount"),
        (
            httpx.post(
                f"{api}/receivables/99999999/repayments", json={"amount": "1"}, headers=finance
            ),
            404,
            "not_found",
        ),
        (httpx.post(repay, json={"amount": "100"}, headers=officers["city"]), 403, "forbidden"),
        (
            httpx.post(f"{api}/receivables/{rid}/write-off", json={"reason": " "}, headers=finance),
            422,
            "no_reason",
        ),
        (
            httpx.post(
                f"{api}/receivables/{rid}/write-off",
                json={"reason": "无法收回"},
                headers=officers["city"],
            ),
            403,
            "forbidden",
        ),
    ]
    for response, status, code in refusals:
        assert response.status_code == status, response.text
        assert _error(response)["code"] == code
        assert any("\u4e00" <= ch <= "\u9fff" for ch in _error(response)["message"])
    assert _journal(url, rid) == before  # nothing changed

    done = httpx.post(repay, json={"amount": "1000.50", "note": "银行回单0001"}, headers=finance)
    assert done.status_code == 200, done.text
    assert done.json()["outstanding"] == "4999.50"
    partial = httpx.post(
        f"{api}/receivables/{rid}/write-off",
        json={"amount": "5000.00", "reason": "超出余额"},
        headers=finance,
    )
    assert partial.status_code == 422 and _error(partial)["code"] == "bad_amount"
    written = httpx.post(
        f"{api}/receivables/{rid}/write-off",
        json={"reason": "本人已去世，经局务会批准核销"},
        headers=finance,
    )
    assert written.status_code == 200 and written.json()["outstanding"] == "0.00"
    after = httpx.get(f"{api}/receivables/{rid}", headers=finance).json()
    assert after["status"] == "written_off" and after["outstanding"] == "0.00"
    assert [e["kind"] for e in after["journal"]] == ["receivable_raised", "repayment", "write_off"]
    assert [e["amount"] for e in after["repayments"]] == ["1000.50"]
    assert after["write_offs"][0]["note"] == "本人已去世，经局务会批准核销"
    closed = httpx.post(repay, json={"amount": "1"}, headers=finance)
    assert closed.status_code == 409 and _error(closed)["code"] == "not_open"
    assert len(_journal(url, rid)) == 3
    unknown = httpx.get(f"{api}/receivables/99999999", headers=finance)
    assert unknown.status_code == 404


def test_fraud_finding_stops_and_raises_receivables(
    pg_server: ServerProcess, officers: dict[str, dict[str, str]]
) -> None:
    url, api = pg_server.database_url, pg_server.url + "/api/v1/ledger"
    person = person_with_schedule(url)
    sid, finance = person["schedule_id"], officers["finance"]
    fraud = f"{api}/schedules/{sid}/fraud"
    bad = [
        httpx.post(fraud, json={"found_on": "2024-13-01", "note": "伪造"}, headers=finance),
        httpx.post(fraud, json={"found_on": "2024-03-01", "note": "  "}, headers=finance),
        httpx.post(fraud, json={"found_on": "2999-01-01", "note": "伪造"}, headers=finance),
        httpx.post(
            fraud, json={"found_on": "2024-03-01", "note": "伪造"}, headers=officers["city"]
        ),
    ]
    assert [r.status_code for r in bad] == [422, 422, 422, 403]
    missing = httpx.post(
        f"{api}/schedules/99999999/fraud",
        json={"found_on": "2024-03-01", "note": "伪造"},
        headers=finance,
    )
    assert missing.status_code == 404
    with session_scope(url) as session:
        schedule = session.get(Schedule, sid)
        assert schedule is not None and schedule.status == "active"
    done = httpx.post(
        fraud, json={"found_on": "2024-03-01", "note": "社保记录系伪造"}, headers=finance
    )
    assert done.status_code == 200, done.text
    with session_scope(url) as session:
        schedule = session.get(Schedule, sid)
        assert schedule is not None and schedule.status == "stopped"
        assert "弄虚作假" in (schedule.stop_reason or "")
    again = httpx.post(fraud, json={"found_on": "2024-03-01", "note": "再次"}, headers=finance)
    assert again.status_code == 409 and _error(again)["code"] == "already_stopped"

    history = httpx.post(
        f"{api}/payment-history", json={"id_number": person["id_number"]}, headers=finance
    )
    assert history.status_code == 200
    lines = history.json()["schedules"][0]["lines"]
    assert lines and all(line["status"] == "stopped" for line in lines)
    assert lines[0]["citation"]["document"] == "石字〔2021〕7号"
    assert lines[0]["amount"] == "3000.00"
    bad_id = httpx.post(f"{api}/payment-history", json={"id_number": "123"}, headers=finance)
    assert bad_id.status_code == 422


def test_payee_and_employer_confirmation(
    pg_server: ServerProcess, officers: dict[str, dict[str, str]]
) -> None:
    url, api = pg_server.database_url, pg_server.url + "/api/v1/ledger"
    finance = officers["finance"]
    number = fresh_id_number()
    body = {
        "id_number": number,
        "account_name": "王五",
        "account_no": "62220000",
        "bank_name": "建设银行",
    }
    short = httpx.post(f"{api}/payees", json=body, headers=finance)
    assert short.status_code == 422 and _error(short)["code"] == "bad_account_no"
    wrong = httpx.post(
        f"{api}/payees", json={**body, "id_number": "130102199001011234"}, headers=finance
    )
    assert wrong.status_code == 422
    with session_scope(url) as session:
        assert session.get(Payee, number) is None
    saved = httpx.post(
        f"{api}/payees", json={**body, "account_no": "6222000011112222"}, headers=finance
    )
    assert saved.status_code == 200 and saved.json()["account_no_masked"].endswith("2222")
    with session_scope(url) as session:
        payee = session.get(Payee, number)
        assert payee is not None and payee.bank_name == "建设银行"

    person = person_with_schedule(url, status="suspended")
    employer = f"{api}/schedules/{person['schedule_id']}/employer"
    bad = httpx.post(employer, json={"uscc": "91130100MA0000000X"}, headers=finance)
    assert bad.status_code == 422 and _error(bad)["code"] == "bad_uscc"
    refused = httpx.post(employer, json={"uscc": uscc(2)}, headers=officers["city"])
    assert refused.status_code == 403
    with session_scope(url) as session:
        schedule = session.get(Schedule, person["schedule_id"])
        assert schedule is not None and schedule.status == "suspended"
        assert schedule.employer_uscc == uscc(1)
    ok = httpx.post(employer, json={"uscc": uscc(2)}, headers=finance)
    assert ok.status_code == 200 and ok.json()["status"] == "active"
    assert ok.json()["employer"] == uscc(2)


def test_feed_upload(pg_server: ServerProcess, officers: dict[str, dict[str, str]]) -> None:
    url, api = pg_server.database_url, pg_server.url + "/api/v1/ledger"
    finance = officers["finance"]

    def loads() -> int:
        with session_scope(url) as session:
            return int(session.scalar(select(func.count()).select_from(FeedLoad)) or 0)

    before = loads()
    header = "身份证号,单位统一社会信用代码,所属期,参保地\n"
    wrong = httpx.post(
        f"{api}/feeds/contributions",
        files={"file": ("社保.csv", "姓名,金额\n张三,1\n".encode())},
        headers=finance,
    )
    assert wrong.status_code == 422 and _error(wrong)["code"] == "bad_header"
    pdf = httpx.post(
        f"{api}/feeds/contributions", files={"file": ("社保.pdf", b"%PDF")}, headers=finance
    )
    assert pdf.status_code == 422 and _error(pdf)["code"] == "bad_format"
    assert loads() == before
    rows = f"{fresh_id_number()},{uscc(1)},2024-01,石家庄市\n123,{uscc(1)},2024-01,石家庄市\n"
    content = (header + rows).encode("utf-8-sig")
    done = httpx.post(
        f"{api}/feeds/contributions", files={"file": ("社保-2024-01.csv", content)}, headers=finance
    )
    assert done.status_code == 200, done.text
    assert done.json()["loaded"] == 1 and done.json()["rejected"] == 1
    assert done.json()["rejects"][0]["line"] == 3
    again = httpx.post(
        f"{api}/feeds/contributions", files={"file": ("副本.csv", content)}, headers=finance
    )
    assert again.status_code == 200 and again.json()["already_loaded"] is True
    assert loads() == before + 1
    refused = httpx.post(
        f"{api}/feeds/departures", files={"file": ("x.csv", content)}, headers=officers["city"]
    )
    assert refused.status_code == 403
