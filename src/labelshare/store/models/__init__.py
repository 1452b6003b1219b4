"""The database tables, one module per feature, all on one declarative ``Base``.

Every table module is imported here so that ``Base.metadata`` (which migrations compare
against) is complete whichever module a caller imports first.
"""

# Feature table modules (one import line each).
from labelshare.store.models.auth import ExamAttempt, LoginSession, SignInNonce
from labelshare.store.models.base import NAMING_CONVENTION, Base
from labelshare.store.models.chain import ChainPublication, ChainSlash
from labelshare.store.models.core import (
    Account,
    AccountDomain,
    Annotation,
    AnnotationIsImmutable,
    ApiToken,
    Assignment,
    Epoch,
    Item,
    Media,
    Project,
)
from labelshare.store.models.ledger import (
    ClaimRecord,
    EpochClaimable,
    EpochReport,
    JournalEntryRow,
    JournalPosting,
    LedgerBalance,
    LicencePayment,
)

__all__ = [
    "NAMING_CONVENTION",
    "Account",
    "AccountDomain",
    "Annotation",
    "AnnotationIsImmutable",
    "ApiToken",
    "Assignment",
    "Base",
    "ChainPublication",
    "ChainSlash",
    "ClaimRecord",
    "Epoch",
    "EpochClaimable",
    "EpochReport",
    "ExamAttempt",
    "Item",
    "JournalEntryRow",
    "JournalPosting",
    "LedgerBalance",
    "LicencePayment",
    "LoginSession",
    "Media",
    "Project",
    "SignInNonce",
]
