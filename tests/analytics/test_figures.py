"""Each figure against the hand-built world (tests/analytics/world.py), on PostgreSQL, and the
same figures again after later changes: a past date's figures do not move."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from rencai.analytics.figures import FIGURES, compute
from rencai.analytics.tables import Table
from rencai.applications.models import Application
from rencai.db.session import engine_for, session_scope
from tests.analytics.world import AS_OF, CHANGAN, PINGSHAN, World, at


@pytest.fixture
def session(world_url: str) -> Iterator[Session]:
    with session_scope(world_url) as session:
        yield session
        session.rollback()


def raw(session: Session, name: str, as_of: dt.date = AS_OF, **options: Any) -> dict[str, Any]:
    """A figure before suppression: {row key: {column key: value}}."""
    table: Table = FIGURES[name].compute(session, as_of, **options)
    return {
        key: {c: table.values[i][j] for j, (c, _) in enumerate(table.columns)}
        for i, (key, _) in enumerate(table.rows)
    }


def column(session: Session, name: str, as_of: dt.date = AS_OF, **options: Any) -> dict[str, int]:
    return {k: v[next(iter(v))] for k, v in raw(session, name, as_of, **options).items()}


def test_talents_by_each_dimension(session: Session) -> None:
    # T1 (A), T2 (B, resumed in March) and T4 (B) hold a card on 2026-06-30; T3's was revoked
    # in January, T5's is issued only in July
    assert column(session, "talents", by="tier") == {"A": 1, "B": 2}
    assert column(session, "talents", by="county") == {CHANGAN: 3}
    assert column(session, "talents", by="degree") == {"doctorate": 2, "master": 1}
    # T1 born 1990-05-01 is 36, T2 born 1985-01-01 is 41, T4 born 1996-07-01 is still 29
    assert column(session, "talents", by="age") == {"lt30": 1, "35_39": 1, "40_49": 1}
    assert column(session, "talents", by="source") == {"introduced": 2, "local": 1}
    assert column(session, "talents", by="industry") == {"biomedicine": 2, "other": 1}
    assert raw(session, "talents", by="county", by2="tier") == {CHANGAN: {"A": 1, "B": 2}}
    assert column(session, "talents", by="tier", industry="biomedicine") == {"A": 1, "B": 1}


def test_talents_on_past_dates(session: Session) -> None:
    assert column(session, "talents", dt.date(2025, 6, 1), by="tier") == {"A": 1, "B": 1, "C": 1}
    # T3's card revoked on 01-15; T2's suspended from 02-01 to 03-01
    assert column(session, "talents", dt.date(2026, 1, 20), by="tier") == {"A": 1, "B": 1}
    assert column(session, "talents", dt.date(2026, 2, 15), by="tier") == {"A": 1}
    assert column(session, "talents", dt.date(2025, 3, 9), by="tier") == {}


def test_active_cards_count_family_cards(session: Session) -> None:
    assert column(session, "active_cards", by="tier") == {"A": 1, "B": 2, "F": 1}
    assert column(session, "active_cards", by="tier", county=PINGSHAN) == {}


def test_card_changes_per_month(session: Session) -> None:
    table = raw(session, "card_changes", months=12)
    assert list(table) == [f"2025-{m:02d}" for m in range(7, 13)] + [
        f"2026-{m:02d}" for m in range(1, 7)
    ]
    assert table["2026-05"] == {"issue": 2, "renew": 0, "suspend": 0, "revoke": 0}
    assert table["2026-02"]["suspend"] == 1
    assert table["2026-01"]["revoke"] == 1
    assert sum(sum(row.values()) for row in table.values()) == 4


def test_applications_by_program_and_stage(session: Session) -> None:
    assert raw(session, "applications") == {
        "card.b": {"review": 0, "returned": 1, "publicity": 0, "approved": 4, "rejected": 1}
    }
    # on 2025-03-05 only T1 had applied and the county had passed it on to the city
    assert raw(session, "applications", dt.date(2025, 3, 5)) == {
        "card.b": {"review": 1, "returned": 0, "publicity": 0, "approved": 0, "rejected": 0}
    }


def test_decisions_and_automatic_share(session: Session) -> None:
    table = FIGURES["decisions"].compute(session, AS_OF, months=24)
    rows = {key: i for i, (key, _) in enumerate(table.rows)}
    # March 2025: T1 (city approval) and T2 (秒批); April 2025: T3; April 2026: T4; May: T6
    assert table.values[rows["2025-03"]][:3] == [2, 1, 0]
    assert table.derived_values["automatic_share"][rows["2025-03"]] == "50.0%"
    assert table.values[rows["2025-04"]][:3] == [1, 0, 0]
    assert table.derived_values["automatic_share"][rows["2025-04"]] == "0.0%"
    assert table.values[rows["2026-05"]][:3] == [0, 0, 1]
    assert table.derived_values["automatic_share"][rows["2026-06"]] is None


def test_deadline_compliance_per_office(session: Session) -> None:
    # county limit 5 working days; T3 waited 2025-04-01 → 04-14, 8 working days (清明 04-04)
    assert raw(session, "deadlines", months=24) == {
        f"county:{CHANGAN}": {"on_time": 2, "overdue": 0},
        f"county:{PINGSHAN}": {"on_time": 2, "overdue": 1},
    }


def test_card_uses(session: Session) -> None:
    # the refused check is not a use; the offline ride of 06-20 was uploaded only on 07-02
    assert column(session, "card_uses", by="kind") == {"bus": 3, "hospital": 1}
    assert column(session, "card_uses", by="point") == {"BUS1": 3, "HOSP1": 1}
    months = column(session, "card_uses", by="month", months=2)
    assert months == {"2026-05": 3, "2026-06": 1}
    assert column(session, "card_uses", dt.date(2026, 7, 31), by="kind") == {
        "bus": 4,
        "hospital": 1,
    }


def test_money(session: Session) -> None:
    assert raw(session, "money", by="program") == {
        "rent": {
            "budget": 1_000_000,
            "committed": 300_000,
            "paid": 100_000,
            "held": 100_000,
            "recovered": 20_000,
            "written_off": 10_000,
        }
    }
    before = raw(session, "money", dt.date(2026, 3, 5), by="county")
    assert before[CHANGAN]["paid"] == 100_000
    assert before[CHANGAN]["recovered"] == 0
    assert raw(session, "money", by="year")["2026"]["committed"] == 300_000


def test_flows_and_net_inflow_rate(session: Session) -> None:
    table = FIGURES["flows"].compute(session, AS_OF, by="month", months=6)
    rows = {key: i for i, (key, _) in enumerate(table.rows)}
    # P4 (大专) is not counted; the 2026 stock is P1 alone
    assert table.values[rows["2026-02"]][:3] == [1, 0, 1]
    assert table.derived_values["rate"][rows["2026-02"]] == "100.00%"
    assert table.values[rows["2026-04"]][:3] == [0, 1, -1]
    assert table.derived_values["rate"][rows["2026-04"]] == "-100.00%"
    by_county = FIGURES["flows"].compute(session, AS_OF, by="county")
    values = {key: by_county.values[i][:3] for i, (key, _) in enumerate(by_county.rows)}
    assert values == {CHANGAN: [1, 1, 0], PINGSHAN: [1, 0, 1]}
    rates = dict(zip([k for k, _ in by_county.rows], by_county.derived_values["rate"], strict=True))
    assert rates == {CHANGAN: "0.00%", PINGSHAN: None}
    # loaded on 2026-05-05: on 05-04 nothing was known
    assert FIGURES["flows"].compute(session, dt.date(2026, 5, 4), by="county").rows == []


CALLS: list[tuple[str, dict[str, Any]]] = [
    ("talents", {"by": "county", "by2": "tier"}),
    ("talents", {"by": "degree"}),
    ("active_cards", {}),
    ("card_changes", {}),
    ("applications", {}),
    ("decisions", {"months": 24}),
    ("deadlines", {"months": 24}),
    ("card_uses", {"by": "point"}),
    ("money", {}),
    ("flows", {"by": "county"}),
]


def _all(session: Session) -> list[Any]:
    """Every figure's unsuppressed values (and its published form)."""
    tables = [FIGURES[name].compute(session, AS_OF, **options) for name, options in CALLS]
    return [(t.rows, t.values, t.derived_values) for t in tables] + [
        compute(session, "talents", AS_OF, by="county", by2="tier").published(),
        compute(session, "talents", AS_OF, by="degree").published(),
        compute(session, "active_cards", AS_OF).published(),
        compute(session, "card_changes", AS_OF).published(),
        compute(session, "applications", AS_OF).published(),
        compute(session, "decisions", AS_OF, months=24).published(),
        compute(session, "deadlines", AS_OF, months=24).published(),
        compute(session, "card_uses", AS_OF, by="point").published(),
        compute(session, "money", AS_OF).published(),
        compute(session, "flows", AS_OF, by="county").published(),
    ]


