"""Issuance on approval, validity awaiting the administrator, the lifecycle (副卡 follow their main
card), verifiers learning of changes through the bundle, usage and the abuse flag — on
PostgreSQL, with one database for the module."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from rencai import clock
from rencai.applications.models import Application, Status
from rencai.applications.service import apply, current_step, decide
from rencai.cards.issuance import CardError, set_validity, validity_settings
from rencai.cards.keys import KeyStore
from rencai.cards.lifecycle import change, expire_due
from rencai.cards.lists import BUNDLES
from rencai.cards.models import Card, CardEvent, CardUse
from rencai.cards.numbering import check_character, is_valid, next_number, number_code
from rencai.cards.presentation import static_code
from rencai.cards.usage import record_use, register_point, statistics, upload
from rencai.cards.verify import verify
from rencai.db.session import session_scope, upgrade
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.identifiers import id_check_character
from rencai.registry.models import Account, Role, TalentProfile
from tests.profiles import doctor_today
from tests.support import random_first17


def _id_number() -> str:
    first17 = random_first17()
    return first17 + id_check_character(first17)


@pytest.fixture(scope="module")
def world(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:  # type: ignore[type-arg]
    upgrade(pg_url)
    tag = uuid.uuid4().hex[:6]
    with session_scope(pg_url) as s:
        county = create_account(
            s, f"ca{tag}", "secret123", "长安区人才办", Role.county_reviewer, county="130102"
        )
        other_county = create_account(
            s, f"qx{tag}", "secret123", "桥西区人才办", Role.county_reviewer, county="130104"
        )
        city = create_account(s, f"city{tag}", "secret123", "市委人才办", Role.city_reviewer)
        ids = {"county": county.id, "other_county": other_county.id, "city": city.id}
    yield {"url": pg_url, "tag": tag, "keys": KeyStore(tmp_path_factory.mktemp("keys")), **ids}


def _approved_card_case(world: dict, family: list[dict] | None) -> int:  # type: ignore[type-arg]
    url = world["url"]
    profile = doctor_today()
    profile["family"] = family or []
    with session_scope(url) as s:
        talent = register_talent(
            s, f"t{uuid.uuid4().hex[:8]}", "secret123", "王博士", _id_number(), profile
        )
        case = apply(s, talent, "card.b", uuid.uuid4().hex)
        decide(s, s.get(Account, world["county"]), case, "approve", None, case.version)
        decide(s, s.get(Account, world["city"]), case, "approve", None, case.version)
        return case.id


def _cards(s, case_id: int) -> list[Card]:  # type: ignore[no-untyped-def]
    return list(s.scalars(select(Card).where(Card.application_id == case_id).order_by(Card.id)))


def test_card_numbers_carry_a_check_character() -> None:
    digits = "2613010200001"
    number = f"B{digits}{check_character(digits)}"
    assert is_valid(number)
    assert not is_valid(number[:-1] + ("0" if number[-1] != "0" else "1"))
    assert not is_valid("B26130102")


def test_a_park_numbers_its_cards_by_its_statistical_code(world: dict) -> None:  # type: ignore[type-arg]
    # 高新区 and 循环化工园区 have no GB/T 2260 code: their cards carry the 统计用区划代码
    assert number_code("130102") == "130102"
    assert number_code("sjz-hitech") == "130171"
    assert number_code("sjz-circular-chem") == "130172"
    with pytest.raises(ValueError):
        number_code("nowhere")
    with session_scope(world["url"]) as s:
        number = next_number(s, "B", "sjz-hitech", dt.date(2026, 12, 1))
    assert is_valid(number) and number[3:9] == "130171"


def test_approval_issues_main_card_and_family_cards(world: dict) -> None:  # type: ignore[type-arg]
    family = [
        {"relation": "spouse", "name": "赵女士", "employed": False},
        {"relation": "parent", "name": "张父"},
        {"relation": "child", "name": "小张"},  # children get no 副卡 under the rules
    ]
    case_id = _approved_card_case(world, family)
    with session_scope(world["url"]) as s:
        main, *rest = _cards(s, case_id)
        assert main.tier == "B" and main.main_card_id is None and is_valid(main.number)
        assert main.number.startswith("B") and main.county == "130102"
        services = {x["id"] for x in json.loads(main.services)}
        assert "sjz.b.service.daily_life" in services  # the B card's own items
        assert "sjz.county.service.healthcare" in services  # and the county's (凭卡可享受)
        assert all(x["citation"]["document"] for x in json.loads(main.services))
        assert [(c.relation, c.holder_name) for c in rest] == [
            ("spouse", "赵女士"),
            ("parent", "张父"),
        ]
        assert all(c.main_card_id == main.id and c.tier == "F" for c in rest)
        assert len({c.status_index for c in [main, *rest]}) == 3
        talent = s.get(TalentProfile, main.talent_id)
        assert talent is not None and main.holder_name == talent.name


def _approved_county_card(world: dict, school_tags: list[str]) -> int:  # type: ignore[type-arg]
    """A county card approved for a full-time bachelor (born 1998) working in 长安区."""
    profile = doctor_today()
    profile["person"]["birth_date"] = "1998-01-01"
    profile["person"]["education"] = [
        {
            "degree": "bachelor",
            "full_time": True,
            "school": "河北科技大学",
            "school_tags": school_tags,
            "graduation_date": "2024-06-30",
            "overseas": False,
        }
    ]
    profile["family"] = []
    born = random_first17(dt.date(1998, 1, 1))
    with session_scope(world["url"]) as s:
        talent = register_talent(
            s,
            f"k{uuid.uuid4().hex[:8]}",
            "secret123",
            "李工",
            born + id_check_character(born),
            profile,
        )
        case = apply(s, talent, "card.county", uuid.uuid4().hex)
        for level in ("county", "city"):
            # the database is shared: an earlier test may have set the county card to be
            # approved automatically, which issues the card as well
            if current_step(case) is None:
                break
            decide(s, s.get(Account, world[level]), case, "approve", None, case.version)
        assert case.status == Status.approved
        return case.id


def test_an_issued_county_card_lists_schooling_only_where_the_calculator_grants_it(
    world: dict,  # type: ignore[type-arg]
) -> None:
    # 各县（市、区）人才绿卡管理办法 可享受的服务项目（3）: "在市内主城区（长安区、…）…，引进的
    # 全日制硕士学位研究生、大学本科一批录取的高校全日制学士学位毕业生、…，其未成年子女愿随父母来
    # 县（市、区）就读的，由县（市、区）教育部门协调办理子女转学入学手续"
    # — in 长安区 an ordinary bachelor is not among them
    schooling = "sjz.county.service.children_schooling"
    ordinary = _approved_county_card(world, [])
    first_batch = _approved_county_card(world, ["first_batch_undergraduate"])
    with session_scope(world["url"]) as s:
        (plain_card,) = _cards(s, ordinary)
        (first_batch_card,) = _cards(s, first_batch)
        plain_items = {x["id"] for x in json.loads(plain_card.services)}
        first_batch_items = {x["id"] for x in json.loads(first_batch_card.services)}
    assert plain_card.program == first_batch_card.program == "card.county"
    assert schooling not in plain_items and schooling in first_batch_items
    # the items every holder enjoys are on both cards
    assert "sjz.county.service.healthcare" in plain_items
    assert plain_items == first_batch_items - {schooling}


def test_validity_awaits_the_administrator(world: dict) -> None:  # type: ignore[type-arg]
    case_id = _approved_card_case(world, [{"relation": "spouse", "employed": False}])
    with session_scope(world["url"]) as s:
        assert {v["tier"]: v["awaiting_administrator"] for v in validity_settings(s)}["B"]
        main, spouse = _cards(s, case_id)
        assert main.valid_until is None and spouse.valid_until is None
        with pytest.raises(CardError) as refused:
            static_code(s, main, world["keys"], clock.now())
        assert refused.value.code == "no_validity"
        with pytest.raises(CardError):
            set_validity(s, "admin", "B", 0, "x")  # a bad value changes nothing
        with pytest.raises(CardError):
            set_validity(s, "admin", "B", 36, "  ")  # no source given
    with session_scope(world["url"]) as s:
        assert set_validity(s, "admin", "B", 36, "市委人才办会议纪要") >= 1
    with session_scope(world["url"]) as s:
        main, spouse = _cards(s, case_id)
        assert main.valid_until == dt.date(
            main.valid_from.year + 3, main.valid_from.month, main.valid_from.day
        )
        assert spouse.valid_until == main.valid_until  # the 副卡 ends with its main card


def test_revoking_the_main_card_revokes_its_family_cards_for_verifiers(world: dict) -> None:  # type: ignore[type-arg]
    case_id = _approved_card_case(world, [{"relation": "spouse", "employed": False}])
    keys, now = world["keys"], clock.now()
    with session_scope(world["url"]) as s:
        set_validity(s, "admin", "B", 36, "市委人才办会议纪要")
        main, spouse = _cards(s, case_id)
        codes = [static_code(s, c, keys, now) for c in (main, spouse)]
        _, before = BUNDLES.get(s, keys, now)
        assert [verify(c, before, now, "bus").code for c in codes] == ["valid", "valid"]
    with session_scope(world["url"]) as s:
        main, _ = _cards(s, case_id)
        with pytest.raises(CardError):  # another county's office may not
            change(s, s.get(Account, world["other_county"]), main, "revoke", "离开本市")
        with pytest.raises(CardError):  # a reason is required
            change(s, s.get(Account, world["county"]), main, "revoke", "")
        changed = change(s, s.get(Account, world["county"]), main, "revoke", "已离开本市")
        assert len(changed) == 2
    with session_scope(world["url"]) as s:
        main, spouse = _cards(s, case_id)
        assert (main.status, spouse.status) == ("revoked", "revoked")
        _, after = BUNDLES.get(s, keys, now)
        assert after.version > before.version
        assert [verify(c, after, now, "bus").code for c in codes] == ["revoked", "revoked"]
        actions = list(s.scalars(select(CardEvent.action).where(CardEvent.card_id == spouse.id)))
        assert actions[-1] == "revoke"
        with pytest.raises(CardError) as refused:
            change(s, s.get(Account, world["city"]), main, "resume", None)
        assert refused.value.code == "bad_state"  # revocation is final


def test_suspend_resume_renew_and_expire(world: dict) -> None:  # type: ignore[type-arg]
    case_id = _approved_card_case(world, [{"relation": "spouse", "employed": False}])
    keys, now = world["keys"], clock.now()
    with session_scope(world["url"]) as s:
        set_validity(s, "admin", "B", 36, "市委人才办会议纪要")
        main, spouse = _cards(s, case_id)
        code = static_code(s, spouse, keys, now)
        city = s.get(Account, world["city"])
        change(s, city, main, "suspend", "核查在职情况")
        assert spouse.status == "suspended"
        _, bundle = BUNDLES.get(s, keys, now)
        assert verify(code, bundle, now, "bus").code == "suspended"
        with pytest.raises(CardError) as refused:
            change(s, city, spouse, "resume", None)  # not while its main card is suspended
        assert refused.value.code == "main_inactive"
        change(s, city, main, "resume", None)
        assert (main.status, spouse.status) == ("active", "active")
        _, bundle = BUNDLES.get(s, keys, now)
        assert verify(code, bundle, now, "bus").code == "valid"
        old_end = main.valid_until
        change(s, city, main, "renew", None)
        assert main.valid_until is not None and old_end is not None and main.valid_until > old_end
        assert spouse.valid_until == main.valid_until
        main.valid_until = now.date()  # as if its time had come
        expired = expire_due(s, now.date())
        assert main in expired and main.status == "expired"


def test_usage_batches_statistics_and_abuse_flag(world: dict) -> None:  # type: ignore[type-arg]
    tag = uuid.uuid4().hex[:6]
    with session_scope(world["url"]) as s:
        a = register_point(s, f"B1-{tag}", "公交1路", "bus", f"bus1{tag}", "secret123", "130102")
        b = register_point(s, f"B2-{tag}", "公交2路", "bus", f"bus2{tag}", "secret123", "130102")
        number = "B2613010299999" + check_character("2613010299999")
        at = dt.datetime(2026, 10, 5, 8, 0, tzinfo=dt.UTC)
        events = [
            {
                "event_id": f"e1-{tag}",
                "card_number": number,
                "verdict": "valid",
                "at": at.isoformat(),
            },
            {
                "event_id": f"e2-{tag}",
                "card_number": None,
                "verdict": "malformed",
                "at": at.isoformat(),
            },
        ]
        assert upload(s, a, events) == {"received": 2, "stored": 2, "duplicates": 0}
        assert upload(s, a, events)["duplicates"] == 2  # a repeated upload stores nothing twice
        bad = [
            {
                "event_id": f"e3-{tag}",
                "card_number": "B123",
                "verdict": "valid",
                "at": at.isoformat(),
            }
        ]
        with pytest.raises(CardError) as refused:
            upload(s, a, bad)
        assert refused.value.field == "events[0].card_number"
        record_use(s, b, number, "valid", at + dt.timedelta(minutes=3), offline=False)
        second = s.scalars(
            select(CardUse).where(CardUse.card_number == number, CardUse.point_id == b.id)
        ).one()
        assert second.flag == "two_points"  # three minutes after 公交1路, at 公交2路
        # an hour later at a third point is an ordinary ride
        record_use(s, a, number, "valid", at + dt.timedelta(hours=1), offline=False)
        late = s.scalars(
            select(CardUse).where(CardUse.card_number == number).order_by(CardUse.at.desc())
        ).first()
        assert late is not None and late.flag is None
        stats = statistics(s)
        mine = [r for r in stats["rows"] if r["point"] in (a.code, b.code)]
        assert {(r["point"], r["month"], r["uses"]) for r in mine} == {
            (a.code, "2026-10", 2),
            (b.code, "2026-10", 1),
        }
        pair = [f for f in stats["flagged"] if f["card_number"] == number]
        assert [(f["point_name"], f["other_points"]) for f in pair] == [("公交2路", ["公交1路"])]
        assert any(r["verdict"] == "malformed" for r in stats["refused"])


def test_non_card_approvals_issue_nothing(world: dict) -> None:  # type: ignore[type-arg]
    profile = doctor_today()
    with session_scope(world["url"]) as s:
        talent = register_talent(
            s, f"n{uuid.uuid4().hex[:8]}", "secret123", "王博士", _id_number(), profile
        )
        case = apply(s, talent, "sjz.b.settlement_allowance", uuid.uuid4().hex)
        decide(s, s.get(Account, world["county"]), case, "approve", None, case.version)
        decide(s, s.get(Account, world["city"]), case, "approve", None, case.version)
        assert s.get(Application, case.id) is not None
        assert _cards(s, case.id) == []


def test_keys_never_live_in_the_repository() -> None:
    repo = Path(__file__).parents[2]
    assert not list(repo.glob("src/**/*.key.pem")) and not list(repo.glob("src/**/root.*"))


def test_revoking_a_main_card_stops_the_holders_payment_schedules(world: dict) -> None:  # type: ignore[type-arg]
    """石字〔2021〕7号 第17条: support is cancelled for a talent whose card is withdrawn."""
    from rencai.ledger.models import Schedule

    case_id = _approved_card_case(world, None)
    with session_scope(world["url"]) as s:
        card_case = s.get(Application, case_id)
        assert card_case is not None
        talent = s.get(TalentProfile, card_case.talent_id)
        assert talent is not None
        rent = apply(s, talent, "sjz.b.rent_subsidy", uuid.uuid4().hex)
        decide(s, s.get(Account, world["county"]), rent, "approve", None, rent.version)
        decide(s, s.get(Account, world["city"]), rent, "approve", None, rent.version)
        rent_id = rent.id
    with session_scope(world["url"]) as s:
        schedule = s.scalar(select(Schedule).where(Schedule.application_id == rent_id))
        assert schedule is not None and schedule.status == "active"
        main, *_ = _cards(s, case_id)
        change(s, s.get(Account, world["county"]), main, "revoke", "弄虚作假，取消人才绿卡")
    with session_scope(world["url"]) as s:
        schedule = s.scalar(select(Schedule).where(Schedule.application_id == rent_id))
        assert schedule is not None and schedule.status == "stopped"
