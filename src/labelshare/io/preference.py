"""Preference data sets: JSONL import with ``prompt`` and ``responses``; DPO/RLHF exports.

Import (``read_preference_jsonl``), one item per line::

    {"id": "q1", "prompt": "...", "responses": ["...", {"text": "...", "model": "m2"}]}
    {"id": "q2", "prompt": "...", "chosen": "...", "rejected": "..."}   # a DPO pair
    {"id": "q3", "prompt": "...", "response": "..."}                     # for a rubric

A DPO pair becomes responses ``[chosen, rejected]`` with the gold answer
``{"choice": "A"}`` (pairwise projects; the workspace shuffles the display order, so
the stored order leaks nothing). ``id`` defaults to ``line-<n>``; every other key is
kept in the payload.

Export from aggregated preferences (the posteriors of
``labelshare.quality.preference.preference_quality``, keyed by ``(item id, i, j)``):

* ``dpo_examples``: ``{"prompt", "chosen", "rejected"}`` per confidently ordered pair,
  with the ``rationales`` of the pairwise labels that chose the same response;
* ``ranking_rows``: the responses ordered best first, as a list;
* ``rubric_rows``: the mean score per criterion;

written as JSON Lines (``write_jsonl_rows``) or as a Hugging Face ``datasets`` data
set (``save_hf_dataset``: ``save_to_disk`` or Parquet; needs the ``hf`` extra).
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any, TextIO

from labelshare.errors import ImportFailed, InvalidInput
from labelshare.io._item_fields import SeenIds, check_payload, check_value, external_id_from
from labelshare.io._source import iter_json_objects
from labelshare.io.records import ExportItem, ItemRecord
from labelshare.schema import LabelSchema

PairPosteriors = Mapping[tuple[str, int, int], Sequence[float]]
"""``(item id, i, j)`` -> posterior ``[P(response i better), P(response j better), P(tie)?]``."""

HF_FORMATS = ("disk", "parquet")
"""How ``save_hf_dataset`` writes: a ``save_to_disk`` folder or one Parquet file."""

_NOT_PAYLOAD = frozenset({"id", "gold", "chosen", "rejected"})


@dataclass(frozen=True)
class DpoExample:
    """One preference pair for DPO or reward-model training.

    Attributes:
        prompt: the item's prompt.
        chosen: the text of the response judged better.
        rejected: the text of the other response.
        id: the item's external id.
        confidence: posterior probability that ``chosen`` is the better response.
        rationales: the rationales of the labels that chose ``chosen`` over
            ``rejected``, in annotation order (pairwise labels only; rankings have none).
    """

    prompt: str
    chosen: str
    rejected: str
    id: str
    confidence: float
    rationales: tuple[str, ...] = ()


def read_preference_jsonl(path: Path, *, schema: LabelSchema | None = None) -> Iterator[ItemRecord]:
    """Read preference items from a JSON Lines file, one line at a time.

    Args:
        path: the ``.jsonl`` file (``.gz`` accepted as for other imports).
        schema: the project's schema; when given, payloads and gold answers are checked.

    Yields:
        One ``ItemRecord`` per non-blank line.

    Raises:
        ImportFailed: at the first bad line: not an object, no string ``prompt``,
            neither ``responses``, ``chosen`` and ``rejected`` nor ``response``, a
            repeated id, or a payload or gold answer the schema refuses.
    """
    seen = SeenIds()
    for line, record in iter_json_objects(path):
        item = _item_from(record, line=line, schema=schema)
        seen.add(item.external_id, line=line)
        yield item


def _item_from(record: dict[str, Any], *, line: int, schema: LabelSchema | None) -> ItemRecord:
    external_id = external_id_from(record.get("id", f"line-{line}"), line=line)
    if not isinstance(record.get("prompt"), str):
        raise ImportFailed("prompt must be a string", line=line, field="prompt")
    payload = {key: value for key, value in record.items() if key not in _NOT_PAYLOAD}
    gold = record.get("gold")
    has_pair = "chosen" in record or "rejected" in record
    if has_pair:
        if "responses" in record:
            raise ImportFailed(
                "give either responses or chosen and rejected, not both",
                line=line,
                field="responses",
            )
        for key in ("chosen", "rejected"):
            if not isinstance(record.get(key), str):
                raise ImportFailed(f"{key} must be a string", line=line, field=key)
        payload["responses"] = [record["chosen"], record["rejected"]]
        if gold is None and (schema is None or schema.kind == "pairwise"):
            gold = {"choice": "A"}
    elif "responses" not in record and "response" not in record:
        raise ImportFailed(
            "a preference item needs responses, chosen and rejected, or a response",
            line=line,
            field="responses",
        )
    check_payload(schema, payload, line=line)
    if gold is not None:
        gold = check_value(schema, gold, payload, line=line, prefix="gold")
    return ItemRecord(external_id, payload, gold, line=line)


def response_texts(payload: Mapping[str, Any]) -> list[str]:
    """The texts of an item's responses (entries are strings or objects with ``text``).

    Args:
        payload: the item's payload.

    Returns:
        One text per response, in payload order (empty without ``responses``).
    """
    texts = []
    for response in payload.get("responses") or []:
        texts.append(response if isinstance(response, str) else str(response.get("text", "")))
    return texts


def _check_confidence(min_confidence: float) -> float:
    if not 0.0 <= min_confidence <= 1.0:
        raise InvalidInput(
            f"min_confidence must be in [0, 1], got {min_confidence}", field="min_confidence"
        )
    return float(min_confidence)


def dpo_examples(
    items: Iterable[ExportItem], posteriors: PairPosteriors, *, min_confidence: float = 0.5
) -> Iterator[DpoExample]:
    """Turn aggregated preferences into chosen/rejected pairs.

    Every pair of responses with a posterior gives one example when the more likely
    direction has at least ``min_confidence`` probability and is more likely than a
    tie; a ranking item gives one example per such pair of its responses. A pairwise
    item's example carries the rationales of the labels that made the same choice
    (those of dissenting labels argue for the other response).

    Args:
        items: the project's items (``payload`` with ``prompt`` and ``responses``).
        posteriors: the aggregated posteriors, keyed by ``(external id, i, j)``.
        min_confidence: the least posterior probability of the chosen direction.

    Yields:
        The examples, in item order then pair order.

    Raises:
        InvalidInput: ``min_confidence`` is outside [0, 1].
    """
    threshold = _check_confidence(min_confidence)
    by_item = _pairs_by_item(posteriors)
    for item in items:
        texts = response_texts(item.payload)
        reasons = _rationales_by_choice(item)
        for i, j, probas in by_item.get(item.external_id, ()):
            p_i, p_j = float(probas[0]), float(probas[1])
            p_tie = float(probas[2]) if len(probas) > 2 else 0.0
            better, worse, confidence = (i, j, p_i) if p_i >= p_j else (j, i, p_j)
            if confidence < threshold or confidence <= p_tie:
                continue
            # A pairwise choice names response 0 (A) or 1 (B); ranking pairs have none.
            chose = "AB"[better] if (i, j) == (0, 1) else None
            yield DpoExample(
                prompt=str(item.payload.get("prompt", "")),
                chosen=texts[better],
                rejected=texts[worse],
                id=item.external_id,
                confidence=confidence,
                rationales=tuple(reasons.get(chose, ())) if chose else (),
            )


def _rationales_by_choice(item: ExportItem) -> dict[str, list[str]]:
    """The non-blank rationales of an item's pairwise labels, grouped by their choice."""
    grouped: dict[str, list[str]] = {}
    for annotation in item.annotations:
        value = annotation.value
        if not isinstance(value, Mapping):
            continue
        rationale = value.get("rationale")
        if isinstance(rationale, str) and rationale.strip():
            grouped.setdefault(str(value.get("choice")), []).append(rationale)
    return grouped


