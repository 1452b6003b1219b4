"""Tests for labelshare.incentives.settlement."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelshare.errors import InvalidAddress, InvalidSettlementInput
from labelshare.incentives.epoch_inputs import (
    AnnotatorArrays,
    EpochInputs,
    LabelArrays,
    ProjectTerms,
)
from labelshare.incentives.rewards import RewardTerms
from labelshare.incentives.settlement import EpochSettlement, settle_epoch
from labelshare.incentives.slashing import SlashTerms
from labelshare.ledger.journal import (
    MONEY,
    apply_entry,
    escrow_account,
    issuance_account,
    revenue_account,
    share_asset,
    shareholder_account,
    stake_account,
)
from labelshare.ledger.merkle import leaf_hash, verify_proof

from .strategies import epoch_inputs

A = "0x" + "aa" * 20
B = "0x" + "bb" * 20
REQUESTER = "0x" + "11" * 20


def checksum(address: str) -> str:
    from eth_utils.address import to_checksum_address

    return str(to_checksum_address(address))


def small_inputs(**changes: object) -> EpochInputs:
    """Two annotators, two items; the numbers are worked out in TestKnownEpoch."""
    inputs = EpochInputs(
        terms=ProjectTerms(
            project_id="proj-1",
            requester=REQUESTER,
            rewards=RewardTerms(reward_per_label=100, chance_level=0.5),
            slashing=SlashTerms(slash_bar=0.5, slash_bps=5_000),
            royalty_share_bps=5_000,
            shares_per_label=10,
        ),
        epoch_number=1,
        labels=LabelArrays(
            annotator=np.array([0, 0, 1]),
            item=np.array([0, 1, 0]),
            quality_weight=np.array([1.0, 0.75, 0.5]),
        ),
        annotators=AnnotatorArrays(
            address=(A, B),
            gold_correct=np.array([5, 0]),
            gold_total=np.array([5, 0]),
            stake=(1_000, 1_000),
        ),
        escrow_balance=1_000,
        licence_revenue=100,
    )
    return dataclasses.replace(inputs, **changes)  # type: ignore[arg-type]  # test helper


def opening_balances(inputs: EpochInputs) -> dict[tuple[str, str], int]:
    """The ledger balances the inputs describe, before settlement."""
    project = inputs.terms.project_id
    shares = share_asset(project)
    opening = {
        (escrow_account(project), MONEY): inputs.escrow_balance,
        (revenue_account(project), MONEY): inputs.licence_revenue,
        (issuance_account(project), shares): -sum(inputs.share_balances.values()),
    }
    for address, stake in zip(inputs.annotators.address, inputs.annotators.stake, strict=True):
        opening[(stake_account(checksum(address)), MONEY)] = stake
    for address, amount in inputs.share_balances.items():
        opening[(shareholder_account(checksum(address)), shares)] = amount
    return opening


class TestKnownEpoch:
    def test_amounts(self) -> None:
        """Rewards, shares, royalties and claims of a small epoch match the hand calculation."""
        # A: gold 5/5 with prior (4, 1) -> mean 0.9 -> factor 0.8; labels 1.0 and 0.75 ->
        #    units 1.0 + 0.5; demand 100 * 1.5 * 0.8 = 120. B: label at chance -> 0.
        result = settle_epoch(small_inputs())
        a, b, requester = checksum(A), checksum(B), checksum(REQUESTER)
        assert result.addresses == (a, b)
        assert result.reward_demands == (120, 0)
        assert result.rewards == (120, 0)
        assert result.slashes == (0, 0)
        assert result.escrow_balance == 880
        assert result.shares_minted == (15, 0)
        assert result.requester_shares == 15
        assert dict(result.share_balances) == {a: 15, requester: 15}
        assert dict(result.royalties) == {a: 50, requester: 50}
        assert dict(result.claimable) == {a: 170, requester: 50}
        assert [draft.kind for draft in result.journal] == ["reward", "mint", "royalty"]

    def test_report_hash_is_sha256_of_canonical_report(self) -> None:
        """The report hash is the SHA-256 of the report's canonical JSON."""
        result = settle_epoch(small_inputs())
        canonical = json.dumps(result.report, sort_keys=True, separators=(",", ":"))
        assert result.report_hash == hashlib.sha256(canonical.encode()).hexdigest()
        assert result.report["merkle_root"] == "0x" + result.merkle_root.hex()  # type: ignore[union-attr]

    def test_short_escrow_pays_what_it_holds(self) -> None:
        """An escrow of 60 against a demand of 120 pays 60 and ends empty."""
        result = settle_epoch(small_inputs(escrow_balance=60))
        assert result.rewards == (60, 0)
        assert result.escrow_balance == 0

    def test_slashed_annotator_pays_stake_into_escrow_and_earns_nothing(self) -> None:
        """Gold accuracy of 0 over 50 items slashes half the stake into escrow, no reward."""
        people = dataclasses.replace(
            small_inputs().annotators, gold_correct=np.array([0, 0]), gold_total=np.array([50, 0])
        )
        result = settle_epoch(small_inputs(annotators=people))
        assert result.slashes == (500, 0)
        assert result.rewards == (0, 0)
        assert result.factor_units == (0, 600_000)
        assert result.escrow_balance == 1_500
        assert result.journal[0].kind == "slash"

    def test_given_peer_scores_are_used(self) -> None:
        """Scores passed in replace the computed ones: a zero score over many tasks pays ~0."""
        people = dataclasses.replace(
            small_inputs().annotators,
            peer_score=np.array([0.0, np.nan]),
            peer_tasks=np.array([10_000, 0]),
        )
        result = settle_epoch(small_inputs(annotators=people))
        assert result.rewards[0] < 2
        assert result.peer_tasks == (10_000, 0)

    def test_empty_epoch_settles_royalties_only(self) -> None:
        """Without labels nothing is paid or minted, and revenue waits for shares."""
        labels = LabelArrays(
            annotator=np.array([], dtype=np.int64),
            item=np.array([], dtype=np.int64),
            quality_weight=np.array([]),
        )
        result = settle_epoch(small_inputs(labels=labels))
        assert result.rewards == (0, 0)
        assert result.undistributed_revenue == 100
        assert result.journal == ()
        assert result.merkle_tree is None


