"""Settlement backends: where epoch roots are published and claims are paid.

:class:`SettlementBackend` is the interface services use. The ``evm`` backend
(:class:`EvmSettlement`) drives labelshare's Vyper contracts (``contracts/``, compiled
into ``artifacts/``) with web3.py; :func:`deploy_contracts` puts them on a chain.
Keys come from files via :func:`load_key_file` and never appear in logs or errors.
"""

from labelshare.chain.backend import (
    Claim,
    PublishedRoot,
    SettlementBackend,
    Signer,
    StakeStatus,
    TxResult,
)
from labelshare.chain.deploy import ChainDeployment, connect, deploy_contract, deploy_contracts
from labelshare.chain.evm import EvmSettlement
from labelshare.chain.keys import KeySigner, load_key_file

__all__ = [
    "ChainDeployment",
    "Claim",
    "EvmSettlement",
    "KeySigner",
    "PublishedRoot",
    "SettlementBackend",
    "Signer",
    "StakeStatus",
    "TxResult",
    "connect",
    "deploy_contract",
    "deploy_contracts",
    "load_key_file",
]
