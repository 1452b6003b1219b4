"""Incentives: rewards, slashing, dataset shares and royalties as pure functions.

Everything here takes numpy arrays and Python ints and returns integer amounts in
base units; nothing reads the database, settings or the environment, so an epoch
can be settled, replayed and audited from its inputs alone. :func:`settle_epoch`
is the one entry point that composes the parts.
"""

from labelshare.incentives.allocation import (
    exact_integer_weights,
    largest_remainder,
    scale_to_budget,
)
from labelshare.incentives.epoch_inputs import (
    AnnotatorArrays,
    EpochInputs,
    LabelArrays,
    ProjectTerms,
    address_order,
    validate_epoch_inputs,
)
from labelshare.incentives.epoch_report import (
    REPORT_VERSION,
    canonical_report_bytes,
    report_hash,
)
from labelshare.incentives.peer_prediction import (
    CorrelatedAgreementScores,
    correlated_agreement,
    delta_matrix,
    epoch_seed,
    score_matrix,
)
from labelshare.incentives.rewards import (
    QUALITY_SCALE,
    RewardTerms,
    annotator_factors,
    earned_units,
    gold_factor,
    label_multiplier,
    pay_rewards,
    peer_factor,
    reward_demands,
    to_fixed_point,
)
from labelshare.incentives.royalties import RoyaltySplit, distribute_revenue
from labelshare.incentives.settlement import EpochSettlement, settle_epoch
from labelshare.incentives.shares import ShareMint, mint_shares
from labelshare.incentives.slashing import (
    BPS,
    SlashTerms,
    accuracy_upper_bound,
    is_slashed,
    slash_amounts,
)

__all__ = [
    "BPS",
    "QUALITY_SCALE",
    "REPORT_VERSION",
    "AnnotatorArrays",
    "CorrelatedAgreementScores",
    "EpochInputs",
    "EpochSettlement",
    "LabelArrays",
    "ProjectTerms",
    "RewardTerms",
    "RoyaltySplit",
    "ShareMint",
    "SlashTerms",
    "accuracy_upper_bound",
    "address_order",
    "annotator_factors",
    "canonical_report_bytes",
    "correlated_agreement",
    "delta_matrix",
    "distribute_revenue",
    "earned_units",
    "epoch_seed",
    "exact_integer_weights",
    "gold_factor",
    "is_slashed",
    "label_multiplier",
    "largest_remainder",
    "mint_shares",
    "pay_rewards",
    "peer_factor",
    "report_hash",
    "reward_demands",
    "scale_to_budget",
    "score_matrix",
    "settle_epoch",
    "slash_amounts",
    "to_fixed_point",
    "validate_epoch_inputs",
]
