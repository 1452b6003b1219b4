"""Proofs built by labelshare.ledger.merkle verify on chain, and altered ones do not."""

from __future__ import annotations

import itertools

import pytest
from eth_utils.address import to_checksum_address
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.exceptions import ContractLogicError

from labelshare.ledger.merkle import MerkleTree
from tests.chain.conftest import TestChain

UINT128 = 2**128 - 1

claims_lists = st.lists(
    st.tuples(
        # The token refuses transfers to the zero address, so no leaf may name it.
        st.binary(min_size=20, max_size=20).filter(any).map(to_checksum_address),
        st.integers(min_value=1, max_value=UINT128),
    ),
    min_size=1,
    max_size=16,
    unique_by=lambda claim: claim[0],
)

_epochs = itertools.count(1)

# One chain serves every example: each example posts a root for a fresh epoch and
# only simulates claims, so examples cannot see each other's effects.
_EXAMPLES = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _post(chain: TestChain, claims: list[tuple[str, int]]) -> MerkleTree:
    tree = MerkleTree.from_claims(claims)
    chain.settlement.post_root(next(_epochs), tree.root, report_hash=bytes(32))
    return tree


def _simulate_claim(chain: TestChain, account: str, amount: int, proof: list[bytes]) -> None:
    call = chain.settlement.distributor.functions.claim(account, amount, proof)
    call.call({"from": chain.others[0].address})


@pytest.fixture(scope="module")
def funded_chain(deployed_chain: TestChain) -> TestChain:
    """The module's chain with a distributor able to pay any generated claim."""
    deployed_chain.settlement.fund(2**200)
    return deployed_chain


class TestProofsOnChain:
    @_EXAMPLES
    @given(claims=claims_lists)
    def test_every_python_proof_verifies(
        self, funded_chain: TestChain, claims: list[tuple[str, int]]
    ) -> None:
        """For a random tree, the contract accepts the proof of every leaf."""
        tree = _post(funded_chain, claims)
        for account, amount in claims:
            _simulate_claim(funded_chain, account, amount, tree.proof(account))

    @_EXAMPLES
    @given(claims=claims_lists, data=st.data())
    def test_every_altered_proof_fails(
        self, funded_chain: TestChain, claims: list[tuple[str, int]], data: st.DataObject
    ) -> None:
        """Changing the amount, a proof element, or the proof's length makes a claim revert."""
        tree = _post(funded_chain, claims)
        account, amount = data.draw(st.sampled_from(claims), label="claim")
        proof = tree.proof(account)
        alteration = data.draw(st.sampled_from(["amount", "sibling", "extend", "truncate"]))
        if alteration == "amount":
            delta = data.draw(st.integers(min_value=1, max_value=UINT128), label="delta")
            amount += delta
        elif alteration == "sibling" and proof:
            index = data.draw(st.integers(0, len(proof) - 1), label="index")
            bit = data.draw(st.integers(0, 255), label="bit")
            flipped = int.from_bytes(proof[index], "big") ^ (1 << bit)
            proof[index] = flipped.to_bytes(32, "big")
        elif alteration == "truncate" and proof:
            proof.pop()
        else:
            proof.append(data.draw(st.binary(min_size=32, max_size=32), label="extra"))
        with pytest.raises(ContractLogicError, match="Distributor: invalid proof"):
            _simulate_claim(funded_chain, account, amount, proof)
