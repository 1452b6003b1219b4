"""What every estimator shares: its hyperparameters, its repr, and refusing use before fit.

Following scikit-learn's conventions, ``__init__`` stores keyword hyperparameters
unchanged, learned state ends in ``_``, and reading learned state before ``fit`` raises
:class:`NotFittedError` naming the call to make.
"""

from __future__ import annotations

from typing import Any, ClassVar

from labelshare.quality.exceptions import NotFittedError


class Estimator:
    """Base of every estimator in ``labelshare.quality``.

    Attributes:
        fit_call: how the ``NotFittedError`` message names the fit, e.g. ``fit(matrix)``.
    """

    fit_call: ClassVar[str] = "fit(...)"

    def __getattr__(self, name: str) -> Any:
        # Only reached when normal lookup fails: a learned attribute before fit.
        if name.endswith("_") and not name.startswith("_"):
            raise NotFittedError(
                f"{type(self).__name__}.{name} is not available: call {self.fit_call} first"
            )
        raise AttributeError(name)

    def get_params(self) -> dict[str, Any]:
        """Hyperparameters as given to ``__init__``.

        Returns:
            Mapping of parameter name to value.
        """
        return {
            k: v for k, v in vars(self).items() if not k.endswith("_") and not k.startswith("_")
        }

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"
