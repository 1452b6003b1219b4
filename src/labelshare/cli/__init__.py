"""The ``labelshare`` command line: a thin front over ``labelshare.services``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from labelshare.cli._context import CliContext, ErrorReportingGroup

app = typer.Typer(
    name="labelshare",
    help="Data annotation where annotators are paid by quality and own the datasets they build.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=ErrorReportingGroup,
)


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar="LABELSHARE_DATABASE_URL",
            help="Database URL (default: sqlite:///labelshare.db).",
        ),
    ] = None,
    media_dir: Annotated[
        Path | None,
        typer.Option(envvar="LABELSHARE_MEDIA_DIR", help="Folder for imported media files."),
    ] = None,
) -> None:
    from labelshare.config import load_settings

    cli = CliContext(settings=load_settings(database_url=db, media_dir=media_dir))
    ctx.obj = cli
    ctx.call_on_close(cli.close)


# Command registrations (one line per command module).
from labelshare.cli import accounts, aggregate, data, projects, server  # noqa: E402

app.add_typer(projects.app, name="project")
app.add_typer(data.labels_app, name="labels")
app.add_typer(accounts.annotator_app, name="annotator")
app.command("import")(data.import_items)
app.command("export")(data.export)
app.command("init")(server.init)
app.command("serve")(server.serve)
app.command("demo")(server.demo)
app.command("aggregate")(aggregate.aggregate)


def main() -> None:
    """Entry point of the ``labelshare`` console script."""
    app()
