"""Free-text aggregation: reviewers' accept/reject votes, and agreement with the medoid.

Reviews. A review is an accept/reject vote of a reviewer on one answer (the answer of
an author on an item). Every answer is a binary task, every reviewer a worker, and
one truth-inference estimator of :mod:`labelshare.quality` (BCC, Bayesian Dawid–Skene, by default)
gives each answer's probability of being acceptable, weighing reviewers by their
inferred reliability.

Agreement. Where an item has several answers, the medoid (the answer most similar
to all others, as in k-medoids) stands for the consensus; similarity is the
normalised Indel similarity ``2 * LCS(a, b) / (len(a) + len(b))`` (LCS: longest
common subsequence of characters; the measure difflib's ``SequenceMatcher.ratio``
approximates) of the answers after case folding and collapsing whitespace, computed
by rapidfuzz, whose C++ pairwise matrices are some 50 times faster than difflib.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray
from rapidfuzz.distance import Indel
from rapidfuzz.process import cdist

from labelshare.quality import LabelMatrix, make_estimator
from labelshare.quality.exceptions import QualityInputError
from labelshare.quality.structured._base import (
    EncodedRows,
    StructuredAggregator,
    encode_rows,
    mean_per_worker,
)

__all__ = ["TextAggregator", "text_similarity"]

# Score of an answer with no evidence either way (no review, no other answer).
_UNINFORMED = 0.5


def _normal_form(text: str) -> str:
    return " ".join(text.casefold().split())


def text_similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two answers, ignoring case and runs of whitespace.

    Args:
        a: one answer.
        b: another answer.

    Returns:
        ``2 * LCS / (len(a) + len(b))`` of the normalised texts (1 when both are empty).
    """
    return float(Indel.normalized_similarity(_normal_form(a), _normal_form(b)))


