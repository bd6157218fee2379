"""The online card check's common case in one statement on PostgreSQL (decision 0191): the same
answers, uses, abuse flags, retries and rate limit as the general way."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import psycopg
from sqlalchemy import func, select
from starlette.routing import Match

from rencai import clock
from rencai.cards.credential import MAIN_CARD, CardClaims, sign_claims
from rencai.cards.keys import KeyStore
from rencai.cards.lists import BUNDLES
from rencai.cards.models import CardUse, ServicePoint
from rencai.cards.online import KINDS, STATEMENT, _conninfo, fast_check, remember_kind
from rencai.cards.usage import ABUSE_WINDOW, VERIFY_LIMITER, register_point
from rencai.db.session import engine_for, session_scope
from rencai.registry.accounts import issue_token, token_digest
from rencai.registry.models import Account
from rencai.web.api.cards import Verification
from rencai.web.app import create_app
from tests.web.test_serving import PASSWORD, _database, _login, _server


def _code(store: KeyStore, number: str, index: int) -> str:
    now = clock.now()  # the server checks the card on the office clock
    kid, signer = store.signer(now)
    t = int(now.timestamp())
    claims = CardClaims(number, "B", MAIN_CARD, "130102", 7, index, t - 60, t + 86400, None, t)
    return sign_claims(signer, kid, claims)


def _uses(url: str, code: str) -> list[CardUse]:
    with session_scope(url) as s:
        point = s.scalar(select(ServicePoint.id).where(ServicePoint.code == code))
        return list(s.scalars(select(CardUse).where(CardUse.point_id == point)))


def test_checks_in_one_statement_answer_and_record_as_the_general_way(
    pg_url: str, tmp_path: Path
) -> None:
    url = _database(pg_url)
    with session_scope(url) as s:
        for code, user in (("BUS-A", "gatea"), ("BUS-B", "gateb"), ("BUS-C", "gatec")):
            register_point(s, code, f"公交{code}", "bus", user, PASSWORD, "130102")
        register_point(s, "BANK-1", "河北银行", "bank", "bankgate", PASSWORD, "130102")
    engine_for(url).dispose()
    store = KeyStore(tmp_path / "keys")
    first, second = _code(store, "B261301020001X", 11), _code(store, "B261301020002X", 12)
    env = {"RENCAI_CARD_KEYS": str(store.directory), "RENCAI_VERIFY_RATE": "1000"}
    with _server(url, tmp_path / "files", **env) as server:
        check = f"{server.url}/api/v1/cards/verify"
        a, b = _login(server.url, "gatea"), _login(server.url, "gateb")
        general = httpx.post(check, headers=a, json={"code": first}, timeout=30)
        fast = httpx.post(check, headers=a, json={"code": first}, timeout=30)
        assert general.status_code == fast.status_code == 200
        assert general.json()["verdict"] == "valid" and general.json()["recorded"]
        assert fast.json() == general.json()  # the same answer either way
        # the route serialises its answer itself: exactly what its declared model gives
        declared = Verification.model_validate(fast.json()).model_dump(mode="json")
        assert list(fast.json()) == list(declared) and fast.json() == declared
        assert fast.headers["content-type"] == "application/json"
        # another point of the same kind minutes later: both checks recorded, the later flagged
        httpx.post(check, headers=b, json={"code": first}, timeout=30)
        flagged = httpx.post(check, headers=b, json={"code": first}, timeout=30)
        assert flagged.status_code == 200 and flagged.json()["recorded"]
        # a retry with an event id: checked again, recorded once
        event = {"code": second, "event_id": f"gate-{uuid.uuid4().hex[:8]}"}
        retried = [httpx.post(check, headers=a, json=event, timeout=30).json() for _ in range(3)]
        assert [r["recorded"] for r in retried] == [True, False, False]
        # a refused code is still answered (the general way) and recorded
        bad = httpx.post(check, headers=a, json={"code": "RC1:nothing"}, timeout=30)
        assert bad.json()["verdict"] == "malformed"
        # tokens for the checks made in this process below
        token = _login(server.url, "gatec")["Authorization"].removeprefix("Bearer ")
        bank = _login(server.url, "bankgate")["Authorization"].removeprefix("Bearer ")
    uses_a, uses_b = _uses(url, "BUS-A"), _uses(url, "BUS-B")
    assert len(uses_a) == 2 + 1 + 1 and len(uses_b) == 2
    assert not any(u.flag for u in uses_a)
    assert [u.flag for u in sorted(uses_b, key=lambda u: u.id)] == ["two_points", "two_points"]

    # in this process: the fast path itself, and the point's bucket it shares
    with session_scope(url) as s:
        BUNDLES.get(s, store, clock.now())
    KINDS.clear()
    assert fast_check(url, token, first, store, None) is None  # kind unknown: the general way
    remember_kind(token, "bus")
    saved = VERIFY_LIMITER.rate, VERIFY_LIMITER.burst
    VERIFY_LIMITER.rate, VERIFY_LIMITER.burst = 0.001, 1
    try:
        taken = fast_check(url, token, first, store, None)
        refused = fast_check(url, token, first, store, None)
    finally:
        VERIFY_LIMITER.rate, VERIFY_LIMITER.burst = saved
    assert taken is not None and taken.data is not None and taken.data["recorded"]
    assert refused is not None and refused.error == "rate_limited"
    assert len(_uses(url, "BUS-C")) == 1  # the refused check recorded nothing
    assert fast_check(url, "no-such-token", first, store, None) is None  # unknown: general way
    with session_scope(url) as s:
        assert s.scalar(select(func.count()).select_from(CardUse)) == 7
    # a point whose kind is not the one believed (a bank taken for a bus gate): nothing taken
    # nor recorded, the general way decides
    remember_kind(bank, "bus")
    assert fast_check(url, bank, first, store, None) is None
    assert _uses(url, "BANK-1") == []
    engine_for(url).dispose()


def _statement(connection: psycopg.Connection, token: str, number: str, explain: str = "") -> Any:
    now = clock.now()  # as ``fast_check`` gives it
    version = connection.execute("SELECT COALESCE(max(version), 0) FROM card_list_state").fetchone()
    params = {
        "now": now,
        "digest": token_digest(token),
        "kind": "bus",
        "version": version[0] if version else 0,
        "burst": 1000.0,
        "rate": 1000.0,
        "wall": time.time(),  # the buckets refill on the wall clock, never the office's
        "event_id": uuid.uuid4().hex,
        "number": number,
        "since": now - ABUSE_WINDOW,
        "until": now + ABUSE_WINDOW,
        "fresh": True,
    }
    return connection.execute(explain + STATEMENT, params).fetchall()


def test_the_abuse_check_reads_neither_other_cards_nor_the_same_points_uses(pg_url: str) -> None:
    """A card checked again and again at one gate, and the kind's other cards, cost the check
    nothing: it reads the card's uses at the other points of its kind only (decision 0252)."""
    url = _database(pg_url)
    card, other = "B261301020001X", "B261301020002X"
    with session_scope(url) as s:
        a, b, c = (
            register_point(s, f"BUS-{x}", f"公交{x}", "bus", f"gate{x.lower()}", PASSWORD)
            for x in "ABC"
        )
        token = issue_token(s, s.get(Account, b.account_id), "api")
        now = clock.now()
        s.add_all(
            CardUse(
                event_id=uuid.uuid4().hex,
                card_number=card if i % 2 else other,
                point_id=b.id if i % 2 else (a.id, c.id)[i % 4 // 2],
                point_kind="bus",
                at=now - dt.timedelta(seconds=i % 250),
                verdict="valid",
                offline=True,
                uploaded_at=now,
            )
            for i in range(4000)
        )
        ids = a.id, c.id
    with psycopg.connect(_conninfo(url), autocommit=True) as connection:
        connection.execute("ANALYZE card_uses")
        plan = _statement(connection, token, card, "EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ")
        # 2,000 uses of this card at this gate and 2,000 of another card at the others, all
        # within the window: the statement reads a few index pages, not those rows
        assert plan[0][0][0]["Plan"]["Shared Hit Blocks"] < 60, plan
        assert "ix_card_uses_card_points" in json.dumps(plan)
        # and it flags exactly as before: the card at this gate only — no flag; then at a point
        # below this one, or above it, within the window — flagged
        assert _flags(connection, card) == [None]
        for point_id in ids:
            connection.execute(
                "INSERT INTO card_uses (event_id, card_number, point_id, point_kind, at, verdict,"
                " offline, uploaded_at) VALUES (%s, %s, %s, 'bus', %s, 'valid', true, %s)",
                (uuid.uuid4().hex, card, point_id, clock.now(), clock.now()),
            )
            _statement(connection, token, card)
            assert _flags(connection, card)[-1] == "two_points"
            connection.execute("DELETE FROM card_uses WHERE point_id = %s", (point_id,))
    engine_for(url).dispose()


def _flags(connection: psycopg.Connection, number: str) -> list[str | None]:
    """The flags of the card's uses the statement recorded (the others were uploaded)."""
    return [
        row[0]
        for row in connection.execute(
            "SELECT flag FROM card_uses WHERE card_number = %s AND NOT offline ORDER BY id",
            (number,),
        )
    ]


def test_a_gates_check_is_matched_among_the_first_routes() -> None:
    """A request is matched against the app's routes in order: the gates' check comes right
    after the app's own few routes and the calculator's, not after dozens (decision 0252)."""
    scope = {"type": "http", "method": "POST", "path": "/api/v1/cards/verify", "root_path": ""}
    routes = create_app().router.routes
    first = next(i for i, r in enumerate(routes) if r.matches(dict(scope))[0] == Match.FULL)
    assert first <= 5, first
