"""Hypothesis strategies for settlement inputs."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from labelshare.incentives.epoch_inputs import (
    AnnotatorArrays,
    EpochInputs,
    LabelArrays,
    ProjectTerms,
)
from labelshare.incentives.rewards import RewardTerms
from labelshare.incentives.slashing import SlashTerms

addresses = st.binary(min_size=20, max_size=20).map(lambda raw: "0x" + raw.hex())
amounts = st.integers(min_value=0, max_value=10**24)
unit_interval = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def project_terms(draw: st.DrawFn, requester: str) -> ProjectTerms:
    """Any valid project terms with ``requester``."""
    return ProjectTerms(
        project_id=draw(st.sampled_from(["proj-1", "proj-2"])),
        requester=requester,
        rewards=RewardTerms(
            reward_per_label=draw(st.integers(0, 10**20)),
            chance_level=draw(st.floats(0.0, 0.9)),
            exponent=draw(st.sampled_from([0.5, 1.0, 2.0])),
            gold_prior_alpha=draw(st.sampled_from([1.0, 4.0])),
            gold_prior_beta=1.0,
        ),
        slashing=SlashTerms(
            slash_bar=draw(unit_interval),
            confidence=draw(st.sampled_from([0.5, 0.9, 0.95])),
            slash_bps=draw(st.integers(0, 10_000)),
        ),
        royalty_share_bps=draw(st.integers(0, 10_000)),
        shares_per_label=draw(st.integers(0, 10**18)),
        platform_fee_bps=draw(st.integers(0, 10_000)),
    )


@st.composite
def epoch_inputs(draw: st.DrawFn, *, max_annotators: int = 8, max_items: int = 12) -> EpochInputs:
    """Valid inputs of one epoch: a few annotators, items and balances."""
    people = draw(st.lists(addresses, min_size=1, max_size=max_annotators, unique_by=str.lower))
    requester = draw(addresses.filter(lambda a: a.lower() not in {p.lower() for p in people}))
    n_items = draw(st.integers(1, max_items))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, n_items - 1), st.integers(0, len(people) - 1)),
            unique=True,
            max_size=n_items * len(people),
        )
    )
    n_classes = draw(st.integers(2, 4))
    n_labels = len(pairs)
    with_values = draw(st.booleans())
    totals = draw(st.lists(st.integers(0, 60), min_size=len(people), max_size=len(people)))
    correct = [draw(st.integers(0, total)) for total in totals]
    holders = [*people, requester]
    return EpochInputs(
        terms=draw(project_terms(requester)),
        epoch_number=draw(st.integers(0, 50)),
        labels=LabelArrays(
            annotator=np.array([a for _, a in pairs], dtype=np.int64),
            item=np.array([i for i, _ in pairs], dtype=np.int64),
            quality_weight=np.array(
                draw(st.lists(unit_interval, min_size=n_labels, max_size=n_labels)),
                dtype=np.float64,
            ),
            value=(
                np.array(
                    draw(
                        st.lists(
                            st.integers(0, n_classes - 1), min_size=n_labels, max_size=n_labels
                        )
                    ),
                    dtype=np.int64,
                )
                if with_values
                else None
            ),
            n_classes=n_classes if with_values else 0,
        ),
        annotators=AnnotatorArrays(
            address=tuple(people),
            gold_correct=np.array(correct, dtype=np.int64),
            gold_total=np.array(totals, dtype=np.int64),
            stake=tuple(draw(st.lists(amounts, min_size=len(people), max_size=len(people)))),
        ),
        escrow_balance=draw(st.integers(0, 10**22)),
        licence_revenue=draw(st.integers(0, 10**22)),
        share_balances=draw(st.dictionaries(st.sampled_from(holders), amounts, max_size=4)),
        previous_claimable=draw(st.dictionaries(st.sampled_from(holders), amounts, max_size=4)),
    )
