"""Span aggregation: token-level truth inference over BIO tags, then span reconstruction.

The text of each item is cut into tokens (runs of word characters, and every other
non-space character alone). Each annotation becomes one BIO tag per token: ``B-t`` on
the first token a span of tag ``t`` touches, ``I-t`` on the others, ``O`` elsewhere.
Every (item, token) is then a categorical task and one truth-inference estimator of
:mod:`labelshare.quality` (BCC, the Bayesian Dawid–Skene, by default) runs over them, each
annotator with one confusion matrix over the BIO tags shared by all its tokens. The
most probable tag of each token is decoded back into spans: a span starts at ``B-t``,
or at an ``I-t`` that does not continue a span of tag ``t``, and covers the following
``I-t`` tokens; its offsets are those of its first and last tokens.

Token-level aggregation with worker confusions follows A. T. Nguyen, B. C. Wallace,
J. J. Li, A. Nenkova and M. Lease, "Aggregating and Predicting Sequence Labels from
Crowd Annotations", ACL 2017 (their non-sequential baselines; HMM-Crowd adds a
transition model); Dawid and Skene 1979 for the confusions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from labelshare.quality import LabelMatrix, loo_quality_weights, make_estimator
from labelshare.quality.exceptions import QualityInputError
from labelshare.quality.structured._base import (
    EncodedRows,
    StructuredAggregator,
    check_names,
    encode_rows,
    mean_per_worker,
)

__all__ = ["SpanAggregator", "tokenize"]

_TOKEN = re.compile(r"\w+|[^\w\s]")


def tokenize(text: str) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Character offsets of the tokens of a text: word runs, and other symbols alone.

    Args:
        text: the text.

    Returns:
        ``(starts, ends)``, two ``(n_tokens,)`` int64 arrays, end exclusive.
    """
    bounds = [m.span() for m in _TOKEN.finditer(text)]
    arr = np.asarray(bounds, dtype=np.int64).reshape(-1, 2)
    return arr[:, 0].copy(), arr[:, 1].copy()


