"""Several server workers answer a kept-alive connection as promptly as one (decision 0246).

The listener is checked here; two workers answering promptly over HTTP is checked where they are
started anyway (``answers_promptly`` in tests/web/test_serving.py::test_serve_with_workers).

uvicorn's supervisor bound the workers' shared socket without stating its protocol, so the
connections it accepted kept Nagle's algorithm on: each request after the first on a connection
waited about 40 ms for the client's delayed ACK, on every route.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import uvicorn

from rencai.web.serving import listener
from tests.support import free_port

STALL = 0.040  # the delayed ACK a held-back reply waited for (Linux: 40 ms at least)


def test_the_workers_listener_turns_nagle_off_on_each_connection() -> None:
    config = uvicorn.Config("rencai.web.app:create_app", host="127.0.0.1", port=free_port())
    sock = listener(config)
    assert sock.proto == socket.IPPROTO_TCP

    async def accepted_nodelay() -> int:
        flags: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        class Report(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                accepted = transport.get_extra_info("socket")
                flags.set_result(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Report, sock=sock)
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", config.port)
            flag = await asyncio.wait_for(flags, 10)
            writer.close()
            return flag
        finally:
            server.close()

    try:
        # on a thread of its own: a browser test earlier in the session may leave an event loop
        # running on this one, where asyncio.run refuses to start
        with ThreadPoolExecutor(1) as thread:
            assert thread.submit(asyncio.run, accepted_nodelay()).result(timeout=60) == 1
    finally:
        sock.close()


def answers_promptly(base: str) -> None:
    """Requests one after another on one kept-alive connection are answered without waiting for
    the delayed ACK (run on two workers by tests/web/test_serving.py::test_serve_with_workers)."""
    with httpx.Client(base_url=base, timeout=10) as client:
        for path in ("/healthz", "/api/v1/policies?q=房租"):
            client.get(path)  # warm
            took = []
            for _ in range(15):
                started = time.perf_counter()
                assert client.get(path).status_code == 200
                took.append(time.perf_counter() - started)
            # held back, every one of them would take the delayed ACK's 40 ms or more
            assert statistics.median(took) < STALL / 2, (path, took)
