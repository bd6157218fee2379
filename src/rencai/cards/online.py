"""The online card check in ONE statement (decision 0191).

A gate's check used to cost a connection ping, the token's query, the bucket's statement, the
use's insert, the holder's query and a commit: six round trips and as many statements for the
database to plan, per passenger. On PostgreSQL the common case — a valid card checked with the
bundle this process already holds — is now one statement sent once, in autocommit: it reads the
token, its account and service point and the status lists' version, takes a token from the
point's bucket (decision 0169), records the use with its abuse flag, and reads the holder's
name, all only if the version read is the one the verdict was made with. Anything else (no
fresh bundle in this process, another version, a verdict other than valid, a database that
is not PostgreSQL) goes the general way (``usage.verify_online``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
import weakref
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.exc import OperationalError

from rencai import clock
from rencai.cards.keys import KeyStore
from rencai.cards.lists import BUNDLES
from rencai.cards.points import FACE_CHECK_KINDS
from rencai.cards.usage import ABUSE_WINDOW, VERIFY_LIMITER
from rencai.cards.verify import verify
from rencai.db.session import _normalise
from rencai.registry.accounts import token_digest
from rencai.registry.identifiers import mask_name
from rencai.settings import settings

STATEMENT = """
WITH p AS (
  SELECT %(now)s::timestamptz AS now, %(digest)s::text AS digest, %(kind)s::text AS kind,
         %(version)s::int AS version, %(burst)s::float8 AS burst, %(rate)s::float8 AS rate,
         %(wall)s::float8 AS wall, %(event_id)s::text AS event_id, %(number)s::text AS number,
         %(since)s::timestamptz AS since, %(until)s::timestamptz AS until,
         %(fresh)s::boolean AS fresh
), g AS (
  SELECT t.account_id,
         (NOT t.revoked AND a.active AND NOT a.must_change_password
          AND t.expires_at IS NOT NULL AND t.expires_at > p.now) AS ok,
         sp.id AS point_id, sp.code, sp.name, sp.kind,
         COALESCE((SELECT version FROM card_list_state WHERE id = 1), 0) AS list_version
  FROM p
  JOIN tokens t ON t.token_hash = p.digest
  JOIN accounts a ON a.id = t.account_id
  LEFT JOIN service_points sp ON sp.account_id = a.id AND sp.active
), b AS (
  INSERT INTO verify_buckets AS v (account_id, tokens, refilled_at, allowed)
  SELECT g.account_id, p.burst - 1, p.wall, true FROM g, p
  WHERE g.ok AND g.point_id IS NOT NULL AND g.list_version = p.version AND g.kind = p.kind
  ON CONFLICT (account_id) DO UPDATE SET
    tokens = CASE WHEN LEAST(%(burst)s::float8, v.tokens + %(rate)s::float8 * (%(wall)s::float8
                             - v.refilled_at)) >= 1
             THEN LEAST(%(burst)s::float8, v.tokens + %(rate)s::float8 * (%(wall)s::float8
                        - v.refilled_at)) - 1
             ELSE LEAST(%(burst)s::float8, v.tokens + %(rate)s::float8 * (%(wall)s::float8
                        - v.refilled_at)) END,
    allowed = LEAST(%(burst)s::float8, v.tokens + %(rate)s::float8 * (%(wall)s::float8
                    - v.refilled_at)) >= 1,
    refilled_at = %(wall)s::float8
  RETURNING allowed
), u AS (
  INSERT INTO card_uses
    (event_id, card_number, point_id, point_kind, at, verdict, offline, uploaded_at, flag)
  SELECT p.event_id, p.number, g.point_id, g.kind, p.now, 'valid', false, p.now,
         CASE WHEN EXISTS (
           SELECT 1 FROM card_uses c
           WHERE c.card_number = p.number AND c.point_kind = g.kind AND c.verdict = 'valid'
             AND c.point_id < g.point_id AND c.at > p.since AND c.at < p.until
         ) OR EXISTS (
           SELECT 1 FROM card_uses c
           WHERE c.card_number = p.number AND c.point_kind = g.kind AND c.verdict = 'valid'
             AND c.point_id > g.point_id AND c.at > p.since AND c.at < p.until
         ) THEN 'two_points' END
  FROM g JOIN b ON b.allowed, p
  WHERE p.fresh OR NOT EXISTS (SELECT 1 FROM card_uses c WHERE c.event_id = p.event_id)
  RETURNING id
)
SELECT g.ok, g.point_id, g.code, g.name, g.kind, g.list_version,
       (SELECT allowed FROM b), (SELECT count(*) FROM u),
       c.number, COALESCE(NULLIF(c.holder_name, ''), tp.name), c.photo_sha256
