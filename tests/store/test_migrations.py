"""Tests that migrations build exactly the tables the models declare."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from labelshare.store.migrate import (
    DatabaseNotInitialised,
    current_revisions,
    ensure_current,
    head_revisions,
    upgrade,
)
from labelshare.store.models import Annotation, AnnotationIsImmutable, Base
from labelshare.store.session import make_engine, make_sessionmaker
from tests.factories import add_items, make_account, make_project


class TestMigrations:
    def test_models_match_migrations(self, engine: Engine) -> None:
        """Autogenerate finds nothing to add: migrations and models agree."""
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []

    def test_database_is_at_head(self, engine: Engine) -> None:
        """A migrated database reports the newest revision."""
        assert current_revisions(engine) == head_revisions()
        ensure_current(engine)

    def test_empty_database_is_refused_with_the_fix(self, tmp_path: object) -> None:
        """An unmigrated database names the command that fixes it."""
        empty = make_engine(f"sqlite:///{tmp_path}/empty.db")
        with pytest.raises(DatabaseNotInitialised, match="run `labelshare init`"):
            ensure_current(empty)
        empty.dispose()


class TestAnnotationImmutability:
    def _annotation(self, session: Session) -> Annotation:
        project = make_project(session)
        item = add_items(session, project, 1)[0]
        annotator = make_account(session)
        annotation = Annotation(
            project_id=project.id,
            item_id=item.id,
            annotator_id=annotator.id,
            value="pos",
            value_sha256="0" * 64,
        )
        session.add(annotation)
        session.flush()
        return annotation

    def test_orm_refuses_updates(self, session: Session) -> None:
        """Changing a stored annotation through the ORM raises."""
        annotation = self._annotation(session)
        annotation.value = "neg"
        with pytest.raises(AnnotationIsImmutable, match="submit a correction"):
            session.flush()

    @pytest.mark.parametrize(
        "statement", ["UPDATE annotations SET value_sha256 = 'x'", "DELETE FROM annotations"]
    )
    def test_database_refuses_raw_changes(self, session: Session, statement: str) -> None:
        """Even raw SQL cannot change or delete an annotation: a trigger refuses it."""
        self._annotation(session)
        with (
            pytest.raises(DatabaseError, match="annotations are immutable"),
            session.begin_nested(),
        ):
            session.execute(text(statement))

    def test_insert_is_allowed(self, session: Session) -> None:
        """The triggers do not stop new rows."""
        annotation = self._annotation(session)
        assert session.get(Annotation, annotation.id) is not None


def test_sqlite_pragmas(tmp_path: object) -> None:
    """SQLite connections use WAL and enforce foreign keys."""
    engine = make_engine(f"sqlite:///{tmp_path}/p.db")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_sqlite_read_only_sessions_leave_the_write_lock_free(tmp_path: object) -> None:
    """A reading session on SQLite does not block a writer, as a long export must not."""
    engine = make_engine(f"sqlite:///{tmp_path}/ro.db")
    upgrade(engine)
    reader = make_sessionmaker(engine, read_only=True)()
    writer = make_sessionmaker(engine)()
    reader.execute(text("SELECT count(*) FROM projects"))  # the reader's transaction is open
    with writer.begin():
        writer.execute(text("SELECT 1"))  # BEGIN IMMEDIATE succeeds at once
    assert reader.in_transaction()
    reader.close()
    writer.close()
    engine.dispose()
