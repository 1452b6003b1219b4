"""An in-process py-evm chain with labelshare's contracts, reset between tests.

The chain and the deployment are made once per module; every test starts from a
snapshot taken right after deployment, so no test sees another's transactions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from eth_account import Account
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.types import Nonce, TxParams, Wei

from labelshare.chain.deploy import ChainDeployment, deploy_contracts
from labelshare.chain.evm import EvmSettlement
from labelshare.chain.keys import KeySigner
from labelshare.chain.testchain import connect_in_process, tester_of

UNBONDING_PERIOD_S = 3 * 24 * 3600
"""The StakeVault's unbonding period on the test chain."""

ANNOTATOR_ETH_WEI = 10**18
"""Gas money given to each annotator key."""


@dataclass(frozen=True)
class TestChain:
    """A deployed chain: connection, operator (owner of everything) and other keys."""

    __test__ = False  # a fixture value, not a test class

    w3: Web3
    deployment: ChainDeployment
    settlement: EvmSettlement
    operator: KeySigner
    others: tuple[KeySigner, ...]

    def time_travel(self, seconds: int) -> None:
        """Move the timestamp of the next block ``seconds`` later."""
        pending = int(self.w3.eth.get_block("pending")["timestamp"])
        tester_of(self.w3).time_travel(pending + seconds)

    def new_annotator(self, eth_wei: int = ANNOTATOR_ETH_WEI) -> KeySigner:
        """Make a fresh key and send it gas money from the operator."""
        signer = KeySigner(Account.create())
        tx: dict[str, Any] = {
            "to": signer.address,
            "value": eth_wei,
            "gas": 21_000,
            "maxFeePerGas": 10**10,
            "maxPriorityFeePerGas": 1,
            "nonce": self.w3.eth.get_transaction_count(
                Web3.to_checksum_address(self.operator.address)
            ),
            "chainId": self.w3.eth.chain_id,
            "type": 2,
        }
        self.w3.eth.send_raw_transaction(self.operator.sign_transaction(tx))
        return signer

    def send_many(self, calls: list[ContractFunction], signer: KeySigner) -> None:
        """Send many calls from one signer, without gas estimation or receipts.

        For bulk set-up only: the caller checks the outcome on chain (a reverted call
        still spends its nonce, so the rest are sent regardless).
        """
        nonce = self.w3.eth.get_transaction_count(Web3.to_checksum_address(signer.address))
        chain_id = self.w3.eth.chain_id
        for offset, call in enumerate(calls):
            params: TxParams = {
                "from": Web3.to_checksum_address(signer.address),
                "nonce": Nonce(nonce + offset),
                "gas": 500_000,
                "maxFeePerGas": Wei(10**10),
                "maxPriorityFeePerGas": Wei(1),
                "chainId": chain_id,
            }
            self.w3.eth.send_raw_transaction(
                signer.sign_transaction(call.build_transaction(params))
            )


@pytest.fixture(scope="module")
def deployed_chain() -> TestChain:
    """Deploy Token, Distributor and StakeVault once for the module."""
    w3, signers = connect_in_process()
    operator, *others = signers
    deployment = deploy_contracts(w3, operator, unbonding_period_s=UNBONDING_PERIOD_S)
    settlement = EvmSettlement(w3, deployment, operator=operator)
    return TestChain(w3, deployment, settlement, operator, tuple(others))


@pytest.fixture
def chain(deployed_chain: TestChain) -> Iterator[TestChain]:
    """The module's chain, rolled back to just after deployment when the test ends."""
    snapshot = tester_of(deployed_chain.w3).take_snapshot()
    yield deployed_chain
    tester_of(deployed_chain.w3).revert_to_snapshot(snapshot)
