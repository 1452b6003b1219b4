"""Errors raised by labelshare's domain, services and adapters.

Every error names what went wrong and carries the offending field or value in its
message. None of them knows about HTTP: ``labelshare.api.errors`` maps classes to
status codes in one table. ``labelshare.schema`` and ``labelshare.quality`` import
nothing of ours, so their errors subclass ``ValueError`` instead (see
``labelshare.schema.InvalidLabel``, ``labelshare.quality.NotFittedError``).

    LabelshareError
    ├── InvalidInput            a request or file is malformed (names field/line)
    │   ├── InvalidAddress
    │   ├── InvalidKeyFile      a key file that is not a private key (never quoted)
    │   └── ImportFailed        a file cannot be imported (names line and reason)
    ├── NotFound
    │   ├── UnknownAccount
    │   ├── UnknownProject
    │   ├── UnknownItem
    │   ├── UnknownToken
    │   ├── UnknownAssignment
    │   └── UnknownExam
    ├── Conflict
    │   ├── DuplicateProject
    │   ├── DuplicateItem
    │   ├── AlreadyAnnotated
    │   └── InvalidTransition   e.g. annotating a closed project
    ├── Forbidden
    │   ├── MissingRole
    │   └── MissingDomain
    ├── NoWorkAvailable         nothing left to assign to this annotator
    ├── LeaseExpired
    ├── Unauthenticated         sign-in or token failed (names the reason)
    └── SettlementError         ledger and payout failures (subclassed there)
        ├── InsufficientEscrow
        ├── InvalidSettlementInput  settlement arrays or terms malformed (names field)
        ├── UnbalancedEntry     a journal entry whose postings do not sum to zero
        ├── NegativeBalance     a posting would overdraw an internal account
        ├── AuditFailed         a recomputation differs from what is stored
        ├── InvalidProof        a Merkle proof does not lead to the published root
        ├── EpochAlreadyPublished
        └── ChainError          an EVM transaction reverted or the node failed
"""

from __future__ import annotations


class LabelshareError(Exception):
    """Root of every error labelshare raises on purpose."""


class InvalidInput(LabelshareError):
    """Input that cannot be accepted; the message names the field and the reason.

    Attributes:
        field: dotted path of the offending field, or None when the whole input is bad.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidAddress(InvalidInput):
    """An Ethereum address that is malformed or fails its EIP-55 checksum."""


class InvalidKeyFile(InvalidInput):
    """A key file that cannot be read as a private key; the message never quotes it."""


class ImportFailed(InvalidInput):
    """A file that cannot be imported; nothing of it was stored.

    Attributes:
        line: 1-based line (or record) number where the problem was found, if known.
    """

    def __init__(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        where = f"line {line}: " if line is not None else ""
        super().__init__(f"{where}{message}", field=field)
        self.line = line


class NotFound(LabelshareError):
    """Something named in a request does not exist (or must not be revealed)."""


class UnknownAccount(NotFound):
    """No account with that address or id."""


class UnknownProject(NotFound):
    """No project with that name or id visible to the caller."""


class UnknownItem(NotFound):
    """No item with that id in the project."""


class UnknownToken(NotFound):
    """No API token with that id for this account."""


class UnknownAssignment(NotFound):
    """No assignment of that item to that annotator."""


class UnknownExam(NotFound):
    """No qualification exam with that id for this account."""


class Conflict(LabelshareError):
    """The request contradicts what is stored."""


class DuplicateProject(Conflict):
    """A project with that name exists already."""


class DuplicateItem(Conflict):
    """An item with that external id exists already in the project."""


class AlreadyAnnotated(Conflict):
    """The annotator has labelled this item already."""


class InvalidTransition(Conflict):
    """The object's status does not allow this action."""


class Forbidden(LabelshareError):
    """The caller is known but may not do this."""


class MissingRole(Forbidden):
    """The caller lacks the role this action needs."""


class MissingDomain(Forbidden):
    """The annotator lacks the expertise domain the project requires."""


class NoWorkAvailable(LabelshareError):
    """Nothing is left to assign to this annotator in this project."""


class LeaseExpired(LabelshareError):
    """The assignment's lease ran out before the annotation arrived."""


class Unauthenticated(LabelshareError):
    """Sign-in or token check failed; the message gives the reason."""


class SettlementError(LabelshareError):
    """Settlement, ledger or payout cannot proceed."""


class InsufficientEscrow(SettlementError):
    """The project's escrow holds less than the operation needs."""


class InvalidSettlementInput(SettlementError):
    """Settlement inputs that cannot be settled; the message names the field and the reason.

    Attributes:
        field: name of the offending field, e.g. ``labels.quality_weight``.
    """

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class UnbalancedEntry(SettlementError):
    """A journal entry whose postings do not sum to zero for some asset."""


class NegativeBalance(SettlementError):
    """Applying postings would leave an internal account below zero."""


class AuditFailed(SettlementError):
    """An audit check found the first place where stored and recomputed data differ."""


class InvalidProof(SettlementError):
    """A Merkle proof that does not lead from the claimed leaf to the published root."""


class EpochAlreadyPublished(SettlementError):
    """The epoch's root, or that of a later epoch, is published already."""


class ChainError(SettlementError):
    """An EVM transaction reverted, or the node could not be reached or answered wrongly."""
