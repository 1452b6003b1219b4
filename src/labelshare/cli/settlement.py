"""Settlement commands: ``epoch close``, ``project fund``, ``license buy``, ``claim``,
``audit`` and ``simulate``."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from labelshare.cli._context import ErrorReportingGroup, console, context, progress_bar
from labelshare.core.money import format_token_amount, parse_token_amount
from labelshare.errors import InvalidInput

if TYPE_CHECKING:
    from labelshare.chain import EvmSettlement
    from labelshare.incentives import EpochSettlement
    from labelshare.store.models import Epoch


class _ClaimGroup(ErrorReportingGroup):
    """``claim PROJECT ADDRESS`` pays; ``claim proof|verify ...`` are subcommands."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]  # typer vendors click; its Context is this one at run time
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["pay", *args]
        return super().parse_args(ctx, args)


epoch_app = typer.Typer(help="Close and inspect settlement epochs.", cls=ErrorReportingGroup)
license_app = typer.Typer(help="Sell dataset licences.", cls=ErrorReportingGroup)
claim_app = typer.Typer(
    help="Claim earnings: 'claim PROJECT ADDRESS' pays what is due (local backend).",
    cls=_ClaimGroup,
)

OptionalKeyFile = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        help="evm backend: hex private key or JSON keystore of the account that signs "
        "(password: $LABELSHARE_KEY_PASSWORD or a prompt).",
        exists=True,
        dir_okay=False,
    ),
]


def _amount(text: str) -> int:
    return parse_token_amount(text, field="amount")


def _is_evm(ctx: typer.Context, key_file: Path | None) -> bool:
    """Whether the command runs on the evm backend; a key file means nothing elsewhere."""
    is_evm = context(ctx).settings.settlement_backend == "evm"
    if key_file is not None and not is_evm:
        raise InvalidInput(
            "key_file: only the evm backend signs transactions; drop --key-file or set "
            "LABELSHARE_SETTLEMENT_BACKEND=evm",
            field="key_file",
        )
    return is_evm


@epoch_app.command("close")
def close(
    ctx: typer.Context,
    project: str,
    estimator: Annotated[str, typer.Option(help="Truth-inference method.")] = "auto",
    key_file: OptionalKeyFile = None,
) -> None:
    """Settle the project's annotations since its last epoch (one transaction).

    On the evm backend, --key-file (the operator's) then sends the epoch's slashes to
    the StakeVault; 'epoch publish' sends any that are still missing.
    """
    from labelshare.cli.chain import evm_backend_for
    from labelshare.services.epochs import close_epoch
    from labelshare.services.projects import get_project

    # The backend is opened first so that a bad key or node fails before anything closes.
    slasher = None
    if _is_evm(ctx, key_file) and key_file is not None:
        slasher = evm_backend_for(ctx, project, key_file)
    with context(ctx).session() as session:
        outcome = close_epoch(session, get_project(session, project), estimator=estimator)
        number = outcome.epoch.number
        if outcome.is_new and outcome.settlement is not None:
            console.print(
                _epoch_table(project, outcome.epoch, outcome.settlement, outcome.timings_s)
            )
        else:
            console.print(f"nothing new since epoch {number}; it stays as it was")
    if slasher is not None:
        # A second unit of work: a slash that fails leaves the epoch closed, and
        # 'epoch publish' (or this command again) sends what is missing.
        _send_slashes(ctx, project, number, slasher)


def _epoch_table(
    project: str, epoch: Epoch, settlement: EpochSettlement, timings_s: Mapping[str, float]
) -> Table:
    table = Table(title=f"{project}: epoch {epoch.number}")
    table.add_column("what")
    table.add_column("value", justify="right")
    table.add_row("labels", str(sum(settlement.label_counts)))
    table.add_row("annotators", str(len(settlement.addresses)))
    table.add_row("rewards paid", format_token_amount(sum(settlement.rewards)))
    table.add_row("slashed", format_token_amount(sum(settlement.slashes)))
    table.add_row("royalties", format_token_amount(sum(settlement.royalties.values())))
    table.add_row("escrow left", format_token_amount(settlement.escrow_balance))
    table.add_row("merkle root", epoch.merkle_root or "-")
    table.add_row("report sha256", epoch.report_sha256 or "-")
    for step, seconds in timings_s.items():
        table.add_row(f"time: {step}", f"{seconds:.3f} s")
    return table


