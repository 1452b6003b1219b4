"""Settlement on an EVM chain: the recorded deployment, publishing epochs, claims, slashes.

The ``evm`` backend (:class:`labelshare.chain.EvmSettlement`) pays one project's claims
from one Distributor: a Distributor keeps one cumulative tree, so two projects sharing
it would mix their payouts. ``labelshare chain deploy`` therefore records the project a
deployment serves (:class:`RecordedDeployment`), and every call here checks it.

Money on the chain mirrors the ledger: the project's escrow is held by its Distributor
(:func:`fund_on_chain` mints or transfers tokens there as it records the deposit),
stake is held by the StakeVault (:mod:`labelshare.services.stakes` records each
deposit and withdrawal in the journal too, so that epoch close can slash it), and the
slashes an epoch close journals become ``slash`` calls that send the stake to the
Distributor (:func:`apply_slashes`), and a licence's price is paid into the
Distributor from the payer's wallet (:func:`buy_licence_on_chain`), where the next
epoch's royalties are claimed from. Every chain action is confirmed before its row is
written, and looked up on chain before it is sent, so a retry never repeats one.

Publishing lives in :mod:`~labelshare.services.chain_publishing` and claims in
:mod:`~labelshare.services.chain_claims`; their public names are re-exported here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from web3 import Web3
from web3.exceptions import Web3Exception

from labelshare.chain import (
    ChainDeployment,
    EvmSettlement,
    KeySigner,
    SettlementBackend,
    Signer,
    TxResult,
    connect,
    deploy_contracts,
    load_key_file,
)
from labelshare.config import Settings
from labelshare.errors import ChainError, Conflict, InvalidInput
from labelshare.services.chain_claims import (
    build_claim,
    claim_transaction,
    send_claim,
    sync_claims,
)
from labelshare.services.chain_publishing import (
    EpochPublication,
    SlashOutcome,
    apply_slashes,
    publish_epoch,
)
from labelshare.services.claims import local_backend
from labelshare.services.funding import fund_project
from labelshare.services.licences import buy_licence
from labelshare.store.models import LicencePayment, Project

__all__ = [
    "EpochPublication",
    "RecordedDeployment",
    "SlashOutcome",
    "apply_slashes",
    "build_claim",
    "buy_licence_on_chain",
    "claim_transaction",
    "deploy_for_project",
    "evm_backend",
    "fund_on_chain",
    "node_errors",
    "open_chain",
    "publish_epoch",
    "read_deployment",
    "read_signer",
    "send_claim",
    "settlement_backend",
    "sync_claims",
]


@dataclass(frozen=True)
class RecordedDeployment:
    """A deployment as ``labelshare chain deploy`` records it: the contracts and their project.

    Attributes:
        project: name of the project whose claims the Distributor pays.
        deployment: the contracts' addresses.
    """

    project: str
    deployment: ChainDeployment

    def to_json(self) -> dict[str, Any]:
        """The record as one flat JSON object: the deployment's fields plus ``project``."""
        return {"project": self.project, **self.deployment.to_dict()}


