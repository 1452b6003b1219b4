"""Preference data: pairwise judgements, rankings, and the quality of those who gave them.

Global scores (objects are responses, or the models that wrote them):
:class:`Comparisons` (``from_arrays``), :class:`BradleyTerry` (penalised maximum
likelihood), :class:`CrowdBT` (Bradley–Terry with a reliability per annotator, Chen et
al. 2013), :func:`comparisons_from_rankings` (full rank breaking) or
:class:`PlackettLuce` (the ranking likelihood itself, MM with SQUAREM),
:func:`bootstrap_scores` (percentile intervals of scores and ranks).

Labels and annotators: :func:`preference_quality` turns a project's pairwise or ranking
labels into per-label quality weights (leave-one-out correctness times annotator
informedness), per-annotator reliability and position bias (:func:`position_bias`);
:func:`comparisons_from_values` turns the same labels into :class:`Comparisons`.
"""

from labelshare.quality.preference._base import PairwiseEstimator
from labelshare.quality.preference._comparisons import OUTCOMES, Comparisons
from labelshare.quality.preference.bootstrap import ScoreIntervals, bootstrap_scores
from labelshare.quality.preference.bradley_terry import BradleyTerry
from labelshare.quality.preference.crowd_bt import CrowdBT
from labelshare.quality.preference.label_quality import (
    PreferenceQuality,
    comparisons_from_values,
    informedness,
    preference_quality,
)
from labelshare.quality.preference.plackett_luce import PlackettLuce
from labelshare.quality.preference.position_bias import PositionBias, position_bias
from labelshare.quality.preference.rankings import comparisons_from_rankings

__all__ = [
    "OUTCOMES",
    "BradleyTerry",
    "Comparisons",
    "CrowdBT",
    "PairwiseEstimator",
    "PlackettLuce",
    "PositionBias",
    "PreferenceQuality",
    "ScoreIntervals",
    "bootstrap_scores",
    "comparisons_from_rankings",
    "comparisons_from_values",
    "informedness",
    "position_bias",
    "preference_quality",
]