def _send_slashes(ctx: typer.Context, project: str, number: int, backend: EvmSettlement) -> None:
    from labelshare.services.chain import apply_slashes, node_errors
    from labelshare.services.epochs import get_epoch
    from labelshare.services.projects import get_project

    with node_errors(), context(ctx).session() as session:
        target = get_project(session, project)
        epoch = get_epoch(session, target, number)
        slashes = apply_slashes(session, target, backend, epoch=epoch)
        for slash in slashes:
            state = "slashed" if slash.is_new else "already slashed"
            console.print(
                f"{state} {format_token_amount(slash.amount)} of {slash.address} "
                f"(transaction {slash.tx_hash})"
            )
    console.print(f"epoch {number}: {len(slashes)} slash(es) on chain")


@epoch_app.command("list")
def list_closed(ctx: typer.Context, project: str) -> None:
    """List the project's closed epochs with their roots."""
    from labelshare.services.epochs import list_epochs
    from labelshare.services.projects import get_project

    with context(ctx).session() as session:
        table = Table(title=f"{project}: epochs")
        for column in ("epoch", "annotations", "closed", "merkle root"):
            table.add_column(column)
        for epoch in list_epochs(session, get_project(session, project)):
            table.add_row(
                str(epoch.number),
                f"{epoch.first_annotation_id} < id <= {epoch.last_annotation_id}",
                epoch.closed_at.isoformat(timespec="seconds") if epoch.closed_at else "-",
                epoch.merkle_root or "-",
            )
        console.print(table)


def fund(
    ctx: typer.Context,
    project: str,
    amount: Annotated[str, typer.Option(help="Tokens ('250') or base units ('5wei').")],
    funder: Annotated[
        str | None, typer.Option(help="Depositor's address (default: the project's owner).")
    ] = None,
) -> None:
    """Record a deposit into the project's escrow (local backend: an admin-recorded deposit)."""
    from labelshare.services.accounts import get_account
    from labelshare.services.funding import escrow_balance, fund_project
    from labelshare.services.projects import get_project

    with context(ctx).session() as session:
        target = get_project(session, project)
        account = get_account(session, funder) if funder else None
        fund_project(session, target, amount=_amount(amount), funder=account)
        console.print(
            f"escrow of {project}: {format_token_amount(escrow_balance(session, target))}"
        )


@license_app.command("buy")
def buy(
    ctx: typer.Context,
    project: str,
    buyer: Annotated[str, typer.Option(help="Buyer's address.")],
    amount: Annotated[str, typer.Option(help="Price in tokens or base units ('5wei').")],
    key_file: OptionalKeyFile = None,
) -> None:
    """Record a licence purchase; the next epoch close pays it to the shareholders.

    On the evm backend the price must reach the Distributor that pays the royalties:
    --key-file names the wallet (usually the buyer's) whose tokens are sent there.
    """
    from labelshare.services.licences import buy_licence
    from labelshare.services.projects import get_project

    if _is_evm(ctx, key_file):
        _buy_on_chain(ctx, project, buyer=buyer, amount=_amount(amount), key_file=key_file)
        return
    with context(ctx).session() as session:
        payment = buy_licence(
            session, get_project(session, project), buyer=buyer, amount=_amount(amount)
        )
        console.print(
            f"licence {payment.id}: {format_token_amount(payment.amount)} from {payment.buyer}"
        )


def _buy_on_chain(
    ctx: typer.Context, project: str, *, buyer: str, amount: int, key_file: Path | None
) -> None:
    from labelshare.cli.chain import evm_backend_for, read_key
    from labelshare.services.chain import buy_licence_on_chain, node_errors
    from labelshare.services.projects import get_project

    if key_file is None:
        raise InvalidInput(
            "key_file: on the evm backend the price is paid into the Distributor; pass "
            "--key-file of the wallet that pays it",
            field="key_file",
        )
    backend = evm_backend_for(ctx, project, None)
    payer = read_key(key_file)
    with node_errors(), context(ctx).session() as session:
        payment, result = buy_licence_on_chain(
            session, get_project(session, project), backend, payer=payer, buyer=buyer, amount=amount
        )
        console.print(
            f"licence {payment.id}: {format_token_amount(payment.amount)} from {payment.buyer}, "
            f"paid by {payer.address} into the Distributor (transaction {result.tx_hash})"
        )


