"""Bookings under concurrency on PostgreSQL: many graduates book the same nights of one station
at once; the database never lets more bookings hold a night than it has rooms, and every other
booking is refused with a clear reason and leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from rencai import clock
from rencai.db.session import session_scope
from rencai.registry.models import TalentProfile
from rencai.stations import service
from rencai.stations.errors import StationError
from rencai.stations.models import StationBooking, StationBookingNight, StationRoom
from tests.stations.world import AT, DAY, fresh_database, talents

ROOMS = 50
GRADUATES = 1000


@pytest.fixture(scope="module")
def url(pg_url: str) -> Iterator[str]:
    yield fresh_database(pg_url)


def test_concurrent_bookings_never_exceed_capacity(url: str) -> None:
    with clock.frozen(AT), session_scope(url) as session:
        station = service.create_station(session, "130102", "长安驿站", "中山路1号", 18000)
        service.open_rooms(session, station, DAY, DAY + dt.timedelta(days=10), ROOMS)
        station_id = station.id
    people = talents(url, GRADUATES)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"), pool_size=24)
    factory = sessionmaker(engine, expire_on_commit=False)

    def attempt(talent_id: int) -> tuple[str, str]:
        nights = 1 + talent_id % 3  # stays of one to three nights from the same first night
        # the clock is frozen around the whole pool: it is one setting for the process
        try:
            with factory.begin() as session:
                talent = session.get(TalentProfile, talent_id)
                station = service.station_or_404(session, station_id)
                assert talent is not None
                service.book(session, talent, station, DAY, nights)
            return ("booked", "")
        except StationError as refusal:
            return (refusal.code, refusal.message)

    with clock.frozen(AT), ThreadPoolExecutor(max_workers=24) as pool:
        answers = list(pool.map(attempt, people))
    engine.dispose()

    outcome = Counter(code for code, _ in answers)
    assert outcome["booked"] == ROOMS, outcome  # the first night fills, never more
    assert set(outcome) == {"booked", "full"}, outcome
    for code, message in answers:
        if code == "full":
            assert message == f"长安驿站在{DAY.isoformat()}已无空房，请选择其他日期或驿站"
    with session_scope(url) as session:
        per_night = session.execute(
            select(StationBookingNight.night, func.count())
            .group_by(StationBookingNight.night)
            .order_by(StationBookingNight.night)
        ).all()
        assert per_night[0] == (DAY, ROOMS)
        assert all(count <= ROOMS for _, count in per_night)
        # a refused booking left no row and no night behind
        booked = session.scalar(select(func.count()).select_from(StationBooking))
        assert booked == ROOMS
        held = session.scalar(select(func.count()).select_from(StationBookingNight))
        expected = sum(b.nights for b in session.scalars(select(StationBooking)))
        assert held == expected


def test_the_database_refuses_a_room_night_sold_twice(url: str) -> None:
    """Not the service's care alone: a second row for a held room-night is refused by the
    database itself."""
    with session_scope(url) as session:
        held = session.scalars(select(StationBookingNight).limit(1)).one()
        room_id, booking_id = held.room_id, held.booking_id
    with pytest.raises(IntegrityError), session_scope(url) as session:
        session.execute(
            text(
                "INSERT INTO station_booking_nights (booking_id, room_id, night) "
                "VALUES (:b, :r, :n)"
            ),
            {"b": booking_id, "r": room_id, "n": DAY},
        )
    with session_scope(url) as session:
        rooms = session.scalar(select(func.count()).select_from(StationRoom))
        assert rooms == ROOMS * 11
