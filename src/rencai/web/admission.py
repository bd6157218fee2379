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
answered 503 ``busy`` with Retry-After at once (see ``Busy``), rather than queued behind work
the server cannot finish in time. Few slots keep the admitted requests' latency bounded: past a
handful of requests a process on its cores gains no throughput, only queueing.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from rencai.db.session import connection_capacity
from rencai.settings import settings

RETRY_AFTER = 1  # seconds a refused client is told to wait before trying again

# one gate per event loop and database: asyncio primitives belong to the loop that made them
# (a test client may run each request on a loop of its own)
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


class Busy(Exception):
    """No slot came free within the route's wait: try again shortly."""


def slots(url: str) -> int:
    """How many requests this process admits to the database at once."""
    return max(1, min(settings().admission_slots, connection_capacity(url)))


def _gate(url: str) -> asyncio.Semaphore:
    per_url = _gates.setdefault(asyncio.get_running_loop(), {})
    gate = per_url.get(url)
    if gate is None:
        gate = per_url[url] = asyncio.Semaphore(slots(url))
    return gate


@asynccontextmanager
async def admitted(url: str, wait: float | None = None) -> AsyncIterator[None]:
    """Hold one of the process's database slots for the duration of the block; ``Busy`` if none
    comes free within ``wait`` seconds (default: RENCAI_ADMISSION_WAIT)."""
    gate = _gate(url)
    limit = settings().admission_wait if wait is None else wait
    if gate.locked() and limit <= 0:
        raise Busy
    try:
        await asyncio.wait_for(gate.acquire(), limit)
    except TimeoutError:
        raise Busy from None
    try:
        yield
    finally:
        gate.release()
