"""Online card checks that arrive together go to PostgreSQL as one statement (decision 0265):
each is answered, charged to its point's bucket and recorded exactly as one by one."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import text

from rencai import clock
from rencai.cards.keys import KeyStore
from rencai.cards.lists import BUNDLES
from rencai.cards.models import CardUse
from rencai.cards.online import (
    BATCH_STATEMENT,
    STATEMENT,
    Outcome,
    _batches,
    _conninfo,
    _outcome,
    _prepare,
    _Prepared,
    batch_params,
    fast_check_async,
    remember_kind,
)
from rencai.cards.usage import VERIFY_LIMITER, register_point
from rencai.db.session import engine_for, session_scope
from rencai.registry.accounts import issue_token
from rencai.registry.models import Account
from tests.cards.test_online_one_statement import _code
from tests.web.test_serving import PASSWORD, _database

CARDS = [f"B26130102000{i}X" for i in range(1, 6)]


def _setup(url: str, store: KeyStore) -> tuple[dict[str, str], list[str]]:
    """Bus gates A-D and a bank counter with a token each; uploaded uses: card 1 at gate C an
    hour ago with the event id ``seen-before`` (outside the abuse window), card 5 at gate B a
    minute ago (inside it); gate D's bucket empty."""
    tokens: dict[str, str] = {}
    with session_scope(url) as s:
        points = {}
        for name, kind in (("A", "bus"), ("B", "bus"), ("C", "bus"), ("D", "bus"), ("K", "bank")):
            point = register_point(s, f"P-{name}", f"网点{name}", kind, f"gate{name}", PASSWORD)
            tokens[name] = issue_token(s, s.get(Account, point.account_id), "api")
            points[name] = point
        now = clock.now()  # the checks' abuse window is counted on the office clock
        for event_id, number, at_point, ago in (
            ("seen-before", CARDS[0], "C", 3600),
            (uuid.uuid4().hex, CARDS[4], "B", 60),
        ):
            s.add(
                CardUse(
                    event_id=event_id,
                    card_number=number,
                    point_id=points[at_point].id,
                    point_kind="bus",
                    at=now - dt.timedelta(seconds=ago),
                    verdict="valid",
                    offline=True,
                    uploaded_at=now,
                )
            )
        # gate D's bucket is empty and refills slowly: its checks are refused
        s.execute(
            text(
                "INSERT INTO verify_buckets (account_id, tokens, refilled_at, allowed)"
                " VALUES (:account_id, 0, :wall, false)"
            ),
            # the buckets refill on the wall clock, never the office's (a fixed clock would
            # freeze them)
            {"account_id": points["D"].account_id, "wall": time.time()},
        )
        BUNDLES.get(s, store, now)
    codes = [_code(store, number, 20 + i) for i, number in enumerate(CARDS)]
    return tokens, codes


def _state(connection: psycopg.Connection[Any]) -> tuple[list[Any], list[Any]]:
    buckets = connection.execute(
        "SELECT account_id, tokens, refilled_at, allowed FROM verify_buckets ORDER BY account_id"
    ).fetchall()
    uses = connection.execute(
        "SELECT event_id, card_number, point_id, point_kind, at, verdict, offline, flag"
        " FROM card_uses ORDER BY id"
    ).fetchall()
    return buckets, uses


