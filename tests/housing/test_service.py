"""Housing on PostgreSQL: pre-check with citations, review, the published draw, contracts,
exit from departure records, one 保租房 unit per family, the 80 % purchase option."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from rencai.db.session import session_scope
from rencai.housing import allocation, batches, contracts, lottery, purchase
from rencai.housing.models import Allocation, Contract, Member, Purchase
from rencai.housing.records import HousingError
from rencai.ledger.models import Line, Schedule
from tests.housing import world
from tests.profiles import doctor_today


def _through_draw(s, office, batch_id: int) -> None:  # type: ignore[no-untyped-def]
    batches.close_batch(s, office, batch_id)
    for application in service_applications(s, batch_id):
        allocation.review(s, office, application.id, True, group=application.claimed_group)
    allocation.publish_seed(s, office, batch_id, "20261201-公证处-4711")
    allocation.draw(s, office, batch_id)
    allocation.publish_result(s, office, batch_id, on=dt.date(2026, 12, 1))
    allocation.finalize(s, office, batch_id, on=dt.date(2026, 12, 8))


def service_applications(s, batch_id: int):  # type: ignore[no-untyped-def]
    from rencai.housing.models import HousingApplication

    return s.scalars(
        select(HousingApplication).where(HousingApplication.batch_id == batch_id)
    ).all()


def test_apply_is_prechecked_by_the_rules_engine_with_citations(db_url: str) -> None:
    with session_scope(db_url) as s:
        office = world.office(s)
        batch, buildings = world.batch(s, office)
        doctor = world.talent(s, "doc1", "王小明")
        applied = allocation.apply(s, doctor, batch.id, [buildings["人才公寓一号楼"]])
        check = json.loads(applied.precheck)
        assert check["state"] == "eligible"
        assert check["answers"][0]["program"] == "card.b"
        assert check["answers"][0]["citation"]["document"] == "石办字〔2017〕39号"
        # a bachelor in a county with no card: refused with the engine's reasons, nothing kept
        person = doctor_today()["person"]
        person["education"][0]["degree"] = "bachelor"
        person["education"][0]["school_tags"] = []
        plain = world.talent(s, "plain1", "李四", person=person)
        with pytest.raises(HousingError) as refused:
            allocation.apply(s, plain, batch.id, [buildings["人才公寓一号楼"]])
        assert refused.value.code == "not_eligible"
        assert "石家庄市人才绿卡" in refused.value.message
        with pytest.raises(HousingError) as twice:
            allocation.apply(s, doctor, batch.id, [buildings["人才公寓一号楼"]])
        assert twice.value.code == "duplicate_application"


def test_draw_reruns_from_the_published_seed_and_masks_names(db_url: str) -> None:
    with session_scope(db_url) as s:
        office = world.office(s)
        batch, buildings = world.batch(s, office, units={"一号楼": 2, "二号楼": 1})
        names = ["王小明", "李大伟", "张三丰", "赵敏", "周芷若"]
        for i, name in enumerate(names):
            t = world.talent(s, f"tal{i}", name)
            prefs = [buildings["一号楼"], buildings["二号楼"]] if i % 2 else [buildings["一号楼"]]
            allocation.apply(s, t, batch.id, prefs, claimed_group=0 if i == 4 else None)
        with pytest.raises(HousingError) as early:
            allocation.draw(s, office, batch.id)
        assert early.value.code == "bad_state"  # no draw before the seed is published
        _through_draw(s, office, batch.id)
        rows = allocation.result_rows(s, batch)
        # the published page carries masked names only
        assert [r["name"][0] for r in rows] and all(r["name"] not in names for r in rows)
        assert all(r["name"].endswith("*") or "*" in r["name"] for r in rows)
        assert rows[0]["number"].endswith("00005")  # the priority group comes first
        assert sum(r["unit"] is not None for r in rows) == 3
        # anyone re-runs the draw from the published seed, roster and unit list
        entries = [
            lottery.Entry(
                a.number,
                a.group if a.group is not None else 1,
                tuple(str(b) for b in json.loads(a.preferences)),
            )
            for a in service_applications(s, batch.id)
        ]
        units: dict[str, list[str]] = {}
        for unit, building in batches.batch_units(s, batch):
            units.setdefault(str(building.id), []).append(str(unit.id))
        rerun = lottery.allocate(batch.seed or "", entries, units, batch.mode or "")
        stored = s.scalars(
            select(Allocation).where(Allocation.batch_id == batch.id).order_by(Allocation.place)
        ).all()
        assert [(p.place, p.key, p.unit) for p in rerun] == [
            (a.place, a.draw_key, str(a.unit_id) if a.unit_id else None) for a in stored
        ]
        assert lottery.roster_digest(entries) == batch.roster_digest


def test_objection_window_and_finalisation(db_url: str) -> None:
    with session_scope(db_url) as s:
        office = world.office(s)
        batch, buildings = world.batch(s, office)
        t = world.talent(s, "obj1", "王小明")
        allocation.apply(s, t, batch.id, [buildings["人才公寓一号楼"]])
        batches.close_batch(s, office, batch.id)
        for a in service_applications(s, batch.id):
            allocation.review(s, office, a.id, True)
        allocation.publish_seed(s, office, batch.id, "seed-0001")
        allocation.draw(s, office, batch.id)
        allocation.publish_result(s, office, batch.id, on=dt.date(2026, 12, 1))
        assert batch.objection_end == dt.date(2026, 12, 7)
        account = s.get(type(office), t.account_id)
        objection = allocation.object_to(s, account, batch.id, "顺位有误", on=dt.date(2026, 12, 7))
        with pytest.raises(HousingError) as late:
            allocation.object_to(s, account, batch.id, "再议", on=dt.date(2026, 12, 8))
        assert late.value.code == "closed"
        with pytest.raises(HousingError):  # an unanswered objection holds the result
            allocation.finalize(s, office, batch.id, on=dt.date(2026, 12, 8))
        allocation.answer_objection(s, office, objection.id, "经核查，顺位无误")
        with pytest.raises(HousingError):  # not before the window ends
            allocation.finalize(s, office, batch.id, on=dt.date(2026, 12, 7))
        assert allocation.finalize(s, office, batch.id, on=dt.date(2026, 12, 8)).status == "final"


def test_settings_unset_hold_the_seed(db_url: str) -> None:
    with session_scope(db_url) as s:
        office = world.office(s)
        batch, _ = world.batch(s, office)
        batch.mode = None
        batches.close_batch(s, office, batch.id)
        with pytest.raises(HousingError) as refused:
            allocation.publish_seed(s, office, batch.id, "seed-0001")
        assert refused.value.code == "settings_missing" and "分配方式" in refused.value.message


def _housed(s, kind: str = "apartment", spouse: str | None = None, number: int = 5):  # type: ignore[no-untyped-def]
    office = world.office(s, f"office{number}")
    batch, buildings = world.batch(s, office, kind=kind, number=number)
    t = world.talent(s, f"tenant{number}", "王小明")
    application = allocation.apply(
        s, t, batch.id, list(buildings.values()), spouse_id_number=spouse
    )
    _through_draw(s, office, batch.id)
    contract = contracts.sign_contract(
        s, office, application.id, dt.date(2026, 12, 10), dt.date(2029, 12, 9)
    )
    return office, t, contract


def test_contract_renewal_and_exit_from_a_departure_record(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as s:
        office, t, contract = _housed(s)
        assert contract.rent_fen == 150000 and contract.status == "active"
        renewed = contracts.renew(s, office, contract.id, dt.date(2032, 12, 9))
        assert renewed.tenancy_since == dt.date(2026, 12, 10)
        assert renewed.start == dt.date(2029, 12, 10) and contract.status == "renewed"
        assert contracts.recheck(s, None, dt.date(2030, 1, 1)) == []
        world.departure(s, tmp_path, t.id_number, "employment_ended", dt.date(2030, 3, 1))
        moved = contracts.recheck(s, None, dt.date(2030, 3, 2))
        assert [c.id for c in moved] == [renewed.id]
        assert renewed.status == "exiting" and "离开用人单位" in (renewed.exit_reason or "")
        contracts.end_contract(s, office, renewed.id, dt.date(2030, 4, 1))
        assert not s.scalars(
            select(Member).where(Member.contract_id == renewed.id, Member.live)
        ).all()


def test_contract_end_starts_exit(db_url: str) -> None:
    with session_scope(db_url) as s:
        _, _, contract = _housed(s)
        moved = contracts.recheck(s, None, dt.date(2029, 12, 10))
        assert [c.id for c in moved] == [contract.id] and "合同期满" in (contract.exit_reason or "")


def test_one_rental_unit_per_family_is_a_database_constraint(db_url: str) -> None:
    with session_scope(db_url) as s:
        _, first, contract = _housed(s, kind="rental", number=1)
        assert contract.kind == "rental"
        # the spouse of a tenant applies in the next batch: refused, nothing kept
        office = world.office(s, "office2")
        batch, buildings = world.batch(s, office, kind="rental", number=2)
        spouse = world.talent(s, "spouse2", "李娜")
        with pytest.raises(HousingError) as refused:
            allocation.apply(
                s, spouse, batch.id, list(buildings.values()), spouse_id_number=first.id_number
            )
        assert refused.value.code == "one_per_family"
    with pytest.raises(IntegrityError), session_scope(db_url) as s:
        other = s.scalar(select(Contract).where(Contract.kind == "rental"))
        assert other is not None
        s.add(
            Member(
                contract_id=other.id,
                id_number=first.id_number,
                relation="spouse",
                kind="rental",
                live=True,
            )
        )
        s.flush()


def test_rental_recheck_ends_eligibility(db_url: str) -> None:
    with session_scope(db_url) as s:
        _, t, contract = _housed(s, kind="rental", number=3)
        profile = json.loads(t.profile)
        profile["housing"]["owns_property_in_main_city"] = True  # bought a home
        t.profile = json.dumps(profile, ensure_ascii=False)
        moved = contracts.recheck(s, None, dt.date(2027, 1, 5))
        assert [c.id for c in moved] == [contract.id]
        assert "不再符合保障条件" in (contract.exit_reason or "")


def _green_card_subsidy(s, t, line_status: str) -> None:  # type: ignore[no-untyped-def]
    from rencai import clock

    schedule = Schedule(
        talent_id=t.id,
        id_number=t.id_number,
        payee_name="王小明",
        program="sjz.b.purchase_subsidy",
        program_name="一次性购房补贴",
        jurisdiction="shijiazhuang",
        county="130102",
        level="city",
        per="once",
        parameter_path="b_card.purchase_subsidy",
        periods=1,
        start_period=dt.date(2027, 1, 1),
        citation="{}",
        conditions="[]",
        status="active",
        created_at=clock.now(),
    )
    s.add(schedule)
    s.flush()
    s.add(
        Line(
            schedule_id=schedule.id,
            seq=1,
            period=dt.date(2027, 1, 1),
            amount_fen=30000000,
            citation="{}",
            status=line_status,
        )
    )
    s.flush()


def test_purchase_at_80_percent_after_10_years_with_resale_lock(db_url: str) -> None:
    with session_scope(db_url) as s:
        office, _, contract = _housed(s)
        with pytest.raises(HousingError) as early:
            purchase.purchase(s, office, contract.id, 100_000_000, True, on=dt.date(2036, 12, 9))
        assert "满10年" in early.value.message
        bought = purchase.purchase(
            s, office, contract.id, 123_456_789, True, on=dt.date(2036, 12, 10)
        )
        assert bought.price_fen == 98_765_431  # 80 %, to the fen
        assert contract.status == "purchased"
        purchase.record_certificate(s, office, bought.id, dt.date(2037, 3, 1))
        assert bought.resale_from == dt.date(2042, 3, 1)
        assert not purchase.resale_allowed(bought, dt.date(2042, 2, 28))
        assert purchase.resale_allowed(bought, dt.date(2042, 3, 1))


def test_purchase_refused_when_the_green_card_purchase_subsidy_was_paid(db_url: str) -> None:
    with session_scope(db_url) as s:
        office, t, contract = _housed(s)
        _green_card_subsidy(s, t, "paid")
        with pytest.raises(HousingError) as refused:
            purchase.purchase(s, office, contract.id, 100_000_000, True, on=dt.date(2037, 1, 1))
        assert refused.value.code == "not_eligible"
        assert "不重复享受" in refused.value.message
        assert contract.status == "active"
        assert s.scalar(select(Purchase.id)) is None


def test_purchase_refused_after_leaving_the_employer(db_url: str, tmp_path: Path) -> None:
    with session_scope(db_url) as s:
        office, t, contract = _housed(s)
        world.departure(s, tmp_path, t.id_number, "employment_ended", dt.date(2036, 1, 1))
        with pytest.raises(HousingError) as refused:
            purchase.purchase(s, office, contract.id, 100_000_000, True, on=dt.date(2037, 1, 1))
        assert "劳动" in refused.value.message


def test_concurrent_applications_get_consecutive_numbers(db_url: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with session_scope(db_url) as s:
        office = world.office(s)
        batch, buildings = world.batch(s, office)
        talents = [world.talent(s, f"conc{i}", f"申请人{i}").id for i in range(8)]
        batch_id, prefs = batch.id, list(buildings.values())

    def submit(talent_id: int) -> str:
        from rencai.registry.models import TalentProfile

        with session_scope(db_url) as s:
            talent = s.get(TalentProfile, talent_id)
            assert talent is not None
            return allocation.apply(s, talent, batch_id, prefs).number

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(submit, talents))
    assert sorted(numbers) == [f"{batch_id}-{n:05d}" for n in range(1, 9)]


def test_renting_a_unit_in_kind_stops_the_rental_subsidy_from_the_next_month(
    db_url: str,
) -> None:
    """石政办发〔2021〕6号 附件3 三（二）: "对未享受保障性租赁住房实物配租……通过发放租赁补贴保障方式
    予以保障" — the subsidy is for families not housed in kind: once the contract is signed, the
    months after its first are not paid; what was paid stays paid (decision 0177)."""
    from rencai import clock

    with session_scope(db_url) as s:
        office = world.office(s, "office7")
        batch, buildings = world.batch(s, office, kind="rental", number=7)
        t = world.talent(s, "tenant7", "王小明")
        application = allocation.apply(s, t, batch.id, list(buildings.values()))
        _through_draw(s, office, batch.id)
        subsidy = Schedule(
            talent_id=t.id,
            id_number=t.id_number,
            payee_name="王小明",
            program=contracts.RENTAL_SUBSIDY_PROGRAM,
            program_name="保障性租赁住房租赁补贴",
            jurisdiction="shijiazhuang",
            county="130102",
            level="city",
            per="month",
            parameter_path="rental_housing.subsidy",
            periods=60,
            start_period=dt.date(2026, 10, 1),
            citation="{}",
            conditions="[]",
            status="active",
            created_at=clock.now(),
        )
        s.add(subsidy)
        s.flush()
        months = [dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)]
        months += [dt.date(2027, 1, 1), dt.date(2027, 2, 1)]
        for seq, (period, status) in enumerate(
            zip(months, ["paid", "paid", "planned", "planned", "planned"], strict=True), 1
        ):
            s.add(
                Line(
                    schedule_id=subsidy.id,
                    seq=seq,
                    period=period,
                    amount_fen=9000,
                    citation="{}",
                    status=status,
                )
            )
        s.flush()
        contracts.sign_contract(
            s, office, application.id, dt.date(2026, 12, 10), dt.date(2029, 12, 9)
        )
        lines = s.scalars(select(Line).where(Line.schedule_id == subsidy.id).order_by(Line.seq))
        assert [(line.period.month, line.status) for line in lines] == [
            (10, "paid"),
            (11, "paid"),
            (12, "planned"),  # the month the contract starts is still the market's
            (1, "stopped"),
            (2, "stopped"),
        ]
        assert subsidy.status == "stopped"
        assert "实物配租" in (subsidy.stop_reason or "")