class TestValidation:
    @pytest.mark.parametrize(
        ("change", "error", "message"),
        [
            ({"escrow_balance": -1}, InvalidSettlementInput, "escrow_balance: -1"),
            ({"epoch_number": -2}, InvalidSettlementInput, "epoch_number: -2"),
            ({"share_balances": {A: -5}}, InvalidSettlementInput, "share_balances"),
            ({"previous_claimable": {"0x12": 1}}, InvalidAddress, "previous_claimable"),
        ],
    )
    def test_bad_amounts_are_refused(
        self, change: dict[str, object], error: type[Exception], message: str
    ) -> None:
        """Malformed balances are refused, naming the field."""
        with pytest.raises(error, match=message):
            settle_epoch(small_inputs(**change))

    def test_weight_above_one_is_refused(self) -> None:
        """A quality weight above 1 is refused by field name."""
        labels = dataclasses.replace(small_inputs().labels, quality_weight=np.array([1.5, 0, 0]))
        with pytest.raises(InvalidSettlementInput, match=r"labels.quality_weight"):
            settle_epoch(small_inputs(labels=labels))

    def test_annotator_index_out_of_range_is_refused(self) -> None:
        """A label pointing past the annotators is refused."""
        labels = dataclasses.replace(small_inputs().labels, annotator=np.array([0, 1, 2]))
        with pytest.raises(
            InvalidSettlementInput, match=r"labels.annotator: indices must lie in 0..1"
        ):
            settle_epoch(small_inputs(labels=labels))

    def test_duplicate_address_is_refused(self) -> None:
        """One address listed twice, in any case, is refused."""
        people = dataclasses.replace(
            small_inputs().annotators, address=(A, A.upper().replace("0X", "0x"))
        )
        with pytest.raises(InvalidSettlementInput, match="appears more than once"):
            settle_epoch(small_inputs(annotators=people))

    def test_peer_score_without_tasks_is_refused(self) -> None:
        """Scores must come with their task counts."""
        people = dataclasses.replace(small_inputs().annotators, peer_score=np.array([0.1, 0.1]))
        with pytest.raises(InvalidSettlementInput, match="peer_score and peer_tasks together"):
            settle_epoch(small_inputs(annotators=people))

    def test_float_indices_are_refused(self) -> None:
        """Item indices must be integers."""
        labels = dataclasses.replace(small_inputs().labels, item=np.array([0.0, 1.0, 0.0]))
        with pytest.raises(InvalidSettlementInput, match="labels.item: dtype float64"):
            settle_epoch(small_inputs(labels=labels))


