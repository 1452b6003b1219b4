"""An in-process py-evm chain that answers like a real node, for tests and benchmarks.

Needs ``eth-tester[py-evm]`` (the ``dev`` extra). web3's ``EthereumTesterProvider``
raises eth-tester's own ``TransactionFailed`` on a revert, where a node answers with
a JSON-RPC error that web3 turns into ``ContractLogicError``; :class:`InProcessProvider`
answers the node's way, so code under test handles reverts exactly as in production.

eth-tester estimates gas by bisection, running the transaction some twenty times, which
dominates the time of a test that sends hundreds of transactions. The provider instead
runs it once as a call (so a revert is still reported before signing) and answers a
fixed :data:`GAS_ESTIMATE`; unused gas is refunded, so receipts, and every figure read
from them, are unaffected.
"""

from __future__ import annotations

from typing import Any, cast

from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.backends.pyevm.main import get_default_account_keys
from eth_tester.exceptions import TransactionFailed
from web3 import EthereumTesterProvider, Web3
from web3.types import RPCEndpoint, RPCResponse

from labelshare.chain.keys import KeySigner

# Geth's JSON-RPC error code for a revert with a reason.
_REVERT_CODE = 3

GAS_ESTIMATE = 8_000_000
"""The gas limit answered to every ``eth_estimateGas``: above any single transaction
labelshare sends, below the in-process chain's block gas limit."""


class InProcessProvider(EthereumTesterProvider):
    """An ``EthereumTesterProvider`` whose reverts come back as JSON-RPC errors."""

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        """Answer one request; a revert becomes an error response with its reason."""
        try:
            if method == "eth_estimateGas":
                super().make_request(RPCEndpoint("eth_call"), [params[0], "pending"])
                return cast(RPCResponse, {"id": 0, "jsonrpc": "2.0", "result": GAS_ESTIMATE})
            return super().make_request(method, params)
        except TransactionFailed as exc:
            return cast(
                RPCResponse,
                {
                    "id": 0,
                    "jsonrpc": "2.0",
                    "error": {"code": _REVERT_CODE, "message": str(exc), "data": None},
                },
            )


def connect_in_process() -> tuple[Web3, list[KeySigner]]:
    """Start a fresh in-process chain.

    Returns:
        The connection and signers for its ten pre-funded accounts.
    """
    provider = InProcessProvider(EthereumTester(PyEVMBackend()))
    return Web3(provider), [
        KeySigner.from_key(key.to_bytes()) for key in get_default_account_keys()
    ]


def tester_of(w3: Web3) -> EthereumTester:
    """Return the eth-tester instance behind an in-process connection (for time travel
    and snapshots).

    Raises:
        TypeError: if ``w3`` is not connected to an in-process chain.
    """
    if not isinstance(w3.provider, EthereumTesterProvider):
        raise TypeError("w3: not connected to an in-process chain")
    return w3.provider.ethereum_tester
