"""What every command shares: settings, the database, error reporting, progress bars."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from labelshare.config import Settings
from labelshare.errors import LabelshareError

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


class ErrorReportingGroup(typer.core.TyperGroup):
    """Turns labelshare's errors into one clear line and a non-zero exit, no traceback."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except LabelshareError as exc:
            message = str(exc)
        except OperationalError as exc:
            reason = str(exc.orig).splitlines()[0] if exc.orig is not None else str(exc)
            message = f"database: {reason}"
        err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=1)


@dataclass
class CliContext:
    """Settings of this invocation and the database opened on first use."""

    settings: Settings
    _engine: Engine | None = field(default=None, init=False)
    _sessions: sessionmaker[Session] | None = field(default=None, init=False)

    def engine(self, *, migrated: bool = True) -> Engine:
        """The engine, checked to be migrated unless ``migrated`` is False (for ``init``)."""
        from labelshare.store.migrate import ensure_current
        from labelshare.store.session import make_engine

        if self._engine is None:
            self._engine = make_engine(
                self.settings.database_url, sqlite_synchronous=self.settings.sqlite_synchronous
            )
        if migrated:
            ensure_current(self._engine)
        return self._engine

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        """One unit of work: commits at the end, rolls back on error.

        Args:
            read_only: for commands that only read (exports), so that on SQLite they do
                not hold the write lock that a running server needs.
        """
        from labelshare.store.session import make_sessionmaker, unit_of_work

        if read_only:
            with unit_of_work(make_sessionmaker(self.engine(), read_only=True)) as session:
                yield session
            return
        if self._sessions is None:
            self._sessions = make_sessionmaker(self.engine())
        with unit_of_work(self._sessions) as session:
            yield session

    def close(self) -> None:
        """Dispose of the engine's connections."""
        if self._engine is not None:
            self._engine.dispose()


def context(ctx: typer.Context) -> CliContext:
    """The ``CliContext`` the root callback stored."""
    obj = ctx.find_root().obj
    if not isinstance(obj, CliContext):
        raise RuntimeError("the labelshare root callback did not run")
    return obj


@contextmanager
def progress_bar(description: str, total: int | None) -> Iterator[Any]:
    """A rich progress bar on stderr; yields a function that advances it by n."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)
