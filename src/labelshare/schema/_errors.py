"""Errors of label schemas: a bad schema definition or a bad label value.

``labelshare.schema`` imports nothing of ours, so both subclass ``ValueError``.
"""

from __future__ import annotations


class SchemaError(ValueError):
    """Base of the schema errors; names the offending field and the reason.

    Attributes:
        field: dotted path of the offending field, e.g. ``"value[2].end"``.
        reason: what is wrong with it, in one sentence without a trailing period.
    """

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason

    def __reduce__(self) -> tuple[type[SchemaError], tuple[str, str]]:
        # Keeps the two-argument constructor working across pickling (multiprocessing).
        return (type(self), (self.field, self.reason))


class InvalidSchema(SchemaError):
    """A schema definition that cannot be used (unknown kind, duplicate classes, K < 2 ...)."""


class InvalidLabel(SchemaError):
    """A label value (or the item payload it refers to) that the schema rejects."""