class TextAggregator(StructuredAggregator):
    """Free text judged by review votes where given, else by similarity to the medoid.

    The aggregated answer of an item is its answer with the highest acceptance
    posterior when any of its answers was reviewed (ties towards the medoid), else the
    medoid (ties towards the first answer in annotator order). ``confidence_`` is the
    chosen answer's acceptance posterior, or its mean similarity to the other answers,
    or 0.5 for a lone unreviewed answer. A label's quality weight is its acceptance
    posterior when reviewed (the author's vote never enters it), else its similarity
    to the medoid of the other answers (0.5 when there are none).

    Args:
        method: review estimator, a name of :func:`labelshare.quality.make_estimator`
            (default ``"bcc"``).
        estimator_params: hyperparameters for that estimator.

    Attributes:
        acceptance_: ``(n_rows,)`` acceptance posterior of every answer, in input
            order; NaN for answers nobody reviewed.
        reviewer_ids_: ``(n_reviewers,)`` reviewer ids (empty without reviews).
        reviewer_skills_: ``(n_reviewers,)`` accuracy of each reviewer's votes, the
            estimator's mean diagonal of the reviewer's confusion matrix (NaN for
            vote-counting estimators).
        skills_: each author's mean quality weight.
        item_ids_, labels_ (strings), confidence_, worker_ids_, quality_weights_,
        n_iter_: see :mod:`labelshare.quality.structured._base`.
    """

    acceptance_: NDArray[np.float64]
    reviewer_ids_: NDArray[Any]
    reviewer_skills_: NDArray[np.float64]

    def __init__(self, *, method: str = "bcc", estimator_params: dict[str, Any] | None = None):
        self.method = method
        self.estimator_params = estimator_params

    def fit(
        self, rows: Sequence[Any], *, reviews: Sequence[tuple[Any, Any, Any, bool]] = ()
    ) -> Self:
        """Aggregate free-text answers and their reviews.

        Args:
            rows: ``(item, annotator, value)`` rows; values are strings.
            reviews: ``(item, author, reviewer, accepted)`` votes on the answers.

        Returns:
            self.

        Raises:
            QualityInputError: bad method, rows or reviews (a value that is not a
                string, a review of an answer that is not among the rows, a vote that
                is not a bool, an author reviewing their own answer, or a reviewer
                reviewing the same answer twice).
        """
        self._forget()
        estimator = make_estimator(self.method, **(self.estimator_params or {}))
        encoded = encode_rows(rows)
        for value in encoded.values:
            if not isinstance(value, str):
                raise QualityInputError(f"value: expected a string, got {value!r}")
        accept, n_iter = self._reviews(encoded, reviews, estimator)
        medoid_score, loo_similarity, medoid = _agreement(encoded)
        reviewed = ~np.isnan(accept)
        weights = np.where(reviewed, accept, loo_similarity)
        n_items = encoded.index.n_tasks
        item_reviewed = np.bincount(encoded.index.tasks, weights=reviewed, minlength=n_items) > 0
        # Rank answers by acceptance, then agreement; the first best row of each item wins.
        rank = np.where(reviewed, accept, -1.0) * item_reviewed[encoded.index.tasks]
        order = np.lexsort((-medoid_score, -rank, encoded.index.tasks))
        first = np.concatenate(
            ([True], encoded.index.tasks[order][1:] != encoded.index.tasks[order][:-1])
        )
        best = order[first]
        best = np.where(item_reviewed, best, medoid)
        confidence = np.where(item_reviewed, accept[best], medoid_score[best])
        self.acceptance_ = encoded.to_input_order(accept)
        self._publish_common(
            encoded,
            labels=[encoded.values[r] for r in best.tolist()],
            confidence=np.nan_to_num(confidence, nan=_UNINFORMED),
            skills=mean_per_worker(encoded, weights),
            weights=weights,
            n_iter=n_iter,
        )
        return self

    def _reviews(
        self, encoded: EncodedRows, reviews: Sequence[tuple[Any, Any, Any, bool]], estimator: Any
    ) -> tuple[NDArray[np.float64], int]:
        """Acceptance posterior per canonical row (NaN if unreviewed) and the iterations."""
        accept = np.full(encoded.n_rows, np.nan)
        self.reviewer_ids_ = np.zeros(0, dtype=object)
        self.reviewer_skills_ = np.zeros(0)
        if not reviews:
            return accept, 1
        index = encoded.index
        task_ids, worker_ids = index.task_ids.tolist(), index.worker_ids.tolist()
        answer_of = {
            (task_ids[t], worker_ids[w]): r
            for r, (t, w) in enumerate(
                zip(index.tasks.tolist(), index.workers.tolist(), strict=True)
            )
        }
        answers, reviewers, votes = [], [], []
        voted: set[tuple[int, Any]] = set()
        for position, review in enumerate(reviews):
            if not isinstance(review, tuple) or len(review) != 4:
                raise QualityInputError(
                    f"reviews[{position}]: expected (item, author, reviewer, accepted)"
                )
            item, author, reviewer, accepted = review
            if not isinstance(accepted, bool | np.bool_):
                raise QualityInputError(f"reviews[{position}].accepted: expected a bool")
            if reviewer == author:
                # The weight of an answer must not rest on its author's own vote.
                raise QualityInputError(
                    f"reviews[{position}]: {author!r} reviews their own answer on {item!r}"
                )
            row = answer_of.get((item, author))
            if row is None:
                raise QualityInputError(
                    f"reviews[{position}]: no answer of {author!r} on item {item!r} among the rows"
                )
            if (row, reviewer) in voted:
                raise QualityInputError(
                    f"reviews[{position}]: {reviewer!r} reviewed the answer of {author!r} on "
                    f"{item!r} more than once"
                )
            voted.add((row, reviewer))
            answers.append(row)
            reviewers.append(reviewer)
            votes.append(int(accepted))
        reviewer_arr = np.empty(len(reviewers), dtype=object)
        reviewer_arr[:] = reviewers
        matrix = LabelMatrix.from_arrays(np.asarray(answers), reviewer_arr, votes, classes=[0, 1])
        estimator.fit(matrix)
        accept[matrix.task_ids.astype(np.int64)] = estimator.probas_[:, 1]
        self.reviewer_ids_ = matrix.worker_ids
        confusions = getattr(estimator, "confusions_", None)
        self.reviewer_skills_ = (
            np.full(matrix.n_workers, np.nan)
            if confusions is None
            else np.asarray(np.diagonal(confusions, axis1=1, axis2=2).mean(axis=1))
        )
        return accept, int(estimator.n_iter_)


def _agreement(
    encoded: EncodedRows,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.int64]]:
    """Per row its mean similarity to the other answers of its item and its similarity
    to the medoid of those others; per item the medoid's row."""
    n_rows, n_items = encoded.n_rows, encoded.index.n_tasks
    mean_similarity = np.full(n_rows, _UNINFORMED)
    loo = np.full(n_rows, _UNINFORMED)
    medoid = np.zeros(n_items, dtype=np.int64)
    bounds = np.concatenate(([0], np.cumsum(np.bincount(encoded.index.tasks, minlength=n_items))))
    for i in range(n_items):
        lo, hi = int(bounds[i]), int(bounds[i + 1])
        n = hi - lo
        medoid[i] = lo
        if n < 2:
            continue
        texts = [_normal_form(text) for text in encoded.values[lo:hi]]
        sim = cdist(texts, texts, scorer=Indel.normalized_similarity, dtype=np.float64)
        totals = sim.sum(axis=1) - 1.0
        mean_similarity[lo:hi] = totals / (n - 1)
        medoid[i] = lo + int(np.argmax(totals))
        if n == 2:
            loo[lo:hi] = sim[0, 1]
            continue
        # Without answer a, answer k's total similarity to the others loses sim[k, a].
        without = totals[None, :] - sim
        np.fill_diagonal(without, -np.inf)
        loo[lo:hi] = sim[np.arange(n), np.argmax(without, axis=1)]
    return mean_similarity, loo, medoid
