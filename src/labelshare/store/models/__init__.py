"""The database tables, one module per feature, all on one declarative ``Base``.

Every table module is imported here so that ``Base.metadata`` (which migrations compare
against) is complete whichever module a caller imports first.
"""

from labelshare.store.models.base import NAMING_CONVENTION, Base
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

# Feature table modules (one import line each).

__all__ = [
    "NAMING_CONVENTION",
    "Account",
    "AccountDomain",
    "Annotation",
    "AnnotationIsImmutable",
    "ApiToken",
    "Assignment",
    "Base",
    "Epoch",
    "Item",
    "Media",
    "Project",
]
