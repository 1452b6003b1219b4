"""``labelshare annotator ...``: accounts of annotators, their domains and tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from labelshare.cli._context import ErrorReportingGroup, console, context

annotator_app = typer.Typer(help="Manage annotator accounts.", cls=ErrorReportingGroup)


@annotator_app.command("add")
def add(
    ctx: typer.Context,
    address: Annotated[str, typer.Argument(help="The annotator's Ethereum address.")],
    domain: Annotated[
        list[str] | None, typer.Option(help="Expertise domain (repeat for several).")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    token: Annotated[
        bool, typer.Option(help="Also create an API token and print it (shown once).")
    ] = False,
) -> None:
    """Add an annotator (or give an existing one more domains)."""
    from labelshare.services.accounts import create_api_token, ensure_account

    with context(ctx).session() as session:
        account = ensure_account(
            session, address, roles=["annotator"], domains=domain or [], display_name=name
        )
        console.print(f"annotator {account.address} (domains: {', '.join(domain or []) or '-'})")
        if token:
            secret, _ = create_api_token(session, account, name="cli")
            console.print(f"token: {secret}", soft_wrap=True)
