"""One uvicorn server in a background thread, for any ASGI application.

Tests and ``campaign-ops up`` serve the emulators this way, and tests serve the gateway: a
context manager whose ``base_url`` names the port it took (port 0 picks a free one).
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp

__all__ = ["LoopbackServer"]

# Generous: a failed start ends as soon as the thread dies; only a slow one waits this long.
_START_STOP_SECONDS = 30.0


class LoopbackServer:
    """An ASGI application served by uvicorn in a background thread.

    The application is started and stopped through ASGI lifespan (uvicorn ``lifespan="on"``),
    so ``start`` returns only once its startup has run; a failed startup raises.

    Args:
        app: the ASGI application; it must answer lifespan messages.
        port: TCP port; 0 picks a free one (read it back from ``port`` or ``base_url``).
        host: interface to bind (loopback by default).
        name: what is served, for the thread's name and the error when it does not start.

    """

    def __init__(
        self, app: ASGIApp, port: int = 0, host: str = "127.0.0.1", *, name: str = "loopback"
    ) -> None:
        self.app = app
        self.host = host
        self.name = name
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose
        # proto says TCP, and accepted sockets inherit it; with proto 0 every answer waits
        # ~40 ms for a delayed ACK (Nagle).
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self.port: int = self._socket.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._run, name=f"{name}-{self.port}",
                                        daemon=True)

    @property
    def base_url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:54321``."""
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        self._server.run(sockets=[self._socket])

    def start(self) -> LoopbackServer:
        """Start serving; return once the application has started and connections are taken.

        Raises:
            RuntimeError: the server stopped, or had not started after 30 seconds.

        """
        self._thread.start()
        deadline = time.monotonic() + _START_STOP_SECONDS
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"the {self.name} server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving (runs the application's shutdown) and wait for the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=_START_STOP_SECONDS)
        self._socket.close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
