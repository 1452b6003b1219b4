"""Settlement on an EVM chain: ``chain deploy|fund|balance|sync|devnode``,
``epoch publish``, ``stake deposit|unbond|withdraw|status`` and ``claim send``.

Keys are read from files (``--key-file``), never taken on the command line; a keystore's
password comes from ``LABELSHARE_KEY_PASSWORD`` or a hidden prompt.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from labelshare.cli._context import ErrorReportingGroup, console, context
from labelshare.cli.devnode import devnode
from labelshare.core.money import format_token_amount, parse_token_amount
from labelshare.errors import InvalidInput, InvalidKeyFile

if TYPE_CHECKING:
    from labelshare.chain import EvmSettlement, KeySigner

chain_app = typer.Typer(help="Deploy and fund labelshare's contracts.", cls=ErrorReportingGroup)
stake_app = typer.Typer(help="Stake tokens as an annotator.", cls=ErrorReportingGroup)

chain_app.command("devnode")(devnode)

PASSWORD_ENV = "LABELSHARE_KEY_PASSWORD"

KeyFile = Annotated[
    Path,
    typer.Option(
        "--key-file",
        help="Hex private key or JSON keystore (password: $LABELSHARE_KEY_PASSWORD or a prompt).",
        exists=True,
        dir_okay=False,
    ),
]
AmountOption = Annotated[str, typer.Option(help="Tokens ('250') or base units ('5wei').")]


@contextmanager
def _node_errors() -> Iterator[None]:
    from labelshare.services.chain import node_errors

    with node_errors():
        yield


def read_key(path: Path) -> KeySigner:
    """Read the key in ``path``, asking for a keystore's password if the environment lacks it.

    Raises:
        InvalidKeyFile: naming the file, never the key.
    """
    from labelshare.services.chain import read_signer

    password = os.environ.get(PASSWORD_ENV)
    try:
        return read_signer(path, password=password)
    except InvalidKeyFile as exc:
        if exc.field != "password" or password is not None:
            raise
    return read_signer(path, password=typer.prompt("keystore password", hide_input=True))


def evm_backend_for(
    ctx: typer.Context, project: str | None, key_file: Path | None
) -> EvmSettlement:
    """The ``evm`` backend of the recorded deployment, operated by ``key_file``'s key if given.

    Raises:
        InvalidInput: if the settlement backend is not ``evm``, or as
            :func:`labelshare.services.chain.evm_backend`.
        ChainError: if the node does not answer.
    """
    from labelshare.services.chain import evm_backend

    settings = context(ctx).settings
    if settings.settlement_backend != "evm":
        raise InvalidInput(
            "settlement_backend: this command needs LABELSHARE_SETTLEMENT_BACKEND=evm",
            field="settlement_backend",
        )
    operator = read_key(key_file) if key_file is not None else None
    with _node_errors():
        return evm_backend(settings, project=project, operator=operator)


def _hex_quantities(transaction: dict[str, Any]) -> dict[str, Any]:
    # eth_sendTransaction takes quantities as 0x hex strings.
    return {
        key: hex(value) if isinstance(value, int) else value for key, value in transaction.items()
    }


@chain_app.command("deploy")
def deploy(
    ctx: typer.Context,
    project: Annotated[str, typer.Option(help="The project the Distributor pays.")],
    key_file: KeyFile,
    rpc_url: Annotated[
        str | None, typer.Option(envvar="LABELSHARE_RPC_URL", help="The chain's JSON-RPC URL.")
    ] = None,
    token: Annotated[
        str | None, typer.Option(help="Pay in this existing ERC-20 instead of a new Token.")
    ] = None,
    unbonding_days: Annotated[
        float, typer.Option(min=0, help="Days between asking stake back and receiving it.")
    ] = 7.0,
) -> None:
    """Deploy Token (unless --token), Distributor and StakeVault for --project.

    The addresses are recorded in $LABELSHARE_CHAIN_DEPLOYMENT_FILE.
    """
    from labelshare.services.chain import deploy_for_project, open_chain
    from labelshare.services.projects import get_project

    cli = context(ctx)
    signer = read_key(key_file)
    with _node_errors(), cli.session() as session:
        target = get_project(session, project)
        record = deploy_for_project(
            open_chain(rpc_url or cli.settings.rpc_url),
            signer,
            target,
            cli.settings.chain_deployment_file,
            token=token,
            unbonding_period_s=round(unbonding_days * 24 * 3600),
        )
    deployment = record.deployment
    console.print(f"deployed for {project} on chain {deployment.chain_id} by {signer.address}")
    console.print(f"token:       {deployment.token}")
    console.print(f"distributor: {deployment.distributor}")
    console.print(f"stake vault: {deployment.stake_vault}")
    console.print(f"recorded in {cli.settings.chain_deployment_file}")


@chain_app.command("fund")
def fund(ctx: typer.Context, project: str, amount: AmountOption, key_file: KeyFile) -> None:
    """Put tokens in the project's Distributor and record them in its escrow.

    labelshare's Token is minted; an existing ERC-20 is sent from the operator's balance.
    """
    from labelshare.services.chain import fund_on_chain
    from labelshare.services.funding import escrow_balance
    from labelshare.services.projects import get_project

    backend = evm_backend_for(ctx, project, key_file)
    with _node_errors(), context(ctx).session() as session:
        target = get_project(session, project)
        result = fund_on_chain(
            session, target, backend, amount=parse_token_amount(amount, field="amount")
        )
        escrow = escrow_balance(session, target)
    console.print(
        f"transaction {result.tx_hash}; escrow of {project}: {format_token_amount(escrow)}"
    )


@chain_app.command("balance")
def balance(ctx: typer.Context, project: str, address: str) -> None:
    """Show ADDRESS's token balance and what the project's Distributor paid it."""
    backend = evm_backend_for(ctx, project, None)
    with _node_errors():
        tokens = backend.token_balance(address)
        claimed = backend.claimed(address)
    console.print(
        f"{address}: holds {format_token_amount(tokens)} tokens; claimed "
        f"{format_token_amount(claimed)} from {project}"
    )


@chain_app.command("sync")
def sync(ctx: typer.Context, project: str) -> None:
    """Record in the journal the claims wallets sent to the Distributor directly."""
    from labelshare.services.chain import sync_claims
    from labelshare.services.projects import get_project

    backend = evm_backend_for(ctx, project, None)
    with _node_errors(), context(ctx).session() as session:
        records = sync_claims(session, get_project(session, project), backend)
        for record in records:
            console.print(f"recorded {format_token_amount(record.amount)} paid to {record.address}")
    console.print(f"{len(records)} claim(s) recorded")


def publish(
    ctx: typer.Context,
    project: str,
    key_file: KeyFile,
    epoch: Annotated[
        int | None, typer.Option(help="Epoch number (default: the latest closed).")
    ] = None,
) -> None:
    """Post the epoch's root (after its slashes) to the Distributor; never twice."""
    from labelshare.services.chain import publish_epoch
    from labelshare.services.projects import get_project

    backend = evm_backend_for(ctx, project, key_file)
    with _node_errors(), context(ctx).session() as session:
        outcome = publish_epoch(session, get_project(session, project), backend, number=epoch)
        row = outcome.publication
        for slash in outcome.slashes:
            state = "slashed" if slash.is_new else "already slashed"
            console.print(
                f"{state} {format_token_amount(slash.amount)} of {slash.address} "
                f"(transaction {slash.tx_hash})"
            )
        if outcome.is_new:
            console.print(
                f"published epoch {row.epoch_number} of {project}: root {row.merkle_root}, "
                f"transaction {row.tx_hash} (block {row.block_number}, {row.gas_used} gas)"
            )
        else:
            console.print(
                f"epoch {row.epoch_number} of {project} was published already "
                f"(transaction {row.tx_hash}); nothing sent"
            )


