"""Admission of requests to the database, bounded in slots and in time (load shedding).

FastAPI runs a sync dependency and a sync route as separate calls into the worker-thread pool.
A request whose session already holds a pooled connection then waits for a worker thread, while
worker threads may be blocked waiting for a connection: under a burst the two pools starve each
other and the server hangs. So at most as many requests hold a session as the process admits at
once (RENCAI_ADMISSION_SLOTS, never more than the connection pool can serve); the others wait
here, in the event loop, holding neither a thread nor a connection. A checkout then never waits,
and a worker thread never blocks on the pool.

The wait is bounded in time too (decision 0170): a request that cannot start within its route's
wait (RENCAI_ADMISSION_WAIT; the online card check RENCAI_VERIFY_WAIT, well under a second) is
answered 503 ``busy`` with Retry-After (see ``Busy``), rather than queued behind work the server
cannot finish in time. When it should start is estimated from its place in the queue and the
running mean of how long a slot is held, counted from the instant the slot is handed to it (so
that the time a queued request takes to resume counts too): it is refused at once when the
queue ahead of it already takes longer than half the wait (decision 0253); a freed slot is handed
straight to the first waiting request, and every waiting request that could then no longer start
within its wait is refused at that moment rather than when its wait runs out (decision 0267).
Few slots keep the admitted requests' latency bounded: past a handful of requests a process on
its cores gains no throughput, only queueing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.types import Receive, Scope, Send

from rencai.db.session import connection_capacity, database_url
from rencai.settings import settings
from rencai.web.middleware import HttpMiddleware

RETRY_AFTER = 1  # seconds a refused client is told to wait before trying again
SMOOTHING = 0.2  # weight of the latest hold in the running mean of how long a slot is held
# A request is queued only when it should start within this share of its wait (decision 0253):
# the running mean is an estimate, and a request queued at the edge of its wait is the one that
# waits it all out and is refused late, or started late.
HEADROOM = 0.5
# The online check's wait is a few hundredths of a second, of the order of the event loop's own
# stalls under overload (a full collection, the core lent to another process): a check is queued
# only when it should start within the first quarter of its wait, so that a stall does not carry
# it past its wait (decision 0267: measured, more checks admitted, and hardly any refused late).
VERIFY_HEADROOM = 0.25


class Counts:
    """What a gate did with its requests, for the operator and the benchmarks (a few integer
    increments a request): how many started at once, were refused at arrival, were queued and
    then started or refused (and after how long: a histogram in milliseconds)."""

    BUCKETS = 200  # 1 ms each; the last one holds every longer wait

    def __init__(self) -> None:
        self.at_once = 0
        self.refused_at_arrival = 0
        self.queued_started = 0
        self.queued_refused = 0
        self.started_after = [0] * self.BUCKETS
        self.refused_after = [0] * self.BUCKETS

    @classmethod
    def bucket(cls, seconds: float) -> int:
        return min(cls.BUCKETS - 1, int(seconds * 1000))

    @staticmethod
    def percentile(histogram: list[int], q: float) -> int:
        """The upper bound in milliseconds of the bucket holding the ``q`` quantile."""
        total, seen = sum(histogram), 0
        for i, n in enumerate(histogram):
            seen += n
            if total and seen >= q * total:
                return i + 1
        return 0

    def line(self) -> str:
        started, refused = self.started_after, self.refused_after
        return (
            f"admission: {self.at_once} started at once, {self.refused_at_arrival} refused at"
            f" arrival, {self.queued_started} queued then started (waited p50"
            f" {self.percentile(started, 0.5)} ms, p99 {self.percentile(started, 0.99)} ms),"
            f" {self.queued_refused} queued then refused (waited p50"
            f" {self.percentile(refused, 0.5)} ms, p99 {self.percentile(refused, 0.99)} ms)"
        )


class Waiter:
    """A request queued for a slot: its future (the instant it was granted the slot, or
    ``Busy``), when it queued, the instant its wait runs out, and the timer that refuses it
    then."""

    __slots__ = ("deadline", "future", "queued", "timer")

    def __init__(self, future: asyncio.Future[float], queued: float, deadline: float) -> None:
        self.future = future
        self.queued = queued
        self.deadline = deadline
        self.timer: asyncio.TimerHandle | None = None


class Gate:
    """The slots of one database in one event loop, with what is needed to refuse a request as
    soon as it could not start within its wait: who waits (in order), and how long a slot is held
    on average (a running mean, from the instant it is granted to the instant it is given back,
    so that it counts the time a queued request takes to resume as well)."""

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self.taken = 0  # slots held (a slot handed from one request to the next stays taken)
        self.queue: deque[Waiter] = deque()
        self.hold = 0.0  # seconds
        self.counts = Counts()

    @property
    def waiting(self) -> int:
        return len(self.queue)

    def full(self) -> bool:
        """Whether a request arriving now would have to wait: every slot is held, or others wait
        already."""
        return self.taken >= self.slots or bool(self.queue)

    def start_in(self, position: int) -> float:
        """Seconds until the request at ``position`` in the queue (0: the first) should start:
        it starts at the ``position + 1``-th slot given back, one every ``hold / slots``."""
        return (position + 1) * self.hold / self.slots

    def hopeless(self, wait: float, headroom: float = HEADROOM) -> bool:
        """Whether a request arriving now would not surely get a slot within ``wait`` seconds:
        every slot is taken and the queue ahead of it takes longer than ``headroom`` of that to
        drain."""
        if not self.full():
            return False
        return wait <= 0 or self.start_in(len(self.queue)) > wait * headroom

    async def acquire(self, wait: float) -> float:
        """Take a slot (the instant it was granted), or raise ``Busy``."""
        counts = self.counts
        if not self.full():  # a slot is free and nobody waits: taken at once, no timer
            self.taken += 1
            counts.at_once += 1
            return time.monotonic()
        if self.hopeless(wait):
            counts.refused_at_arrival += 1
            raise Busy
        loop = asyncio.get_running_loop()
        now = time.monotonic()
        waiter = Waiter(loop.create_future(), now, now + wait)
        waiter.timer = loop.call_later(wait, self._refuse, waiter)
        self.queue.append(waiter)
        try:
            return await waiter.future
        except asyncio.CancelledError:  # its client went away
            if waiter.timer is not None:
                waiter.timer.cancel()
            future = waiter.future
            if future.done() and not future.cancelled() and future.exception() is None:
                self.release(future.result())  # granted meanwhile: handed on
            else:
                with contextlib.suppress(ValueError):
                    self.queue.remove(waiter)
            raise

    def release(self, taken: float) -> None:
        """Give back the slot taken at ``taken``: to the first request waiting, if any. Then
        refuse every waiting request that could no longer start within its wait."""
        now = time.monotonic()
        self.hold += SMOOTHING * (now - taken - self.hold)
        queue = self.queue
        while queue:
            waiter = queue.popleft()
            if waiter.timer is not None:
                waiter.timer.cancel()
            if waiter.future.done():  # cancelled: its client went away
                continue
            waiter.future.set_result(now)
            counts = self.counts
            counts.queued_started += 1
            counts.started_after[counts.bucket(now - waiter.queued)] += 1
            if queue:
                self._prune(now)
            return
        self.taken -= 1

    def _prune(self, now: float) -> None:
        """Refuse now every waiting request that, at the current estimate, would start only after
        its wait has run out (rather than when it has): the others move up."""
        kept: deque[Waiter] = deque()
        for waiter in self.queue:
            if now + self.start_in(len(kept)) > waiter.deadline:
                self._refuse(waiter, now)
            else:
                kept.append(waiter)
        if len(kept) != len(self.queue):
            self.queue = kept

    def _refuse(self, waiter: Waiter, now: float | None = None) -> None:
        """Answer ``waiter`` busy (its wait has run out, or it could not start within it)."""
        if waiter.timer is not None:
            waiter.timer.cancel()
        if waiter.future.done():
            return
        waiter.future.set_exception(Busy())
        counts = self.counts
        counts.queued_refused += 1
        counts.refused_after[counts.bucket((now or time.monotonic()) - waiter.queued)] += 1
        if now is None:  # the timer's: still in the queue
            with contextlib.suppress(ValueError):
                self.queue.remove(waiter)


# one gate per event loop and database: asyncio primitives belong to the loop that made them
# (a test client may run each request on a loop of its own)
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Gate]] = (
    weakref.WeakKeyDictionary()
)


class Busy(Exception):
    """No slot would come free within the route's wait: try again shortly."""


