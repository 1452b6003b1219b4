"""Merkle trees of cumulative claims, in the encoding the EVM distributor verifies.

A leaf is ``keccak256(keccak256(abi.encode(address, uint256)))``: the value is hashed
twice so that no 64-byte internal node can be passed off as a leaf (a second-preimage
attack on single-hashed 64-byte leaves). Internal nodes hash the concatenation of their
two children in ascending byte order, so a proof is a plain list of siblings and needs
no left/right flags. Leaves are sorted by hash before the tree is built, which makes the
root a function of the set of claims, not of the order they were listed in. A node
without a sibling on its level is carried up unchanged.

This is the one place that encoding lives; the contracts mirror it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from eth_utils.address import to_canonical_address
from eth_utils.crypto import keccak

UINT256_MAX = 2**256 - 1


def leaf_hash(account: str, cumulative_amount: int) -> bytes:
    """Hash one claim the way the distributor contract does.

    Args:
        account: the claimant's 20-byte address, hex with 0x prefix (any case).
        cumulative_amount: everything ever claimable by ``account`` so far, in base units.

    Returns:
        The 32-byte leaf hash.

    Raises:
        ValueError: if the address is malformed or the amount is outside uint256.
    """
    if isinstance(cumulative_amount, bool) or not isinstance(cumulative_amount, int):
        raise ValueError(f"cumulative_amount: {cumulative_amount!r} is not an int")
    if not 0 <= cumulative_amount <= UINT256_MAX:
        raise ValueError(f"cumulative_amount: {cumulative_amount} is outside uint256")
    try:
        address = to_canonical_address(account)
    except (TypeError, ValueError):
        raise ValueError(f"account: {account!r} is not a 20-byte hex address") from None
    # abi.encode(address, uint256): the address left-padded to 32 bytes, then the amount.
    encoded = bytes(12) + address + cumulative_amount.to_bytes(32, "big")
    return keccak(keccak(encoded))


def hash_pair(a: bytes, b: bytes) -> bytes:
    """Hash two sibling nodes in ascending byte order."""
    return keccak(a + b) if a <= b else keccak(b + a)


def verify_proof(root: bytes, leaf: bytes, proof: Iterable[bytes]) -> bool:
    """Return whether ``proof`` leads from ``leaf`` to ``root``."""
    node = leaf
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node == root


@dataclass(frozen=True)
class MerkleTree:
    """A tree over (account, cumulative amount) claims; one leaf per account.

    Attributes:
        layers: ``layers[0]`` are the sorted leaf hashes, ``layers[-1] == [root]``.
        index_by_account: position of each account's leaf in ``layers[0]``, keyed by
            the lowercase hex address.
    """

    layers: tuple[tuple[bytes, ...], ...]
    index_by_account: dict[str, int]

    @classmethod
    def from_claims(cls, claims: Sequence[tuple[str, int]]) -> MerkleTree:
        """Build the tree of ``claims``.

        Raises:
            ValueError: if ``claims`` is empty or names an account twice.
        """
        if not claims:
            raise ValueError("claims: a Merkle tree needs at least one claim")
        hashed = [(leaf_hash(account, amount), account.lower()) for account, amount in claims]
        hashed.sort()
        index_by_account: dict[str, int] = {}
        for position, (_, account) in enumerate(hashed):
            if account in index_by_account:
                raise ValueError(f"claims: account {account} appears more than once")
            index_by_account[account] = position
        layer = tuple(leaf for leaf, _ in hashed)
        layers = [layer]
        while len(layer) > 1:
            parents = [hash_pair(layer[i], layer[i + 1]) for i in range(0, len(layer) - 1, 2)]
            if len(layer) % 2:
                parents.append(layer[-1])
            layer = tuple(parents)
            layers.append(layer)
        return cls(layers=tuple(layers), index_by_account=index_by_account)

    @property
    def root(self) -> bytes:
        """The 32-byte root."""
        return self.layers[-1][0]

    def proof(self, account: str) -> list[bytes]:
        """The sibling hashes from ``account``'s leaf up to the root.

        Raises:
            KeyError: if ``account`` has no leaf in this tree.
        """
        try:
            position = self.index_by_account[account.lower()]
        except KeyError:
            raise KeyError(f"account {account} has no claim in this tree") from None
        siblings: list[bytes] = []
        for layer in self.layers[:-1]:
            sibling = position ^ 1
            if sibling < len(layer):
                siblings.append(layer[sibling])
            position //= 2
        return siblings