def assert_conserved(inputs: EpochInputs, result: EpochSettlement) -> None:
    """Replaying the journal from the opening balances gives the settlement's balances."""
    project = inputs.terms.project_id
    before = opening_balances(inputs)
    after = dict(before)
    for draft in result.journal:
        after = apply_entry(after, draft.postings)  # raises NegativeBalance on overdraw
    for asset in {asset for _, asset in after}:
        assert sum(v for (_, a), v in after.items() if a == asset) == sum(
            v for (_, a), v in before.items() if a == asset
        )
    assert after[(escrow_account(project), MONEY)] == result.escrow_balance
    paid = sum(result.rewards)
    debited = -sum(
        p.amount for d in result.journal if d.kind == "reward" for p in d.postings if p.amount < 0
    )
    assert paid == debited
    shares = share_asset(project)
    for holder, balance in result.share_balances.items():
        assert after[(shareholder_account(holder), shares)] == balance


class TestInvariants:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(epoch_inputs())
    def test_conservation_and_bounds(self, inputs: EpochInputs) -> None:
        """Paid equals debited, no balance goes negative and the escrow is never exceeded."""
        result = settle_epoch(inputs)
        assert_conserved(inputs, result)
        assert sum(result.rewards) <= inputs.escrow_balance + sum(result.slashes)
        assert all(0 <= r <= d for r, d in zip(result.rewards, result.reward_demands, strict=True))
        assert all(
            0 <= s <= stake
            for s, stake in zip(result.slashes, inputs.annotators.stake, strict=True)
        )
        assert result.escrow_balance >= 0
        royalties = sum(result.royalties.values())
        assert (
            royalties + result.platform_fee + result.undistributed_revenue == inputs.licence_revenue
        )

    @settings(max_examples=60, deadline=None)
    @given(epoch_inputs())
    def test_claims_accumulate_and_every_proof_verifies(self, inputs: EpochInputs) -> None:
        """Claimable = previous + rewards + royalties, and each claim's proof verifies."""
        result = settle_epoch(inputs)
        expected: dict[str, int] = {}
        for address, amount in inputs.previous_claimable.items():
            expected[checksum(address)] = amount
        for address, amount in zip(result.addresses, result.rewards, strict=True):
            expected[address] = expected.get(address, 0) + amount
        for address, amount in result.royalties.items():
            expected[address] = expected.get(address, 0) + amount
        assert dict(result.claimable) == {k: v for k, v in expected.items() if v}
        if result.merkle_tree is None:
            assert not result.claimable
            return
        for address, amount in result.claimable.items():
            leaf = leaf_hash(address, amount)
            assert verify_proof(result.merkle_tree.root, leaf, result.merkle_tree.proof(address))

    @settings(max_examples=60, deadline=None)
    @given(epoch_inputs(), st.data())
    def test_same_inputs_in_any_order_give_the_same_report(
        self, inputs: EpochInputs, data: st.DataObject
    ) -> None:
        """Replaying, and relisting annotators and labels in another order, keep the hash."""
        first = settle_epoch(inputs)
        assert settle_epoch(inputs).report_hash == first.report_hash
        n_annotators = len(inputs.annotators.address)
        people_order = data.draw(st.permutations(range(n_annotators)))
        new_index = np.empty(n_annotators, dtype=np.int64)
        new_index[list(people_order)] = np.arange(n_annotators)
        row_order = np.array(
            data.draw(st.permutations(range(inputs.labels.annotator.size))), dtype=np.int64
        )
        people = inputs.annotators
        labels = inputs.labels
        relisted = dataclasses.replace(
            inputs,
            annotators=dataclasses.replace(
                people,
                address=tuple(people.address[i] for i in people_order),
                gold_correct=people.gold_correct[list(people_order)],
                gold_total=people.gold_total[list(people_order)],
                stake=tuple(people.stake[i] for i in people_order),
            ),
            labels=dataclasses.replace(
                labels,
                annotator=new_index[labels.annotator][row_order]
                if row_order.size
                else labels.annotator,
                item=labels.item[row_order] if row_order.size else labels.item,
                quality_weight=labels.quality_weight[row_order]
                if row_order.size
                else labels.quality_weight,
                value=None
                if labels.value is None or not row_order.size
                else labels.value[row_order],
            ),
        )
        if labels.value is not None and not row_order.size:
            relisted = dataclasses.replace(
                relisted, labels=dataclasses.replace(relisted.labels, value=labels.value)
            )
        second = settle_epoch(relisted)
        assert second.report_hash == first.report_hash
        assert second.merkle_root == first.merkle_root

    @settings(max_examples=30, deadline=None)
    @given(epoch_inputs())
    def test_changing_one_weight_changes_the_hash(self, inputs: EpochInputs) -> None:
        """The report commits to the labels: a changed quality unit changes the hash."""
        if inputs.labels.annotator.size == 0:
            return
        weights = inputs.labels.quality_weight.copy()
        weights[0] = 1.0 if weights[0] < 0.5 else 0.0
        changed = dataclasses.replace(
            inputs, labels=dataclasses.replace(inputs.labels, quality_weight=weights)
        )
        assert settle_epoch(changed).report_hash != settle_epoch(inputs).report_hash