def read_deployment(path: Path) -> RecordedDeployment:
    """Read a deployment recorded by :func:`deploy_for_project`.

    Raises:
        InvalidInput: if the file is missing, not JSON, or lacks a field.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(
            f"chain_deployment_file: {path} does not exist; run 'labelshare chain deploy' "
            "or set LABELSHARE_CHAIN_DEPLOYMENT_FILE",
            field="chain_deployment_file",
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(
            f"chain_deployment_file: cannot read {path} ({type(exc).__name__})",
            field="chain_deployment_file",
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("project"), str):
        raise InvalidInput(
            f"chain_deployment_file: {path} does not name its project",
            field="chain_deployment_file",
        )
    project = data.pop("project")
    return RecordedDeployment(project=project, deployment=ChainDeployment.from_dict(data))


def deploy_for_project(
    w3: Web3,
    signer: Signer,
    project: Project,
    path: Path,
    *,
    token: str | None = None,
    unbonding_period_s: int = 7 * 24 * 3600,
) -> RecordedDeployment:
    """Deploy the contracts that settle ``project`` and record them in ``path``.

    Args:
        w3: the chain.
        signer: the deployer, who becomes the operator (owner of every contract).
        project: the project the Distributor will pay.
        path: the JSON file to write; it must not exist yet.
        token: an existing ERC-20 to pay in instead of a new labelshare Token.
        unbonding_period_s: StakeVault's delay between asking stake back and receiving it.

    Returns:
        The recorded deployment.

    Raises:
        Conflict: if ``path`` exists (its contracts may hold published roots).
        InvalidAddress: if ``token`` is malformed.
        ChainError: if a deployment fails.
    """
    if path.exists():
        raise Conflict(f"chain_deployment_file: {path} exists already; move it away to deploy anew")
    deployment = deploy_contracts(w3, signer, token=token, unbonding_period_s=unbonding_period_s)
    record = RecordedDeployment(project=project.name, deployment=deployment)
    path.write_text(json.dumps(record.to_json(), indent=2) + "\n", encoding="utf-8")
    return record


@contextmanager
def node_errors() -> Iterator[None]:
    """Turn failures of the node or its transport into :class:`ChainError`.

    A transport error's text is dropped: it can quote the RPC URL, which often embeds
    an API key. A node's own error (e.g. insufficient funds for gas) is kept.

    Raises:
        ChainError: instead of ``OSError`` or a web3 exception.
    """
    try:
        yield
    except OSError as exc:
        raise ChainError(f"rpc_url: the node did not answer ({type(exc).__name__})") from None
    except Web3Exception as exc:
        raise ChainError(f"node: {exc}") from None


def open_chain(rpc_url: str | None) -> Web3:
    """Connect to the chain at ``rpc_url``.

    Raises:
        InvalidInput: if no URL is given.
        ChainError: if the node does not answer (the message omits the URL).
    """
    if not rpc_url:
        raise InvalidInput("rpc_url: set LABELSHARE_RPC_URL or pass --rpc-url", field="rpc_url")
    return connect(rpc_url)


def read_signer(path: Path, *, password: str | None = None) -> KeySigner:
    """Read the key in ``path`` (hex or encrypted keystore); see :func:`load_key_file`.

    Raises:
        InvalidKeyFile: naming the file and, for a keystore without its password,
            the field ``password``; never the key.
    """
    return load_key_file(path, password=password)


def evm_backend(
    settings: Settings,
    *,
    project: str | None = None,
    operator: Signer | None = None,
    w3: Web3 | None = None,
) -> EvmSettlement:
    """The ``evm`` backend of the recorded deployment.

    Args:
        settings: ``rpc_url`` and ``chain_deployment_file`` are read.
        project: the project about to be settled; checked against the deployment's.
        operator: the contracts' owner, for publishing, funding and slashing.
        w3: an open connection (an in-process chain); ``settings.rpc_url`` when None.

    Raises:
        InvalidInput: if no RPC URL or deployment is configured, or the deployment pays
            another project.
        ChainError: if the node does not answer or serves another chain.
    """
    record = read_deployment(settings.chain_deployment_file)
    if project is not None and project != record.project:
        raise InvalidInput(
            f"project: {project!r} is not settled by {settings.chain_deployment_file}, "
            f"which pays {record.project!r}",
            field="project",
        )
    if w3 is None:
        w3 = open_chain(settings.rpc_url)
    return EvmSettlement(w3, record.deployment, operator=operator)


def settlement_backend(
    settings: Settings,
    session: Session,
    project: Project,
    *,
    operator: Signer | None = None,
    w3: Web3 | None = None,
) -> SettlementBackend:
    """The backend ``settings.settlement_backend`` names, for ``project``.

    Raises:
        InvalidInput, ChainError: as :func:`evm_backend` for the ``evm`` backend.
    """
    if settings.settlement_backend == "local":
        return local_backend(session, project)
    return evm_backend(settings, project=project.name, operator=operator, w3=w3)


# -- funding -----------------------------------------------------------------------


def fund_on_chain(
    session: Session, project: Project, backend: EvmSettlement, *, amount: int
) -> TxResult:
    """Put ``amount`` tokens in the project's Distributor and record the escrow deposit.

    The chain moves first: if the database then fails, the Distributor holds more than
    the ledger says, never less.

    Raises:
        InvalidInput: if ``amount`` is not a positive integer.
        ChainError: if the mint or transfer fails.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput(f"amount: {amount!r} must be a positive integer", field="amount")
    result = backend.fund(amount)
    fund_project(session, project, amount=amount)
    return result


def buy_licence_on_chain(
    session: Session,
    project: Project,
    backend: EvmSettlement,
    *,
    payer: Signer,
    buyer: str,
    amount: int,
) -> tuple[LicencePayment, TxResult]:
    """Record a licence sold to ``buyer`` and move its price into the Distributor.

    The payment is recorded (and checked) first, then ``payer``'s tokens are sent; the
    caller's unit of work commits both or, if the transfer fails, neither. The payer is
    usually the buyer, but may be anyone paying on the buyer's behalf.

    Args:
        session: the unit of work.
        project: the dataset's project.
        backend: the ``evm`` backend paying ``project``'s claims.
        payer: the key whose tokens pay the price.
        buyer: the buyer's address, as the journal records it.
        amount: the price in base units, > 0.

    Returns:
        The stored payment and the token transfer.

    Raises:
        InvalidInput: if ``amount`` is not a positive integer.
        InvalidAddress: if ``buyer`` is malformed.
        ChainError: if the payer holds too few tokens or the transfer fails.
    """
    payment = buy_licence(session, project, buyer=buyer, amount=amount)
    return payment, backend.pay_in(amount, signer=payer)
