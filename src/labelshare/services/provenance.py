"""Checking the EIP-712 signature an annotator puts on a label.

When a project requires signatures, every label carries a signature over (project,
item, sha256 of the canonical value JSON, nonce) by the annotator's own address, and a
nonce the annotator never used before; the signature is stored for audit.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelshare.chain.eip712 import annotation_digest, recover_signer
from labelshare.errors import Conflict, InvalidInput
from labelshare.store.models import Account, Annotation, Project

MAX_NONCE_LENGTH = 100


def check_signature_fields(
    project: Project,
    annotator: Account,
    *,
    item_id: int,
    value_digest: str,
    signature: str | None,
    nonce: str | None,
) -> None:
    """Check the signature of one label, without the database.

    Args:
        project: the label's project (``requires_signature`` decides whether one is due).
        annotator: who submits; the signature must be theirs.
        item_id: the labelled item.
        value_digest: hex sha256 of the canonical value JSON.
        signature: 65-byte hex signature, or None.
        nonce: the annotator's nonce for this label, or None.

    Raises:
        InvalidInput: a signature is due and missing, malformed, or not the
            annotator's (field ``signature`` or ``nonce``).
    """
    if signature is None and nonce is None and not project.requires_signature:
        return
    if signature is None or nonce is None:
        raise InvalidInput(
            "signature: a signed label needs both an EIP-712 signature and a nonce"
            + (" (this project requires them)" if project.requires_signature else ""),
            field="signature" if signature is None else "nonce",
        )
    if not nonce or len(nonce) > MAX_NONCE_LENGTH:
        raise InvalidInput(f"nonce: 1 to {MAX_NONCE_LENGTH} characters", field="nonce")
    signer = recover_signer(annotation_digest(project.id, item_id, value_digest, nonce), signature)
    if signer != annotator.address:
        raise InvalidInput(
            f"signature: signed by {signer}, not by the annotator {annotator.address}",
            field="signature",
        )


def check_nonce_unused(session: Session, annotator: Account, nonce: str | None) -> None:
    """Refuse a nonce the annotator used on an earlier label.

    Raises:
        Conflict: naming the nonce.
    """
    if nonce is None:
        return
    used = session.scalar(
        select(Annotation.id).where(
            Annotation.annotator_id == annotator.id, Annotation.nonce == nonce
        )
    )
    if used is not None:
        raise Conflict(f"nonce: {nonce!r} was used already on annotation {used}; use a new one")