class SpanAggregator(StructuredAggregator):
    """Spans by token-level BIO inference with per-annotator confusions.

    Nested or overlapping spans of one annotation are flattened: a token keeps the tag
    of the first span (in canonical order) that touches it. ``confidence_`` is the mean
    posterior of the decoded tag over the item's contested tokens (tokens some
    annotation or the result tags), or over all its tokens when there are none. A
    label's quality weight is the same mean of the probability that its own tag of the
    token is right, each token's posterior taken without that label.

    Args:
        tags: the schema's tags.
        text_field: the payload key holding the text.
        method: token estimator, a name of :func:`labelshare.quality.make_estimator`
            (default ``"bcc"``).
        estimator_params: hyperparameters for that estimator.

    Attributes:
        token_probas_: ``(n_tokens_total, 1 + 2 * n_tags)`` posterior of every token
            over ``O, B-tag0, I-tag0, B-tag1, ...``; items' tokens in item order.
        span_confidences_: per item, the mean posterior of the decoded tag over each
            decoded span's tokens.
        skills_: each annotator's mean quality weight.
        item_ids_, labels_ (span lists), confidence_, worker_ids_, quality_weights_,
        n_iter_: see :mod:`labelshare.quality.structured._base`.
    """

    token_probas_: NDArray[np.float64]
    span_confidences_: list[list[float]]

    def __init__(
        self,
        *,
        tags: Sequence[str],
        text_field: str = "text",
        method: str = "bcc",
        estimator_params: dict[str, Any] | None = None,
    ) -> None:
        self.tags = tags
        self.text_field = text_field
        self.method = method
        self.estimator_params = estimator_params

    def fit(self, rows: Sequence[Any]) -> Self:
        """Aggregate span annotations (values: lists of ``{start, end, tag}``).

        Args:
            rows: ``(item, annotator, value, payload)`` rows; the payload holds the text.

        Returns:
            self.

        Raises:
            QualityInputError: bad tags, method or rows, a payload without the text, or
                a span with an unknown tag or offsets outside the text.
        """
        self._forget()
        tags = check_names(self.tags, "tags")
        estimator = make_estimator(self.method, **(self.estimator_params or {}))
        encoded = encode_rows(rows, needs_payload=True)
        texts = [_text(payload, self.text_field) for payload in encoded.payloads]
        bounds = [tokenize(text) for text in texts]
        sizes = np.array([b[0].shape[0] for b in bounds], dtype=np.int64)
        offsets = np.concatenate(([0], np.cumsum(sizes)))
        row_sizes = sizes[encoded.index.tasks]
        row_offsets = np.concatenate(([0], np.cumsum(row_sizes)))
        lengths = np.array([len(text) for text in texts], dtype=np.int64)
        codes = _bio_codes(encoded, bounds, lengths, offsets, row_offsets, tags)
        K = 1 + 2 * len(tags)
        # Global token index of every (row, token) pair, rows in canonical order.
        tokens = np.repeat(offsets[encoded.index.tasks] - row_offsets[:-1], row_sizes)
        tokens += np.arange(codes.shape[0])
        workers = np.repeat(encoded.index.workers, row_sizes)
        n_tokens = int(offsets[-1])
        probas = np.zeros((n_tokens, K))
        loo = np.ones(codes.shape[0])
        n_iter = 0
        if n_tokens:
            matrix = LabelMatrix.from_arrays(tokens, workers, codes, classes=range(K))
            estimator.fit(matrix)
            n_iter = estimator.n_iter_
            probas[matrix.task_ids.astype(np.int64)] = estimator.probas_
            loo[matrix.source_rows] = loo_quality_weights(estimator, matrix)
        decoded = np.argmax(probas, axis=1) if n_tokens else np.zeros(0, dtype=np.int64)
        chosen = probas[np.arange(n_tokens), decoded]
        contested = np.bincount(tokens[codes > 0], minlength=n_tokens) > 0
        contested |= decoded > 0
        token_item = np.repeat(np.arange(sizes.shape[0]), sizes)
        confidence = _mean_over(chosen, contested, token_item, sizes.shape[0])
        row_of_pair = np.repeat(np.arange(encoded.n_rows), row_sizes)
        weights = _mean_over(loo, contested[tokens], row_of_pair, encoded.n_rows)
        labels, span_conf = _decode(decoded, chosen, offsets, bounds, tags)
        self.token_probas_ = probas
        self.span_confidences_ = span_conf
        self._publish_common(
            encoded,
            labels=labels,
            confidence=confidence,
            skills=mean_per_worker(encoded, weights),
            weights=weights,
            n_iter=n_iter,
        )
        return self


def _text(payload: Any, text_field: str) -> str:
    text = payload.get(text_field) if hasattr(payload, "get") else None
    if not isinstance(text, str):
        raise QualityInputError(f"payload.{text_field}: missing or not a string")
    return text


