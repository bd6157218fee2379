"""POST /api/v1/ask, the chat page's form post and the calculator's pre-fill link, over real
HTTP; a talent's case question reaches that talent's own cases only."""

from __future__ import annotations

import os
import uuid
from typing import Any

import httpx
import pytest

from rencai.db.session import session_scope
from rencai.registry.accounts import authenticate, register_talent
from rencai.registry.identifiers import id_check_character
from tests.profiles import doctor, doctor_today
from tests.support import LiveServer, random_first17


def _id_number() -> str:
    first17 = random_first17()
    return first17 + id_check_character(first17)


def test_ask_answers_with_citations_and_a_computed_amount(live_server: LiveServer) -> None:
    response = httpx.post(
        f"{live_server.url}/api/v1/ask",
        json={"question": "博士来石家庄租房补贴多少", "on": "2026-12-01"},
        timeout=60,  # the first question builds the clause index
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["refused"] is False
    assert body["citations"][0]["document"] == "石办字〔2017〕39号"
    assert "3000元" in body["citations"][0]["quote"]
    rent = [a for a in body["amounts"] if a["benefit"] == "sjz.b.rent_subsidy"]
    assert rent and rent[0]["amount"] == "3000.00" and rent[0]["periods"] == 60
    assert body["calculator_url"].startswith("/calculator?")


def test_ask_refuses_what_the_policies_do_not_cover(live_server: LiveServer) -> None:
    response = httpx.post(
        f"{live_server.url}/api/v1/ask", json={"question": "北京落户积分怎么算"}, timeout=60
    )
    assert response.status_code == 200
    body = response.json()
    assert body["refused"] is True and body["citations"] == [] and body["amounts"] == []
    assert body["office"] in body["answer"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"question": ""}, "question"),
        ({"question": "补贴" * 200}, "question"),
        ({"question": "博士补贴", "on": "2026-13-01"}, "on"),
        ({"question": "博士补贴", "jurisdiction": "beijing"}, "jurisdiction"),
        ({"question": "博士补贴", "slots": {"degree": "phd"}}, "slots"),
        ({"question": "博士补贴", "extra": 1}, "extra"),
    ],
)
def test_bad_input_is_a_structured_error(
    live_server: LiveServer, payload: dict[str, Any], field: str
) -> None:
    response = httpx.post(f"{live_server.url}/api/v1/ask", json=payload, timeout=60)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert errors and all({"field", "message", "code"} <= set(e) for e in errors)
    assert any(field in e["field"] for e in errors), errors


