"""Tests for labelshare.ledger.journal."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelshare.errors import InvalidSettlementInput, NegativeBalance, UnbalancedEntry
from labelshare.ledger.journal import (
    GENESIS_HASH,
    MONEY,
    PLATFORM_ACCOUNT,
    EntryDraft,
    Posting,
    annotator_account,
    apply_entry,
    balances,
    canonical_entry_bytes,
    chain_entries,
    escrow_account,
    external_account,
    is_source_account,
    issuance_account,
    share_asset,
    shareholder_account,
)

ADDRESS = "0x" + "ab" * 20


def fund(amount: int) -> EntryDraft:
    """A requester's deposit into escrow."""
    return EntryDraft(
        "fund",
        "p1 deposit",
        (Posting(external_account(ADDRESS), -amount), Posting(escrow_account("p1"), amount)),
    )


def reward(amount: int) -> EntryDraft:
    """A reward from escrow to an annotator."""
    return EntryDraft(
        "reward",
        "p1 epoch 1",
        (Posting(escrow_account("p1"), -amount), Posting(annotator_account(ADDRESS), amount)),
    )


class TestEntryDraft:
    def test_balanced_entry_is_accepted(self) -> None:
        """Postings summing to zero per asset make an entry."""
        assert fund(5).postings[1].amount == 5

    def test_unbalanced_entry_is_refused(self) -> None:
        """Postings that create money are refused, naming the asset and the sum."""
        with pytest.raises(UnbalancedEntry, match="postings of wei sum to 1, not 0"):
            EntryDraft("fund", "x", (Posting("escrow:p1", 1),))

    def test_balance_is_per_asset(self) -> None:
        """Money cannot balance shares: each asset must sum to zero on its own."""
        with pytest.raises(UnbalancedEntry, match="share:p1"):
            EntryDraft(
                "mix",
                "x",
                (Posting("escrow:p1", -1), Posting("shareholder:a", 1, share_asset("p1"))),
            )

    def test_empty_entry_is_refused(self) -> None:
        """An entry needs postings."""
        with pytest.raises(UnbalancedEntry, match="no postings"):
            EntryDraft("noop", "x", ())

    def test_non_int_amount_is_refused(self) -> None:
        """Amounts are integers only."""
        with pytest.raises(InvalidSettlementInput, match="amount: 1.5 is not an int"):
            Posting("escrow:p1", 1.5)  # type: ignore[arg-type]  # the point of the test


class TestCanonicalBytes:
    def test_known_serialisation(self) -> None:
        """Keys sorted, no spaces, amounts as strings, postings sorted."""
        draft = fund(7)
        raw = canonical_entry_bytes(
            sequence=0,
            kind=draft.kind,
            memo=draft.memo,
            postings=draft.postings,
            previous_hash=GENESIS_HASH,
        )
        expected = {
            "kind": "fund",
            "memo": "p1 deposit",
            "postings": [["wei", "escrow:p1", "7"], ["wei", f"external:{ADDRESS}", "-7"]],
            "previous_hash": GENESIS_HASH,
            "sequence": 0,
        }
        assert raw == json.dumps(expected, sort_keys=True, separators=(",", ":")).encode()

    def test_posting_order_does_not_change_bytes(self) -> None:
        """Rows loaded in any order hash the same."""
        draft = fund(7)
        forward = canonical_entry_bytes(
            sequence=1, kind="k", memo="m", postings=draft.postings, previous_hash=GENESIS_HASH
        )
        backward = canonical_entry_bytes(
            sequence=1,
            kind="k",
            memo="m",
            postings=draft.postings[::-1],
            previous_hash=GENESIS_HASH,
        )
        assert forward == backward

    def test_huge_amounts_survive_as_strings(self) -> None:
        """Amounts beyond 2^53 are written exactly."""
        raw = canonical_entry_bytes(
            sequence=0,
            kind="k",
            memo="m",
            postings=fund(2**200).postings,
            previous_hash=GENESIS_HASH,
        )
        assert str(2**200).encode() in raw


class TestChain:
    def test_each_entry_carries_the_previous_hash(self) -> None:
        """Entries are numbered from 0 and linked by hash, starting at the genesis hash."""
        entries = chain_entries([fund(10), reward(4)])
        assert [e.sequence for e in entries] == [0, 1]
        assert entries[0].previous_hash == GENESIS_HASH
        assert entries[1].previous_hash == entries[0].entry_hash
        assert (
            entries[0].entry_hash
            == hashlib.sha256(
                canonical_entry_bytes(
                    sequence=0,
                    kind="fund",
                    memo="p1 deposit",
                    postings=fund(10).postings,
                    previous_hash=GENESIS_HASH,
                )
            ).hexdigest()
        )

    def test_continuing_a_chain(self) -> None:
        """Chaining after an entry continues its numbering and hash."""
        first = chain_entries([fund(10)])
        rest = chain_entries([reward(4)], previous=first[-1])
        assert rest[0].sequence == 1
        assert rest[0].previous_hash == first[0].entry_hash
        assert rest == chain_entries([fund(10), reward(4)])[1:]

    def test_tampered_entry_no_longer_matches_its_hash(self) -> None:
        """Changing a posting changes the recomputed hash."""
        entry = chain_entries([fund(10)])[0]
        assert entry.recomputed_hash() == entry.entry_hash
        forged = type(entry)(
            sequence=entry.sequence,
            kind=entry.kind,
            memo=entry.memo,
            postings=fund(11).postings,
            previous_hash=entry.previous_hash,
            entry_hash=entry.entry_hash,
        )
        assert forged.recomputed_hash() != entry.entry_hash


class TestBalances:
    def test_balances_after_entries(self) -> None:
        """Balances are the sums of postings per account and asset."""
        totals = balances([fund(10), reward(4)])
        assert totals[(escrow_account("p1"), MONEY)] == 6
        assert totals[(annotator_account(ADDRESS), MONEY)] == 4
        assert totals[(external_account(ADDRESS), MONEY)] == -10

    def test_overdraft_is_refused(self) -> None:
        """Paying more than the escrow holds is refused, naming the account."""
        with pytest.raises(NegativeBalance, match="escrow:p1 would hold -1 wei"):
            balances([fund(3), reward(4)])

    def test_overdraft_allowed_when_unchecked(self) -> None:
        """With checking off, the replay reports the negative balance."""
        assert balances([reward(4)], check_negative=False)[(escrow_account("p1"), MONEY)] == -4

    def test_apply_entry_refuses_overdraft(self) -> None:
        """apply_entry refuses postings that overdraw an internal account."""
        with pytest.raises(NegativeBalance, match="escrow:p1"):
            apply_entry({(escrow_account("p1"), MONEY): 3}, reward(4).postings)
        assert apply_entry({}, fund(2).postings)[(escrow_account("p1"), MONEY)] == 2

    @given(st.lists(st.integers(0, 10**30), min_size=1, max_size=20))
    def test_total_of_every_asset_stays_zero(self, deposits: list[int]) -> None:
        """Balanced entries keep the sum over all accounts at zero."""
        drafts = [fund(amount) for amount in deposits] + [reward(sum(deposits))]
        totals = balances(drafts)
        assert sum(totals.values()) == 0
        assert totals[(escrow_account("p1"), MONEY)] == 0

    def test_source_accounts(self) -> None:
        """External and issuance accounts may go negative; the others may not."""
        assert is_source_account(external_account(ADDRESS))
        assert is_source_account(issuance_account("p1"))
        assert not is_source_account(PLATFORM_ACCOUNT)
        assert not is_source_account(shareholder_account(ADDRESS))
