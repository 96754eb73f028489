"""Engines for the operational store: one function from a URL to a ready SQLAlchemy engine.

SQLite (the default, a file under ``data/``) is tuned for a small durable queue: WAL journal,
``synchronous=FULL`` (a commit is on disk before the caller answers anyone, which is the
whole point of an inbox), a 30 s busy timeout, and ``BEGIN IMMEDIATE`` for every transaction
so two writers queue on the file lock instead of failing with "database is locked" when a
reader upgrades. PostgreSQL URLs (``postgresql+psycopg://...``) get ``pool_pre_ping`` so a
restarted database costs one failed checkout, not an error.

``translate_errors`` is the single place where SQLAlchemy and driver errors become
``store.errors``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    SQLAlchemyError,
    StatementError,
)
from sqlalchemy.pool import StaticPool

from store.errors import StoreError, StoreUnavailableError

__all__ = ["DEFAULT_STORE_URL", "create_store_engine", "describe", "ping", "translate_errors"]

DEFAULT_STORE_URL = "sqlite:///data/store.sqlite"
_SQLITE_BUSY_TIMEOUT_MS = 30_000
_PG_CONNECT_TIMEOUT_S = 10


def describe(engine: Engine) -> str:
    """Return the engine's URL with any password masked (safe for logs and errors)."""
    return engine.url.render_as_string(hide_password=True)


def create_store_engine(url: str, *, pool_size: int = 10) -> Engine:
    """Create an engine for the store at ``url`` (SQLite file or PostgreSQL).

    Args:
        url: a SQLAlchemy URL, e.g. ``sqlite:///data/store.sqlite`` or
            ``postgresql+psycopg://postgres@127.0.0.1:5432/campaign_ops``. The parent folder
            of a SQLite file is created when missing.
        pool_size: connections kept open (PostgreSQL and SQLite files).

    Raises:
        StoreError: the URL is not a usable SQLAlchemy URL or names an unknown driver, or
            the folder of a SQLite file cannot be created.

    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            "store URL is not a SQLAlchemy URL (e.g. sqlite:///data/store.sqlite)"
        ) from None
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in {"", ":memory:"}:
            # One shared connection, or every thread would see its own empty database.
            kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        else:
            folder = Path(database).expanduser().parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create the folder {folder} of the SQLite store: "
                    f"{exc.strerror or exc}") from None
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_timeout=60)
    else:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        if parsed.get_backend_name() == "postgresql" and "connect_timeout" not in parsed.query:
            # A host that drops packets would otherwise hold a connect for the OS's TCP
            # timeout (minutes); the URL's own ?connect_timeout= wins.
            kwargs["connect_args"] = {"connect_timeout": _PG_CONNECT_TIMEOUT_S}
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except (NoSuchModuleError, ImportError) as exc:
        safe = parsed.render_as_string(hide_password=True)
        raise StoreError(f"no database driver for store URL {safe}: {exc}") from None
    if engine.dialect.name == "sqlite":
        _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below issue BEGIN instead of pysqlite's implicit one.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def translate_errors(engine: Engine, doing: str) -> Iterator[None]:
    """Translate SQLAlchemy/driver errors raised inside the block into ``store.errors``.

    Args:
        engine: the engine in use (named in the message, password masked).
        doing: what the block was doing, e.g. ``"adding deliveries"``.

    """
    try:
        yield
    except StoreError:
        raise
    except IntegrityError as exc:
        raise StoreError(
            f"store {describe(engine)} refused the data while {doing}: "
            f"{type(exc.orig).__name__}"
        ) from None
    except DBAPIError as exc:
        reason = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else ""
        raise StoreUnavailableError(
            f"store {describe(engine)} failed while {doing}: {reason}: {detail[:300]}"
        ) from None
    except StatementError as exc:
        # Raised before the database saw anything (a value could not be bound): a bug.
        raise StoreError(f"store {describe(engine)}: bad value while {doing}: {exc.orig}") from None
    except SQLAlchemyError as exc:
        raise StoreUnavailableError(
            f"store {describe(engine)} failed while {doing}: {type(exc).__name__}"
        ) from None


def ping(engine: Engine) -> None:
    """Run ``SELECT 1`` against the store.

    Raises:
        StoreUnavailableError: the database does not answer.

    """
    with translate_errors(engine, "checking the connection"), engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
