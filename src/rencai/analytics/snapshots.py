"""Talent and card states by day, kept as deltas, so the stock figures read small tables
(decision 0238).

A talent's highest card on a date is not a sum of daily counts, but the number of talents in a
state on a date is: each talent adds +1 to its state on the day it enters it and -1 on the day
it leaves, and the count on any date is the sum of the deltas up to that date.
``stat_state_days`` holds those deltas per office day, summed over talents, for four kinds:

- ``talent``: talents by (county, tier) of their highest active main card (``employer_id`` 0);
- ``talent_emp``: the same with the employer of the case behind that card (industry is the
  employer's classification *now*, decision 0134, so it is joined when read);
- ``employer``: the same per employer alone (county and tier ``''``), for the industry figure
  without a county or tier (a few thousand rows a month instead of tens of thousands);
- ``card``: active cards (family cards included) by (county, tier);
- ``holder``: talents holding at least one active card of a (county, tier) cell, of a county
  (tier ``''``) or of a tier (county ``''``) — the persons behind the active-card cells.

``stat_state_months`` holds the running totals at the end of each month, so a figure sums one
month's totals and the days of its own month. ``stat_card_change_months`` holds the card
events (and distinct talents) per month, action, county and tier, also for all counties
(``''``) and all tiers (``''``).

They cover the cards up to one id and the card events up to another (``stat_rollup_marks``).
Cards and card events are only ever inserted, and a card's tier, county, holder, main card,
case and issue instant never change, so what a talent contributed at the last roll-up is its
timeline computed from the cards and events up to the marks. A figure corrects the rollup for
the few talents touched since (events or cards beyond the marks): it subtracts their timeline
up to the marks and adds their timeline from everything recorded, both computed here by the
same function the roll-up uses. So the answer is the events' answer on any data, for any date,
whatever was recorded later, back-dated or not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Index,
    Integer,
    String,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from rencai import clock
from rencai.applications.models import Application
from rencai.cards.models import Card, CardEvent
from rencai.db.models import Base

from .rollups import GRACE, RollupMark, office_day

EVENTS_MARK = "card_states_events"
CARDS_MARK = "card_states_cards"
REFRESH_AFTER = 200  # cards and card events beyond the marks before a read rolls them up
CHUNK = 50_000  # talents per batch when the whole history is rolled up
COPY_AFTER = 1_000  # more deltas than this are added through COPY (PostgreSQL)
ACTIVE_AFTER = frozenset({"issue", "resume", "renew"})  # the card is usable after these steps
CHANGE_ACTIONS = ("issue", "renew", "suspend", "revoke")
KINDS = ("talent", "talent_emp", "employer", "card", "holder")

Key = tuple[str, dt.date, str, str, int]  # kind, day, county, tier, employer (0: none)

# the month of the statistics date is read from the card events by their instant
Index("ix_card_events_at", CardEvent.at)


class StateDay(Base):
    """The change, on one office day, of the number of talents (or cards) in one state."""

    __tablename__ = "stat_state_days"

    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    county: Mapped[str] = mapped_column(String(32), primary_key=True)
    tier: Mapped[str] = mapped_column(String(1), primary_key=True)
    employer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delta: Mapped[int] = mapped_column(BigInteger)


class StateMonth(Base):
    """The number of talents (or cards) in one state at the end of a month."""

    __tablename__ = "stat_state_months"

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    county: Mapped[str] = mapped_column(String(32), primary_key=True)
    tier: Mapped[str] = mapped_column(String(1), primary_key=True)
    employer_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    total: Mapped[int] = mapped_column(BigInteger)


class CardChangeMonth(Base):
    """Card events of one action in one month ('' county / tier: all of them)."""

    __tablename__ = "stat_card_change_months"

    month: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    action: Mapped[str] = mapped_column(String(16), primary_key=True)
    county: Mapped[str] = mapped_column(String(32), primary_key=True)
    tier: Mapped[str] = mapped_column(String(1), primary_key=True)
    events: Mapped[int] = mapped_column(BigInteger)
    talents: Mapped[int] = mapped_column(BigInteger)


# timelines ---------------------------------------------------------------------------------
@dataclasses.dataclass
class _Card:
    id: int
    talent_id: int
    tier: str
    county: str
    main: bool
    employer_id: int
    issue_day: dt.date
    events: list[tuple[int, dt.date, str]] = dataclasses.field(default_factory=list)

    def states(self) -> list[tuple[dt.date, bool]]:
        """(day, usable at the end of it) on each day its state may change: usable when issued
        by then and its last lifecycle step (highest id) by then leaves it usable."""
        days = sorted({self.issue_day} | {day for _, day, _ in self.events})
        events = sorted(self.events, key=lambda e: e[1])
        result, last, k = [], (0, ""), 0
        for day in days:
            while k < len(events) and events[k][1] <= day:
                if events[k][0] > last[0]:
                    last = (events[k][0], events[k][2])
                k += 1
            result.append((day, day >= self.issue_day and last[1] in ACTIVE_AFTER))
        return result


def _talent_deltas(cards: list[_Card], into: Counter[Key], sign: int = 1) -> None:
    """One talent's contribution to every kind, as deltas by day (``sign`` -1: taken away)."""
    if len(cards) == 1:  # most talents: one card, its own states
        card = cards[0]
        county, tier = card.county, card.tier
        was = False
        for day, now_usable in card.states():
            if now_usable == was:
                continue
            change = sign if now_usable else -sign
            if card.main:
                into["talent", day, county, tier, 0] += change
                into["talent_emp", day, county, tier, card.employer_id] += change
                into["employer", day, "", "", card.employer_id] += change
            into["card", day, county, tier, 0] += change
            into["holder", day, county, tier, 0] += change
            into["holder", day, county, "", 0] += change
            into["holder", day, "", tier, 0] += change
            was = now_usable
        return
    timelines = [(card, card.states()) for card in cards]
    days = sorted({day for _, states in timelines for day, _ in states})
    position = [0] * len(timelines)
    usable = [False] * len(timelines)
    talent: tuple[str, str, int] | None = None
    held: Counter[tuple[str, str]] = Counter()
    holder: set[tuple[str, str]] = set()
    for day in days:
        for n, (_, states) in enumerate(timelines):
            while position[n] < len(states) and states[position[n]][0] <= day:
                usable[n] = states[position[n]][1]
                position[n] += 1
        active = [card for n, (card, _) in enumerate(timelines) if usable[n]]
        mains = [card for card in active if card.main]
        best = min(mains, key=lambda c: (c.tier, c.id)) if mains else None
        now = (best.county, best.tier, best.employer_id) if best else None
        if now != talent:
            for change, state in ((-sign, talent), (sign, now)):
                if state is not None:
                    into["talent", day, state[0], state[1], 0] += change
                    into["talent_emp", day, *state] += change
                    into["employer", day, "", "", state[2]] += change
            talent = now
        cells = Counter((card.county, card.tier) for card in active)
        for cell in set(cells) | set(held):
            if cells[cell] != held[cell]:
                into["card", day, cell[0], cell[1], 0] += sign * (cells[cell] - held[cell])
        marks = {c for county, tier in cells for c in ((county, tier), (county, ""), ("", tier))}
        for cell in marks - holder:
            into["holder", day, cell[0], cell[1], 0] += sign
        for cell in holder - marks:
            into["holder", day, cell[0], cell[1], 0] -= sign
        held, holder = cells, marks


