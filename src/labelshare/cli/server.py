"""``init``, ``serve`` and ``demo``: setting up a database and serving it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from labelshare.cli._context import console, context


def init(ctx: typer.Context) -> None:
    """Create or migrate the database to this version's tables."""
    from labelshare.store.migrate import current_revisions, describe, upgrade

    engine = context(ctx).engine(migrated=False)
    before = current_revisions(engine)
    upgrade(engine)
    after = current_revisions(engine)
    url = engine.url.render_as_string(hide_password=True)
    if before == after:
        console.print(f"{url} is up to date (migration {describe(after)})")
    else:
        console.print(f"{url} migrated from {describe(before)} to {describe(after)}")


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Interface to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    workers: Annotated[
        int, typer.Option(help="Worker processes (PostgreSQL for more than one).")
    ] = 1,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every request.")
    ] = True,
) -> None:
    """Serve the API and web app with uvicorn."""
    import os

    import uvicorn

    cli = context(ctx)
    settings = cli.settings.model_copy(
        update={k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    )
    cli.engine()  # fail here, with one line, if the database is not migrated
    if workers > 1:
        # Worker processes import the app factory afresh; they read their settings from
        # the environment, so hand ours over that way.
        os.environ["LABELSHARE_DATABASE_URL"] = settings.database_url
        os.environ["LABELSHARE_MEDIA_DIR"] = str(settings.media_dir)
        # Sign-in messages name host:port unless LABELSHARE_SIWE_DOMAIN says otherwise.
        os.environ["LABELSHARE_HOST"] = settings.host
        os.environ["LABELSHARE_PORT"] = str(settings.port)
        uvicorn.run(
            "labelshare.api.asgi:app",
            host=settings.host,
            port=settings.port,
            workers=workers,
            log_level="info",
            access_log=access_log,
        )
        return
    from labelshare.api import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="info",
        access_log=access_log,
    )


def demo(
    ctx: typer.Context,
    serve_it: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve it afterwards.")
    ] = True,
) -> None:
    """Seed a demo project (idempotent) and serve it on http://127.0.0.1:8000."""
    from labelshare.services.demo import seed_demo
    from labelshare.store.migrate import upgrade

    cli = context(ctx)
    upgrade(cli.engine(migrated=False))
    with cli.session() as session:
        accounts = seed_demo(session)
    table = Table("role", "address", "API token", title="demo accounts")
    for account in accounts:
        table.add_row(account.role, account.address, account.token)
    console.print(table)
    if serve_it:
        serve(ctx)
