"""Starting uvicorn: one process, or N workers sharing one listening socket (decision 0246).

uvicorn's supervisor binds the socket its workers share as ``socket.socket(family)``, whose
protocol number is left at 0; every connection it accepts inherits that 0, and asyncio turns
Nagle's algorithm off (``TCP_NODELAY``) only on sockets that say ``IPPROTO_TCP``. With Nagle on,
a response written in two parts (headers, then body) waits for the client's delayed ACK, so
every request after the first on a kept-alive connection took about 40 ms more at two workers
than at one, whatever the route (/healthz included). The listener here is the same socket,
re-read from its descriptor, so that it states its protocol (TCP) and the accepted connections
get ``TCP_NODELAY`` as they do with one process.

Each worker has a listening socket of its own on the port (``SO_REUSEPORT``, decision 0261):
on one shared socket the worker that wakes first accepts every pending connection at once, so
a client opening many kept-alive connections together (a load generator, nginx's upstream
connections) had them all served by one worker while the others idled. With a socket per
worker the kernel shares the connections out among them. The supervisor binds the sockets
(they outlive a worker, so a restarted worker takes its predecessor's, queued connections
included); each worker claims one by locking its file (``claim``).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import socket
import tempfile
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


def shared_listener(config: uvicorn.Config) -> socket.socket:
    """A TCP socket bound to ``config``'s address with ``SO_REUSEPORT``, as each worker's."""
    family = socket.AF_INET6 if config.host and ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((config.host, config.port))
    sock.set_inheritable(True)
    return sock


_claimed: list[int] = []  # the lock a worker holds for its socket, for the process's life


def claim(locks: str, sockets: list[socket.socket]) -> list[socket.socket]:
    """The socket of this worker: the first whose lock file no live worker holds (the lock
    ends with its process); all of them should none be free (a worker brought up beside the
    one it replaces)."""
    for i, sock in enumerate(sockets):
        fd = os.open(os.path.join(locks, str(i)), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        _claimed.append(fd)
        for other in sockets:
            if other is not sock:
                other.close()
        return [sock]
    return sockets


class Listeners(list[socket.socket]):
    """The workers' sockets, as handed to each new worker: it unpacks them as its own one."""

    def __init__(self, locks: str, sockets: list[socket.socket]) -> None:
        super().__init__(sockets)
        self.locks = locks

    def __reduce__(self) -> Any:
        return claim, (self.locks, list(self))


def run(app: str, **options: Any) -> None:
    """``uvicorn.run(app, **options)``; several workers each on a listener of its own on the
    address, stating it is TCP."""
    config = uvicorn.Config(app, **options)
    if config.workers <= 1 or config.uds is not None or config.fd is not None:
        uvicorn.run(app, **options)
        return
    locks = tempfile.mkdtemp(prefix="rencai-workers-")
    try:
        sockets = [shared_listener(config) for _ in range(config.workers)]
        uvicorn.config.logger.info(
            "Uvicorn running on http://%s:%d (%d workers, a socket each)",
            config.host,
            config.port,
            config.workers,
        )
        Multiprocess(config, sockets=Listeners(locks, sockets)).run()
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(locks)
