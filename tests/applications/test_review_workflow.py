"""The review workflow on PostgreSQL: department steps, seed-stated limits, 秒批 with its sample,
公示 with objections and the end-of-notice run, bulk approval, employers applying for a hire."""

from __future__ import annotations

import copy
import datetime as dt
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rencai import clock, settings
from rencai.applications import events
from rencai.applications.automatic import CheckError, check, sample_draw
from rencai.applications.bulk import bulk_approve
from rencai.applications.materials import store
from rencai.applications.models import Application, ReviewLimit, Status
from rencai.applications.programs import SettingsError, configure, load_seeded
from rencai.applications.publicity import (
    NoticeError,
    close_notices,
    handle_objection,
    lodge_objection,
    objections_of,
    public_view,
)
from rencai.applications.service import (
    ApplicationError,
    apply,
    can_see,
    confirm_employment,
    decide,
    history,
    visible,
)
from rencai.audit.log import AuditEntry, verify
from rencai.calendar.service import add_working_days
from rencai.db.session import session_scope, upgrade
from rencai.notifications.outbox import Notification
from rencai.policy.procedures import procedures
from rencai.registry.accounts import (
    RegistryError,
    authenticate,
    create_account,
    register_employer,
    register_talent,
)
from rencai.registry.administration import create_staff, unlock, update_staff
from rencai.registry.employers import decide as verify_employer
from rencai.registry.identifiers import uscc_check_character
from rencai.registry.models import Account, Role, TalentProfile
from tests.profiles import doctor_today
from tests.seeds import compact, seed_text_compact
from tests.support import CRAFTSMAN_SELECTION_DAY, random_id_number

approved_cases: list[int] = []  # case ids the approval handler saw


def record_approval(session: Session, application: Application) -> None:
    assert application.status == Status.approved
    approved_cases.append(application.id)