def slots(url: str) -> int:
    """How many requests this process admits to the database at once."""
    return max(1, min(settings().admission_slots, connection_capacity(url)))


def gate(url: str) -> Gate:
    per_url = _gates.setdefault(asyncio.get_running_loop(), {})
    found = per_url.get(url)
    if found is None:
        found = per_url[url] = Gate(slots(url))
    return found


def report_admission() -> None:
    """One line on standard error for each gate of the running loop that ever queued or refused
    (the app's shutdown: a worker ends by its signal, without running ``atexit``)."""
    for found in _gates.get(asyncio.get_running_loop(), {}).values():
        counts = found.counts
        if counts.refused_at_arrival or counts.queued_started or counts.queued_refused:
            sys.stderr.write(counts.line() + "\n")
            sys.stderr.flush()


@asynccontextmanager
async def admitted(url: str, wait: float | None = None) -> AsyncIterator[None]:
    """Hold one of the process's database slots for the duration of the block; ``Busy`` at once
    if none would come free within ``wait`` seconds (default: RENCAI_ADMISSION_WAIT), or when
    none has after that wait."""
    found = gate(url)
    taken = await found.acquire(settings().admission_wait if wait is None else wait)
    try:
        yield
    finally:
        found.release(taken)


# --- refusing before any work --------------------------------------------------------------------
# Routes whose refusal is decided before their body is read or anything else runs: under a flood
# the refusals then cost next to nothing and leave the cores to the admitted requests.
def _verify_refused() -> bool:
    found = gate(database_url())
    if found.hopeless(settings().verify_wait, VERIFY_HEADROOM):
        found.counts.refused_at_arrival += 1
        return True
    return False


