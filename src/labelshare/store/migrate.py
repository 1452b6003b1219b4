"""Apply and inspect Alembic migrations from inside the package (``labelshare init``).

Features add their tables in migrations of their own, so the history may have several
heads; "up to date" means the database is at every one of them.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from labelshare.errors import LabelshareError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class DatabaseNotInitialised(LabelshareError):
    """The database has not been migrated to the version this code needs."""


def alembic_config(engine: Engine) -> Config:
    """An Alembic config that runs the packaged migrations on ``engine``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Migrate the database behind ``engine`` up to ``revision`` (every head by default)."""
    command.upgrade(alembic_config(engine), revision)


def head_revisions() -> frozenset[str]:
    """The newest migrations this code knows (one per branch)."""
    heads = frozenset(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())
    if not heads:
        raise DatabaseNotInitialised("no migrations found in the package")
    return heads


def current_revisions(engine: Engine) -> frozenset[str]:
    """The migrations the database is at; empty when it was never initialised."""
    with engine.connect() as connection:
        return frozenset(MigrationContext.configure(connection).get_current_heads())


def describe(revisions: frozenset[str]) -> str:
    """Revisions as one sorted, comma-separated string (``empty`` for none)."""
    return ", ".join(sorted(revisions)) or "empty"


def ensure_current(engine: Engine) -> None:
    """Raise unless the database is migrated to every head of this code.

    Raises:
        DatabaseNotInitialised: with the command that fixes it.
    """
    current = current_revisions(engine)
    if current != head_revisions():
        state = "is not initialised" if not current else f"is at migration {describe(current)}"
        raise DatabaseNotInitialised(
            f"database {engine.url.render_as_string(hide_password=True)} {state}; "
            "run `labelshare init` to migrate it"
        )


def autogenerate_revision(message: str, rev_id: str, *, parent: str = "0001") -> None:
    """Write a new migration for the tables the models declare and no migration builds.

    For developers (``make migration``). It branches off ``parent``, so features can add
    tables independently; review the file: it holds every unmigrated difference, which
    may include another feature's work in progress.
    """
    import tempfile

    from labelshare.store.session import make_engine

    with tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(f"sqlite:///{scratch}/autogenerate.db")
        upgrade(engine)
        command.revision(
            alembic_config(engine),
            message=message,
            autogenerate=True,
            rev_id=rev_id,
            head=parent,
            splice=True,
        )
        engine.dispose()