def _read_spans(
    values: list[Any], tags: tuple[str, ...]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Flat ``(row, start, end, tag index)`` arrays of every span, rows in order."""
    position = {tag: t for t, tag in enumerate(tags)}
    flat: list[tuple[int, int, int, int]] = []
    for r, value in enumerate(values):
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise QualityInputError(f"value: expected a list of spans, got {value!r}")
        for span in value:
            try:
                start, end, tag = int(span["start"]), int(span["end"]), span["tag"]
            except (TypeError, KeyError, ValueError) as exc:
                raise QualityInputError(f"value: bad span {span!r}, need start, end, tag") from exc
            if tag not in position:
                raise QualityInputError(f"value: tag {tag!r} is not one of {list(tags)}")
            if start < 0 or end <= start:
                raise QualityInputError(f"value: span [{start}, {end}) is empty or negative")
            flat.append((r, start, end, position[tag]))
    arr = np.asarray(flat, dtype=np.int64).reshape(-1, 4)
    return arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]


def _bio_codes(
    encoded: EncodedRows,
    bounds: list[tuple[NDArray[np.int64], NDArray[np.int64]]],
    lengths: NDArray[np.int64],
    offsets: NDArray[np.int64],
    row_offsets: NDArray[np.int64],
    tags: tuple[str, ...],
) -> NDArray[np.int64]:
    """Every row's BIO code per token of its item (0 = O, 1 + 2t = B-t, 2 + 2t = I-t),
    rows concatenated in canonical order. A token touched by several spans of one row
    keeps the first span's tag."""
    rows, starts, ends, kinds = _read_spans(encoded.values, tags)
    codes = np.zeros(int(row_offsets[-1]), dtype=np.int64)
    if rows.size == 0:
        return codes
    # One coordinate for all texts (each shifted past the previous) so that a single
    # searchsorted finds the tokens of every span.
    base = np.concatenate(([0], np.cumsum(lengths + 1)))[:-1]
    token_starts = np.concatenate([b[0] + base[i] for i, b in enumerate(bounds)])
    token_ends = np.concatenate([b[1] + base[i] for i, b in enumerate(bounds)])
    items = encoded.index.tasks[rows]
    first = np.searchsorted(token_ends, starts + base[items], side="right")
    last = np.searchsorted(token_starts, ends + base[items], side="left")
    count = np.maximum(last - first, 0)
    span_of = np.repeat(np.arange(rows.size), count)
    token = (
        np.repeat(first, count)
        + np.arange(span_of.size)
        - np.repeat(np.cumsum(count) - count, count)
    )
    slot = row_offsets[rows[span_of]] + token - offsets[items[span_of]]
    # Spans are in canonical order within each row: the first occurrence of a slot wins.
    slot, keep = np.unique(slot, return_index=True)
    span_of = span_of[keep]
    codes[slot] = 2 + 2 * kinds[span_of]
    opening = np.unique(span_of, return_index=True)[1]
    codes[slot[opening]] = 1 + 2 * kinds[span_of[opening]]
    return codes


def _mean_over(
    values: NDArray[np.float64], mask: NDArray[np.bool_], groups: NDArray[np.int64], n: int
) -> NDArray[np.float64]:
    """Per group, the mean of ``values`` where ``mask``; of all values if none; 1 if empty."""
    picked = np.bincount(groups, weights=values * mask, minlength=n)
    n_picked = np.bincount(groups, weights=mask.astype(np.float64), minlength=n)
    total = np.bincount(groups, weights=values, minlength=n)
    n_total = np.bincount(groups, minlength=n).astype(np.float64)
    fallback = np.divide(total, n_total, out=np.ones(n), where=n_total > 0)
    return np.divide(picked, n_picked, out=fallback, where=n_picked > 0)


def _decode(
    decoded: NDArray[np.int64],
    chosen: NDArray[np.float64],
    offsets: NDArray[np.int64],
    bounds: list[tuple[NDArray[np.int64], NDArray[np.int64]]],
    tags: tuple[str, ...],
) -> tuple[list[list[dict[str, Any]]], list[list[float]]]:
    """Spans (char offsets) and their confidences from the tokens' decoded BIO codes."""
    n_items = len(bounds)
    kind = np.where(decoded > 0, (decoded - 1) // 2, -1)
    is_begin = (decoded > 0) & (decoded % 2 == 1)
    first_of_item = np.zeros(decoded.shape[0], dtype=bool)
    first_of_item[offsets[:-1][offsets[:-1] < decoded.shape[0]]] = True
    prev_kind = np.concatenate(([-1], kind[:-1]))
    starts = (kind >= 0) & (is_begin | first_of_item | (prev_kind != kind))
    next_starts = np.concatenate((starts[1:], [True]))
    next_kind = np.concatenate((kind[1:], [-1]))
    next_first = np.concatenate((first_of_item[1:], [True]))
    stops = (kind >= 0) & (next_starts | next_first | (next_kind != kind))
    first_tokens, last_tokens = np.flatnonzero(starts), np.flatnonzero(stops)
    span_id = np.cumsum(starts) - 1
    inside = kind >= 0
    conf = np.bincount(span_id[inside], weights=chosen[inside], minlength=first_tokens.size)
    conf = conf / np.maximum(last_tokens - first_tokens + 1, 1)
    item_of = np.searchsorted(offsets, first_tokens, side="right") - 1
    labels: list[list[dict[str, Any]]] = [[] for _ in range(n_items)]
    confidences: list[list[float]] = [[] for _ in range(n_items)]
    for a, b, i, c in zip(first_tokens, last_tokens, item_of, conf, strict=True):
        token_starts, token_ends = bounds[i]
        labels[i].append(
            {
                "start": int(token_starts[a - offsets[i]]),
                "end": int(token_ends[b - offsets[i]]),
                "tag": tags[int(kind[a])],
            }
        )
        confidences[i].append(float(c))
    return labels, confidences