def has_rationales(values: Iterable[Any]) -> bool:
    """Whether any of these label values carries a non-blank rationale.

    Args:
        values: canonical label values of any preference kind.

    Returns:
        True when a DPO export of them should carry a ``rationales`` field.
    """
    return any(
        isinstance(value, Mapping)
        and isinstance(value.get("rationale"), str)
        and bool(value["rationale"].strip())
        for value in values
    )


def _pairs_by_item(
    posteriors: PairPosteriors,
) -> dict[str, list[tuple[int, int, Sequence[float]]]]:
    grouped: dict[str, list[tuple[int, int, Sequence[float]]]] = {}
    for (item_id, i, j), probas in sorted(posteriors.items(), key=lambda kv: kv[0]):
        grouped.setdefault(item_id, []).append((i, j, probas))
    return grouped


def ranking_rows(
    items: Iterable[ExportItem], posteriors: PairPosteriors
) -> Iterator[dict[str, Any]]:
    """Order each item's responses by their expected number of pairwise wins.

    Response ``i`` scores the sum over the other responses of P(i better) plus half
    P(tie); ties in score keep payload order. ``confidence`` is the least posterior
    probability among the adjacent pairs of the order.

    Args:
        items: the project's items.
        posteriors: the aggregated posteriors, keyed by ``(external id, i, j)``.

    Yields:
        ``{"id", "prompt", "responses", "ranking", "ranked_responses", "confidence"}``
        per item with posteriors; ``ranking`` lists response indices best first.
    """
    by_item = _pairs_by_item(posteriors)
    for item in items:
        pairs = by_item.get(item.external_id)
        if not pairs:
            continue
        texts = response_texts(item.payload)
        wins = [0.0] * len(texts)
        beats: dict[tuple[int, int], float] = {}
        for i, j, probas in pairs:
            p_tie = float(probas[2]) if len(probas) > 2 else 0.0
            wins[i] += float(probas[0]) + p_tie / 2
            wins[j] += float(probas[1]) + p_tie / 2
            beats[(i, j)], beats[(j, i)] = float(probas[0]), float(probas[1])
        order = sorted(range(len(texts)), key=lambda k: -wins[k])
        adjacent = [beats.get((a, b), 0.0) for a, b in pairwise(order)]
        yield {
            "id": item.external_id,
            "prompt": str(item.payload.get("prompt", "")),
            "responses": texts,
            "ranking": order,
            "ranked_responses": [texts[k] for k in order],
            "confidence": min(adjacent) if adjacent else 1.0,
        }


