"""Connecting to a chain and deploying labelshare's contracts.

Works against any JSON-RPC URL (:func:`connect`) or an in-process py-evm chain
(:func:`labelshare.chain.testchain.connect_in_process`, for tests and benchmarks).
:func:`deploy_contracts` puts Token (unless the project pays in an existing ERC-20),
Distributor and StakeVault on chain and returns a :class:`ChainDeployment` to record;
:class:`labelshare.chain.evm.EvmSettlement` drives them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from eth_typing import HexStr
from eth_utils.address import to_checksum_address
from web3 import Web3

from labelshare.chain import _validate
from labelshare.chain.artifacts import load_artifact
from labelshare.chain.backend import Signer, TxResult
from labelshare.chain.transactor import Transactor
from labelshare.errors import ChainError, InvalidInput


@dataclass(frozen=True)
class ChainDeployment:
    """Where labelshare's contracts live on one chain.

    Attributes:
        chain_id: the chain's EIP-155 id.
        token: address of the ERC-20 that claims and stake are paid in.
        distributor: address of the Distributor.
        stake_vault: address of the StakeVault.
        deployed_block: block of the first deployment; event searches start there.
        token_is_mintable: whether the token is labelshare's Token, whose owner funds
            the distributor by minting (False for an existing ERC-20).
    """

    chain_id: int
    token: str
    distributor: str
    stake_vault: str
    deployed_block: int
    token_is_mintable: bool

    def to_dict(self) -> dict[str, Any]:
        """Return the deployment as JSON-ready values, for recording."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ChainDeployment:
        """Read a deployment recorded with :meth:`to_dict`.

        Raises:
            InvalidInput: if a field is missing or an address is malformed.
        """
        try:
            deployment = cls(**data)
        except TypeError as exc:
            raise InvalidInput(f"deployment: {exc}", field="deployment") from exc
        for field in ("token", "distributor", "stake_vault"):
            _validate.checksum(getattr(deployment, field), field=f"deployment.{field}")
        return deployment


def connect(rpc_url: str, *, timeout_s: float = 30.0) -> Web3:
    """Connect to a JSON-RPC endpoint over HTTP(S).

    Raises:
        ChainError: if the node does not answer. The message omits the URL, which
            often embeds an API key.
    """
    w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout_s}))
    if not w3.is_connected():
        raise ChainError("rpc_url: the node did not answer")
    return w3


def deploy_contract(
    w3: Web3, signer: Signer, name: str, *args: Any, transactor: Transactor | None = None
) -> tuple[str, TxResult]:
    """Deploy one of labelshare's contracts from its shipped artefact.

    Args:
        w3: the chain.
        signer: the deployer, who becomes the contract's owner.
        name: ``"Token"``, ``"Distributor"`` or ``"StakeVault"``.
        *args: constructor arguments.
        transactor: how to send; a default one when None.

    Returns:
        The contract's checksummed address and the deployment transaction.

    Raises:
        ChainError: if the deployment fails.
    """
    artifact = load_artifact(name)
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    sender = transactor or Transactor(w3)
    result = sender.send(factory.constructor(*args), signer, what=f"{name}.deploy")
    receipt = w3.eth.get_transaction_receipt(HexStr(result.tx_hash or ""))
    address = receipt["contractAddress"]
    if address is None:
        raise ChainError(f"{name}.deploy: transaction {result.tx_hash} created no contract")
    return to_checksum_address(address), result


def deploy_contracts(
    w3: Web3,
    signer: Signer,
    *,
    token: str | None = None,
    token_name: str = "labelshare reward",
    token_symbol: str = "LSR",
    unbonding_period_s: int = 7 * 24 * 3600,
) -> ChainDeployment:
    """Deploy Token (unless ``token`` is given), Distributor and StakeVault.

    Args:
        w3: the chain.
        signer: the deployer; owner of every contract and first minter of the Token.
        token: an existing ERC-20 to pay in instead of deploying labelshare's Token.
        token_name: the Token's name (at most 25 characters).
        token_symbol: the Token's symbol (at most 5 characters).
        unbonding_period_s: seconds between a stake withdrawal request and the
            withdrawal.

    Returns:
        The addresses, to be recorded and passed to :class:`EvmSettlement`.

    Raises:
        InvalidAddress: if ``token`` is malformed.
        InvalidInput: if ``unbonding_period_s`` is negative.
        ChainError: if a deployment fails.
    """
    if unbonding_period_s < 0:
        raise InvalidInput(
            f"unbonding_period_s: {unbonding_period_s} is negative", field="unbonding_period_s"
        )
    first_block = w3.eth.block_number + 1
    if token is None:
        token, _ = deploy_contract(w3, signer, "Token", token_name, token_symbol, token_name, "1")
        mintable = True
    else:
        token = _validate.checksum(token, field="token")
        mintable = False
    distributor, _ = deploy_contract(w3, signer, "Distributor", token)
    stake_vault, _ = deploy_contract(w3, signer, "StakeVault", token, unbonding_period_s)
    return ChainDeployment(
        chain_id=w3.eth.chain_id,
        token=token,
        distributor=distributor,
        stake_vault=stake_vault,
        deployed_block=first_block,
        token_is_mintable=mintable,
    )
