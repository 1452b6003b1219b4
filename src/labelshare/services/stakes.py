"""Annotators' stake on either backend, with the journal kept in step with the chain.

Epoch close slashes the stake the journal holds (``stake:<address>``), so every stake
movement is journalled whichever backend holds the tokens. With the ``evm`` backend
the StakeVault moves the tokens first and the journal follows; with the ``local``
backend the journal entry is the movement. Stake asked back sits in
``unbonding:<address>`` until withdrawn; settlement no longer slashes it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from labelshare.chain import EvmSettlement, SettlementBackend, Signer, StakeStatus, TxResult
from labelshare.chain.local import unbonding_account
from labelshare.core.ids import checksum_address
from labelshare.errors import InvalidInput, SettlementError
from labelshare.ledger import EntryDraft, Posting, external_account, stake_account
from labelshare.services.funding import deposit_stake as record_stake_deposit
from labelshare.services.journal import append_entries, balance_of

__all__ = ["deposit_stake", "request_withdrawal", "stake_status", "withdraw_stake"]


def _positive(amount: int) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput(f"amount: {amount!r} must be a positive integer", field="amount")
    return amount


def _journal_move(session: Session, kind: str, source: str, target: str, amount: int) -> None:
    append_entries(
        session,
        [EntryDraft(kind, f"{kind} {amount}", (Posting(source, -amount), Posting(target, amount)))],
        project_id=None,
    )


def deposit_stake(
    session: Session, backend: SettlementBackend | None, *, signer: Signer, amount: int
) -> TxResult | None:
    """Stake ``amount`` of ``signer``'s tokens.

    Args:
        session: the unit of work.
        backend: the ``evm`` backend to move the tokens on, or None for the local one
            (the deposit is only recorded).
        signer: the staker.
        amount: base units, > 0.

    Returns:
        The chain transaction, None with the local backend.

    Raises:
        InvalidInput: if ``amount`` is not positive.
        ChainError: if the approval or deposit fails.
    """
    _positive(amount)
    result = backend.deposit_stake(amount, signer=signer) if backend is not None else None
    record_stake_deposit(session, signer.address, amount=amount)
    return result


def request_withdrawal(
    session: Session, backend: SettlementBackend | None, *, signer: Signer, amount: int
) -> TxResult | None:
    """Start unbonding ``amount`` of ``signer``'s stake.

    Raises:
        InvalidInput: if ``amount`` is not positive.
        NegativeBalance: if the journal holds less stake than ``amount``.
        ChainError: if the vault holds less or the transaction fails.
    """
    _positive(amount)
    address = checksum_address(signer.address)
    held = balance_of(session, stake_account(address))
    if held < amount:
        raise SettlementError(f"amount: {amount} exceeds the {held} base units {address} staked")
    result = backend.request_withdrawal(amount, signer=signer) if backend is not None else None
    _journal_move(session, "unstake", stake_account(address), unbonding_account(address), amount)
    return result


def withdraw_stake(
    session: Session, backend: SettlementBackend | None, *, signer: Signer
) -> tuple[int, TxResult | None]:
    """Pay ``signer`` the stake it asked back (on chain: once the unbonding delay passed).

    Returns:
        The base units paid out and the chain transaction (None with the local backend).

    Raises:
        SettlementError: if nothing is unbonding.
        ChainError: if the delay has not passed or the transaction fails.
    """
    address = checksum_address(signer.address)
    amount = balance_of(session, unbonding_account(address))
    if isinstance(backend, EvmSettlement):
        amount = backend.stake_status(address).unbonding
    if amount <= 0:
        raise SettlementError(f"address: {address} has no stake unbonding")
    result = backend.withdraw_stake(signer=signer) if backend is not None else None
    held = balance_of(session, unbonding_account(address))
    _journal_move(
        session,
        "withdraw",
        unbonding_account(address),
        external_account(address),
        min(amount, held),
    )
    return amount, result


def stake_status(session: Session, backend: SettlementBackend | None, address: str) -> StakeStatus:
    """``address``'s stake: from the chain with a backend, from the journal without one.

    Raises:
        InvalidAddress: if ``address`` is malformed.
    """
    account = checksum_address(address)
    if backend is not None:
        return backend.stake_status(account)
    return StakeStatus(
        account=account,
        staked=balance_of(session, stake_account(account)),
        unbonding=balance_of(session, unbonding_account(account)),
        release_time=0,
    )
