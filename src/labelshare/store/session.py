"""Engines and sessions for SQLite (default) and PostgreSQL.

SQLite runs in WAL mode with foreign keys on, and every transaction starts with
``BEGIN IMMEDIATE``: a transaction that reads and then writes (assignment does) would
otherwise fail with "database is locked" when another writer got there first, because
SQLite cannot upgrade a read snapshot that has gone stale. Taking the write lock up
front turns that into a short wait (``busy_timeout``) instead of an error. Sessions
made with ``read_only=True`` begin with a plain ``BEGIN`` instead: a long export then
reads one WAL snapshot without holding the write lock that submissions need.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
_READ_ONLY = "labelshare_read_only"


def normalize_url(url: str) -> str:
    """Pick the psycopg 3 driver for PostgreSQL URLs that name no driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(url: str, *, sqlite_synchronous: str = "FULL", **engine_args: Any) -> Engine:
    """Create an engine for ``url`` with labelshare's connection settings.

    Args:
        url: a SQLAlchemy database URL (``sqlite:///labelshare.db``, ``postgresql://...``).
        sqlite_synchronous: ``FULL`` or ``NORMAL`` (see ``Settings.sqlite_synchronous``).
        **engine_args: passed on to ``sqlalchemy.create_engine``.
    """
    url = normalize_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        engine_args.setdefault("pool_pre_ping", True)
        return create_engine(url, **engine_args)

    engine = create_engine(url, connect_args={"check_same_thread": False}, **engine_args)
    synchronous = {"FULL": "FULL", "NORMAL": "NORMAL"}[sqlite_synchronous]

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def make_sessionmaker(engine: Engine, *, read_only: bool = False) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (for responses).

    Args:
        read_only: for sessions that only read (exports, reports); on SQLite they do not
            take the write lock. Writing through one is a bug, and SQLite may refuse it.
    """
    bind = engine.execution_options(**{_READ_ONLY: True}) if read_only else engine
    return sessionmaker(bind, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One request or command: commit once at the end, roll back on any error."""
    with factory() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