def test_past_figures_do_not_move_after_later_changes(world_url: str) -> None:
    with session_scope(world_url) as session:
        before = _all(session)
        assert before == _all(session)  # the same query on the same data
        w = World(session)
        w.n = 10_000
        w.s = session
        from rencai.applications.models import Action, Application
        from rencai.cards.models import Card, CardEvent, CardUse
        from rencai.ledger.models import JournalEntry, Line
        from rencai.registry.models import Employer

        # later: T1's card revoked, a late offline use uploaded, more payments, a new load,
        # T4's profile and T6's case changed, the current-state columns rewritten
        card = session.query(Card).filter_by(tier="A").one()
        session.add(CardEvent(card_id=card.id, action="revoke", actor="t", at=at("2026-07-10")))
        card.status = "revoked"
        point_id = session.query(CardUse).first().point_id
        session.add(
            CardUse(
                event_id="late",
                card_number=card.number,
                point_id=point_id,
                point_kind="bus",
                at=at("2026-06-10"),
                verdict="valid",
                offline=True,
                uploaded_at=at("2026-07-20"),
            )
        )
        line = session.query(Line).filter_by(seq=2).one()
        session.add(
            JournalEntry(
                at=at("2026-07-25"),
                kind="paid",
                line_id=line.id,
                schedule_id=line.schedule_id,
                amount_fen=100_000,
                actor="t",
            )
        )
        line.status = "paid"
        load = World.load(w, "residence", "2026-07-03")
        World.residence(w, load, "P2", CHANGAN, "moved_in", "2026-01-05")
        app = session.query(Application).filter_by(status="county_review").first()
        assert app is not None
        app.status = "approved"
        session.add(
            Action(application_id=app.id, level="city", action="approve", at=at("2026-07-01"))
        )
        for employer in session.query(Employer):
            employer.county = PINGSHAN
        session.flush()
        assert _all(session) == before
        session.rollback()


