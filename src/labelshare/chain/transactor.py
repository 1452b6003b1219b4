"""Signing, sending and confirming contract transactions, with safe retries.

A transaction is signed once; retries re-broadcast the same signed bytes, so a
retry after a lost answer can never execute the call twice (the nonce is spent by
whichever copy lands first). Calls that would revert are refused before signing,
with the contract's own revert message.
"""

from __future__ import annotations

import time
from typing import Any, Final

from eth_typing import HexStr
from eth_utils.crypto import keccak
from web3 import Web3
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import (
    ContractLogicError,
    TimeExhausted,
    TransactionNotFound,
    Web3Exception,
)
from web3.types import TxParams

from labelshare.chain.backend import Signer, TxResult
from labelshare.errors import ChainError

# Transport failures surface as OSError (requests' ConnectionError is one) or as one
# of web3's own exceptions; both are worth another attempt, a revert is not.
_TRANSIENT: Final = (OSError, TimeExhausted, Web3Exception)

ContractCall = ContractFunction | ContractConstructor
"""A bound contract call or a deployment, ready to be turned into a transaction."""


class Transactor:
    """Sends contract calls from signers and waits for their receipts.

    Args:
        w3: a connected Web3 instance.
        receipt_timeout_s: how long to wait for one receipt before re-broadcasting.
        max_attempts: broadcasts of the same signed transaction before giving up.
    """

    def __init__(
        self, w3: Web3, *, receipt_timeout_s: float = 120.0, max_attempts: int = 3
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts: {max_attempts} is below 1")
        self._w3 = w3
        self._receipt_timeout_s = receipt_timeout_s
        self._max_attempts = max_attempts

    def __repr__(self) -> str:
        # The provider is left out: an RPC URL often embeds an API key.
        return f"Transactor(max_attempts={self._max_attempts})"

    def build(self, call: ContractCall, sender: str, *, what: str) -> dict[str, Any]:
        """Build the unsigned transaction for ``call`` from ``sender``, gas estimated.

        Raises:
            ChainError: if the call would revert (the message carries the reason).
        """
        try:
            params: TxParams = {
                "from": Web3.to_checksum_address(sender),
                "chainId": self._w3.eth.chain_id,
            }
            return dict(call.build_transaction(params))
        except ContractLogicError as exc:
            raise ChainError(f"{what} would revert: {exc.message or exc}") from exc

    def send(self, call: ContractCall, signer: Signer, *, what: str) -> TxResult:
        """Sign ``call`` with ``signer``, broadcast it and wait for a successful receipt.

        Args:
            call: the bound contract function.
            signer: who signs and pays gas.
            what: ``Contract.function`` for error messages.

        Returns:
            The mined transaction.

        Raises:
            ChainError: if the call would revert, reverted, or no receipt arrived after
                every attempt.
        """
        transaction = self.build(call, signer.address, what=what)
        transaction["nonce"] = self._w3.eth.get_transaction_count(
            Web3.to_checksum_address(signer.address), "pending"
        )
        raw = signer.sign_transaction(transaction)
        return self.broadcast(raw, what=what)

    def broadcast(self, raw: bytes, *, what: str) -> TxResult:
        """Broadcast a signed transaction until its receipt arrives.

        Raises:
            ChainError: if it reverted or no receipt arrived after every attempt.
        """
        tx_hash = HexStr("0x" + keccak(raw).hex())
        failure = "no attempt made"
        for attempt in range(self._max_attempts):
            if attempt:
                time.sleep(min(2.0**attempt, 30.0))
            try:
                self._w3.eth.send_raw_transaction(raw)
            except _TRANSIENT as exc:
                # Also raised when an earlier copy is already pooled or mined: the
                # receipt lookup below settles which.
                failure = type(exc).__name__
            try:
                self._w3.eth.get_transaction(tx_hash)
            except TransactionNotFound:
                continue
            except _TRANSIENT as exc:
                failure = type(exc).__name__
                continue
            try:
                receipt = self._w3.eth.wait_for_transaction_receipt(
                    tx_hash, timeout=self._receipt_timeout_s
                )
            except _TRANSIENT as exc:
                failure = type(exc).__name__
                continue
            if receipt["status"] != 1:
                raise ChainError(f"{what}: transaction {tx_hash} reverted")
            return TxResult(
                tx_hash=tx_hash,
                block_number=int(receipt["blockNumber"]),
                gas_used=int(receipt["gasUsed"]),
            )
        raise ChainError(
            f"{what}: no receipt for transaction {tx_hash} after "
            f"{self._max_attempts} attempts (last failure: {failure})"
        )