FROM g
CROSS JOIN p
LEFT JOIN cards c ON c.number = p.number
LEFT JOIN talent_profiles tp ON tp.id = c.talent_id
"""


@dataclass(frozen=True)
class Outcome:
    """What the one statement found: ``error`` is a refusal's code (unauthenticated,
    forbidden, rate_limited), else ``data`` is the answer."""

    error: str | None = None
    data: dict[str, Any] | None = None


_engines: dict[str, Engine] = {}
# the point kind of each token's account, learnt from its first check the general way (the
# statement checks it again: a point whose kind changed goes the general way once more)
KINDS: dict[str, str] = {}
MAX_KINDS = 100_000


def remember_kind(raw_token: str, kind: str) -> None:
    if len(KINDS) >= MAX_KINDS:
        KINDS.clear()
    KINDS[token_digest(raw_token)] = kind


def _engine(url: str) -> Engine:
    """Autocommit connections without a ping per checkout: the one statement is its own
    transaction, and a broken connection fails it and is replaced (the caller then takes the
    general way)."""
    found = _engines.get(url)
    if found is None:
        configured = settings()
        found = _engines[url] = create_engine(
            _normalise(url),
            isolation_level="AUTOCOMMIT",
            pool_size=configured.admission_slots,
            max_overflow=0,
            pool_timeout=configured.pool_timeout,
        )
    return found


def fast_check(
    url: str, raw_token: str, code: str, store: KeyStore, event_id: str | None
) -> Outcome | None:
    """The check in one statement, or None when it must go the general way."""
    prepared = _prepare(url, raw_token, code, store, event_id)
    if prepared is None:
        return None
    try:
        with _engine(url).connect() as connection:
            row = connection.exec_driver_sql(STATEMENT, prepared.params).first()
    except OperationalError:  # a connection lost since its last use: the general way
        return None
    return _outcome(prepared, row)


async def fast_check_async(
    url: str, raw_token: str, code: str, store: KeyStore, event_id: str | None
) -> Outcome | None:
    """``fast_check`` on the event loop: the statement sent on one of the loop's own
    autocommit connections, without a worker thread (decision 0243). The caller holds one of
    the process's admission slots, so a loop never opens more connections than it has slots."""
    prepared = _prepare(url, raw_token, code, store, event_id)
    if prepared is None:
        return None
    pool = _pool(url)
    try:
        connection = await pool.take()
    except psycopg.Error:
        return None
    try:
        cursor = await connection.execute(STATEMENT, prepared.params)
        row = await cursor.fetchone()
    except psycopg.Error:  # a connection lost since its last use: the general way
        await pool.discard(connection)
        return None
    pool.give(connection)
    return _outcome(prepared, row)


@dataclass(frozen=True)
class _Prepared:
    params: dict[str, Any]
    verdict: Any
    kind: str
    version: int


def _prepare(
    url: str, raw_token: str, code: str, store: KeyStore, event_id: str | None
) -> _Prepared | None:
    """The statement's parameters, when the check may go this way."""
    if not url.startswith("postgresql"):
        return None
    digest = token_digest(raw_token)
    kind = KINDS.get(digest)
    if kind is None:  # the first check with this token: its point's kind is not known yet
        return None
    now = clock.now()
    current = BUNDLES.current(store, now)
    if current is None:
        return None
    version, bundle = current
    verdict = verify(code, bundle, now, kind)
    if not verdict.accepted or verdict.claims is None:
        return None
    params = {
        "now": now,
        "digest": digest,
        "kind": kind,
        "version": version,
        "burst": float(VERIFY_LIMITER.burst),
        "rate": float(VERIFY_LIMITER.rate),
        "wall": time.time(),
        "event_id": event_id or uuid.uuid4().hex,
        "number": verdict.claims.number,
        "since": now - ABUSE_WINDOW,
        "until": now + ABUSE_WINDOW,
        "fresh": event_id is None,
    }
    return _Prepared(params, verdict, kind, version)


def _outcome(prepared: _Prepared, row: Any) -> Outcome | None:
    """The answer from the statement's row (None: the general way decides)."""
    verdict, kind, version = prepared.verdict, prepared.kind, prepared.version
    if row is None:
        return Outcome("unauthenticated")
    ok, point_id, point_code, point_name, point_kind, list_version, allowed, stored = row[:8]
    holder_number, holder_name, photo = row[8:]
    if not ok:
        return Outcome("unauthenticated")
    if point_id is None:
        return Outcome("forbidden")
    if list_version != version or point_kind != kind:
        return None  # nothing was taken nor recorded: the general way decides
    if not allowed:
        return Outcome("rate_limited")
    data = verdict.as_dict()
    claims = verdict.claims
    assert claims is not None
    if holder_number is not None and (kind in FACE_CHECK_KINDS or not claims.dynamic):
        data["holder"] = {
            "name": mask_name(holder_name or ""),
            "photo": f"/api/v1/cards/{holder_number}/holder-photo"
            if photo and kind in FACE_CHECK_KINDS
            else None,
            "compare": "请核对持卡人本人与照片、姓名是否一致",
        }
    data["point"] = {"code": point_code, "name": point_name, "kind": kind}
    data["recorded"] = bool(stored)
    return Outcome(data=data)


class _Pool:
    """One event loop's autocommit connections for the statement, opened when first needed
    (as many at most as requests hold admission slots at once)."""

    def __init__(self, url: str) -> None:
        self.conninfo = _conninfo(url)
        self.free: list[psycopg.AsyncConnection[Any]] = []

    async def take(self) -> psycopg.AsyncConnection[Any]:
        while self.free:
            connection = self.free.pop()
            if not connection.closed:
                return connection
        return await psycopg.AsyncConnection.connect(
            self.conninfo, autocommit=True, options="-c plan_cache_mode=force_generic_plan"
        )

    def give(self, connection: psycopg.AsyncConnection[Any]) -> None:
        if connection.closed or connection.info.transaction_status != TransactionStatus.IDLE:
            return
        self.free.append(connection)

    async def discard(self, connection: psycopg.AsyncConnection[Any]) -> None:
        with contextlib.suppress(psycopg.Error):
            await connection.close()


def _conninfo(url: str) -> str:
    """The libpq address of a database URL (the driver's name taken out)."""
    return (
        make_url(_normalise(url)).set(drivername="postgresql").render_as_string(hide_password=False)
    )


# one pool per event loop and database: asyncio connections belong to the loop that made them
_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Pool]] = (
    weakref.WeakKeyDictionary()
)


def _pool(url: str) -> _Pool:
    per_url = _pools.setdefault(asyncio.get_running_loop(), {})
    found = per_url.get(url)
    if found is None:
        found = per_url[url] = _Pool(url)
    return found