def test_a_talent_with_two_cards_is_counted_once_under_the_higher(world_url: str) -> None:
    with session_scope(world_url) as session:
        w = World(session)
        w.n = 20_000
        from rencai.registry.models import TalentProfile

        w.talents["T1"] = session.query(TalentProfile).filter_by(name="T1").one()
        w.apps["T1"] = session.query(Application).filter_by(talent_id=w.talents["T1"].id).one()
        w.card("C1", "T1", "C", PINGSHAN, "2026-04-01")  # T1 also holds a county card
        assert column(session, "talents", by="tier") == {"A": 1, "B": 2}
        assert column(session, "talents", by="county") == {CHANGAN: 3}
        assert column(session, "active_cards", by="tier") == {"A": 1, "B": 2, "C": 1, "F": 1}
        assert column(session, "talents", by="degree") == {"doctorate": 2, "master": 1}
        session.rollback()


def test_card_uses_from_the_rollup_equal_the_events_after_later_uses(
    world_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rencai.analytics import rollups
    from rencai.cards.models import CardUse

    calls = [
        (day, by, county)
        for day in (AS_OF, dt.date(2026, 5, 20), dt.date(2026, 7, 31), dt.date(2026, 8, 31))
        for by in ("kind", "point", "month")
        for county in (None, CHANGAN, PINGSHAN)
    ]

    def figures(session: Session, from_rollup: bool) -> list[Any]:
        tables = [
            FIGURES["card_uses"].compute(
                session, day, by=by, county=county, months=6, from_rollup=from_rollup
            )
            for day, by, county in calls
        ]
        return [(t.rows, t.values, t.persons) for t in tables]

    with session_scope(world_url) as session:
        events = figures(session, False)
        assert any(values != [[0]] * len(values) for _, values, _ in events)
        assert rollups.refresh(session) > 0 and rollups.mark(session) > 0
        assert session.query(rollups.CardUseDay).count() > 0
        assert figures(session, True) == events
        # later: a late offline use uploaded in August for a June ride, a new use, a refusal —
        # beyond the rollup at first, then rolled up by a reader that finds too many waiting
        first = session.query(CardUse).first()
        assert first is not None
        for n, (used, uploaded, verdict) in enumerate(
            [
                ("2026-06-12", "2026-08-03", "valid"),
                ("2026-08-20", "2026-08-20", "valid"),
                ("2026-08-21", "2026-08-21", "refused"),
            ]
        ):
            session.add(
                CardUse(
                    event_id=f"rollup-later-{n}",
                    card_number=first.card_number,
                    point_id=first.point_id,
                    point_kind=first.point_kind,
                    at=at(used),
                    verdict=verdict,
                    offline=used != uploaded,
                    uploaded_at=at(uploaded),
                )
            )
        session.flush()
        after = figures(session, False)
        assert after != events  # the August figures moved ...
        past = [k for k, (day, _, _) in enumerate(calls) if day <= dt.date(2026, 7, 31)]
        assert [after[k] for k in past] == [events[k] for k in past]  # ... the past ones did not
        assert figures(session, True) == after  # read beyond the rollup
        monkeypatch.setattr(rollups, "REFRESH_AFTER", 0)
        marked = rollups.mark(session)
        assert figures(session, True) == after  # rolled up by the first read
        assert rollups.mark(session) > marked
        session.rollback()


def test_talent_and_card_states_from_the_rollup_equal_the_events_after_later_changes(
    world_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Talents, active cards and card changes read the daily states and monthly changes
    (decision 0238): equal to the events' answer before any roll-up, after one, after later
    changes read beyond it (revocations, a back-dated suspension, a county move, a new
    talent), after rolling those up, and after rolling everything up again."""
    from rencai.analytics import snapshots
    from rencai.registry.models import Employer, TalentProfile

    days = [
        dt.date(2025, 4, 30),
        dt.date(2025, 12, 31),
        dt.date(2026, 1, 15),
        dt.date(2026, 2, 14),
        AS_OF,
        dt.date(2026, 7, 11),
        dt.date(2026, 8, 31),
        dt.date(2026, 11, 30),
    ]
    calls: list[tuple[str, dict[str, Any]]] = []
    for by, by2 in [("tier", None), ("county", None), ("industry", None), ("tier", "county")]:
        calls.append(("talents", {"by": by, "by2": by2}))
        if "industry" not in (by, by2):
            calls.append(("active_cards", {"by": by, "by2": by2}))
    calls += [
        ("talents", {"by": "industry", "county": CHANGAN}),
        ("talents", {"by": "tier", "industry": "other"}),
        ("talents", {"by": "county", "industry": "biomedicine", "tier": "B"}),
        ("active_cards", {"by": "tier", "county": PINGSHAN}),
        ("active_cards", {"by": "county", "tier": "C"}),
        ("card_changes", {"months": 18}),
        ("card_changes", {"months": 18, "county": PINGSHAN}),
        ("card_changes", {"months": 18, "tier": "B"}),
    ]

    def figures(session: Session, from_rollup: bool) -> list[Any]:
        tables = [
            FIGURES[name].compute(session, day, from_rollup=from_rollup, **options)
            for day in days
            for name, options in calls
        ]
        return [(t.rows, t.columns, t.values, t.persons) for t in tables]

    with session_scope(world_url) as session:
        events = figures(session, False)
        assert figures(session, True) == events  # nothing rolled up: every talent read live
        assert snapshots.refresh(session) > 0
        assert session.query(snapshots.StateDay).count() > 0
        assert session.query(snapshots.StateMonth).count() > 0
        assert snapshots.corrections(session) == {}
        assert figures(session, True) == events
        # later: T1 moves to 平山县 (A card revoked, a county card there), T3's revoked county
        # card was suspended first (recorded late, back-dated), T2's card revoked, a new talent
        w = World(session)
        w.n = 30_000
        for name in ("T1", "T2", "T3"):
            w.talents[name] = session.query(TalentProfile).filter_by(name=name).one()
            w.apps[name] = session.query(Application).filter_by(talent_id=w.talents[name].id).one()
        from rencai.cards.models import Card

        for key, tier, name in (("A1", "A", "T1"), ("B2", "B", "T2"), ("C3", "C", "T3")):
            w.cards[key] = (
                session.query(Card).filter_by(tier=tier, talent_id=w.talents[name].id).one()
            )
        w.event("A1", "revoke", "2026-07-10")
        w.card("C1", "T1", "C", PINGSHAN, "2026-07-10")
        w.event("C3", "suspend", "2026-01-05")  # back-dated, before its revocation
        w.event("B2", "suspend", "2026-02-10")  # back-dated into a rolled-up month
        w.event("B2", "revoke", "2026-08-20")
        employer = session.query(Employer).filter_by(leading_industry="biomedicine").first()
        assert employer is not None
        w.talent(
            "T7",
            degree="master",
            born="1991-01-01",
            origin="local",
            county=PINGSHAN,
            employer=employer,
            submitted="2026-08-01",
        )
        w.card("B7", "T7", "B", PINGSHAN, "2026-08-05")
        session.flush()
        after = figures(session, False)
        assert after != events
        assert snapshots.corrections(session) != {}
        assert figures(session, True) == after  # read beyond the rollup
        monkeypatch.setattr(snapshots, "REFRESH_AFTER", 0)
        marks = snapshots.marks(session)
        assert figures(session, True) == after  # rolled up by the first read
        assert snapshots.marks(session) > marks
        assert snapshots.corrections(session) == {}
        assert snapshots.rebuild(session) > 0
        assert figures(session, True) == after
        session.rollback()


def test_states_from_the_rollup_equal_the_events_on_a_generated_history(
    pg_url: str, stats_template: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A generated history (120 talents, 1–3 cards each with 副卡, lifecycle steps recorded out
    of order): half of it rolled up, the rest read beyond the rollup, then all rolled up (in
    bulk, as the first roll-up of a large register does); every answer equals the events'."""
    import random

    from rencai.analytics import snapshots
    from tests.analytics.conftest import copy_of_template

    monkeypatch.setattr(snapshots, "COPY_AFTER", 0)
    url = copy_of_template(pg_url, stats_template)
    rng = random.Random(14)
    counties = [CHANGAN, PINGSHAN, "130104"]
    days = [dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(600)) for _ in range(400)]
    with session_scope(url) as session:
        w = World(session)
        employers = [w.employer(i) for i in ("biomedicine", "modern_food", None)]
        steps: list[tuple[str, str, str]] = []
        for n in range(120):
            name = f"G{n}"
            w.talent(
                name,
                degree="master",
                born="1990-01-01",
                origin="local",
                county=rng.choice(counties),
                employer=rng.choice(employers),
                submitted="2024-12-01",
            )
            for k in range(rng.choice([1, 1, 1, 2, 3])):
                key = f"{name}-{k}"
                tier = rng.choice("ABCCC")
                w.card(key, name, tier, rng.choice(counties), str(rng.choice(days)))
                if rng.random() < 0.2:
                    w.card(f"{key}F", name, "F", w.cards[key].county, str(rng.choice(days)), key)
                for _ in range(rng.choice([0, 1, 2, 3])):
                    action = rng.choice(["suspend", "resume", "revoke", "renew", "expire"])
                    steps.append((key, action, str(rng.choice(days))))
        rng.shuffle(steps)

        def figures() -> list[Any]:
            tables = []
            for day in (dt.date(2025, 3, 31), dt.date(2025, 9, 15), dt.date(2026, 8, 31)):
                for from_rollup in (False, True):
                    asks: list[tuple[str, dict[str, Any]]] = [
                        ("talents", {"by": "tier", "by2": "county"}),
                        ("talents", {"by": "industry", "by2": "tier"}),
                        ("talents", {"by": "county", "industry": "other"}),
                        ("active_cards", {"by": "county", "by2": "tier"}),
                        ("active_cards", {"by": "tier", "county": CHANGAN}),
                        ("card_changes", {"months": 20}),
                        ("card_changes", {"months": 20, "county": PINGSHAN, "tier": "C"}),
                    ]
                    for name, options in asks:
                        t = FIGURES[name].compute(session, day, from_rollup=from_rollup, **options)
                        tables.append((from_rollup, t.rows, t.columns, t.values, t.persons))
            return tables

        def same(tables: list[Any]) -> None:
            reference = [t[1:] for t in tables if not t[0]]
            assert [t[1:] for t in tables if t[0]] == reference
            assert any(any(any(row) for row in t[2]) for t in reference)

        for key, action, day in steps[: len(steps) // 2]:
            w.event(key, action, day)
        assert snapshots.refresh(session) > 100
        for key, action, day in steps[len(steps) // 2 :]:
            w.event(key, action, day)
        session.flush()
        assert snapshots.corrections(session) != {}
        same(figures())
        assert snapshots.refresh(session) > 0
        same(figures())
        assert snapshots.rebuild(session) > 100
        same(figures())
    engine_for(url).dispose()
