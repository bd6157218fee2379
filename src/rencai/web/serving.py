"""The HTTP protocol `rencai serve` runs: uvicorn's, with every connection's TCP_NODELAY set
(decision 0245).

With several workers uvicorn binds the listening socket itself, without naming TCP as its
protocol, and asyncio then leaves Nagle's algorithm on for the connections it accepts (it sets
TCP_NODELAY only on sockets that say they are TCP). An answer is written as its headers, then its
body: the body waited for the client's acknowledgement of the headers, which clients delay by
about 40 ms — every answer on a kept-alive connection took 40 ms more at two workers than at one.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

PROTOCOL = "rencai.web.serving:NoDelayProtocol"


class NoDelayProtocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        no_delay(transport.get_extra_info("socket"))
        super().connection_made(transport)


def no_delay(sock: Any) -> None:
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
