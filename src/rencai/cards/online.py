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


# Checks arriving together in one process, in ONE statement (decision 0265): each check is
# answered, charged and recorded exactly as the statement above would one after the other in
# the batch's order, at one instant of the wall clock for the buckets. A point's bucket is
# refilled once and gives its tokens to the point's checks in order (``level``: the tokens
# before any was taken, so the first ``floor(level)`` are allowed); a retried event id is
# recorded once, by its first allowed check; a use is flagged when the card was accepted at
# another point of its kind in the window, in the table or earlier in the batch.
BATCH_STATEMENT = """
WITH x AS (
  SELECT * FROM unnest(%(ord)s::int[], %(digest)s::text[], %(kind)s::text[],
                       %(version)s::int[], %(event_id)s::text[], %(number)s::text[],
                       %(fresh)s::boolean[], %(now)s::timestamptz[])
    AS x(ord, digest, kind, version, event_id, number, fresh, now)
), g AS (
  SELECT x.*, t.account_id,
         (NOT t.revoked AND a.active AND NOT a.must_change_password
          AND t.expires_at IS NOT NULL AND t.expires_at > x.now) AS ok,
         sp.id AS point_id, sp.code, sp.name, sp.kind AS point_kind,
         COALESCE((SELECT version FROM card_list_state WHERE id = 1), 0) AS list_version
  FROM x
  JOIN tokens t ON t.token_hash = x.digest
  JOIN accounts a ON a.id = t.account_id
  LEFT JOIN service_points sp ON sp.account_id = a.id AND sp.active
), q AS (
  SELECT g.ord, g.account_id, g.point_id, g.kind, g.event_id, g.number, g.fresh, g.now,
         row_number() OVER (PARTITION BY g.account_id ORDER BY g.ord) AS rank
  FROM g
  WHERE g.ok AND g.point_id IS NOT NULL AND g.list_version = g.version AND g.point_kind = g.kind
), k AS (
  SELECT account_id, count(*) AS n FROM q GROUP BY account_id
), b AS (
  INSERT INTO verify_buckets AS v (account_id, tokens, refilled_at, allowed, level)
  SELECT k.account_id, %(burst)s::float8 - LEAST(k.n, GREATEST(1, floor(%(burst)s::float8))),
         %(wall)s::float8, k.n <= GREATEST(%(burst)s::float8, 1), GREATEST(%(burst)s::float8, 1)
  FROM k
  ORDER BY k.account_id
  ON CONFLICT (account_id) DO UPDATE SET
    level = LEAST(%(burst)s::float8, v.tokens + %(rate)s::float8 * (%(wall)s::float8
                  - v.refilled_at)),
    tokens = LEAST(%(burst)s::float8, v.tokens + %(rate)s::float8 * (%(wall)s::float8
                   - v.refilled_at))
             - LEAST((SELECT k.n FROM k WHERE k.account_id = v.account_id),
                     GREATEST(0, floor(LEAST(%(burst)s::float8, v.tokens + %(rate)s::float8
                                             * (%(wall)s::float8 - v.refilled_at))))),
    allowed = (SELECT k.n FROM k WHERE k.account_id = v.account_id)
              <= LEAST(%(burst)s::float8, v.tokens + %(rate)s::float8 * (%(wall)s::float8
                       - v.refilled_at)),
    refilled_at = %(wall)s::float8
  RETURNING v.account_id, v.level
), r AS (
  SELECT q.*, q.rank <= b.level AS allowed FROM q JOIN b ON b.account_id = q.account_id
), w AS (
  SELECT r.*,
         r.allowed AND (r.fresh OR (
           NOT EXISTS (SELECT 1 FROM card_uses c WHERE c.event_id = r.event_id)
           AND NOT EXISTS (SELECT 1 FROM r e
                           WHERE e.allowed AND e.event_id = r.event_id AND e.ord < r.ord)
         )) AS record
  FROM r
), u AS (
  INSERT INTO card_uses
    (event_id, card_number, point_id, point_kind, at, verdict, offline, uploaded_at, flag)
  SELECT w.event_id, w.number, w.point_id, w.kind, w.now, 'valid', false, w.now,
         CASE WHEN EXISTS (
           SELECT 1 FROM card_uses c
           WHERE c.card_number = w.number AND c.point_kind = w.kind AND c.verdict = 'valid'
             AND c.point_id < w.point_id AND c.at > w.now - %(window)s::interval
             AND c.at < w.now + %(window)s::interval
         ) OR EXISTS (
           SELECT 1 FROM card_uses c
           WHERE c.card_number = w.number AND c.point_kind = w.kind AND c.verdict = 'valid'
             AND c.point_id > w.point_id AND c.at > w.now - %(window)s::interval
             AND c.at < w.now + %(window)s::interval
         ) OR EXISTS (
           SELECT 1 FROM w e
           WHERE e.record AND e.ord < w.ord AND e.number = w.number AND e.kind = w.kind
             AND e.point_id <> w.point_id AND e.now > w.now - %(window)s::interval
             AND e.now < w.now + %(window)s::interval
         ) THEN 'two_points' END
  FROM w WHERE w.record
  ORDER BY w.ord
)
SELECT g.ord, g.ok, g.point_id, g.code, g.name, g.point_kind, g.list_version,
       w.allowed, w.record,
       c.number, COALESCE(NULLIF(c.holder_name, ''), tp.name), c.photo_sha256
FROM g
LEFT JOIN w ON w.ord = g.ord
LEFT JOIN cards c ON c.number = g.number
LEFT JOIN talent_profiles tp ON tp.id = c.talent_id
"""
# one space for each run of blanks: under psycopg's 4,096 characters, its conversion of the
# statement to PostgreSQL's form is kept rather than redone for every batch
BATCH_STATEMENT = " ".join(BATCH_STATEMENT.split())
MAX_BATCH = 64  # checks in one statement at most


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
    autocommit connections, without a worker thread (decision 0243), together with the other
    checks that arrive while the loop's previous statement is out (decision 0265). The caller
    holds one of the process's admission slots, so a loop never has more checks out than it
    has slots."""
    prepared = _prepare(url, raw_token, code, store, event_id)
    if prepared is None:
        return None
    found = await _batches(url).check(prepared)
    return None if found is LOST else _outcome(prepared, found)


LOST = object()  # the statement failed (a connection lost since its last use): the general way


class _Batches:
    """One event loop's checks for one database: a check that arrives while none is out is sent
    at the loop's next turn, with whatever arrived in the same turn; checks that arrive while a
    statement is out wait for it and go together in the next one."""

    def __init__(self, url: str) -> None:
        self.pool = _Pool(url)
        self.queue: list[tuple[_Prepared, asyncio.Future[Any]]] = []
        self.task: asyncio.Task[None] | None = None
        self.sent = 0  # statements sent

    async def check(self, prepared: _Prepared) -> Any:
        """The check's row of its batch's statement (None: its token is unknown), or LOST."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self.queue.append((prepared, future))
        if self.task is None:
            self.task = loop.create_task(self._run())
        return await future

    async def _run(self) -> None:
        try:
            while self.queue:
                batch, self.queue = self.queue[:MAX_BATCH], self.queue[MAX_BATCH:]
                rows: dict[int, Any] | None = None
                failed: Exception | None = None
                try:
                    rows = await self._send([p for p, _ in batch])
                except Exception as exc:  # not the database's: each check fails as it would alone
                    failed = exc
                finally:
                    for i, (_, future) in enumerate(batch):
                        if future.done():
                            continue
                        if failed is not None:
                            future.set_exception(failed)
                        else:
                            future.set_result(LOST if rows is None else rows.get(i))
        finally:
            self.task = None
            for _, future in self.queue:  # left only when this task was cancelled
                if not future.done():
                    future.set_result(LOST)
            self.queue = []

    async def _send(self, batch: list[_Prepared]) -> dict[int, Any] | None:
        """Each check's row by its place in the batch; None when the statement failed."""
        try:
            connection = await self.pool.take()
        except psycopg.Error:
            return None
        self.sent += 1
        try:
            if len(batch) == 1:  # alone: the one check's own statement
                cursor = await connection.execute(STATEMENT, batch[0].params)
                row = await cursor.fetchone()
                found = {} if row is None else {0: row}
            else:
                cursor = await connection.execute(BATCH_STATEMENT, batch_params(batch))
                found = {row[0]: row[1:] for row in await cursor.fetchall()}
        except psycopg.Error:
            await self.pool.discard(connection)
            return None
        self.pool.give(connection)
        return found


def batch_params(batch: list[_Prepared], wall: float | None = None) -> dict[str, Any]:
    """The batch statement's parameters: each check's own, in the batch's order, and one
    instant of the wall clock for the buckets."""
    return {
        "ord": list(range(len(batch))),
        "digest": [p.params["digest"] for p in batch],
        "kind": [p.params["kind"] for p in batch],
        "version": [p.params["version"] for p in batch],
        "event_id": [p.params["event_id"] for p in batch],
        "number": [p.params["number"] for p in batch],
        "fresh": [p.params["fresh"] for p in batch],
        "now": [p.params["now"] for p in batch],
        "burst": float(VERIFY_LIMITER.burst),
        "rate": float(VERIFY_LIMITER.rate),
        "wall": time.time() if wall is None else wall,
        "window": ABUSE_WINDOW,
    }


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
_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Batches]] = (
    weakref.WeakKeyDictionary()
)


def _batches(url: str) -> _Batches:
    per_url = _pools.setdefault(asyncio.get_running_loop(), {})
    found = per_url.get(url)
    if found is None:
        found = per_url[url] = _Batches(url)
    return found