def rubric_rows(
    items: Iterable[ExportItem], *, criteria: Sequence[str]
) -> Iterator[dict[str, Any]]:
    """Scores per criterion of each item's rubric annotations.

    Args:
        items: the project's items, with their rubric annotations and, once an epoch
            closed or ``aggregate --project`` ran, their aggregated rubric.
        criteria: the schema's criteria, in order.

    Yields:
        ``{"id", "prompt", "response", "scores": {criterion: mean}, "n_annotations",
        "aggregated", "confidence"}`` per item with at least one annotation:
        ``aggregated`` is the most probable score per criterion under the quality
        engine's ordinal model (annotators' bias and spread taken into account) with
        its ``confidence``, both None until the project's labels were aggregated.
    """
    for item in items:
        if not item.annotations:
            continue
        scores = {
            criterion: sum(float(a.value[criterion]) for a in item.annotations)
            / len(item.annotations)
            for criterion in criteria
        }
        response = item.payload.get("response")
        if response is None:
            texts = response_texts(item.payload)
            response = texts[0] if texts else ""
        yield {
            "id": item.external_id,
            "prompt": str(item.payload.get("prompt", "")),
            "response": response if isinstance(response, str) else str(response),
            "scores": scores,
            "n_annotations": len(item.annotations),
            "aggregated": item.inferred,
            "confidence": item.confidence,
        }


def dpo_rows(
    examples: Iterable[DpoExample], *, with_metadata: bool = False, with_rationales: bool = False
) -> Iterator[dict[str, Any]]:
    """The JSON rows of DPO examples: ``prompt``, ``chosen``, ``rejected`` (and ``id``,
    ``confidence`` when ``with_metadata``; ``rationales`` when ``with_rationales``).

    Args:
        examples: the examples.
        with_metadata: keep the item id and the confidence beside the three fields.
        with_rationales: add ``rationales``, a list of strings (empty where no label
            gave one), to every row: a data set needs the same columns in every row.

    Yields:
        One dict per example.
    """
    for example in examples:
        row = asdict(example)
        if not with_metadata:
            del row["id"], row["confidence"]
        if with_rationales:
            row["rationales"] = list(example.rationales)
        else:
            del row["rationales"]
        yield row


def write_jsonl_rows(rows: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """Write rows as JSON Lines.

    Args:
        rows: JSON objects.
        out: the text stream.

    Returns:
        The number of rows written.
    """
    written = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, allow_nan=False))
        out.write("\n")
        written += 1
    return written


def save_hf_dataset(rows: Iterable[Mapping[str, Any]], path: Path, *, format: str = "disk") -> int:
    """Write rows as a Hugging Face ``datasets`` data set.

    ``format="disk"`` writes a folder for ``datasets.load_from_disk``; ``"parquet"``
    one Parquet file for ``datasets.load_dataset("parquet", data_files=...)``.

    Args:
        rows: JSON objects with the same keys.
        path: the folder or file to write.
        format: one of ``HF_FORMATS``.

    Returns:
        The number of rows written.

    Raises:
        InvalidInput: the format is unknown, there are no rows, or ``datasets`` is not
            installed (``pip install 'labelshare[hf]'``).
    """
    if format not in HF_FORMATS:
        raise InvalidInput(
            f"unknown format {format!r}; expected one of {', '.join(HF_FORMATS)}", field="format"
        )
    materialised = [dict(row) for row in rows]
    if not materialised:
        raise InvalidInput("nothing to export: no rows", field="rows")
    try:
        # Imported here: datasets (and pyarrow) are an optional dependency.
        datasets = importlib.import_module("datasets")
    except ImportError as exc:
        raise InvalidInput(
            "the datasets package is not installed; install labelshare[hf]", field="format"
        ) from exc
    dataset = datasets.Dataset.from_list(materialised)
    if format == "disk":
        dataset.save_to_disk(str(path))
    else:
        dataset.to_parquet(str(path))
    return len(materialised)
