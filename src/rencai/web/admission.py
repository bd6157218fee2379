"""Admission of requests to the database.

FastAPI runs a sync dependency and a sync route as separate calls into the worker-thread pool.
A request whose session already holds a pooled connection then waits for a worker thread, while
worker threads may be blocked waiting for a connection: under a burst the two pools starve each
other and the server hangs. So at most as many requests hold a session as the connection pool
can serve at once; the others wait here, in the event loop, holding neither a thread nor a
connection. A checkout then never waits, and a worker thread never blocks on the pool.

A request that cannot be admitted within ``ADMISSION_TIMEOUT`` is answered 503 (see ``Busy``).
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from rencai.db.session import connection_capacity

ADMISSION_TIMEOUT = 15.0  # seconds a request may wait for a connection before a 503

# one gate per event loop and database: asyncio primitives belong to the loop that made them
# (a test client may run each request on a loop of its own)
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


class Busy(Exception):
    """Every connection stayed in use for ``ADMISSION_TIMEOUT``: try again shortly."""


def _gate(url: str) -> asyncio.Semaphore:
    per_url = _gates.setdefault(asyncio.get_running_loop(), {})
    gate = per_url.get(url)
    if gate is None:
        gate = per_url[url] = asyncio.Semaphore(connection_capacity(url))
    return gate


@asynccontextmanager
async def admitted(url: str) -> AsyncIterator[None]:
    """Hold one of the database's connection slots for the duration of the block."""
    gate = _gate(url)
    try:
        await asyncio.wait_for(gate.acquire(), ADMISSION_TIMEOUT)
    except TimeoutError:
        raise Busy from None
    try:
        yield
    finally:
        gate.release()
