"""A small hand-built world for the statistics: every row written directly, every figure's
expected value computed by hand in the tests (the comments say how)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy.orm import Session

from rencai import clock
from rencai.applications.models import Action, Application, ReviewLimit
from rencai.cards.models import Card, CardEvent, CardUse, ServicePoint
from rencai.feeds.models import DegreeRow, FeedLoad, ResidenceRow
from rencai.ledger.models import (
    Budget,
    JournalEntry,
    Line,
    Receivable,
    Run,
    RunItem,
    Schedule,
)
from rencai.registry.models import Account, Employer, TalentProfile

CHANGAN, PINGSHAN = "130102", "130131"
AS_OF = dt.date(2026, 6, 30)


def at(day: str, hour: int = 10) -> dt.datetime:
    """An instant at the office on ``day`` (stored as UTC)."""
    local = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), clock.OFFICE_ZONE)
    return local.astimezone(dt.UTC)


class World:
    def __init__(self, session: Session) -> None:
        self.s = session
        self.n = 0
        self.talents: dict[str, TalentProfile] = {}
        self.cards: dict[str, Card] = {}
        self.apps: dict[str, Application] = {}

    def _next(self) -> int:
        self.n += 1
        return self.n

    def employer(self, industry: str | None) -> Employer:
        k = self._next()
        employer = Employer(
            uscc=f"91130100MA{k:08d}",
            name=f"单位{k}",
            county=CHANGAN,
            employer_type="enterprise",
            leading_industry=industry,
        )
        self.s.add(employer)
        self.s.flush()
        return employer

    def account(self, role: str = "talent") -> Account:
        k = self._next()
        account = Account(username=f"u{k}", display_name=f"用户{k}", password_hash="x", role=role)
        self.s.add(account)
        self.s.flush()
        return account

    def talent(
        self,
        name: str,
        *,
        degree: str,
        born: str | None,
        origin: str | None,
        county: str,
        employer: Employer,
        submitted: str,
        id_number: str | None = None,
    ) -> Application:
        profile: dict[str, Any] = {
            "jurisdiction": "shijiazhuang",
            "person": {"education": [{"degree": degree}], "birth_date": born},
            "employment": {"county": county, "introduced_from": origin},
        }
        talent = TalentProfile(
            account_id=self.account().id,
            name=name,
            id_number=id_number or f"1301021990{self._next():08d}",
            profile=json.dumps(profile),
            updated_at=at(submitted),
            employer_id=employer.id,
        )
        self.s.add(talent)
        self.s.flush()
        self.talents[name] = talent
        app = Application(
            talent_id=talent.id,
            program="card.b",
            program_name="石家庄市人才绿卡B卡",
            jurisdiction="shijiazhuang",
            county=county,
            status="county_review",
            profile_snapshot=json.dumps(profile),
            rules_version="v",
            precheck="{}",
            idempotency_key=f"k{self._next()}",
            submitted_at=at(submitted),
            version=1,
            employer_id=employer.id,
        )
        self.s.add(app)
        self.s.flush()
        self.apps[name] = app
        self.action(name, "submit", "applicant", submitted)
        return app

    def action(self, name: str, action: str, level: str, day: str, hour: int = 10) -> None:
        self.s.add(
            Action(application_id=self.apps[name].id, level=level, action=action, at=at(day, hour))
        )

    def card(
        self, key: str, name: str, tier: str, county: str, issued: str, main: str | None = None
    ) -> Card:
        k = self._next()
        card = Card(
            number=f"{tier}2026{k:06d}X",
            program={"A": "card.a", "B": "card.b", "C": "card.county"}.get(tier, "card.family"),
            tier=tier,
            main_card_id=self.cards[main].id if main else None,
            talent_id=self.talents[name].id,
            application_id=self.apps[name].id,
            county=county,
            services="[]",
            benefits=0,
            status="active",
            status_index=k,
            valid_from=dt.date.fromisoformat(issued),
            issued_at=at(issued),
            version=1,
        )
        self.s.add(card)
        self.s.flush()
        self.cards[key] = card
        self.event(key, "issue", issued)
        return card

    def event(self, key: str, action: str, day: str, hour: int = 10) -> None:
        self.s.add(
            CardEvent(card_id=self.cards[key].id, action=action, actor="t", at=at(day, hour))
        )
        self.s.flush()

    def point(self, code: str, kind: str, county: str) -> ServicePoint:
        point = ServicePoint(
            code=code,
            name=f"{code}网点",
            kind=kind,
            county=county,
            account_id=self.account("service_point").id,
        )
        self.s.add(point)
        self.s.flush()
        return point

    def use(
        self,
        point: ServicePoint,
        card: str,
        day: str,
        *,
        verdict: str = "valid",
        uploaded: str | None = None,
    ) -> None:
        self.s.add(
            CardUse(
                event_id=f"e{self._next()}",
                card_number=self.cards[card].number,
                point_id=point.id,
                point_kind=point.kind,
                at=at(day),
                verdict=verdict,
                offline=uploaded is not None,
                uploaded_at=at(uploaded or day),
            )
        )

    def load(self, kind: str, day: str) -> FeedLoad:
        load = FeedLoad(
            kind=kind,
            source_name=f"{kind}.csv",
            sha256=f"{self._next():064d}",
            rows_total=0,
            rows_loaded=0,
            rows_rejected=0,
            loaded_by="t",
            loaded_at=at(day),
        )
        self.s.add(load)
        self.s.flush()
        return load

    def residence(self, load: FeedLoad, person: str, county: str, event: str, day: str) -> None:
        self.s.add(
            ResidenceRow(
                load_id=load.id,
                row_number=self._next(),
                id_number=person,
                county=county,
                event=event,
                on_date=dt.date.fromisoformat(day),
            )
        )

    def degree(self, load: FeedLoad, person: str, level: str) -> None:
        self.s.add(
            DegreeRow(
                load_id=load.id,
                row_number=self._next(),
                id_number=person,
                name="某",
                school="河北大学",
                school_tags="",
                level=level,
                discipline="",
                full_time=True,
                graduated_on=dt.date(2015, 6, 30),
            )
        )


def build(session: Session) -> World:
    """The world of the tests (as of 2026-06-30 unless a test moves it on)."""
    w = World(session)
    bio, plain = w.employer("biomedicine"), w.employer(None)
    session.add(ReviewLimit(program="*", level="county", working_days=5, source="管理员设定"))
    # T1: doctorate, 36 on 2026-06-30, introduced, 长安区, biomedicine; A card since 2025-03-10
    w.talent(
        "T1",
        degree="doctorate",
        born="1990-05-01",
        origin="outside_city",
        county=CHANGAN,
        employer=bio,
        submitted="2025-03-02",
    )
    w.action("T1", "approve", "county", "2025-03-04")  # 2 working days: on time
    w.action("T1", "approve", "city", "2025-03-09")
    w.card("A1", "T1", "A", CHANGAN, "2025-03-10")
    # T2: master, 41, local, 长安区, no leading industry; B card, suspended Feb, resumed Mar 2026
    w.talent(
        "T2",
        degree="master",
        born="1985-01-01",
        origin="local",
        county=CHANGAN,
        employer=plain,
        submitted="2025-03-20",
    )
    w.action("T2", "auto_approve", "system", "2025-03-20", 11)
    w.card("B2", "T2", "B", CHANGAN, "2025-04-01")
    w.event("B2", "suspend", "2026-02-01")
    w.event("B2", "resume", "2026-03-01")
    # T3: bachelor, 56, introduced, 平山县; county card revoked 2026-01-15
    w.talent(
        "T3",
        degree="bachelor",
        born="1970-01-01",
        origin="outside_city",
        county=PINGSHAN,
        employer=bio,
        submitted="2025-04-01",
    )
    # 2025-04-01 (Tue) → 2025-04-14 (Mon): 4 days in April 1–4 (4th is 清明 holiday) … overdue
    w.action("T3", "approve", "county", "2025-04-14")
    w.action("T3", "approve", "city", "2025-04-20")
    w.card("C3", "T3", "C", PINGSHAN, "2025-05-05")
    w.event("C3", "revoke", "2026-01-15")
    # T4: doctorate, 29, from abroad, 长安区, biomedicine; B card and a 副卡 since 2026-05-01
    w.talent(
        "T4",
        degree="doctorate",
        born="1996-07-01",
        origin="abroad",
        county=CHANGAN,
        employer=bio,
        submitted="2026-04-20",
    )
    w.action("T4", "approve", "county", "2026-04-21")
    w.action("T4", "approve", "city", "2026-04-28")
    w.card("B4", "T4", "B", CHANGAN, "2026-05-01")
    w.card("F4", "T4", "F", CHANGAN, "2026-05-01", main="B4")
    # T5: master, no birth date, local, 平山县: card issued only after the date (2026-07-05)
    w.talent(
        "T5",
        degree="master",
        born=None,
        origin="local",
        county=PINGSHAN,
        employer=plain,
        submitted="2026-06-10",
    )
    w.action("T5", "return", "county", "2026-06-12")
    w.card("C5", "T5", "C", PINGSHAN, "2026-07-05")
    # T6: rejected in May 2026
    w.talent(
        "T6",
        degree="bachelor",
        born="1992-01-01",
        origin="local",
        county=PINGSHAN,
        employer=plain,
        submitted="2026-05-06",
    )
    w.action("T6", "reject", "county", "2026-05-08")
    # card uses: 3 bus rides by two cards in May, one hospital booking in June, one refused,
    # one offline ride on 06-20 uploaded only on 07-02
    bus, hospital = w.point("BUS1", "bus", CHANGAN), w.point("HOSP1", "hospital", CHANGAN)
    w.use(bus, "A1", "2026-05-03")
    w.use(bus, "A1", "2026-05-04")
    w.use(bus, "B2", "2026-05-04")
    w.use(hospital, "B4", "2026-06-02")
    w.use(bus, "C3", "2026-06-03", verdict="revoked")
    w.use(bus, "B2", "2026-06-20", uploaded="2026-07-02")
    # money: T1's rent subsidy, 3 months × 1,000 yuan
    schedule = Schedule(
        application_id=w.apps["T1"].id,
        talent_id=w.talents["T1"].id,
        id_number=w.talents["T1"].id_number,
        payee_name="T1",
        program="rent",
        program_name="租房补贴",
        jurisdiction="shijiazhuang",
        county=CHANGAN,
        level="city",
        per="month",
        parameter_path="p",
        periods=3,
        start_period=dt.date(2026, 1, 1),
        citation="{}",
        conditions="[]",
        status="active",
        created_at=at("2025-12-20"),
    )
    session.add(schedule)
    session.flush()
    lines = []
    for seq in (1, 2, 3):
        line = Line(
            schedule_id=schedule.id,
            seq=seq,
            period=dt.date(2026, seq, 1),
            amount_fen=100_000,
            citation="{}",
            status="planned",
        )
        session.add(line)
        session.flush()
        lines.append(line)
        session.add(
            JournalEntry(
                at=at("2025-12-20"),
                kind="scheduled",
                schedule_id=schedule.id,
                line_id=line.id,
                amount_fen=100_000,
                actor="t",
            )
        )
    session.add(
        JournalEntry(
            at=at("2026-01-25"),
            kind="paid",
            schedule_id=schedule.id,
            line_id=lines[0].id,
            amount_fen=100_000,
            actor="t",
        )
    )
    run = Run(
        id="run-2026-02",
        jurisdiction="shijiazhuang",
        month=dt.date(2026, 2, 1),
        step="batched",
        started_by="t",
        started_at=at("2026-02-20"),
    )
    session.add(run)
    session.flush()
    session.add(
        RunItem(run_id=run.id, line_id=lines[1].id, decision="hold", amount_fen=100_000, facts="{}")
    )
    receivable = Receivable(
        event="ev1",
        id_number=schedule.id_number,
        schedule_id=schedule.id,
        kind="clawback",
        reason="moved_away",
        failure_period=dt.date(2026, 1, 1),
        amount_fen=50_000,
        status="open",
        blocks_payments=False,
        citation="{}",
        explanation="",
        raised_at=at("2026-03-01"),
    )
    session.add(receivable)
    session.flush()
    for kind, amount, day in (
        ("receivable_raised", 50_000, "2026-03-01"),
        ("repayment", 20_000, "2026-03-10"),
        ("write_off", 10_000, "2026-04-01"),
    ):
        session.add(
            JournalEntry(
                at=at(day),
                kind=kind,
                schedule_id=schedule.id,
                receivable_id=receivable.id,
                amount_fen=amount,
                actor="t",
            )
        )
    session.add(Budget(program="rent", year=2026, amount_fen=1_000_000))
    # feeds: P1 settled in 长安区 in 2025 (the 2026 stock), P2 and P3 came in 2026, P1 left in
    # April; P4 came too but holds no degree of bachelor or above (not a talent)
    residence, degrees = w.load("residence", "2026-05-05"), w.load("degrees", "2026-05-05")
    for person in ("P1", "P2", "P3"):
        w.degree(degrees, person, "bachelor")
    w.degree(degrees, "P4", "associate")
    w.residence(residence, "P1", CHANGAN, "settled", "2025-06-01")
    w.residence(residence, "P2", CHANGAN, "moved_in", "2026-02-10")
    w.residence(residence, "P4", CHANGAN, "moved_in", "2026-02-11")
    w.residence(residence, "P3", PINGSHAN, "moved_in", "2026-03-01")
    w.residence(residence, "P1", CHANGAN, "moved_out", "2026-04-01")
    session.flush()
    return w
