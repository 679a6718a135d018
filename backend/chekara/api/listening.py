"""Several server processes behind one port, each with a listening socket of its own.

uvicorn's supervisor binds one socket and its workers all accept from it. uvloop accepts every
pending connection in one wake-up, so trackers that connect at about the same moment land on
whichever process woke first: 24 of bench/load.py's 32 keep-alive clients on one of two
processes, which then did three quarters of the work while the other idled (docs/PERFORMANCE.md).
A keep-alive connection stays where it landed, so the imbalance lasts.

With SO_REUSEPORT every worker listens on a socket of its own, all bound to the same port, and
Linux assigns each new connection to one of them by a hash of its addresses: spread evenly,
whatever the processes are doing at that moment. The supervisor holds the port with a bound
socket that never listens (the kernel hands connections only to listening sockets), and gives
each worker, instead of a socket, where to open its own (`WorkerSocket`).
"""

from __future__ import annotations

import socket


def port_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to the port in its SO_REUSEPORT group (port 0: the kernel picks one); not listening yet.

    The supervisor's socket holds the port; each worker's is started listening by its server. Raises OSError if taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


class WorkerSocket:
    """What the supervisor passes each worker process: where to open its own listening socket.

    uvicorn's supervisor pickles the sockets it is given into every worker it starts (and restarts);
    this one unpickles as a new socket of that worker, in the port's SO_REUSEPORT group."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port

    def __reduce__(self):
        return port_socket, (self.host, self.port)
