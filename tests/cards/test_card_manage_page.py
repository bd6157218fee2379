"""The office's card page over real HTTP with a session cookie: validity flagged until set, a
refused step explained in Chinese and changing nothing, a suspension that reaches the 副卡."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select

from rencai.applications.service import apply, decide
from rencai.cards.models import Card
from rencai.db.session import database_url, session_scope
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.identifiers import id_check_character
from rencai.registry.models import Role
from tests.profiles import doctor_today
from tests.support import CSRF_HOOKS, LiveServer, random_first17


def _login(server: LiveServer, username: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, event_hooks=CSRF_HOOKS)
    response = client.post("/login", data={"username": username, "password": "secret123"})
    assert response.status_code == 303
    return client


def test_office_manages_cards_from_the_page(live_server: LiveServer) -> None:
    tag = uuid.uuid4().hex[:6]
    profile = doctor_today()
    profile["family"] = [{"relation": "spouse", "name": "赵女士", "employed": False}]
    first17 = random_first17()
    with session_scope(database_url()) as s:
        talent = register_talent(
            s, f"m{tag}", "secret123", "王博士", first17 + id_check_character(first17), profile
        )
        county = create_account(
            s, f"mc{tag}", "secret123", "长安区人才办", Role.county_reviewer, county="130102"
        )
        city = create_account(s, f"mcity{tag}", "secret123", "市委人才办", Role.city_reviewer)
        case = apply(s, talent, "card.b", uuid.uuid4().hex)
        decide(s, county, case, "approve", None, case.version)
        decide(s, city, case, "approve", None, case.version)
        main = s.scalar(select(Card).where(Card.application_id == case.id, Card.tier == "B"))
        assert main is not None
        number, version = main.number, main.version

    office = _login(live_server, f"mcity{tag}")
    page = office.get("/cards/manage")
    assert page.status_code == 200
    assert (
        "县（市、区）卡" in page.text and "待管理员设定" in page.text
    )  # the 县卡 is never set here
    refused = office.post(f"/cards/manage/{number}/suspend", data={"version": version})
    assert refused.status_code == 422 and "暂停或注销须填写理由" in refused.text
    done = office.post(
        f"/cards/manage/{number}/suspend", data={"version": version, "reason": "核查在职"}
    )
    assert done.status_code == 303
    with session_scope(database_url()) as s:
        statuses = {
            c.tier: c.status for c in s.scalars(select(Card).where(Card.application_id == case.id))
        }
    assert statuses == {"B": "suspended", "F": "suspended"}
    # only an administrator sets a validity; a city reviewer is told so
    denied = office.post(
        "/cards/manage/validity", data={"tier": "C", "months": "12", "source": "x"}
    )
    assert denied.status_code == 403 and "仅系统管理员" in denied.text
    # a talent is sent to their own cards, not the office page
    holder = _login(live_server, f"m{tag}")
    assert holder.get("/cards/manage").status_code == 403
    assert number in holder.get("/cards").text


def test_a_holder_is_told_an_unset_validity_awaits_the_office(live_server: LiveServer) -> None:
    # The texts set no validity for this card: the holder reads that the office is to make it
    # clear (decision 0331's wording), not a staff word, and is shown no code until then.
    tag = uuid.uuid4().hex[:6]
    profile = doctor_today()
    first17 = random_first17()
    with session_scope(database_url()) as s:
        talent = register_talent(
            s, f"u{tag}", "secret123", "王博士", first17 + id_check_character(first17), profile
        )
        county = create_account(
            s, f"uc{tag}", "secret123", "长安区人才办", Role.county_reviewer, county="130102"
        )
        city = create_account(s, f"ucity{tag}", "secret123", "市委人才办", Role.city_reviewer)
        case = apply(s, talent, "card.b", uuid.uuid4().hex)
        decide(s, county, case, "approve", None, case.version)
        decide(s, city, case, "approve", None, case.version)
        cards = list(s.scalars(select(Card).where(Card.application_id == case.id)))
        (number,) = [c.number for c in cards if c.tier == "B"]
        # issued while the tier's validity was not yet set (an earlier test in the shared
        # database may have set it since): the main card and any 副卡 wait for their end date
        for card in cards:
            card.valid_until = None

    page = _login(live_server, f"u{tag}").get("/cards")
    assert page.status_code == 200 and number in page.text
    assert "有效期待主管部门明确（政策文件未规定），明确后即可出示二维码。" in page.text
    assert "管理员" not in page.text and "dynamic-qr" not in page.text
