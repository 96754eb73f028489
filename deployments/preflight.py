"""Checks the CLI runs before it starts anything, so bad settings end in one line.

A port already taken, a folder that cannot be created or a store that does not answer used
to surface as a traceback from uvicorn, DuckDB or SQLAlchemy, sometimes after a Prefect
server had started. Each check here raises `PreflightError` with a message naming the option
or variable and what is wrong; the CLI prints it as ``error: ...`` and exits non-zero.

They are checks, not guarantees: a port can be taken between the check and the bind, and a
store can go away after it answered (the servers then report it themselves).
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

__all__ = [
    "PreflightError",
    "check_folder",
    "check_port",
    "check_prefect_api",
    "check_store",
    "check_warehouse_file",
]

_DUCKDB_MAGIC = (8, b"DUCK")
"""Where a DuckDB database file says what it is (after its 8-byte header checksum)."""


class PreflightError(Exception):
    """Something a command needs is unusable; the message says what and which setting."""


def check_port(host: str, port: int, option: str = "--port") -> None:
    """Bind ``host:port`` as uvicorn will (every address the host resolves to), then let go.

    Args:
        host: interface the server will bind.
        port: TCP port.
        option: the CLI option choosing the port (named in the message).

    Raises:
        PreflightError: the host does not resolve or is no address of this machine, the port
            is taken, or binding it needs privileges.

    """
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                       flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise PreflightError(f"host {host!r} does not resolve: {exc.strerror}") from None
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as sock:
            # asyncio's servers set it too: a port whose old connections linger in TIME_WAIT
            # is free for them, so it must count as free here.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                raise PreflightError(_bind_problem(host, port, option, exc)) from None


def _bind_problem(host: str, port: int, option: str, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return f"port {port} on {host} is taken by another program; choose another with {option}"
    if exc.errno == errno.EADDRNOTAVAIL:
        return f"host {host} is not an address of this machine"
    if exc.errno == errno.EACCES:
        return f"port {port} needs privileges to listen on; choose one above 1023 with {option}"
    return f"cannot listen on {host}:{port}: {exc.strerror or exc}"


def check_folder(folder: Path, setting: str) -> None:
    """Create ``folder`` when missing and check this process can write into it.

    Raises:
        PreflightError: it cannot be created (a parent is a file, no permission, read-only
            file system) or is not writable; the message names ``setting``.

    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise PreflightError(f"{setting}: {folder} is a file, not a folder") from None
    except OSError as exc:
        raise PreflightError(
            f"{setting}: cannot create the folder {folder}: {exc.strerror or exc}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PreflightError(f"{setting}: the folder {folder} is not writable")


def check_warehouse_file(path: Path, setting: str, *, must_exist: bool = False) -> None:
    """Check ``path`` can hold the warehouse: a DuckDB file or nothing yet, in a writable folder.

    Args:
        path: the warehouse file.
        setting: the option or variable that chose it (named in the message).
        must_exist: refuse a missing file (commands that only read what others extracted).

    Raises:
        PreflightError: the path is a folder or another kind of file, is missing while
            ``must_exist``, or its folder cannot be created.

    """
    if path.is_dir():
        raise PreflightError(f"{setting}: {path} is a folder, not a DuckDB file")
    if path.exists():
        offset, magic = _DUCKDB_MAGIC
        try:
            with path.open("rb") as file:
                header = file.read(offset + len(magic))
        except OSError as exc:
            raise PreflightError(f"{setting}: cannot read {path}: {exc.strerror}") from None
        if header[offset:] != magic:
            raise PreflightError(f"{setting}: {path} is not a DuckDB database file")
    elif must_exist:
        raise PreflightError(
            f"{setting}: no warehouse at {path}; run `campaign-ops demo` or the extract "
            "flows first")
    check_folder(path.parent, setting)


def check_store(url: str, setting: str) -> None:
    """Open the operational store at ``url`` as its users do: create the tables, check them.

    This is what the gateway's inbox does at startup (``SqlInbox.open``) and what the
    conversion push-back does before it records a plan, so a store that passes here opens
    there too.

    Raises:
        PreflightError: the URL is no SQLAlchemy URL or names a driver that is not
            installed, the database does not answer, or it holds another schema version;
            the message names ``setting`` and the URL with its password masked.

    """
    import store

    try:
        engine = store.create_store_engine(url)
    except store.StoreError as exc:
        raise PreflightError(f"{setting}: {exc}") from None
    try:
        store.create_schema(engine)
        store.ping(engine)
    except store.StoreError as exc:
        raise PreflightError(f"{setting}: {exc}") from None
    finally:
        engine.dispose()


def check_prefect_api(url: str, setting: str = "PREFECT_API_URL", *, answers: bool = True) -> None:
    """Check ``url`` is an http(s) URL and, when ``answers``, that a server answers there.

    Any HTTP answer counts (a server behind auth may refuse ``/health``); only a URL that
    cannot be reached fails, which Prefect reports as a traceback from inside the run.

    Raises:
        PreflightError: the URL is not http(s), or nothing answers within 5 seconds.

    """
    import httpx

    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        # A malformed URL may still hold a password: then the message leaves it out.
        value = "" if "@" in url else f"={url!r}"
        raise PreflightError(
            f"{setting}{value} is not an http(s) URL (e.g. http://127.0.0.1:4200/api)")
    shown = str(parsed.copy_with(username=None, password=None))  # no credentials in errors
    if not answers:
        return
    try:
        httpx.get(f"{url.rstrip('/')}/health", timeout=5)
    except httpx.HTTPError as exc:
        raise PreflightError(
            f"{setting}: no Prefect API answers at {shown} ({type(exc).__name__}); start "
            f"it, or unset {setting} to run on a temporary server") from None
