"""Errors and warnings of the quality engine.

``labelshare.quality`` imports nothing else of the project, so its errors subclass
:class:`ValueError` (as scikit-learn's ``NotFittedError`` does) rather than the
project's ``LabelshareError``::

    ValueError
    ├── QualityInputError      bad labels, gold, init or parameters (names the field)
    └── NotFittedError         a fitted attribute was read before ``fit``
    UserWarning
    └── ConvergenceWarning     an iterative fit stopped at its iteration cap
"""

from __future__ import annotations

__all__ = ["ConvergenceWarning", "NotFittedError", "QualityInputError"]


class QualityInputError(ValueError):
    """Input to the quality engine is malformed; the message names the field and the reason."""


class NotFittedError(ValueError, AttributeError):
    """An estimator's learned state was used before ``fit`` was called."""


class ConvergenceWarning(UserWarning):
    """An iterative estimator reached its iteration cap before meeting its tolerance."""