class TestSettlementThroughTheLedger:
    def test_two_epochs_audit_clean_and_tampering_is_caught(self) -> None:
        """Two settled epochs chain into a journal whose audit passes until one part is changed."""
        from labelshare.ledger.audit import (
            check_balances,
            check_chain,
            check_root,
            cumulative_claimable,
        )
        from labelshare.ledger.journal import EntryDraft, Posting, chain_entries, external_account

        funding = EntryDraft(
            "fund",
            "proj-1 deposit",
            (
                Posting(external_account(REQUESTER), -1_000),
                Posting(escrow_account("proj-1"), 1_000),
            ),
        )
        stakes = [
            EntryDraft(
                "stake",
                "stake",
                (Posting(external_account(a), -1_000), Posting(stake_account(checksum(a)), 1_000)),
            )
            for a in (A, B)
        ]
        sale = EntryDraft(
            "licence",
            "proj-1 sale",
            (Posting(external_account(B), -100), Posting(revenue_account("proj-1"), 100)),
        )
        first = settle_epoch(small_inputs())
        entries = chain_entries([funding, *stakes, sale, *first.journal])
        second = settle_epoch(
            small_inputs(
                epoch_number=2,
                escrow_balance=first.escrow_balance,
                licence_revenue=first.undistributed_revenue,
                share_balances=first.share_balances,
                previous_claimable=first.claimable,
            )
        )
        entries += chain_entries(second.journal, previous=entries[-1])

        assert check_chain(entries) is None
        assert check_balances(entries) is None
        claimable = cumulative_claimable(entries)
        assert claimable == dict(second.claimable)
        assert check_root(second.merkle_root, claimable, where="epoch 2") is None

        forged = dataclasses.replace(entries[-1], memo="forged")
        finding = check_chain([*entries[:-1], forged])
        assert finding is not None and finding.where == f"entry {len(entries) - 1}"
        wrong_root = first.merkle_root
        finding = check_root(wrong_root, claimable, where="epoch 2")
        assert finding is not None and finding.check == "root"