def _upto(cards: list[_Card], card_upto: int, event_upto: int) -> list[_Card]:
    """The talent's cards as they were recorded up to the marks."""
    return [
        dataclasses.replace(card, events=[e for e in card.events if e[0] <= event_upto])
        for card in cards
        if card.id <= card_upto
    ]


def _load(
    session: Session, talents: Any, card_upto: int, event_upto: int
) -> dict[int, list[_Card]]:
    """The cards (up to ``card_upto``) and their events (up to ``event_upto``) of the talents
    matched by the condition ``talents`` on ``Card.talent_id``, by talent."""
    cards: dict[int, _Card] = {}
    query = (
        select(
            Card.id,
            Card.talent_id,
            Card.tier,
            Card.county,
            Card.main_card_id.is_(None),
            Application.employer_id,
            office_day(session, Card.issued_at),
        )
        .join(Application, Application.id == Card.application_id, isouter=True)
        .where(talents, Card.id <= card_upto)
    )
    for row in session.execute(query):
        cards[row[0]] = _Card(
            row[0], row[1], row[2], row[3], bool(row[4]), row[5] or 0, _date(row[6])
        )
    events = (
        select(CardEvent.card_id, CardEvent.id, office_day(session, CardEvent.at), CardEvent.action)
        .join(Card, Card.id == CardEvent.card_id)
        .where(talents, Card.id <= card_upto, CardEvent.id <= event_upto)
        .where(CardEvent.action != "validity")
    )
    for card_id, event_id, day, action in session.execute(events):
        cards[card_id].events.append((event_id, _date(day), action))
    by_talent: dict[int, list[_Card]] = defaultdict(list)
    for card in cards.values():
        by_talent[card.talent_id].append(card)
    return by_talent


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _deltas(
    session: Session,
    talents: Any,
    upto: tuple[int, int],
    since: tuple[int, int] | None = None,
    seen: set[int] | None = None,
) -> Counter[Key]:
    """What the talents matched by ``talents`` contribute with the cards and events up to
    ``upto`` (card id, event id), minus what they contributed up to ``since`` (their ids added
    to ``seen``)."""
    found: Counter[Key] = Counter()
    for talent_id, cards in _load(session, talents, *upto).items():
        _talent_deltas(cards, found)
        if since is not None:
            before = _upto(cards, *since)
            if before:
                _talent_deltas(before, found, -1)
        if seen is not None:
            seen.add(talent_id)
    return found


