"""Starting uvicorn: one process, or N workers sharing one listening socket (decision 0246).

uvicorn's supervisor binds the socket its workers share as ``socket.socket(family)``, whose
protocol number is left at 0; every connection it accepts inherits that 0, and asyncio turns
Nagle's algorithm off (``TCP_NODELAY``) only on sockets that say ``IPPROTO_TCP``. With Nagle on,
a response written in two parts (headers, then body) waits for the client's delayed ACK, so
every request after the first on a kept-alive connection took about 40 ms more at two workers
than at one, whatever the route (/healthz included). The listener here is the same socket,
re-read from its descriptor, so that it states its protocol (TCP) and the accepted connections
get ``TCP_NODELAY`` as they do with one process.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess


def listener(config: uvicorn.Config) -> socket.socket:
    """The bound listening socket of ``config``, stating its protocol (``IPPROTO_TCP``)."""
    bound = config.bind_socket()
    # family, type and protocol read back from the descriptor (SO_PROTOCOL): TCP, not 0
    sock = socket.socket(fileno=bound.detach())
    sock.set_inheritable(True)
    return sock


def run(app: str, **options: Any) -> None:
    """``uvicorn.run(app, **options)``, its workers on a listener that states it is TCP."""
    config = uvicorn.Config(app, **options)
    if config.workers <= 1 or config.uds is not None or config.fd is not None:
        uvicorn.run(app, **options)
        return
    Multiprocess(config, sockets=[listener(config)]).run()
