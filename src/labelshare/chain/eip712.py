"""EIP-712 typed signatures over annotations, for provenance of every label.

An annotator signs ``Annotation(uint256 project, uint256 item, bytes32 valueHash,
string nonce)`` in the ``labelshare`` domain, where ``valueHash`` is the sha256 of the
value's canonical JSON. The struct hash is computed here directly (it is four words)
and the signer recovered with coincurve, which is much faster than the generic
typed-data path of eth-account; a test checks both agree.
"""

from __future__ import annotations

from typing import Any

import coincurve
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from labelshare.errors import InvalidInput

DOMAIN_NAME = "labelshare"
DOMAIN_VERSION = "1"
ANNOTATION_TYPE = "Annotation(uint256 project,uint256 item,bytes32 valueHash,string nonce)"
_DOMAIN_TYPE = "EIP712Domain(string name,string version)"
_ANNOTATION_TYPEHASH = keccak(text=ANNOTATION_TYPE)
_DOMAIN_SEPARATOR = keccak(
    keccak(text=_DOMAIN_TYPE) + keccak(text=DOMAIN_NAME) + keccak(text=DOMAIN_VERSION)
)
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def typed_data(project_id: int, item_id: int, value_sha256: str, nonce: str) -> dict[str, Any]:
    """The EIP-712 typed data a wallet signs (``eth_signTypedData_v4`` format).

    Args:
        project_id: the project's id.
        item_id: the item's id.
        value_sha256: hex sha256 of the value's canonical JSON.
        nonce: the annotator's nonce for this label, never reused.
    """
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
            ],
            "Annotation": [
                {"name": "project", "type": "uint256"},
                {"name": "item", "type": "uint256"},
                {"name": "valueHash", "type": "bytes32"},
                {"name": "nonce", "type": "string"},
            ],
        },
        "primaryType": "Annotation",
        "domain": {"name": DOMAIN_NAME, "version": DOMAIN_VERSION},
        "message": {
            "project": project_id,
            "item": item_id,
            "valueHash": "0x" + value_sha256,
            "nonce": nonce,
        },
    }


def annotation_digest(project_id: int, item_id: int, value_sha256: str, nonce: str) -> bytes:
    """The 32-byte EIP-712 digest that is signed for an annotation."""
    try:
        value_hash = bytes.fromhex(value_sha256)
    except ValueError as exc:
        raise InvalidInput("value_sha256: not hex", field="value_sha256") from exc
    if len(value_hash) != 32:
        raise InvalidInput("value_sha256: must be 32 bytes", field="value_sha256")
    struct_hash = keccak(
        _ANNOTATION_TYPEHASH
        + project_id.to_bytes(32, "big")
        + item_id.to_bytes(32, "big")
        + value_hash
        + keccak(text=nonce)
    )
    return keccak(b"\x19\x01" + _DOMAIN_SEPARATOR + struct_hash)


def _signature_bytes(signature: str) -> bytes:
    try:
        raw = bytes.fromhex(signature.removeprefix("0x"))
    except ValueError as exc:
        raise InvalidInput("signature: not hex", field="signature") from exc
    if len(raw) != 65:
        raise InvalidInput("signature: must be 65 bytes (r, s, v)", field="signature")
    v = raw[64]
    if v >= 27:
        v -= 27
    if v not in (0, 1):
        raise InvalidInput("signature: v must be 27 or 28", field="signature")
    if int.from_bytes(raw[32:64], "big") > SECP256K1_N // 2:
        # EIP-2: a high-s twin of a valid signature would otherwise also verify.
        raise InvalidInput("signature: s is not in the lower half order", field="signature")
    return raw[:64] + bytes([v])


def recover_signer(digest: bytes, signature: str) -> str:
    """The EIP-55 address whose key made ``signature`` over ``digest``.

    Raises:
        InvalidInput: if the signature is malformed or recovers no key (field
            ``signature``).
    """
    raw = _signature_bytes(signature)
    try:
        public = coincurve.PublicKey.from_signature_and_message(raw, digest, hasher=None)
    except Exception as exc:  # coincurve raises ValueError or its own errors
        raise InvalidInput("signature: recovers no public key", field="signature") from exc
    uncompressed = public.format(compressed=False)
    return str(to_checksum_address(keccak(uncompressed[1:])[-20:]))


def sign_annotation(
    private_key: bytes, project_id: int, item_id: int, value_sha256: str, nonce: str
) -> str:
    """Sign an annotation with a raw private key (for scripts, tests and benchmarks).

    Returns:
        The 65-byte signature as ``0x``-prefixed hex with ``v`` of 27 or 28.
    """
    digest = annotation_digest(project_id, item_id, value_sha256, nonce)
    raw = coincurve.PrivateKey(private_key).sign_recoverable(digest, hasher=None)
    return "0x" + (raw[:64] + bytes([raw[64] + 27])).hex()
