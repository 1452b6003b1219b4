"""Tests for labelshare.ledger.merkle."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak
from hypothesis import given
from hypothesis import strategies as st

from labelshare.ledger.merkle import MerkleTree, hash_pair, leaf_hash, verify_proof

addresses = st.binary(min_size=20, max_size=20).map(lambda raw: "0x" + raw.hex())
amounts = st.integers(min_value=0, max_value=2**256 - 1)
claim_lists = st.lists(
    st.tuples(addresses, amounts), min_size=1, max_size=40, unique_by=lambda c: c[0]
)

ALICE = "0x" + "a1" * 20
BOB = "0x" + "b2" * 20
CAROL = "0x" + "c3" * 20


def reference_leaf(account: str, amount: int) -> bytes:
    """The leaf as Solidity computes it: keccak256(bytes.concat(keccak256(abi.encode(...))))."""
    return keccak(keccak(encode(["address", "uint256"], [account, amount])))


def reference_pair(a: bytes, b: bytes) -> bytes:
    """OpenZeppelin's commutative keccak256 of two nodes."""
    return keccak(min(a, b) + max(a, b))


class TestLeafHash:
    @given(addresses, amounts)
    def test_matches_abi_encoding(self, account: str, amount: int) -> None:
        """The leaf equals double keccak of abi.encode(address, uint256)."""
        assert leaf_hash(account, amount) == reference_leaf(account, amount)

    def test_case_of_address_does_not_matter(self) -> None:
        """Checksum, lower and upper case name the same account."""
        assert leaf_hash(ALICE, 5) == leaf_hash(ALICE.upper().replace("0X", "0x"), 5)

    def test_amount_outside_uint256_is_refused(self) -> None:
        """Negative and too-large amounts are refused."""
        with pytest.raises(ValueError, match="outside uint256"):
            leaf_hash(ALICE, -1)
        with pytest.raises(ValueError, match="outside uint256"):
            leaf_hash(ALICE, 2**256)

    def test_malformed_address_is_refused(self) -> None:
        """A short address is refused, naming the account."""
        with pytest.raises(ValueError, match="account: '0x12' is not a 20-byte hex address"):
            leaf_hash("0x12", 1)

    def test_non_int_amount_is_refused(self) -> None:
        """A bool or float amount is refused."""
        with pytest.raises(ValueError, match="is not an int"):
            leaf_hash(ALICE, True)


class TestKnownTree:
    def test_three_claims(self) -> None:
        """The root of three claims matches a hand-built sorted-pair tree."""
        leaves = sorted(reference_leaf(a, n) for a, n in [(ALICE, 10), (BOB, 20), (CAROL, 30)])
        # Level 1 pairs the first two leaves and carries the third up unchanged.
        expected = reference_pair(reference_pair(leaves[0], leaves[1]), leaves[2])
        tree = MerkleTree.from_claims([(ALICE, 10), (BOB, 20), (CAROL, 30)])
        assert tree.root == expected
        assert hash_pair(leaves[0], leaves[1]) == reference_pair(leaves[0], leaves[1])

    def test_pinned_root(self) -> None:
        """The root of a fixed claim set stays what the independent computation gave."""
        tree = MerkleTree.from_claims([(ALICE, 10**18), (BOB, 2 * 10**18)])
        expected = reference_pair(reference_leaf(ALICE, 10**18), reference_leaf(BOB, 2 * 10**18))
        assert tree.root == expected
        assert tree.root.hex() == PINNED_ROOT

    def test_single_claim_root_is_its_leaf(self) -> None:
        """One claim: the root is the leaf and the proof is empty."""
        tree = MerkleTree.from_claims([(ALICE, 7)])
        assert tree.root == reference_leaf(ALICE, 7)
        assert tree.proof(ALICE) == []


class TestProofs:
    @given(claim_lists)
    def test_every_proof_verifies(self, claims: list[tuple[str, int]]) -> None:
        """Each claim's proof leads from its leaf to the root."""
        tree = MerkleTree.from_claims(claims)
        for account, amount in claims:
            assert verify_proof(tree.root, leaf_hash(account, amount), tree.proof(account))

    @given(claim_lists, st.integers(1, 2**64))
    def test_altered_amount_fails(self, claims: list[tuple[str, int]], delta: int) -> None:
        """A proof does not verify a different amount."""
        tree = MerkleTree.from_claims(claims)
        account, amount = claims[0]
        altered = (amount + delta) % 2**256
        assert not verify_proof(tree.root, leaf_hash(account, altered), tree.proof(account))

    @given(claim_lists, addresses)
    def test_altered_address_fails(self, claims: list[tuple[str, int]], other: str) -> None:
        """A proof does not verify the same amount for another address."""
        account, amount = claims[0]
        if other.lower() == account.lower():
            return
        tree = MerkleTree.from_claims(claims)
        assert not verify_proof(tree.root, leaf_hash(other, amount), tree.proof(account))

    @given(claim_lists.filter(lambda c: len(c) >= 2), st.data())
    def test_altered_proof_fails(self, claims: list[tuple[str, int]], data: st.DataObject) -> None:
        """Flipping one bit of any sibling, or dropping one, breaks the proof."""
        tree = MerkleTree.from_claims(claims)
        account, amount = claims[0]
        proof = tree.proof(account)
        leaf = leaf_hash(account, amount)
        position = data.draw(st.integers(0, len(proof) - 1))
        bit = data.draw(st.integers(0, 255))
        flipped = bytearray(proof[position])
        flipped[bit // 8] ^= 1 << (bit % 8)
        tampered = [*proof[:position], bytes(flipped), *proof[position + 1 :]]
        assert not verify_proof(tree.root, leaf, tampered)
        assert not verify_proof(tree.root, leaf, proof[:position] + proof[position + 1 :])

    @given(claim_lists, st.data())
    def test_root_ignores_claim_order(
        self, claims: list[tuple[str, int]], data: st.DataObject
    ) -> None:
        """Listing the claims in another order gives the same root."""
        shuffled = data.draw(st.permutations(claims))
        assert MerkleTree.from_claims(shuffled).root == MerkleTree.from_claims(claims).root

    def test_unknown_account_has_no_proof(self) -> None:
        """Asking for an account without a leaf raises KeyError naming it."""
        tree = MerkleTree.from_claims([(ALICE, 1)])
        with pytest.raises(KeyError, match=BOB):
            tree.proof(BOB)


class TestFromClaims:
    def test_empty_is_refused(self) -> None:
        """A tree needs at least one claim."""
        with pytest.raises(ValueError, match="at least one claim"):
            MerkleTree.from_claims([])

    def test_duplicate_account_is_refused(self) -> None:
        """The same account twice, in any case, is refused."""
        with pytest.raises(ValueError, match="appears more than once"):
            MerkleTree.from_claims([(ALICE, 1), (ALICE.upper().replace("0X", "0x"), 2)])


# Computed once with eth_abi.encode and eth_utils.keccak (see reference_leaf, reference_pair).
PINNED_ROOT = "750f550f19e8b639d3c1ed6a3d5b3bd0ce808e508c8f0265aa756e5fb9080094"