@pytest.fixture(autouse=True)
def approval_handler(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("RENCAI_FILES_DIR", str(tmp_path))
    settings.reset()
    approved_cases.clear()
    with events.APPROVED.replaced(record_approval):
        yield


def _id_number(born: str | None = None) -> str:
    return random_id_number(born)  # the number carries the profile's birth date


CRAFTSMAN: dict[str, Any] = {
    "jurisdiction": "shijiazhuang",
    "person": {"birth_date": "1980-01-01", "skill_level": "senior_worker"},
    "employment": {"employer_type": "enterprise", "county": "130102", "start_date": "2015-03-01"},
}


@pytest.fixture(scope="module")
def world(pg_url: str) -> dict[str, Any]:
    upgrade(pg_url)
    tag = uuid.uuid4().hex[:6]
    profile = doctor_today()
    ids: dict[str, Any] = {"url": pg_url, "tag": tag}
    with session_scope(pg_url) as s:
        load_seeded(s)
        ids["admin"] = create_account(s, f"ad{tag}", "secret123", "管理员", Role.admin).id
        admin = s.get(Account, ids["admin"])
        assert admin is not None
        ids["county"] = create_account(
            s, f"ca{tag}", "secret123", "长安区", Role.county_reviewer, county="130102"
        ).id
        ids["city"] = create_account(s, f"ci{tag}", "secret123", "市委", Role.city_reviewer).id
        for department in ("police", "education", "hrss"):
            ids[department] = create_staff(
                s, admin, f"{department[:3]}{tag}", "secret123", department, "department_officer",
                department=department,
            ).id  # fmt: skip
        for name in ("doctor", "other", "hire"):
            ids[name] = register_talent(
                s, f"{name}{tag}", "secret123", "王小明", _id_number(), copy.deepcopy(profile)
            ).id
        for name in ("craft1", "craft2", "craft3"):
            ids[name] = register_talent(
                s,
                f"{name}{tag}",
                "secret123",
                "张师傅",
                _id_number("1980-01-01"),
                copy.deepcopy(CRAFTSMAN),
            ).id
        first17 = "91130100MA" + tag.upper()[:6].replace("E", "F") + "X"
        employer = register_employer(
            s, first17 + uscc_check_character(first17), "示例公司", "130102", "enterprise"
        )
        other_employer_code = "91130100MB" + tag.upper()[:6].replace("E", "F") + "Y"
        other = register_employer(
            s,
            other_employer_code + uscc_check_character(other_employer_code),
            "另一公司",
            "130102",
            "enterprise",
        )
        for unit in (employer, other):  # checked by the city office (decision 0080)
            verify_employer(s, admin, unit, "verify", "营业执照原件已核")
        ids["hr"] = create_account(
            s, f"hr{tag}", "secret123", "人事", Role.employer, employer_id=employer.id
        ).id
        ids["other_hr"] = create_account(
            s, f"oh{tag}", "secret123", "人事", Role.employer, employer_id=other.id
        ).id
        hire = s.get(TalentProfile, ids["hire"])
        assert hire is not None
        hire.employer_id = employer.id
    return ids


def _get(session: Session, model: Any, key: Any) -> Any:
    found = session.get(model, key)
    assert found is not None
    return found


def test_seed_limits_and_notices_quote_the_seeds() -> None:
    found = procedures("shijiazhuang")
    assert {(x.program, x.working_days) for x in found.limits} >= {
        ("sjz.b.service.household_registration", 0),  # 即报即批
        ("sjz.b.service.business_tax", 2),
        ("sjz.b.service.social_insurance", 5),
        ("sjz.b.service.children_schooling", 10),
    }
    seeds = seed_text_compact()
    for item in [*found.limits, *found.notices]:
        assert compact(item.citation.quote) in seeds, item.program
    assert [(n.program, n.days, n.unit) for n in found.notices] == [
        ("sjz.skills.craftsman_selection", 5, "working_days"),
        # 石科规〔2019〕3号 第十八条: "进行网络公示，公示期为5个工作日" (decision 0329)
        ("sjz.science.leader_selection", 5, "working_days"),
        # 石政办函〔2021〕42号 高端人才奖励工作实施细则 第七条（三）: "公示5天" (decision 0336)
        ("sjz.industry.high_end_talent_award", 5, "days"),
    ]
    leader = next(n for n in found.notices if n.program == "sjz.science.leader_selection")
    assert leader.chain == ("county", "science") and leader.citation.clause == "第十八条"


def test_department_step_with_a_seeded_same_day_limit(world: dict[str, Any]) -> None:
    url = world["url"]
    with session_scope(url) as s:
        limit = _get(s, ReviewLimit, ("sjz.b.service.household_registration", "police"))
        assert limit.working_days == 0 and "即报即批" in (limit.quote or "")
        case = apply(
            s, _get(s, TalentProfile, world["doctor"]), "sjz.b.service.household_registration",
            uuid.uuid4().hex,
        )  # fmt: skip
        assert json.loads(case.chain or "") == ["county", "police"]
        decide(s, _get(s, Account, world["county"]), case, "approve", None, case.version)
        assert case.status == Status.department_review
        assert case.due_date == case.step_started  # 即报即批: due the day it arrives
        case_id, version = case.id, case.version
    with session_scope(url) as s:
        case = _get(s, Application, case_id)
        for wrong in ("education", "city", "county"):
            with pytest.raises(ApplicationError) as caught:
                decide(s, _get(s, Account, world[wrong]), case, "approve", None, version)
            assert caught.value.code == "forbidden"
        police, education = _get(s, Account, world["police"]), _get(s, Account, world["education"])
        assert can_see(police, case, 0) and not can_see(education, case, 0)
        assert case_id in {a.id for a in visible(s, police)}
        assert case_id not in {a.id for a in visible(s, education)}
        decide(s, police, case, "approve", None, version)
        assert case.status == Status.approved
        assert [(a.level, a.action) for a in history(s, case)][-1] == ("police", "approve")
    assert approved_cases == [case_id]


def test_settings_are_for_administrators_and_a_stated_notice_cannot_change(
    world: dict[str, Any],
) -> None:
    with session_scope(world["url"]) as s:
        admin, city = _get(s, Account, world["admin"]), _get(s, Account, world["city"])
        with pytest.raises(SettingsError) as caught:
            configure(s, city, "sjz.b.service.finance", chain=["county"])
        assert caught.value.code == "forbidden"
        for kwargs, code in [
            ({"chain": ["nowhere"]}, "bad_step"),
            ({"chain": ["city", "county"]}, "county_not_first"),
            ({"chain": ["county"], "auto_approve": True}, "sample_required"),
            ({"chain": ["county"], "auto_approve": True, "sample_percent": 101}, "sample_required"),
        ]:
            with pytest.raises(SettingsError) as caught:
                configure(s, admin, "sjz.b.service.finance", **kwargs)
            assert caught.value.code == code
        with pytest.raises(SettingsError) as caught:
            configure(
                s, admin, "sjz.skills.craftsman_selection", chain=["county", "hrss"],
                notice_required=True, notice_days=3, notice_unit="working_days",
            )  # fmt: skip
        assert caught.value.code == "notice_stated" and "5个工作日" in caught.value.message
        for kwargs in ({"notice_required": False}, {"notice_required": True, "notice_days": 7}):
            with pytest.raises(SettingsError) as caught:
                configure(
                    s, admin, "sjz.science.leader_selection", chain=["county", "science"],
                    **kwargs,
                )  # fmt: skip
            assert caught.value.code == "notice_stated"
            assert "石科规〔2019〕3号 第十八条" in caught.value.message
        settings = configure(
            s, admin, "sjz.science.leader_selection", chain=["county", "science"],
            notice_required=True,
        )  # fmt: skip
        assert (settings.notice_days, settings.notice_unit) == (5, "working_days")


def test_automatic_approval_explained_and_sampled(world: dict[str, Any]) -> None:
    url = world["url"]
    with session_scope(url) as s:
        admin = _get(s, Account, world["admin"])
        configure(
            s, admin, "sjz.b.service.research", chain=["county", "city"], auto_approve=True,
            sample_percent=100,
        )  # fmt: skip
        configure(
            s, admin, "sjz.b.service.daily_life", chain=["county", "city"], auto_approve=True,
            sample_percent=0,
        )  # fmt: skip
        configure(
            s, admin, "card.county", chain=["county", "city"], auto_approve=True, sample_percent=0
        )
        doctor_ = _get(s, TalentProfile, world["doctor"])
        sampled = apply(s, doctor_, "sjz.b.service.research", uuid.uuid4().hex)
        plain = apply(s, doctor_, "sjz.b.service.daily_life", uuid.uuid4().hex)
        # not eligible (a B-card holder gets no county card): a person decides
        refused = apply(s, doctor_, "card.county", uuid.uuid4().hex)
        assert refused.status == Status.county_review and refused.automatic is None
        assert sampled.status == plain.status == Status.approved
        explanation = json.loads(sampled.automatic or "")
        clauses = [(c["document"], c["clause"]) for c in explanation["clauses"]]
        assert clauses == [
            ("石办字〔2017〕39号", "申领范围（2）"),  # the card's clause, then the item's
            ("石办字〔2017〕39号", "可享受的服务项目（4）"),
        ]
        assert any("博士" in f for f in explanation["clauses"][0]["findings"])
        assert explanation["sample"]["draw"] == sample_draw(sampled.id, "sjz.b.service.research")
        assert sampled.post_check == "pending" and plain.post_check is None
        assert [a.action for a in history(s, sampled)] == ["submit", "auto_approve"]
        ids = (sampled.id, plain.id)
        version = sampled.version
    assert sorted(approved_cases) == sorted(ids)
    with session_scope(url) as s:
        case = _get(s, Application, ids[0])
        with pytest.raises(CheckError):
            check(s, _get(s, Account, world["county"]), case, True, None, version)
        with pytest.raises(CheckError) as caught:
            check(s, _get(s, Account, world["city"]), case, False, " ", version)
        assert caught.value.code == "reason_required"
        check(s, _get(s, Account, world["city"]), case, False, "论文证明与学历不符", version)
        assert case.post_check == "flagged" and case.status == Status.approved


def test_automatic_approval_waits_for_the_employer(world: dict[str, Any]) -> None:
    url = world["url"]
    with session_scope(url) as s:
        configure(
            s, _get(s, Account, world["admin"]), "sjz.b.service.entrepreneurship",
            chain=["county", "city"], auto_approve=True, sample_percent=0,
        )  # fmt: skip
        hire = _get(s, TalentProfile, world["hire"])
        case = apply(s, hire, "sjz.b.service.entrepreneurship", uuid.uuid4().hex)
        assert case.status == Status.county_review and case.employer_confirmation == "pending"
        confirm_employment(s, _get(s, Account, world["hr"]), case, True, "在职")
        assert case.status == Status.approved and case.automatic is not None
    assert approved_cases == [case.id]


def test_public_notice_objection_and_end_of_notice(world: dict[str, Any]) -> None:
    url = world["url"]
    with session_scope(url) as s:
        county, hrss = _get(s, Account, world["county"]), _get(s, Account, world["hrss"])
        with clock.frozen(CRAFTSMAN_SELECTION_DAY):  # filed in a selection year
            case = apply(
                s, _get(s, TalentProfile, world["craft1"]), "sjz.skills.craftsman_selection",
                uuid.uuid4().hex,
            )  # fmt: skip
        assert json.loads(case.precheck)["state"] == "eligible", case.precheck
        decide(s, county, case, "approve", None, case.version)
        decide(s, hrss, case, "approve", None, case.version)
        assert case.status == Status.publicity and case.decided_at is None
        start = case.notice_start
        assert start is not None
        assert case.notice_end == add_working_days(s, start, 5, "130102").day
        shown = public_view(case, _get(s, TalentProfile, world["craft1"]))
        assert shown["name"] == "张**" and "id_number" not in shown
        zhao = _citizen(s, "赵某")
        with pytest.raises(NoticeError) as caught:
            lodge_objection(s, case, zhao, "", "证书有误，请核查")
        assert caught.value.code == "contact_required"
        with pytest.raises(NoticeError) as caught:  # objections come from real-named people
            lodge_objection(s, case, county, "13800000000", "证书取得时间有误，请核查")
        assert caught.value.code == "not_real_named"
        objection = lodge_objection(s, case, zhao, "13800000000", "证书取得时间有误，请核查")
        assert objection.name == "赵某" and objection.account_id == zhao.id
        assert case.status == Status.objection and case.notice_end is None
        told = {n.account_id for n in s.scalars(select(Notification))}
        assert world["hrss"] in told and world["county"] not in told
        case_id, objection_id, version = case.id, objection.id, case.version
    assert approved_cases == []
    with session_scope(url) as s:
        case = _get(s, Application, case_id)
        assert close_notices(s, start + dt.timedelta(days=60)) == []  # paused: never final
        objection = objections_of(s, case)[0]
        with pytest.raises(NoticeError) as caught:
            handle_objection(s, county, objection, "dismiss", "核查无误", version)
        assert caught.value.code == "forbidden"  # the county is not the last step
        with pytest.raises(NoticeError):
            handle_objection(s, _get(s, Account, world["hrss"]), objection, "dismiss", "", version)
        handle_objection(
            s, _get(s, Account, world["hrss"]), objection, "dismiss", "核查无误", version
        )
        assert case.status == Status.publicity and objection.id == objection_id
        today = clock.today()  # the office's date
        # the objection held the clock from the day it came to the day it was dismissed
        assert case.notice_end == add_working_days(s, start, 5, "130102", [(today, today)]).day
        end = case.notice_end
        assert end is not None
    with session_scope(url) as s:
        assert case_id not in close_notices(s, end)  # the last day of the notice: not yet
    with session_scope(url) as s:
        assert case_id in close_notices(s, end + dt.timedelta(days=1))
        assert _get(s, Application, case_id).status == Status.approved
    with session_scope(url) as s:
        assert case_id not in close_notices(s, end + dt.timedelta(days=2))  # idempotent
        actions = [a.action for a in history(s, _get(s, Application, case_id))]
        assert actions[-3:] == ["object", "dismiss", "final"]
        assert verify(s).ok
    assert approved_cases == [case_id]


def _citizen(s: Any, name: str) -> Account:
    """A real-named personal account (registered with a name and identity number)."""
    talent = register_talent(s, f"ci{uuid.uuid4().hex[:10]}", "secret123", name, _id_number())
    return _get(s, Account, talent.account_id)


def test_upheld_objection_rejects_with_the_reason(world: dict[str, Any]) -> None:
    url = world["url"]
    with session_scope(url) as s:
        county, hrss = _get(s, Account, world["county"]), _get(s, Account, world["hrss"])
        with clock.frozen(CRAFTSMAN_SELECTION_DAY):  # filed in a selection year
            case = apply(
                s, _get(s, TalentProfile, world["craft2"]), "sjz.skills.craftsman_selection",
                uuid.uuid4().hex,
            )  # fmt: skip
        assert json.loads(case.precheck)["state"] == "eligible", case.precheck
        decide(s, county, case, "approve", None, case.version)
        decide(s, hrss, case, "approve", None, case.version)
        first = lodge_objection(s, case, _citizen(s, "赵某"), "13800000000", "证书系伪造，请核查")
        lodge_objection(s, case, _citizen(s, "钱某"), "13900000000", "同一问题，再次反映")
        handle_objection(s, hrss, first, "uphold", "经核查证书不实", case.version)
        assert case.status == Status.rejected
        assert [o.status for o in objections_of(s, case)] == ["upheld", "closed"]
        with pytest.raises(NoticeError):
            lodge_objection(s, case, _citizen(s, "孙某"), "137", "公示已结束还能提吗")
        assert close_notices(s, dt.date(2099, 1, 1)).count(case.id) == 0
    assert approved_cases == []


def test_notice_period_not_stated_waits_for_the_administrator(world: dict[str, Any]) -> None:
    url = world["url"]
    with session_scope(url) as s:
        admin = _get(s, Account, world["admin"])
        settings = configure(
            s, admin, "sjz.b.service.housing", chain=["county", "city"], notice_required=True
        )
        assert settings.notice_days is None
        case = apply(
            s, _get(s, TalentProfile, world["other"]), "sjz.b.service.housing", uuid.uuid4().hex
        )
        decide(s, _get(s, Account, world["county"]), case, "approve", None, case.version)
        decide(s, _get(s, Account, world["city"]), case, "approve", None, case.version)
        assert case.status == Status.publicity and case.notice_end is None
        assert close_notices(s, dt.date(2099, 1, 1)).count(case.id) == 0
        configure(
            s, admin, "sjz.b.service.housing", chain=["county", "city"], notice_required=True,
            notice_days=7, notice_unit="days",
        )  # fmt: skip
        assert case.notice_start is not None
        assert case.notice_end == case.notice_start + dt.timedelta(days=7)


def test_bulk_approval_decides_each_clean_case_on_its_own(world: dict[str, Any]) -> None:
    url = world["url"]
    with session_scope(url) as s:
        other = _get(s, TalentProfile, world["other"])
        clean = [
            apply(s, other, program, uuid.uuid4().hex)
            for program in ("sjz.b.rent_subsidy", "sjz.b.purchase_subsidy", "card.b")
        ]
        bare = apply(s, other, "sjz.b.settlement_allowance", uuid.uuid4().hex)  # no material
        account = _get(s, Account, other.account_id)
        for case in clean:
            store(s, case, account.id, "证明.pdf", b"%PDF-1.7 test")
        items = [(c.id, c.version) for c in clean] + [(bare.id, bare.version)]
        items[2] = (clean[2].id, clean[2].version + 5)  # stale: someone changed it
        outcomes = bulk_approve(s, _get(s, Account, world["county"]), items)
        assert [(o.ok, o.code) for o in outcomes] == [
            (True, None),
            (True, None),
            (False, "stale_version"),
            (False, "not_clean"),
        ]
        assert [c.status for c in clean] == ["city_review", "city_review", "county_review"]
        assert [a.action for a in history(s, clean[0])] == ["submit", "approve"]
        with pytest.raises(ApplicationError):
            bulk_approve(s, _get(s, Account, world["county"]), [])
        # a reviewer of another step cannot bulk-approve what is not theirs
        refused = bulk_approve(s, _get(s, Account, world["police"]), [(bare.id, bare.version)])
        assert refused[0].code == "not_found"
    with session_scope(url) as s:
        entry = s.scalar(
            select(AuditEntry)
            .where(
                AuditEntry.action == "application.bulk_approve",
                AuditEntry.actor == f"account:{world['county']}",
            )
            .order_by(AuditEntry.seq.desc())
        )
        assert entry is not None and json.loads(entry.details)["approved"] == [
            clean[0].id,
            clean[1].id,
        ]


def test_employer_applies_for_its_new_hire(world: dict[str, Any]) -> None:
    url = world["url"]
    with session_scope(url) as s:
        hire = _get(s, TalentProfile, world["hire"])
        with pytest.raises(ApplicationError) as caught:
            apply(s, hire, "card.b", uuid.uuid4().hex, _get(s, Account, world["other_hr"]))
        assert caught.value.code == "forbidden"
        with pytest.raises(ApplicationError):  # a talent cannot apply for another talent
            apply(s, hire, "card.b", uuid.uuid4().hex, _get(s, Account, world["county"]))
        hr = _get(s, Account, world["hr"])
        case = apply(s, hire, "card.b", uuid.uuid4().hex, hr)
        assert case.employer_confirmation == "confirmed" and case.submitted_by == hr.id
        assert [(a.level, a.action) for a in history(s, case)] == [("employer", "submit")]
        talent_account = _get(s, Account, hire.account_id)
        assert case.id in {a.id for a in visible(s, hr)}
        assert case.id in {a.id for a in visible(s, talent_account)}
        assert case.id not in {a.id for a in visible(s, _get(s, Account, world["other_hr"]))}


def test_administrator_manages_staff(world: dict[str, Any]) -> None:
    url, tag = world["url"], world["tag"]
    with session_scope(url) as s:
        admin, city = _get(s, Account, world["admin"]), _get(s, Account, world["city"])
        with pytest.raises(RegistryError) as caught:
            create_staff(s, admin, f"x{tag}", "secret123", "x", "department_officer")
        assert caught.value.code == "bad_department"
        with pytest.raises(RegistryError) as caught:
            create_staff(s, admin, f"x{tag}", "secret123", "x", "talent")
        assert caught.value.code == "bad_role"
        with pytest.raises(RegistryError) as caught:
            create_staff(s, city, f"x{tag}", "secret123", "x", "city_reviewer")
        assert caught.value.code == "forbidden"
        officer = create_staff(
            s, admin, f"ho{tag}", "secret123", "住建", "department_officer", department="housing"
        )
        update_staff(s, admin, officer, role="county_reviewer", county="130104")
        assert (officer.role, officer.county, officer.department) == (
            "county_reviewer",
            "130104",
            None,
        )
        with pytest.raises(RegistryError):
            update_staff(s, admin, admin, active=False)
        # the office clock stands still: the first delay (a second) must not run out while a
        # busy machine hashes the next guess — the rule is counted in failures, not in speed
        with clock.frozen(clock.now()):
            for _ in range(21):  # from everywhere at once: the name is slowed (decision 0084)
                with pytest.raises(RegistryError):
                    authenticate(s, f"ho{tag}", "wrong-pass1")
            with pytest.raises(RegistryError) as caught:
                authenticate(s, f"ho{tag}", "secret123")
        assert caught.value.code == "throttled"
        unlock(s, admin, officer)
        assert authenticate(s, f"ho{tag}", "secret123").account.id == officer.id
