"""Tests for labelshare.ledger.audit."""

from __future__ import annotations

import dataclasses

import pytest

from labelshare.errors import AuditFailed
from labelshare.ledger.audit import (
    AuditFinding,
    check_balances,
    check_chain,
    check_claimable,
    check_root,
    cumulative_claimable,
    raise_for_finding,
)
from labelshare.ledger.journal import (
    MONEY,
    EntryDraft,
    JournalEntry,
    Posting,
    annotator_account,
    chain_entries,
    escrow_account,
    external_account,
)
from labelshare.ledger.merkle import MerkleTree

ALICE = "0x" + "a1" * 20
BOB = "0x" + "b2" * 20


def journal() -> tuple[JournalEntry, ...]:
    """Fund 100, pay Alice 30 and Bob 20, Alice claims 10."""
    return chain_entries(
        [
            EntryDraft(
                "fund",
                "p1",
                (Posting(external_account(BOB), -100), Posting(escrow_account("p1"), 100)),
            ),
            EntryDraft(
                "reward",
                "p1 epoch 0",
                (
                    Posting(escrow_account("p1"), -50),
                    Posting(annotator_account(ALICE), 30),
                    Posting(annotator_account(BOB), 20),
                ),
            ),
            EntryDraft(
                "claim",
                "p1",
                (Posting(annotator_account(ALICE), -10), Posting(external_account(ALICE), 10)),
            ),
        ]
    )


def replace_entry(
    entries: tuple[JournalEntry, ...], index: int, **changes: object
) -> list[JournalEntry]:
    """The journal with one entry's fields changed, as a tampered database would hold it."""
    tampered = list(entries)
    tampered[index] = dataclasses.replace(entries[index], **changes)  # type: ignore[arg-type]
    return tampered


class TestCheckChain:
    def test_intact_chain_passes(self) -> None:
        """An untouched journal has no finding."""
        assert check_chain(journal()) is None

    def test_tampered_amount_is_named(self) -> None:
        """Changing a posting's amount is caught as a hash mismatch at that entry."""
        entries = journal()
        postings = (Posting(escrow_account("p1"), -60), *entries[1].postings[1:])
        finding = check_chain(replace_entry(entries, 1, postings=postings))
        assert finding is not None
        assert (finding.check, finding.where) == ("hash", "entry 1")

    def test_rehashed_tampering_breaks_the_next_link(self) -> None:
        """Re-hashing a forged entry breaks the link of the entry after it."""
        entries = journal()
        forged = replace_entry(entries, 1, memo="forged")
        forged[1] = dataclasses.replace(forged[1], entry_hash=forged[1].recomputed_hash())
        finding = check_chain(forged)
        assert finding is not None
        assert (finding.check, finding.where) == ("link", "entry 2")

    def test_unbalanced_entry_is_named(self) -> None:
        """A stored entry whose postings do not sum to zero is caught even if re-hashed."""
        entries = journal()
        unbalanced = replace_entry(entries, 0, postings=(Posting(escrow_account("p1"), 100),))
        unbalanced[0] = dataclasses.replace(
            unbalanced[0], entry_hash=unbalanced[0].recomputed_hash()
        )
        finding = check_chain(unbalanced[:1])
        assert finding is not None
        assert finding.check == "unbalanced"
        assert "sum to 100" in finding.detail

    def test_missing_entry_is_named(self) -> None:
        """Dropping an entry is caught as a sequence gap."""
        entries = journal()
        finding = check_chain([entries[0], entries[2]])
        assert finding is not None
        assert (finding.check, finding.where) == ("sequence", "entry 1")


class TestCheckBalances:
    def test_matching_balances_pass(self) -> None:
        """Stored balances equal to the replay pass."""
        stored = {
            (escrow_account("p1"), MONEY): 50,
            (annotator_account(ALICE), MONEY): 20,
            (annotator_account(BOB), MONEY): 20,
            (external_account(BOB), MONEY): -100,
            (external_account(ALICE), MONEY): 10,
        }
        assert check_balances(journal(), stored) is None

    def test_differing_balance_is_named(self) -> None:
        """A stored balance that differs names the account and both values."""
        stored = {(escrow_account("p1"), MONEY): 49}
        finding = check_balances(journal(), stored)
        assert finding is not None
        assert finding.check == "balance"
        assert finding.where == f"account {annotator_account(ALICE)} ({MONEY})"
        assert finding.detail == "journal gives 20, stored 0"

    def test_overdraft_is_named(self) -> None:
        """A journal that overdraws escrow is caught at the entry that does it."""
        entries = chain_entries(
            [
                EntryDraft(
                    "reward",
                    "p1",
                    (Posting(escrow_account("p1"), -5), Posting(annotator_account(ALICE), 5)),
                )
            ]
        )
        finding = check_balances(entries)
        assert finding == AuditFinding("negative_balance", "entry 0", "escrow:p1 holds -5 wei")


class TestClaimsAndRoots:
    def test_cumulative_claimable_ignores_claims(self) -> None:
        """Claims do not lower the cumulative amount a leaf carries."""
        assert cumulative_claimable(journal()) == {ALICE: 30, BOB: 20}

    def test_matching_root_passes(self) -> None:
        """The root of the cumulative amounts matches."""
        root = MerkleTree.from_claims([(ALICE, 30), (BOB, 20)]).root
        assert check_root(root, cumulative_claimable(journal()), where="epoch 0") is None

    def test_tampered_root_is_named(self) -> None:
        """A stored root that differs is reported with both roots."""
        finding = check_root(b"\x00" * 32, {ALICE: 30}, where="epoch 3")
        assert finding is not None
        assert (finding.check, finding.where) == ("root", "epoch 3")
        assert MerkleTree.from_claims([(ALICE, 30)]).root.hex() in finding.detail

    def test_missing_root_with_nothing_claimable_passes(self) -> None:
        """No claims and no root agree."""
        assert check_root(None, {ALICE: 0}, where="epoch 0") is None

    def test_claimable_mismatch_is_named(self) -> None:
        """The first differing address, in lowercase order, is named."""
        finding = check_claimable({ALICE: 30, BOB: 20}, {ALICE: 30, BOB: 21}, where="epoch 1")
        assert finding is not None
        assert finding.where == f"epoch 1, address {BOB}"
        assert (
            check_claimable({ALICE: 30}, {ALICE.upper().replace("0X", "0x"): 30}, where="e") is None
        )


class TestRaiseForFinding:
    def test_raises_with_the_finding(self) -> None:
        """A finding becomes AuditFailed with its one-line description."""
        with pytest.raises(AuditFailed, match="root mismatch at epoch 2: stored"):
            raise_for_finding(AuditFinding("root", "epoch 2", "stored x, recomputed y"))

    def test_no_finding_does_not_raise(self) -> None:
        """None means clean."""
        raise_for_finding(None)
