"""The EIP-712 annotation digest and signer recovery agree with eth-account."""

from __future__ import annotations

import pytest
from eth_account import Account as EthAccount
from eth_account.messages import encode_typed_data
from hypothesis import given, settings
from hypothesis import strategies as st

from labelshare.chain.eip712 import (
    SECP256K1_N,
    annotation_digest,
    recover_signer,
    sign_annotation,
    typed_data,
)
from labelshare.errors import InvalidInput
from labelshare.schema import value_sha256

WALLET = EthAccount.from_key("0x" + "11" * 32)


class TestEip712:
    """chain.eip712 against eth-account's generic typed-data signing."""

    @settings(max_examples=25, deadline=None)
    @given(
        project=st.integers(1, 2**62),
        item=st.integers(1, 2**62),
        value=st.sampled_from(["pos", "neg", 3, [1, 2]]),
        nonce=st.text(min_size=1, max_size=40),
    )
    def test_same_signature_as_eth_account(
        self, project: int, item: int, value: object, nonce: str
    ) -> None:
        """Our digest signs to the same bytes as eth-account's encode_typed_data."""
        digest = value_sha256(value)
        theirs = WALLET.sign_message(
            encode_typed_data(full_message=typed_data(project, item, digest, nonce))
        ).signature.hex()
        ours = sign_annotation(bytes(WALLET.key), project, item, digest, nonce)
        assert ours.removeprefix("0x") == theirs.removeprefix("0x")
        assert recover_signer(annotation_digest(project, item, digest, nonce), ours) == (
            WALLET.address
        )

    def test_other_item_recovers_other_address(self) -> None:
        """A signature moved to another item recovers some other address."""
        digest = value_sha256("pos")
        signature = sign_annotation(bytes(WALLET.key), 1, 2, digest, "n")
        assert recover_signer(annotation_digest(1, 3, digest, "n"), signature) != WALLET.address

    def test_high_s_refused(self) -> None:
        """The high-s twin of a valid signature is refused (EIP-2)."""
        digest = value_sha256("pos")
        raw = bytes.fromhex(sign_annotation(bytes(WALLET.key), 1, 2, digest, "n")[2:])
        s = SECP256K1_N - int.from_bytes(raw[32:64], "big")
        twin = raw[:32] + s.to_bytes(32, "big") + bytes([55 - raw[64]])  # 27 <-> 28
        with pytest.raises(InvalidInput, match="lower half"):
            recover_signer(annotation_digest(1, 2, digest, "n"), "0x" + twin.hex())

    def test_malformed_signature(self) -> None:
        """A signature of the wrong length is refused naming the field."""
        with pytest.raises(InvalidInput, match="signature: must be 65 bytes"):
            recover_signer(b"\0" * 32, "0x1234")