def send_claim(
    ctx: typer.Context,
    project: str,
    address: str,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            help="Send the claim with this key (anyone may); without it, print the "
            "unsigned transaction for a wallet.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    sender: Annotated[
        str | None, typer.Option(help="Wallet that will send the printed transaction.")
    ] = None,
) -> None:
    """Claim ADDRESS's tokens from the project's Distributor (evm backend)."""
    from labelshare.services.chain import claim_transaction
    from labelshare.services.chain import send_claim as send
    from labelshare.services.projects import get_project

    backend = evm_backend_for(ctx, project, None)
    with _node_errors(), context(ctx).session() as session:
        target = get_project(session, project)
        if key_file is None:
            _, transaction = claim_transaction(session, target, backend, address, sender=sender)
            typer.echo(json.dumps(_hex_quantities(transaction), indent=2))
            return
        claim, result = send(session, target, backend, address, signer=read_key(key_file))
    console.print(
        f"paid {format_token_amount(claim.amount_due)} to {claim.account} "
        f"(epoch {claim.epoch}, transaction {result.tx_hash})"
    )


def _stake_backend(ctx: typer.Context) -> EvmSettlement | None:
    if context(ctx).settings.settlement_backend == "local":
        return None
    return evm_backend_for(ctx, None, None)


@stake_app.command("deposit")
def deposit(ctx: typer.Context, amount: AmountOption, key_file: KeyFile) -> None:
    """Stake tokens of the key's account (approves the vault first when needed)."""
    from labelshare.services.stakes import deposit_stake

    signer = read_key(key_file)
    backend = _stake_backend(ctx)
    with _node_errors(), context(ctx).session() as session:
        deposit_stake(
            session, backend, signer=signer, amount=parse_token_amount(amount, field="amount")
        )
    console.print(f"staked {amount} from {signer.address}")


@stake_app.command("unbond")
def unbond(ctx: typer.Context, amount: AmountOption, key_file: KeyFile) -> None:
    """Ask stake back; 'stake withdraw' pays it once the unbonding period has passed."""
    from labelshare.services.stakes import request_withdrawal, stake_status

    signer = read_key(key_file)
    backend = _stake_backend(ctx)
    with _node_errors(), context(ctx).session() as session:
        request_withdrawal(
            session, backend, signer=signer, amount=parse_token_amount(amount, field="amount")
        )
        status = stake_status(session, backend, signer.address)
    release = f" at Unix time {status.release_time}" if status.release_time else ""
    console.print(f"unbonding {format_token_amount(status.unbonding)}; withdrawable{release}")


@stake_app.command("withdraw")
def withdraw(ctx: typer.Context, key_file: KeyFile) -> None:
    """Receive the stake asked back with 'stake unbond'."""
    from labelshare.services.stakes import withdraw_stake

    signer = read_key(key_file)
    backend = _stake_backend(ctx)
    with _node_errors(), context(ctx).session() as session:
        amount, _ = withdraw_stake(session, backend, signer=signer)
    console.print(f"withdrew {format_token_amount(amount)} to {signer.address}")


@stake_app.command("status")
def status(ctx: typer.Context, address: str) -> None:
    """Show ADDRESS's stake, unbonding amount and release time."""
    from labelshare.services.stakes import stake_status

    backend = _stake_backend(ctx)
    with _node_errors(), context(ctx).session() as session:
        found = stake_status(session, backend, address)
    console.print(
        f"{found.account}: staked {format_token_amount(found.staked)}, unbonding "
        f"{format_token_amount(found.unbonding)}"
        + (f" (release at Unix time {found.release_time})" if found.release_time else "")
    )
