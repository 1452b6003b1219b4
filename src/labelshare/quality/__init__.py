"""Quality engine: truth inference, annotator reliability, agreement, adaptive redundancy.

Pure numpy/scipy; imports nothing else of the project and never touches a database.

Data: :class:`LabelMatrix` (``from_arrays``, ``from_dataframe``, ``from_csv``).

Estimators (scikit-learn style, ``fit(matrix, *, gold=None, init=None)`` giving
``labels_``, ``probas_``, ``n_iter_`` and per-worker ``skills_`` or ``confusions_``):
:class:`MajorityVote`, :class:`WeightedVote`, :class:`DawidSkene`,
:class:`OneCoinDawidSkene`, :class:`GLAD`, :class:`MACE`, :class:`BCC`;
``make_estimator("auto" | "mv" | "wv" | "ds" | "ods" | "glad" | "mace" | "bcc")``.
Ties break towards the lowest class index; iterative fits stop at a fixed ``tol`` or
warn with :class:`ConvergenceWarning` at ``n_iter``.

Reliability: :func:`loo_quality_weights` (P(label correct) without its own factor),
:func:`gold_accuracy` (Beta posterior and credible interval per worker).

Agreement: :func:`krippendorff_alpha`, :func:`fleiss_kappa`, :func:`cohen_kappa`.

Adaptive redundancy: :func:`needs_more`, :func:`item_posterior`.
"""

from labelshare.quality._base import Gold, LabelEstimator, WorkerInit
from labelshare.quality._factory import AUTO_METHOD, METHODS, make_estimator
from labelshare.quality._matrix import LabelMatrix
from labelshare.quality.agreement import cohen_kappa, fleiss_kappa, krippendorff_alpha
from labelshare.quality.bcc import BCC
from labelshare.quality.dawid_skene import DawidSkene, OneCoinDawidSkene
from labelshare.quality.exceptions import ConvergenceWarning, NotFittedError, QualityInputError
from labelshare.quality.glad import GLAD
from labelshare.quality.mace import MACE
from labelshare.quality.majority_vote import MajorityVote, WeightedVote
from labelshare.quality.redundancy import item_posterior, needs_more
from labelshare.quality.reliability import GoldAccuracy, gold_accuracy, loo_quality_weights

__all__ = [
    "AUTO_METHOD",
    "BCC",
    "GLAD",
    "MACE",
    "METHODS",
    "ConvergenceWarning",
    "DawidSkene",
    "Gold",
    "GoldAccuracy",
    "LabelEstimator",
    "LabelMatrix",
    "MajorityVote",
    "NotFittedError",
    "OneCoinDawidSkene",
    "QualityInputError",
    "WeightedVote",
    "WorkerInit",
    "cohen_kappa",
    "fleiss_kappa",
    "gold_accuracy",
    "item_posterior",
    "krippendorff_alpha",
    "loo_quality_weights",
    "make_estimator",
    "needs_more",
]
