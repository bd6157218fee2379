"""The online card check's common case in one statement on PostgreSQL (decision 0191): the same
answers, uses, abuse flags, retries and rate limit as the general way."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import httpx
from sqlalchemy import func, select

from rencai.cards.credential import MAIN_CARD, CardClaims, sign_claims
from rencai.cards.keys import KeyStore
from rencai.cards.lists import BUNDLES
from rencai.cards.models import CardUse, ServicePoint
from rencai.cards.online import KINDS, fast_check, remember_kind
from rencai.cards.usage import VERIFY_LIMITER, register_point
from rencai.db.session import engine_for, session_scope
from rencai.web.api.cards import Verification
from tests.web.test_serving import PASSWORD, _database, _login, _server


def _code(store: KeyStore, number: str, index: int) -> str:
    now = dt.datetime.now(dt.UTC)
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
        BUNDLES.get(s, store, dt.datetime.now(dt.UTC))
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
