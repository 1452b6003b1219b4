"""The StakeVault contract through the EVM backend: deposit, unbonding, withdrawal, slashing."""

from __future__ import annotations

import pytest
from web3.exceptions import ContractLogicError

from labelshare.chain.keys import KeySigner
from labelshare.errors import ChainError
from tests.chain.conftest import UNBONDING_PERIOD_S, TestChain

EVIDENCE = b"\x0e" * 32


def _staker(chain: TestChain, stake: int) -> KeySigner:
    annotator = chain.new_annotator()
    chain.settlement.mint(annotator.address, stake)
    chain.settlement.deposit_stake(stake, signer=annotator)
    return annotator


class TestDeposit:
    def test_deposit_moves_tokens_into_stake(self, chain: TestChain) -> None:
        """A deposit debits the annotator's tokens and shows as staked."""
        annotator = chain.new_annotator()
        chain.settlement.mint(annotator.address, 1_000)
        chain.settlement.deposit_stake(600, signer=annotator)
        status = chain.settlement.stake_status(annotator.address)
        assert (status.staked, status.unbonding, status.release_time) == (600, 0, 0)
        assert chain.settlement.token_balance(annotator.address) == 400
        assert chain.settlement.token_balance(chain.deployment.stake_vault) == 600

    def test_deposit_above_balance_reverts(self, chain: TestChain) -> None:
        """Staking more tokens than one holds is refused and nothing is staked."""
        annotator = chain.new_annotator()
        chain.settlement.mint(annotator.address, 100)
        with pytest.raises(ChainError, match="StakeVault.deposit would revert"):
            chain.settlement.deposit_stake(101, signer=annotator)
        assert chain.settlement.stake_status(annotator.address).staked == 0

    def test_zero_deposit_reverts(self, chain: TestChain) -> None:
        """A deposit of nothing is refused by the contract."""
        call = chain.settlement.stake_vault.functions.deposit(0)
        with pytest.raises(ContractLogicError, match="StakeVault: amount is zero"):
            call.call({"from": chain.others[0].address})


class TestUnbonding:
    def test_withdrawal_waits_for_the_unbonding_period(self, chain: TestChain) -> None:
        """Tokens asked back are locked until the period has passed, then paid out."""
        annotator = _staker(chain, 1_000)
        chain.settlement.request_withdrawal(400, signer=annotator)
        status = chain.settlement.stake_status(annotator.address)
        assert (status.staked, status.unbonding) == (600, 400)
        with pytest.raises(ChainError, match="StakeVault: still unbonding"):
            chain.settlement.withdraw_stake(signer=annotator)
        chain.time_travel(UNBONDING_PERIOD_S - 60)
        with pytest.raises(ChainError, match="StakeVault: still unbonding"):
            chain.settlement.withdraw_stake(signer=annotator)
        chain.time_travel(60)
        chain.settlement.withdraw_stake(signer=annotator)
        assert chain.settlement.token_balance(annotator.address) == 400
        assert chain.settlement.stake_status(annotator.address).unbonding == 0

    def test_new_request_restarts_the_period(self, chain: TestChain) -> None:
        """A second request delays the release of everything unbonding."""
        annotator = _staker(chain, 1_000)
        chain.settlement.request_withdrawal(100, signer=annotator)
        chain.time_travel(UNBONDING_PERIOD_S - 10)
        chain.settlement.request_withdrawal(100, signer=annotator)
        chain.time_travel(20)
        with pytest.raises(ChainError, match="StakeVault: still unbonding"):
            chain.settlement.withdraw_stake(signer=annotator)

    def test_request_above_stake_reverts(self, chain: TestChain) -> None:
        """One cannot unbond more than is staked."""
        annotator = _staker(chain, 100)
        with pytest.raises(ChainError, match="StakeVault: amount exceeds stake"):
            chain.settlement.request_withdrawal(101, signer=annotator)

    def test_withdraw_without_request_reverts(self, chain: TestChain) -> None:
        """Nothing can be withdrawn before a request."""
        annotator = _staker(chain, 100)
        with pytest.raises(ChainError, match="StakeVault: nothing to withdraw"):
            chain.settlement.withdraw_stake(signer=annotator)


class TestSlash:
    def test_slash_takes_staked_then_unbonding_and_pays_recipient(self, chain: TestChain) -> None:
        """A slash drains the stake first, then the unbonding tokens, and logs the evidence."""
        annotator = _staker(chain, 1_000)
        chain.settlement.request_withdrawal(300, signer=annotator)
        recipient = chain.others[3].address
        chain.settlement.slash(annotator.address, 800, evidence_hash=EVIDENCE, recipient=recipient)
        status = chain.settlement.stake_status(annotator.address)
        assert (status.staked, status.unbonding) == (0, 200)
        assert chain.settlement.token_balance(recipient) == 800
        (event,) = chain.settlement.stake_vault.events.Slashed.get_logs(from_block=0)
        assert event["args"]["evidence_hash"] == EVIDENCE
        assert event["args"]["account"] == annotator.address

    def test_slash_above_stake_and_unbonding_reverts(self, chain: TestChain) -> None:
        """A slash larger than staked plus unbonding is refused and nothing moves."""
        annotator = _staker(chain, 1_000)
        chain.settlement.request_withdrawal(300, signer=annotator)
        with pytest.raises(ChainError, match="StakeVault: amount exceeds stake"):
            chain.settlement.slash(
                annotator.address, 1_001, evidence_hash=EVIDENCE, recipient=chain.others[3].address
            )
        status = chain.settlement.stake_status(annotator.address)
        assert (status.staked, status.unbonding) == (700, 300)

    def test_only_owner_slashes(self, chain: TestChain) -> None:
        """Anyone but the owner is refused."""
        annotator = _staker(chain, 1_000)
        call = chain.settlement.stake_vault.functions.slash(
            annotator.address, 1, chain.others[1].address, EVIDENCE
        )
        with pytest.raises(ContractLogicError, match="StakeVault: caller is not the owner"):
            call.call({"from": chain.others[1].address})

    def test_slash_to_zero_recipient_reverts(self, chain: TestChain) -> None:
        """Slashed tokens must go somewhere."""
        annotator = _staker(chain, 1_000)
        call = chain.settlement.stake_vault.functions.slash(
            annotator.address, 1, "0x" + "00" * 20, EVIDENCE
        )
        with pytest.raises(ContractLogicError, match="StakeVault: recipient is the zero address"):
            call.call({"from": chain.operator.address})
