"""Apply and inspect Alembic migrations from inside the package (``labelshare init``)."""

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


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` up to ``revision``."""
    command.upgrade(alembic_config(engine), revision)


def head_revision() -> str:
    """The newest migration this code knows."""
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    if head is None:
        raise DatabaseNotInitialised("no migrations found in the package")
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None when it was never initialised."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def ensure_current(engine: Engine) -> None:
    """Raise unless the database is migrated to this code's head.

    Raises:
        DatabaseNotInitialised: with the command that fixes it.
    """
    current = current_revision(engine)
    if current != head_revision():
        state = "is not initialised" if current is None else f"is at migration {current}"
        raise DatabaseNotInitialised(
            f"database {engine.url.render_as_string(hide_password=True)} {state}; "
            "run `labelshare init` to migrate it"
        )
