"""Alembic environment: runs on the engine handed over by ``labelshare.store.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from labelshare.store.models import Base

engine: Engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER constraints; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
