"""Ledger: the double-entry journal with its hash chain, Merkle trees of claims, audit.

Pure functions and frozen records over integers and bytes; the service layer stores
and loads them.
"""

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
    GENESIS_HASH,
    MONEY,
    PLATFORM_ACCOUNT,
    EntryDraft,
    JournalEntry,
    Posting,
    annotator_account,
    apply_entry,
    balances,
    canonical_entry_bytes,
    chain_entries,
    compute_entry_hash,
    escrow_account,
    external_account,
    is_source_account,
    issuance_account,
    revenue_account,
    share_asset,
    shareholder_account,
    stake_account,
)
from labelshare.ledger.merkle import MerkleTree, hash_pair, leaf_hash, verify_proof

__all__ = [
    "GENESIS_HASH",
    "MONEY",
    "PLATFORM_ACCOUNT",
    "AuditFinding",
    "EntryDraft",
    "JournalEntry",
    "MerkleTree",
    "Posting",
    "annotator_account",
    "apply_entry",
    "balances",
    "canonical_entry_bytes",
    "chain_entries",
    "check_balances",
    "check_chain",
    "check_claimable",
    "check_root",
    "compute_entry_hash",
    "cumulative_claimable",
    "escrow_account",
    "external_account",
    "hash_pair",
    "is_source_account",
    "issuance_account",
    "leaf_hash",
    "raise_for_finding",
    "revenue_account",
    "share_asset",
    "shareholder_account",
    "stake_account",
    "verify_proof",
]
