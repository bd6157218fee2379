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

With ``worker_ports`` each worker also listens on a port of its own (the first worker on that
port, the next on the one after, …), held by the supervisor and claimed with the shared
socket, so that a restarted worker serves its predecessor's port (decision 0349). The kernel
spreads connections over the workers at random and a connection stays with its worker; nginx
keeps a few dozen kept-alive connections to the app, and where they all go to one port the
workers may get uneven shares of them, and so of the requests in flight. With a port per worker
nginx sees each worker as a server of its own and ``least_conn`` gives each its share.
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


def shared_listener(config: uvicorn.Config, port: int | None = None) -> socket.socket:
    """A TCP socket bound to ``config``'s address with ``SO_REUSEPORT``, as each worker's
    (``port``: a worker's own port instead of ``config``'s, which no other socket shares)."""
    family = socket.AF_INET6 if config.host and ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if port is None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((config.host, config.port if port is None else port))
    sock.set_inheritable(True)
    return sock


_claimed: list[int] = []  # the lock a worker holds for its socket, for the process's life


def claim(
    locks: str, sockets: list[socket.socket], own: list[socket.socket] | None = None
) -> list[socket.socket]:
    """The socket of this worker: the first whose lock file no live worker holds (the lock
    ends with its process), with the worker's own port's socket of the same rank in ``own``;
    all of them should none be free (a worker brought up beside the one it replaces)."""
    own = own or []
    for i, sock in enumerate(sockets):
        fd = os.open(os.path.join(locks, str(i)), os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        _claimed.append(fd)
        mine = [sock, *own[i : i + 1]]
        for other in [*sockets, *own]:
            if other not in mine:
                other.close()
        return mine
    return [*sockets, *own]


class Listeners(list[socket.socket]):
    """The workers' sockets, as handed to each new worker: it unpacks them as its own one."""

    def __init__(
        self, locks: str, sockets: list[socket.socket], own: list[socket.socket] | None = None
    ) -> None:
        super().__init__(sockets)
        self.locks = locks
        self.own = own or []

    def __reduce__(self) -> Any:
        return claim, (self.locks, list(self), self.own)


def run(app: str, worker_ports: int | None = None, **options: Any) -> None:
    """``uvicorn.run(app, **options)``; several workers each on a listener of its own on the
    address, stating it is TCP; ``worker_ports``: each worker also on a port of its own, from
    this one up (one worker too: under the supervisor, on its port and on ``worker_ports``)."""
    config = uvicorn.Config(app, **options)
    if (
        config.uds is not None
        or config.fd is not None
        or (config.workers <= 1 and worker_ports is None)
    ):
        uvicorn.run(app, **options)
        return
    locks = tempfile.mkdtemp(prefix="rencai-workers-")
    try:
        sockets = [shared_listener(config) for _ in range(config.workers)]
        own = (
            []
            if worker_ports is None
            else [shared_listener(config, worker_ports + i) for i in range(config.workers)]
        )
        uvicorn.config.logger.info(
            "Uvicorn running on http://%s:%d (%d workers, a socket each)%s",
            config.host,
            config.port,
            config.workers,
            ""
            if worker_ports is None
            else f"; each worker also on a port of its own, {worker_ports}"
            f"–{worker_ports + config.workers - 1}",
        )
        Multiprocess(config, sockets=Listeners(locks, sockets, own)).run()
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(locks)
