"""Database fixtures: every storage test runs on SQLite and, where configured, PostgreSQL.

PostgreSQL tests need ``LABELSHARE_TEST_DATABASE_URL`` (``.ci/run`` sets it). Each test
session creates its own databases on that server and drops them at the end, so tests
never see rows they did not write.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from labelshare.store.migrate import upgrade
from labelshare.store.session import make_engine, normalize_url

PG_ENV = "LABELSHARE_TEST_DATABASE_URL"
BACKENDS = ["sqlite", "postgresql"]
_skipped_for_postgres: list[str] = []


def _postgres_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    return normalize_url(url) if url else None


def _create_postgres_database(admin_url: str) -> str:
    name = f"labelshare_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(admin_url: str, url: str) -> None:
    name = make_url(url).database
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new, migrated database URL of the backend in ``request.param`` (default SQLite).

    For tests whose code commits (CLI, concurrency, servers): nothing to roll back.
    """
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'labelshare.db'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    admin_url = _postgres_admin_url()
    if admin_url is None:
        _skipped_for_postgres.append(request.node.nodeid)
        pytest.skip(f"PostgreSQL not configured: set {PG_ENV}")
    url = _create_postgres_database(admin_url)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        _drop_postgres_database(admin_url, url)


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A migrated engine per backend, shared by the session's rolled-back tests."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'shared.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    admin_url = _postgres_admin_url()
    if admin_url is None:
        _skipped_for_postgres.append(request.node.nodeid)
        pytest.skip(f"PostgreSQL not configured: set {PG_ENV}")
    url = _create_postgres_database(admin_url)
    engine = make_engine(url)
    upgrade(engine)
    try:
        yield engine
    finally:
        engine.dispose()
        _drop_postgres_database(admin_url, url)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test.

    Code under test may commit: its commits become savepoints of the outer transaction.
    """
    connection = engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        outer.rollback()
        connection.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say loudly when the PostgreSQL half of the suite did not run."""
    if _skipped_for_postgres:
        terminalreporter.write_sep(
            "!",
            f"PostgreSQL tests SKIPPED ({len(_skipped_for_postgres)} setups): "
            f"set {PG_ENV}=postgresql://user@host/db to run them",
            red=True,
            bold=True,
        )
