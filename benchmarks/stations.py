"""青年人才驿站 bookings under concurrency on PostgreSQL, and matching talents to the shortage
catalogue's needs.

python -m benchmarks.stations [--bookings 1000] [--rooms 50] [--talents 100000] [--needs 5000]

Bookings: a throwaway PostgreSQL cluster (as the tests start), one station with ROOMS rooms a
night, BOOKINGS eligible graduates booking one to three nights from the same first night at once
(24 threads, each its own connection). Printed: throughput, how many were booked and refused,
the most bookings holding one night against its rooms (zero overbooking), and the same bookings
made one after another on a second station as the baseline.

Matching: TALENTS synthetic talents (degree, skill level, up to two disciplines) against NEEDS
needs, each talent's ten best needs; the floor in the same run is one broadcast comparison
over every talent × need pair. Goal: matching at most 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sqlalchemy import create_engine, text
from sqlalchemy.orm import sessionmaker

from rencai import clock
from rencai.db.session import session_scope, upgrade
from rencai.registry.models import TalentProfile
from rencai.shortage.matching import MAX_DISCIPLINES, Encoded, rank
from rencai.stations import service
from rencai.stations.errors import StationError

AT = dt.datetime(2023, 5, 10, 2, 0, tzinfo=dt.UTC)  # 石政办发〔2022〕6号 in force
DAY = dt.date(2023, 5, 10)


def _bookings(admin_url: str, bookings: int, rooms: int) -> None:
    from tests.stations.world import talents

    name = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    url = admin_url.rsplit("/", 1)[0] + "/" + name
    upgrade(url)
    with clock.frozen(AT), session_scope(url) as session:
        ids = []
        for label in ("并发驿站", "顺序驿站"):
            station = service.create_station(session, "130102", label, "地址", 18000)
            service.open_rooms(session, station, DAY, DAY + dt.timedelta(days=5), rooms)
            ids.append(station.id)
    crowd = talents(url, bookings)
    alone = talents(url, bookings)
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"), pool_size=24)
    factory = sessionmaker(engine, expire_on_commit=False)

    def attempt(station_id: int, talent_id: int) -> str:
        # the clock is frozen around the whole pool: it is one setting for the process
        try:
            with factory.begin() as session:
                talent = session.get(TalentProfile, talent_id)
                assert talent is not None
                station = service.station_or_404(session, station_id)
                service.book(session, talent, station, DAY, 1 + talent_id % 3)
            return "booked"
        except StationError as refusal:
            return refusal.code

    with clock.frozen(AT):
        attempt(ids[1], alone[0])  # warm the rules engine's caches outside the timings
        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=24) as pool:
            outcome = Counter(pool.map(lambda t: attempt(ids[0], t), crowd))
        concurrent = time.perf_counter() - start
        start = time.perf_counter()
        sequential_outcome = Counter(attempt(ids[1], t) for t in alone[1:])
        sequential = time.perf_counter() - start
    with session_scope(url) as session:
        per_station_night = session.execute(
            text(
                "SELECT r.station_id, r.night, count(*) FROM station_booking_nights n "
                "JOIN station_rooms r ON r.id = n.room_id GROUP BY r.station_id, r.night "
                "ORDER BY count(*) DESC LIMIT 1"
            )
        ).one()
    engine.dispose()
    print(f"bookings on PostgreSQL: {bookings} graduates, {rooms} rooms a night, 24 threads")
    print(
        f"  concurrent   {concurrent:6.2f} s  {bookings / concurrent:7.0f} bookings/s  "
        f"booked {outcome['booked']}, refused {sum(outcome.values()) - outcome['booked']} "
        f"({', '.join(f'{k}: {v}' for k, v in outcome.items() if k != 'booked')})"
    )
    print(
        f"  sequential   {sequential:6.2f} s  {(bookings - 1) / sequential:7.0f} bookings/s  "
        f"booked {sequential_outcome['booked'] + 1}  (baseline)"
    )
    print(f"  ratio concurrent/sequential throughput: {sequential / concurrent:.2f}")
    overbooked = per_station_night[2] > rooms
    print(
        f"  most bookings holding one night: {per_station_night[2]} of {rooms} rooms — "
        f"{'OVERBOOKED' if overbooked else 'zero overbooking'}"
    )


def _synthetic(talents: int, needs: int, seed: int = 7) -> tuple[Encoded, Encoded]:
    rng = np.random.default_rng(seed)
    disciplines = 400
    talent_disc = np.full((talents, MAX_DISCIPLINES), -1, dtype=np.int32)
    talent_disc[:, 0] = rng.integers(0, disciplines, talents)
    second = rng.random(talents) < 0.3
    talent_disc[second, 1] = rng.integers(0, disciplines, int(second.sum()))
    need_disc = np.where(rng.random(needs) < 0.7, rng.integers(0, disciplines, needs), -1)
    return (
        Encoded(
            ids=np.arange(talents, dtype=np.int64),
            degree=rng.choice(5, talents, p=[0.1, 0.25, 0.4, 0.2, 0.05]).astype(np.int8),
            skill=rng.choice(4, talents, p=[0.7, 0.15, 0.1, 0.05]).astype(np.int8),
            discipline=talent_disc,
        ),
        Encoded(
            ids=np.arange(needs, dtype=np.int64),
            degree=rng.choice(5, needs, p=[0.2, 0.2, 0.4, 0.15, 0.05]).astype(np.int8),
            skill=rng.choice(4, needs, p=[0.7, 0.1, 0.15, 0.05]).astype(np.int8),
            discipline=need_disc.astype(np.int32),
        ),
    )


def _matching(talents: int, needs: int) -> None:
    people, wanted = _synthetic(talents, needs)
    start = time.perf_counter()
    positions, scores = rank(people, wanted, top=10)
    took = time.perf_counter() - start
    start = time.perf_counter()
    for begin in range(0, talents, 2048):
        rows = slice(begin, min(begin + 2048, talents))
        (people.degree[rows, None] >= wanted.degree[None, :]).sum(axis=1)
    floor = time.perf_counter() - start
    full = int((scores[:, 0] >= 8).sum())
    print(f"matching: {talents:,} talents × {needs:,} needs, ten best needs each")
    print(
        f"  ranked       {took:6.2f} s  (goal ≤ 5 s: {'met' if took <= 5 else 'NOT met'}); "
        f"{full:,} talents with a full match, {int((positions[:, 0] < 0).sum()):,} with none"
    )
    ratio = took / floor
    print(
        f"  floor        {floor:6.2f} s  one comparison over every talent × need; ratio {ratio:.1f}"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--bookings", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--talents", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=5000)
    args = parser.parse_args(argv)
    from tests.support import postgres_cluster

    _matching(args.talents, args.needs)
    with postgres_cluster() as admin_url:
        _bookings(admin_url, args.bookings, args.rooms)


if __name__ == "__main__":
    main()