# marks -------------------------------------------------------------------------------------
def marks(session: Session, lock: bool = False) -> tuple[int, int]:
    """(last card, last card event) in the rollup."""
    query = select(RollupMark.name, RollupMark.last_id).where(
        RollupMark.name.in_([CARDS_MARK, EVENTS_MARK])
    )
    if lock:
        query = query.with_for_update()
    found = {name: last for name, last in session.execute(query)}
    return int(found.get(CARDS_MARK, 0)), int(found.get(EVENTS_MARK, 0))


def _positions(session: Session) -> tuple[int, int, int, int]:
    """(card mark, event mark, newest card, newest event), in one query."""

    def mark_of(name: str) -> Any:
        return select(RollupMark.last_id).where(RollupMark.name == name).scalar_subquery()

    row = session.execute(
        select(
            mark_of(CARDS_MARK),
            mark_of(EVENTS_MARK),
            select(func.max(Card.id)).scalar_subquery(),
            select(func.max(CardEvent.id)).scalar_subquery(),
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0), int(row[3] or 0)


def _set_mark(session: Session, name: str, value: int) -> None:
    found = session.get(RollupMark, name)
    if found is None:
        session.add(RollupMark(name=name, last_id=value))
    else:
        found.last_id = value


def _touched(session: Session, cards: tuple[int, int], events: tuple[int, int]) -> list[int]:
    """Talents with a card or a card event in the id ranges (low, high]."""
    new_cards = select(Card.talent_id).where(Card.id > cards[0], Card.id <= cards[1])
    new_events = (
        select(Card.talent_id)
        .join(CardEvent, CardEvent.card_id == Card.id)
        .where(CardEvent.id > events[0], CardEvent.id <= events[1])
    )
    return sorted(session.scalars(new_cards.union(new_events)))


def _batches(ids: list[int], size: int = 5_000) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def corrections(session: Session) -> Counter[Key]:
    """For the talents touched since the roll-up: their timeline from everything recorded minus
    their timeline up to the marks (what the rollup holds for them)."""
    card_mark, event_mark, newest_card, newest_event = _positions(session)
    result: Counter[Key] = Counter()
    touched = _touched(session, (card_mark, newest_card), (event_mark, newest_event))
    for batch in _batches(touched):
        condition = Card.talent_id.in_(batch)
        upto, since = (newest_card, newest_event), (card_mark, event_mark)
        result.update(_deltas(session, condition, upto, since))
    return Counter({k: v for k, v in result.items() if v})


def waiting(session: Session) -> int:
    """Card events and cards recorded beyond the marks."""
    card_mark, event_mark, newest_card, newest_event = _positions(session)
    return max(0, newest_card - card_mark) + max(0, newest_event - event_mark)


def live(session: Session) -> Counter[Key]:
    """What a figure adds to the rollup: rolled up first when many cards or events wait beyond
    the marks (the first reader), then the corrections for the talents touched since."""
    if waiting(session) > REFRESH_AFTER:
        refresh(session)
    return corrections(session)


def ensure_fresh(session: Session) -> None:
    """Roll up first when many cards or events wait beyond the marks."""
    if waiting(session) > REFRESH_AFTER:
        refresh(session)


# roll-up -----------------------------------------------------------------------------------
def refresh(session: Session) -> int:
    """Roll up the cards and card events recorded (more than ``GRACE`` ago) beyond the marks;
    how many talents were touched."""
    card_mark, event_mark = marks(session, lock=True)
    before = clock.now() - GRACE
    card_upto = session.scalar(
        select(func.max(Card.id)).where(Card.id > card_mark, Card.issued_at < before)
    )
    event_upto = session.scalar(
        select(func.max(CardEvent.id)).where(CardEvent.id > event_mark, CardEvent.at < before)
    )
    card_upto, event_upto = card_upto or card_mark, event_upto or event_mark
    if (card_upto, event_upto) == (card_mark, event_mark):
        return 0
    found: Counter[Key] = Counter()
    seen: set[int] = set()
    if card_mark == 0 and event_mark == 0:  # the whole history, in ranges of talents
        low = session.scalar(select(func.min(Card.talent_id))) or 0
        high = session.scalar(select(func.max(Card.talent_id))) or 0
        for start in range(low, high + 1, CHUNK):
            condition = Card.talent_id.between(start, start + CHUNK - 1)
            found.update(_deltas(session, condition, (card_upto, event_upto), None, seen))
    else:
        talents = _touched(session, (card_mark, card_upto), (event_mark, event_upto))
        for batch in _batches(talents):
            condition = Card.talent_id.in_(batch)
            upto, since = (card_upto, event_upto), (card_mark, event_mark)
            found.update(_deltas(session, condition, upto, since, seen))
    _apply(session, Counter({k: v for k, v in found.items() if v}))
    _roll_changes(session, event_mark, event_upto)
    _set_mark(session, CARDS_MARK, card_upto)
    _set_mark(session, EVENTS_MARK, event_upto)
    session.flush()
    return len(seen)


def _insert(session: Session, model: Any) -> Any:
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def _apply(session: Session, found: Counter[Key]) -> None:
    """Add the deltas to the days, then rebuild the month totals from the first month moved."""
    if not found:
        return
    if session.get_bind().dialect.name == "postgresql" and len(found) > COPY_AFTER:
        _copy_deltas(session, found)
    else:
        rows = [
            {"kind": k, "day": d, "county": c, "tier": t, "employer_id": e, "delta": v}
            for (k, d, c, t, e), v in found.items()
        ]
        adding = _insert(session, StateDay)
        upsert = adding.on_conflict_do_update(
            index_elements=["kind", "day", "county", "tier", "employer_id"],
            set_={"delta": StateDay.delta + adding.excluded.delta},
        )
        session.execute(upsert, rows)
    session.execute(delete(StateDay).where(StateDay.delta == 0))
    first = _month(min(d for _, d, *_ in found))
    built = session.scalar(select(func.max(StateMonth.month)))
    if built is not None and _next(_date(built)) < first:
        first = _next(_date(built))  # the months in between were never built
    last = _month(_date(session.scalar(select(func.max(StateDay.day)))))
    last = max(last, _month(max(d for _, d, *_ in found)))
    session.execute(delete(StateMonth).where(StateMonth.month >= first))
    month = first
    while month <= last:
        _build_month(session, month)
        month = _next(month)


def _copy_deltas(session: Session, found: Counter[Key]) -> None:
    """Many deltas at once (the first roll-up): COPY into a scratch table, then added."""
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(
        "CREATE TEMPORARY TABLE stat_state_scratch (LIKE stat_state_days) ON COMMIT DROP"
    )
    with cursor.copy("COPY stat_state_scratch FROM STDIN") as copy:
        for key, value in found.items():
            copy.write_row((*key, value))
    cursor.execute(
        """INSERT INTO stat_state_days SELECT * FROM stat_state_scratch
           ON CONFLICT (kind, day, county, tier, employer_id)
           DO UPDATE SET delta = stat_state_days.delta + excluded.delta"""
    )
    cursor.execute("DROP TABLE stat_state_scratch")


def _build_month(session: Session, month: dt.date) -> None:
    """The totals at the end of ``month``: the previous month's plus this month's deltas."""
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    parts = (
        select(
            StateMonth.kind,
            StateMonth.county,
            StateMonth.tier,
            StateMonth.employer_id,
            StateMonth.total.label("v"),
        )
        .where(StateMonth.month == previous)
        .union_all(
            select(
                StateDay.kind, StateDay.county, StateDay.tier, StateDay.employer_id, StateDay.delta
            ).where(StateDay.day >= month, StateDay.day < _next(month))
        )
        .subquery()
    )
    keys = (parts.c.kind, parts.c.county, parts.c.tier, parts.c.employer_id)
    totals = (
        select(literal(month, Date), *keys, func.sum(parts.c.v))
        .group_by(*keys)
        .having(func.sum(parts.c.v) != 0)
    )
    session.execute(
        insert(StateMonth).from_select(
            ["month", "kind", "county", "tier", "employer_id", "total"], totals
        )
    )


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def month_sql(session: Session, column: Any) -> Any:
    """The office month (its first day) of a stored instant, in SQL."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column, "+8 hours", "start of month")
    return cast(func.date_trunc("month", func.timezone("Asia/Shanghai", column)), Date)


def change_corrections(
    session: Session, as_of: dt.date, county: str | None, tier: str | None
) -> tuple[Counter[tuple[dt.date, str]], Counter[tuple[dt.date, str]]]:
    """What the card changes per (month, action) of one cell (a county or all, a tier or all)
    gain from the talents touched since the roll-up: their steps up to ``as_of`` minus their
    steps up to the mark (which the monthly rows hold), and the same for them as persons."""
    card_mark, event_mark, newest_card, newest_event = _positions(session)
    events: Counter[tuple[dt.date, str]] = Counter()
    persons: Counter[tuple[dt.date, str]] = Counter()
    touched = _touched(session, (card_mark, newest_card), (event_mark, newest_event))
    for batch in _batches(touched):
        loaded = _load(session, Card.talent_id.in_(batch), newest_card, newest_event)
        for cards in loaded.values():
            before: set[tuple[dt.date, str]] = set()
            now: set[tuple[dt.date, str]] = set()
            for card in cards:
                if (county and card.county != county) or (tier and card.tier != tier):
                    continue
                for event_id, day, action in card.events:
                    if action not in CHANGE_ACTIONS:
                        continue
                    key = (day.replace(day=1), action)
                    if event_id <= event_mark:
                        events[key] -= 1
                        before.add(key)
                    if day <= as_of:
                        events[key] += 1
                        now.add(key)
            persons.subtract(before)
            persons.update(now)
    return events, persons


def _roll_changes(session: Session, low: int, high: int) -> None:
    """Recount the card changes of the months holding events in (low, high]."""
    month = month_sql(session, CardEvent.at)
    months = [
        _date(m)
        for m in session.scalars(
            select(month).where(CardEvent.id > low, CardEvent.id <= high).distinct()
        )
    ]
    if not months:
        return
    session.execute(delete(CardChangeMonth).where(CardChangeMonth.month.in_(months)))
    base = (
        select(
            month.label("month"),
            CardEvent.action.label("action"),
            Card.county.label("county"),
            Card.tier.label("tier"),
            Card.talent_id.label("talent_id"),
        )
        .join(Card, Card.id == CardEvent.card_id)
        .where(CardEvent.id <= high, CardEvent.action.in_(CHANGE_ACTIONS))
        .subquery()
    )
    for by_county in (True, False):
        for by_tier in (True, False):
            county: Any = base.c.county if by_county else literal("", String)
            tier: Any = base.c.tier if by_tier else literal("", String)
            groups = [base.c.month, base.c.action]
            groups += [base.c.county] if by_county else []
            groups += [base.c.tier] if by_tier else []
            counts = (
                select(
                    base.c.month,
                    base.c.action,
                    county,
                    tier,
                    func.count(),
                    func.count(func.distinct(base.c.talent_id)),
                )
                .where(base.c.month.in_(months))
                .group_by(*groups)
            )
            session.execute(
                insert(CardChangeMonth).from_select(
                    ["month", "action", "county", "tier", "events", "talents"], counts
                )
            )


# reading -----------------------------------------------------------------------------------
def state_rows(session: Session, kind: str, as_of: dt.date) -> Any:
    """A subquery (county, tier, employer_id, n) whose sums per state are the rolled-up
    count at the end of ``as_of`` (the talents touched since not yet corrected)."""
    latest = session.scalar(
        select(func.max(StateMonth.month)).where(StateMonth.month < _month(as_of))
    )
    start = _next(_date(latest)) if latest is not None else dt.date.min
    days = select(
        StateDay.county, StateDay.tier, StateDay.employer_id, StateDay.delta.label("n")
    ).where(StateDay.kind == kind, StateDay.day >= start, StateDay.day <= as_of)
    if latest is None:
        return days.subquery()
    months = select(
        StateMonth.county, StateMonth.tier, StateMonth.employer_id, StateMonth.total.label("n")
    ).where(StateMonth.kind == kind, StateMonth.month == latest)
    return months.union_all(days).subquery()


def corrected(
    found: Iterable[tuple[Key, int]], kind: str, as_of: dt.date
) -> Counter[tuple[str, str, int]]:
    """The corrections of one kind up to ``as_of``, by (county, tier, employer)."""
    result: Counter[tuple[str, str, int]] = Counter()
    for (k, day, county, tier, employer), value in found:
        if k == kind and day <= as_of:
            result[county, tier, employer] += value
    return result


def rebuild(session: Session) -> int:
    """Forget the rollup and roll everything up again (after a restore, or to check it)."""
    for model in (StateDay, StateMonth, CardChangeMonth):
        session.execute(delete(model))
    _set_mark(session, CARDS_MARK, 0)
    _set_mark(session, EVENTS_MARK, 0)
    session.flush()
    return refresh(session)
