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
from labelshare.cli import (  # noqa: E402
    accounts,
    aggregate,
    chain,
    data,
    preference,
    projects,
    server,
    settlement,
)

app.add_typer(projects.app, name="project")
app.add_typer(data.labels_app, name="labels")
app.add_typer(accounts.annotator_app, name="annotator")
app.command("import")(data.import_items)
app.command("export")(data.export)
app.command("init")(server.init)
app.command("serve")(server.serve)
app.command("demo")(server.demo)
app.command("aggregate")(aggregate.aggregate)
app.add_typer(settlement.epoch_app, name="epoch")
projects.app.command("fund")(settlement.fund)
app.add_typer(settlement.license_app, name="license")
app.add_typer(settlement.claim_app, name="claim")
app.add_typer(preference.preference_app, name="preference")
app.command("audit")(settlement.audit)
app.command("simulate")(settlement.simulate)
app.add_typer(chain.chain_app, name="chain")
app.add_typer(chain.stake_app, name="stake")
settlement.epoch_app.command("publish")(chain.publish)
settlement.claim_app.command("send")(chain.send_claim)


def main() -> None:
    """Entry point of the ``labelshare`` console script."""
    app()