def test_a_talent_hears_of_their_own_cases_only(live_server: LiveServer) -> None:
    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    profile = doctor_today()
    with session_scope(url) as s:
        register_talent(s, f"mine{tag}", "secret123", "王博士", _id_number(), profile)
        register_talent(s, f"theirs{tag}", "secret123", "李博士", _id_number(), profile)
        mine = authenticate(s, f"mine{tag}", "secret123", kind="api").token
        theirs = authenticate(s, f"theirs{tag}", "secret123", kind="api").token
    cases = {}
    for who, token, program in (("mine", mine, "card.b"), ("theirs", theirs, "card.a")):
        created = httpx.post(
            f"{live_server.url}/api/v1/applications",
            headers={"Authorization": f"Bearer {token}"},
            json={"program": program, "idempotency_key": uuid.uuid4().hex},
        )
        assert created.status_code == 201, created.text
        cases[who] = created.json()

    def ask_as(token: str | None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = httpx.post(
            f"{live_server.url}/api/v1/ask",
            headers=headers,
            # naming another case's number in the question widens nothing
            json={"question": f"我的申请到哪一步了，编号{cases['theirs']['id']}的呢"},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return response.json()

    own = ask_as(mine)
    assert own["intent"] == "case_status"
    assert own["records"]["cases"] == [cases["mine"]["id"]]
    assert f"编号{cases['mine']['id']}" in own["answer"]
    assert f"编号{cases['theirs']['id']}" not in own["answer"]
    assert cases["theirs"]["program_name"] not in own["answer"]
    other = ask_as(theirs)
    assert other["records"]["cases"] == [cases["theirs"]["id"]]
    assert f"编号{cases['mine']['id']}" not in other["answer"]
    anonymous = ask_as(None)
    assert anonymous["records"] is None
    assert "请先登录" in anonymous["answer"]


def test_the_calculator_opens_prefilled_from_the_assistants_link(live_server: LiveServer) -> None:
    body = httpx.post(
        f"{live_server.url}/api/v1/ask",
        json={"question": "我34岁，双一流硕士，在正定县企业工作，能拿什么", "on": "2026-12-01"},
        timeout=60,
    ).json()
    page = httpx.get(live_server.url + body["calculator_url"])
    assert page.status_code == 200
    html = page.text
    assert '<option value="master" selected' in html
    assert '<option value="130123" selected' in html
    assert 'value="double_first_class" checked' in html
    assert "石家庄市人才绿卡B卡" in html  # the result is computed, not just the form filled
    # a title the question names is ticked (decision 0381): the academician holds the A卡
    titled = httpx.post(
        f"{live_server.url}/api/v1/ask",
        json={"question": "柔性引进的院士一个月津贴多少", "on": "2026-12-01"},
        timeout=60,
    ).json()
    html = httpx.get(live_server.url + titled["calculator_url"]).text
    assert 'value="academician_cas" checked' in html
    assert 'data-card="card.a"' in html
    # a link with a wrong value shows the error in Chinese and changes nothing
    bad = httpx.get(live_server.url + "/calculator?degree=phd&county=130123")
    assert bad.status_code == 200
    assert "未知的学历学位代码" in bad.text


def test_the_chat_page_answers_a_form_post_without_javascript(live_server: LiveServer) -> None:
    home = httpx.get(live_server.url + "/")
    assert 'href="/assistant"' in home.text
    page = httpx.post(live_server.url + "/assistant", data={"question": "锦州硕士生活补贴发几年"})
    assert page.status_code == 200, page.text
    assert "高校学子留锦来锦" in page.text
    assert "每月1000元，共36个月" in page.text
    empty = httpx.post(live_server.url + "/assistant", data={"question": ""})
    assert empty.status_code == 422
    assert "请输入问题" in empty.text


def test_materials_come_from_the_administrators_list(live_server: LiveServer) -> None:
    from rencai.applications.models import RequiredMaterials
    from rencai.applications.requirements import set_required
    from rencai.registry.accounts import create_account
    from rencai.registry.models import Role

    url = os.environ["RENCAI_DATABASE_URL"]
    question = {"question": "人才绿卡B卡申请要带什么材料", "on": "2026-12-01"}
    before = httpx.post(f"{live_server.url}/api/v1/ask", json=question, timeout=60).json()
    assert before["intent"] == "process"
    assert "政策文件未载明申请材料" in before["answer"]
    tag = uuid.uuid4().hex[:6]
    with session_scope(url) as s:
        admin = create_account(s, f"adm{tag}", "secret123", "管理员", Role.admin)
        set_required(s, admin, "card.b", ["学历学位证书", "劳动合同"], "市人社局办事指南")
    after = httpx.post(f"{live_server.url}/api/v1/ask", json=question, timeout=60).json()
    assert "申请时需提交：学历学位证书、劳动合同" in after["answer"]
    with session_scope(url) as s:  # leave the shared server as it was
        s.delete(s.get(RequiredMaterials, "card.b"))


def test_a_talent_hears_of_their_own_payment_schedule_only(live_server: LiveServer) -> None:
    import datetime as dt

    from rencai.ledger.schedules import create_schedule, terms_for
    from rencai.registry.accounts import talent_of
    from rencai.registry.models import Account

    url = os.environ["RENCAI_DATABASE_URL"]
    tag = uuid.uuid4().hex[:6]
    profile = doctor_today()
    numbers = {"payee": _id_number(), "bystander": _id_number()}
    with session_scope(url) as s:
        for who in numbers:
            register_talent(s, f"{who}{tag}", "secret123", f"{who}", numbers[who], profile)
        tokens = {
            who: authenticate(s, f"{who}{tag}", "secret123", kind="api").token for who in numbers
        }
        account = s.query(Account).filter_by(username=f"payee{tag}").one()
        talent = talent_of(s, account)
        assert talent is not None
        terms = terms_for("shijiazhuang", doctor(), "sjz.b.rent_subsidy", dt.date(2026, 11, 23))
        assert terms is not None
        create_schedule(
            s,
            terms=terms,
            program="sjz.b.rent_subsidy",
            jurisdiction="shijiazhuang",
            county="130102",
            id_number=numbers["payee"],
            payee_name="payee",
            actor="test",
            talent_id=talent.id,
        )

    def ask_as(who: str) -> dict[str, Any]:
        response = httpx.post(
            f"{live_server.url}/api/v1/ask",
            headers={"Authorization": f"Bearer {tokens[who]}"},
            json={"question": "我的补贴什么时候发"},
            timeout=60,
        )
        assert response.status_code == 200, response.text
        return response.json()

    payee = ask_as("payee")
    assert payee["intent"] == "case_status"
    assert len(payee["records"]["schedules"]) == 1
    assert "房租补助" in payee["answer"] and "共60期" in payee["answer"]
    assert "3000元" in payee["answer"]
    bystander = ask_as("bystander")
    assert bystander["records"]["schedules"] == []
    assert "房租补助" not in bystander["answer"]
