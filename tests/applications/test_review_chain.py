"""The review chain on PostgreSQL: county → city, return for correction, rejection, access,
idempotent submission and concurrent reviewers."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from rencai.applications.models import Application, Status
from rencai.applications.service import (
    ApplicationError,
    apply,
    decide,
    history,
    resubmit,
    visible,
)
from rencai.db.session import session_scope, upgrade
from rencai.registry.accounts import create_account, register_talent
from rencai.registry.identifiers import id_check_character
from rencai.registry.models import Account, Role, TalentProfile
from tests.profiles import doctor_today
from tests.support import random_first17


def _id_number() -> str:
    first17 = random_first17()
    return first17 + id_check_character(first17)


@pytest.fixture
def world(pg_url: str) -> dict[str, int | str]:
    """A doctor in 长安区, reviewers of 长安区 and 桥西区, a city reviewer."""
    upgrade(pg_url)
    tag = uuid.uuid4().hex[:6]
    profile = doctor_today()
    with session_scope(pg_url) as session:
        talent = register_talent(session, f"dr{tag}", "secret123", "王博士", _id_number(), profile)
        other = register_talent(session, f"o{tag}", "secret123", "李硕士", _id_number(), profile)
        county = create_account(
            session, f"ca{tag}", "secret123", "长安区人才办", Role.county_reviewer, county="130102"
        )
        wrong = create_account(
            session, f"qx{tag}", "secret123", "桥西区人才办", Role.county_reviewer, county="130104"
        )
        city = create_account(session, f"city{tag}", "secret123", "市委人才办", Role.city_reviewer)
        return {
            "url": pg_url,
            "talent": talent.id,
            "other": other.id,
            "county": county.id,
            "wrong": wrong.id,
            "city": city.id,
        }


def _get(session, model, key):  # type: ignore[no-untyped-def]
    found = session.get(model, key)
    assert found is not None
    return found


def test_approved_through_county_and_city(world: dict) -> None:  # type: ignore[type-arg]
    url = world["url"]
    with session_scope(url) as s:
        case = apply(s, _get(s, TalentProfile, world["talent"]), "card.b", uuid.uuid4().hex)
        assert case.status == Status.county_review and case.program_name == "石家庄市人才绿卡B卡"
        assert '"state": "eligible"' in case.precheck and case.rules_version.startswith("0.1.0+")
        case_id, version = case.id, case.version
    with session_scope(url) as s:
        case = _get(s, Application, case_id)
        decide(s, _get(s, Account, world["county"]), case, "approve", None, version)
        assert case.status == Status.city_review
        version = case.version
    with session_scope(url) as s:
        case = _get(s, Application, case_id)
        decide(s, _get(s, Account, world["city"]), case, "approve", None, version)
        assert case.status == Status.approved and case.decided_at is not None
        steps = [(a.level, a.action) for a in history(s, case)]
    assert steps == [("applicant", "submit"), ("county", "approve"), ("city", "approve")]


def test_return_for_correction_and_resubmit(world: dict) -> None:  # type: ignore[type-arg]
    url = world["url"]
    with session_scope(url) as s:
        case = apply(
            s, _get(s, TalentProfile, world["talent"]), "sjz.b.rent_subsidy", uuid.uuid4().hex
        )
        case_id, version = case.id, case.version
    with session_scope(url) as s:
        case = _get(s, Application, case_id)
        with pytest.raises(ApplicationError) as caught:
            decide(s, _get(s, Account, world["county"]), case, "return", " ", version)
        assert caught.value.code == "reason_required"
        decide(s, _get(s, Account, world["county"]), case, "return", "请补充租房合同", version)
        version = case.version
    with session_scope(url) as s:
        case = _get(s, Application, case_id)
        with pytest.raises(ApplicationError):  # another talent cannot resubmit it
            resubmit(s, _get(s, TalentProfile, world["other"]), case, version)
        resubmit(s, _get(s, TalentProfile, world["talent"]), case, version)
        assert case.status == Status.county_review
        reasons = [a.reason for a in history(s, case) if a.action == "return"]
    assert reasons == ["请补充租房合同"]


def test_only_the_right_reviewer_at_the_right_step(world: dict) -> None:  # type: ignore[type-arg]
    url = world["url"]
    with session_scope(url) as s:
        case = apply(
            s, _get(s, TalentProfile, world["talent"]), "sjz.b.purchase_subsidy", uuid.uuid4().hex
        )
        case_id, version = case.id, case.version
    for reviewer in ("wrong", "city", "talent_account"):
        with session_scope(url) as s:
            case = _get(s, Application, case_id)
            if reviewer == "talent_account":
                account = _get(s, Account, _get(s, TalentProfile, world["talent"]).account_id)
            else:
                account = _get(s, Account, world[reviewer])
            with pytest.raises(ApplicationError) as caught:
                decide(s, account, case, "approve", None, version)
            assert caught.value.code == "forbidden", reviewer
    with session_scope(url) as s:
        talent_account = _get(s, Account, _get(s, TalentProfile, world["talent"]).account_id)
        other_account = _get(s, Account, _get(s, TalentProfile, world["other"]).account_id)
        assert case_id in {a.id for a in visible(s, talent_account)}
        assert case_id not in {a.id for a in visible(s, other_account)}
        assert case_id in {a.id for a in visible(s, _get(s, Account, world["county"]))}
        assert case_id not in {a.id for a in visible(s, _get(s, Account, world["wrong"]))}
        assert case_id in {a.id for a in visible(s, _get(s, Account, world["city"]))}


def test_double_submit_creates_one_application(world: dict) -> None:  # type: ignore[type-arg]
    url, key = world["url"], uuid.uuid4().hex
    ids: list[int] = []
    errors: list[Exception] = []
    barrier = threading.Barrier(2)

    def submit() -> None:
        try:
            barrier.wait()
            with session_scope(url) as s:
                ids.append(
                    apply(
                        s,
                        _get(s, TalentProfile, world["talent"]),
                        "sjz.b.settlement_allowance",
                        key,
                    ).id
                )
        except Exception as exc:  # the loser of the race hits the unique key
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with session_scope(url) as s:
        count = s.scalar(select(func.count()).where(Application.idempotency_key == key))
        again = apply(s, _get(s, TalentProfile, world["talent"]), "sjz.b.settlement_allowance", key)
    assert count == 1
    assert errors == []  # the loser of the race gets the winner's case, not an error
    assert ids == [again.id, again.id]


def test_concurrent_reviewers_cannot_both_decide(world: dict) -> None:  # type: ignore[type-arg]
    url = world["url"]
    with session_scope(url) as s:
        case = apply(s, _get(s, TalentProfile, world["talent"]), "card.family", uuid.uuid4().hex)
        case_id, version = case.id, case.version
    with session_scope(url) as first, session_scope(url) as second:
        a = _get(first, Application, case_id)
        b = _get(second, Application, case_id)
        decide(first, _get(first, Account, world["county"]), a, "approve", None, version)
        first.commit()
        with pytest.raises((StaleDataError, ApplicationError)):
            decide(second, _get(second, Account, world["county"]), b, "reject", "重复", version)
        second.rollback()
    with session_scope(url) as s:
        case = _get(s, Application, case_id)
        assert case.status == Status.city_review
        assert [a.action for a in history(s, case)] == ["submit", "approve"]


def test_duplicate_open_application_refused(world: dict) -> None:  # type: ignore[type-arg]
    url = world["url"]
    with session_scope(url) as s:
        apply(s, _get(s, TalentProfile, world["other"]), "card.b", uuid.uuid4().hex)
    with pytest.raises(ApplicationError) as caught, session_scope(url) as s:
        apply(s, _get(s, TalentProfile, world["other"]), "card.b", uuid.uuid4().hex)
    assert caught.value.code == "duplicate_application"
    with pytest.raises(ApplicationError) as caught, session_scope(url) as s:
        apply(s, _get(s, TalentProfile, world["other"]), "no.such.program", uuid.uuid4().hex)
    assert caught.value.code == "unknown_program"


def test_deadlines_in_working_days_pause_while_returned_and_overdue(world: dict) -> None:  # type: ignore[type-arg]
    import datetime as dt

    from rencai import clock
    from rencai.applications.service import is_overdue, set_review_limit
    from rencai.calendar.service import add_working_days

    url = world["url"]
    with session_scope(url) as s:
        set_review_limit(s, "sjz.b.purchase_subsidy", "county", 5, "测试：管理员设定")
        with pytest.raises(ApplicationError):
            set_review_limit(s, "sjz.b.purchase_subsidy", "province", 5, "x")
    with session_scope(url) as s:
        talent = _get(s, TalentProfile, world["talent"])
        case = apply(s, talent, "sjz.b.purchase_subsidy", uuid.uuid4().hex)
        today = clock.office_date(case.submitted_at)  # the office's date, not UTC's
        assert case.due_date == add_working_days(s, today, 5, "130102").day
        assert case.step_started == today
        case_id, version = case.id, case.version
    with session_scope(url) as s:
        case = _get(s, Application, case_id)
        decide(s, _get(s, Account, world["county"]), case, "return", "补材料", version)
        assert '"' in (case.pauses or "") and not is_overdue(case)
        version = case.version
    with session_scope(url) as s:
        case = _get(s, Application, case_id)
        resubmit(s, _get(s, TalentProfile, world["talent"]), case, version)
        assert case.due_date is not None and case.due_date >= add_working_days(s, today, 5).day
        case.due_date = dt.date(2020, 1, 2)  # as if the county let it lie
        assert is_overdue(case)
    with session_scope(url) as s:
        queue = visible(s, _get(s, Account, world["county"]))
        assert queue[0].id == case_id  # the overdue case comes first


def test_a_case_the_rules_find_not_eligible_cannot_be_approved(world: dict) -> None:  # type: ignore[type-arg]
    # decision 0225: nothing could be computed or paid from facts the rules refuse
    url = world["url"]
    profile = doctor_today()
    profile["person"]["education"][0]["degree"] = "bachelor"
    with session_scope(url) as s:
        talent = register_talent(
            s, f"ba{uuid.uuid4().hex[:6]}", "secret123", "张学士", _id_number(), profile
        )
        case = apply(s, talent, "card.b", uuid.uuid4().hex)
        assert '"state": "not_eligible"' in case.precheck
        case_id, version = case.id, case.version
    with session_scope(url) as s:
        case = _get(s, Application, case_id)
        with pytest.raises(ApplicationError) as refused:
            decide(s, _get(s, Account, world["county"]), case, "approve", None, version)
        assert refused.value.code == "not_eligible" and "不能审核通过" in str(refused.value)
    with session_scope(url) as s:
        case = _get(s, Application, case_id)
        assert case.status == Status.county_review and case.version == version  # unchanged
        decide(s, _get(s, Account, world["county"]), case, "reject", "学历不符合B卡条件", version)
        assert case.status == Status.rejected