@claim_app.command("proof")
def proof(ctx: typer.Context, project: str, address: str) -> None:
    """Print amount, proof and root of ADDRESS under the project's latest root (JSON)."""
    from labelshare.services.claims import claim_proof
    from labelshare.services.projects import get_project

    with context(ctx).session() as session:
        found = claim_proof(session, get_project(session, project), address)
    typer.echo(json.dumps(found.to_json(), indent=2))


def _read_proof(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8") if str(path) != "-" else sys.stdin.read()
        data = json.loads(text)
    except (OSError, json.JSONDecodeError) as exc:
        raise InvalidInput(
            f"proof_file: cannot read JSON from {path}: {exc}", field="proof_file"
        ) from exc
    if not isinstance(data, dict):
        raise InvalidInput("proof_file: expected a JSON object", field="proof_file")
    return data


@claim_app.command("verify")
def verify(
    proof_file: Annotated[
        Path, typer.Argument(help="JSON printed by 'claim proof' ('-' for stdin).")
    ],
    root: Annotated[
        str | None, typer.Option(help="Check against this root (e.g. the one on chain).")
    ] = None,
) -> None:
    """Check a proof offline: exit 0 if (address, amount) is a leaf of the root."""
    from labelshare.services.claims import verify_claim

    data = _read_proof(proof_file)
    try:
        amount = int(str(data["amount"]))
        is_valid = verify_claim(
            root=root or str(data["root"]),
            address=str(data["address"]),
            amount=amount,
            proof=[str(node) for node in data["proof"]],
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise InvalidInput(f"proof_file: missing or bad field ({exc})", field="proof_file") from exc
    if not is_valid:
        console.print("[bold red]invalid[/]: the proof does not lead to the root")
        raise typer.Exit(code=1)
    console.print(f"valid: {data['address']} may claim {format_token_amount(amount)} in total")


@claim_app.command("pay")
def pay(ctx: typer.Context, project: str, address: str) -> None:
    """Pay ADDRESS what is due in PROJECT (local backend)."""
    from labelshare.services.claims import claim
    from labelshare.services.projects import get_project

    if context(ctx).settings.settlement_backend == "evm":
        # A local payment would be journalled while no token moves on chain.
        raise InvalidInput(
            "settlement_backend: on the evm backend claims are paid by the Distributor; use "
            f"'labelshare claim send {project} {address}'",
            field="settlement_backend",
        )

    with context(ctx).session() as session:
        record = claim(session, get_project(session, project), address)
        console.print(f"paid {format_token_amount(record.amount)} to {record.address}")


def audit(
    ctx: typer.Context,
    project: Annotated[
        str | None, typer.Option(help="Recompute only this project's epochs.")
    ] = None,
) -> None:
    """Recompute every epoch from the stored annotations; name the first difference."""
    from labelshare.services.audit import audit as run_audit
    from labelshare.services.projects import get_project

    with context(ctx).session() as session:
        target = get_project(session, project) if project else None
        report = run_audit(session, project=target)
        session.rollback()
    if report.finding is not None:
        console.print(f"[bold red]audit failed[/]: {report.finding}", highlight=False)
        raise typer.Exit(code=1)
    console.print(
        f"audit passed: {report.entries} journal entries, {report.annotations} annotations, "
        f"{report.epochs} epochs recomputed"
    )


def simulate(
    config: Annotated[
        Path | None, typer.Option(help="Scenario TOML file (default: the built-in scenario).")
    ] = None,
    out: Annotated[Path, typer.Option(help="Folder for report.md, plots and summary.json.")] = Path(
        "sim-out"
    ),
    seed: Annotated[int | None, typer.Option(help="Override the scenario's seed.")] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--scenario",
            help="Market to simulate: classification or preference (overrides the file).",
        ),
    ] = None,
) -> None:
    """Run the market simulator and write a report comparing pay rules."""
    from labelshare.sim import load_config, run_simulation, write_report

    overrides = {} if kind is None else {"scenario": kind}
    scenario = load_config(config, seed=seed, **overrides)
    with progress_bar("simulating", total=scenario.total_steps()) as advance:
        result = run_simulation(scenario, on_progress=advance)
    paths = write_report(result, out)
    console.print(f"wrote {paths.report} and {paths.summary}")