def _calculator_refused() -> bool:
    from rencai.web.batching import calculator  # the calculator's own queue (decision 0190)

    return calculator().hopeless(settings().calculator_wait)


EARLY: dict[tuple[str, str], Callable[[], bool]] = {
    ("POST", "/api/v1/cards/verify"): _verify_refused,
    ("POST", "/api/v1/entitlements"): _calculator_refused,
}
# as the route's refusal writes it (JSONResponse: compact), and nginx's (docs/deploy/nginx.conf)
BUSY_BODY = json.dumps(
    {"errors": [{"field": "(server)", "message": "系统繁忙，请稍后重试", "code": "busy"}]},
    ensure_ascii=False,
    separators=(",", ":"),
).encode()
BUSY_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BUSY_BODY)).encode()),
    (b"retry-after", str(RETRY_AFTER).encode()),
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
]


class SheddingMiddleware(HttpMiddleware):
    """Answers 503 busy at once, unread, a request to an ``EARLY`` route that could not start
    within its wait (the route itself still bounds the wait of those let through)."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        refused = EARLY.get((scope["method"], scope["path"]))
        if refused is not None and refused():
            await send({"type": "http.response.start", "status": 503, "headers": BUSY_HEADERS})
            await send({"type": "http.response.body", "body": BUSY_BODY})
            return
        await self.app(scope, receive, send)