def test_a_batch_answers_charges_and_records_as_its_checks_one_by_one(
    pg_url: str, tmp_path: Path
) -> None:
    url = _database(pg_url)
    store = KeyStore(tmp_path / "keys")
    tokens, codes = _setup(url, store)
    for name in "ABCD":
        remember_kind(tokens[name], "bus")
    remember_kind(tokens["K"], "bus")  # a bank counter believed a bus gate: the general way
    remember_kind("no-such-token", "bus")
    one, two, three, four, five = codes
    checks: list[tuple[str, str, str | None]] = [
        ("A", one, None),
        ("A", one, None),  # the same card at the same point: no flag
        ("B", one, None),  # the same card at another bus point: flagged
        ("A", two, None),  # gate A's third token of three
        ("B", two, "retry-1"),
        ("B", two, "retry-1"),  # the same event id in one batch: recorded once
        ("A", three, None),  # gate A has no token left: refused, nothing recorded
        ("no-such-token", three, None),
        ("K", three, None),  # not the kind believed: nothing taken nor recorded
        ("C", one, "seen-before"),  # an event id stored before: not recorded again
        ("D", four, "retry-2"),  # refused: so the same event id at gate C is recorded
        ("C", four, "retry-2"),
        ("C", five, None),  # card 5 was at gate B a minute ago: flagged from the table
    ]
    saved = VERIFY_LIMITER.rate, VERIFY_LIMITER.burst
    VERIFY_LIMITER.rate, VERIFY_LIMITER.burst = 0.001, 3
    try:
        prepared: list[_Prepared] = []
        for point, code, event_id in checks:
            found = _prepare(url, tokens.get(point, point), code, store, event_id)
            assert found is not None, point
            prepared.append(found)
        wall = time.time()
        params = batch_params(prepared, wall)
        with psycopg.connect(_conninfo(url)) as connection:
            alone: list[Outcome | None] = []
            for p in prepared:
                row = connection.execute(STATEMENT, {**p.params, "wall": wall}).fetchone()
                alone.append(_outcome(p, row))
            expected = _state(connection)
            connection.rollback()
            rows = {row[0]: row[1:] for row in connection.execute(BATCH_STATEMENT, params)}
            together = [_outcome(p, rows.get(i)) for i, p in enumerate(prepared)]
            state = _state(connection)
            connection.rollback()
    finally:
        VERIFY_LIMITER.rate, VERIFY_LIMITER.burst = saved
    assert together == alone
    assert state == expected
    # and the cases are those meant: refused, unknown, general way, flagged, recorded once
    assert [o.error if o else "general" for o in alone] == [
        None,
        None,
        None,
        None,
        None,
        None,
        "rate_limited",
        "unauthenticated",
        "general",
        None,
        "rate_limited",
        None,
        None,
    ]
    recorded = [o.data["recorded"] for o in alone if o and o.data]
    assert recorded == [True, True, True, True, True, False, False, True, True]
    flags = [use[-1] for use in expected[1] if not use[6]]
    assert flags == [None, None, "two_points", None, "two_points", None, "two_points"]
    engine_for(url).dispose()


def test_checks_arriving_together_in_a_process_go_in_one_statement(
    pg_url: str, tmp_path: Path
) -> None:
    url = _database(pg_url)
    store = KeyStore(tmp_path / "keys")
    tokens, codes = _setup(url, store)
    for name in "ABC":
        remember_kind(tokens[name], "bus")
    calls = [(tokens["A"], codes[0]), (tokens["B"], codes[0]), (tokens["C"], codes[1])] * 2

    async def together() -> tuple[list[Outcome | None], int]:
        results = await asyncio.gather(
            *(fast_check_async(url, t, c, store, None) for t, c in calls)
        )
        return list(results), _batches(url).sent

    # on a thread of its own: a page test earlier in the run may have left a loop running here
    with ThreadPoolExecutor(1) as thread:
        results, sent = thread.submit(asyncio.run, together()).result()
    assert sent == 1  # six checks, one statement
    assert all(r is not None and r.data is not None and r.data["recorded"] for r in results)
    data = [r.data for r in results if r is not None and r.data is not None]
    assert [d["point"]["code"] for d in data] == ["P-A", "P-B", "P-C"] * 2
    with session_scope(url) as s:
        uses = s.query(CardUse).filter(CardUse.offline.is_(False)).order_by(CardUse.id).all()
        assert len(uses) == 6
        # card 1 at gate A then gate B: the use at B and the second at A are flagged
        flagged = "two_points"
        assert [u.flag for u in uses] == [None, flagged, None, flagged, flagged, None]
    engine_for(url).dispose()
