"""Structured-label benchmark: baselines against labelshare's aggregators, per kind.

Tables:
  1. accuracy against gold on synthetic annotators (``labelshare.quality.structured.
     synthetic``) at 3 and 5 labels per item, for each kind: majority / mean
     baselines and our methods;
  2. wall time of ``structured_quality`` for 100,000 labels of each kind (20,000
     items x 5 labels), one process, after generation;
  3. with ``--ner-zip``: the crowdsourced CoNLL-2003 NER data of Rodrigues, Pereira
     and Ribeiro (2014), "Sequence labeling with multiple annotators" (Machine
     Learning 95(2)), as redistributed in ``task1.zip`` of
     https://github.com/thanhan/seqcrowd-acl17 (Nguyen et al., ACL 2017); span
     F1 of token majority vote and of our token-level methods on its ``val`` and
     ``test`` parts (documents with gold, ~5 MTurk workers each). The archive is
     extracted into a temporary directory and deleted afterwards.

Usage (from the project root)::

    .venv/bin/python benchmarks/structured.py
    .venv/bin/python benchmarks/structured.py --items 500 --skip-scale
    .venv/bin/python benchmarks/structured.py --ner-zip /path/to/task1.zip --skip-synthetic
"""

from __future__ import annotations

import argparse
import collections
import re
import tempfile
import time
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from labelshare.quality import ConvergenceWarning
from labelshare.quality.structured import (
    StructuredRow,
    SyntheticSet,
    box_scores,
    mean_absolute_error,
    span_scores,
    structured_quality,
    synthetic_boxes,
    synthetic_multilabel,
    synthetic_ratings,
    synthetic_spans,
    synthetic_texts,
    text_similarity,
)

Row = tuple[str, str, int, str, str]  # kind, metric, labels per item, method, value


def _quiet(call: Callable[[], Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return call()


def _predicted(data: SyntheticSet, **params: Any) -> dict[Any, Any]:
    result = _quiet(lambda: structured_quality(data.schema, data.rows, **params))
    return dict(zip(result.item_ids.tolist(), result.labels, strict=True))


def _values_by_item(data: SyntheticSet) -> dict[Any, list[Any]]:
    values: dict[Any, list[Any]] = collections.defaultdict(list)
    for row in data.rows:
        values[row.item].append(row.value)
    return values


def multilabel_rows(n_items: int, k: int, seed: int) -> list[Row]:
    data = synthetic_multilabel(n_items, k, random_state=seed)
    out: list[Row] = []
    classes = data.schema["classes"]
    for name, params in (
        ("majority per class", {"method": "mv"}),
        ("two-coin DS", {"method": "ds"}),
        ("two-coin BCC (default)", {}),
    ):
        pred = _predicted(data, **params)
        exact = np.mean([pred[i] == g for i, g in data.gold.items()])
        hamming = np.mean(
            [np.mean([(c in pred[i]) == (c in g) for c in classes]) for i, g in data.gold.items()]
        )
        out.append(("multilabel", "exact-set acc", k, name, f"{exact:.3f}"))
        out.append(("multilabel", "per-class acc", k, name, f"{hamming:.3f}"))
    return out


def rating_rows(n_items: int, k: int, seed: int) -> list[Row]:
    data = synthetic_ratings(n_items, k, random_state=seed)
    values = _values_by_item(data)
    preds = {
        "rounded mean": {i: int(np.clip(np.rint(np.mean(v)), 1, 5)) for i, v in values.items()},
        "rounded median": {i: int(np.rint(np.median(v))) for i, v in values.items()},
        "bias+spread model": _predicted(data),
    }
    out: list[Row] = []
    for name, pred in preds.items():
        mae = mean_absolute_error(pred, data.gold)
        exact = np.mean([pred[i] == g for i, g in data.gold.items()])
        out.append(("rating", "MAE", k, name, f"{mae:.3f}"))
        out.append(("rating", "exact acc", k, name, f"{exact:.3f}"))
    return out


def span_rows(n_items: int, k: int, seed: int) -> list[Row]:
    data = synthetic_spans(n_items, k, random_state=seed)
    out: list[Row] = []
    for name, params in (
        ("token majority", {"method": "mv"}),
        ("token DS", {"method": "ds"}),
        ("token BCC (default)", {}),
    ):
        exact, partial = span_scores(_predicted(data, **params), data.gold)
        out.append(("spans", "exact F1", k, name, f"{exact.f1:.3f}"))
        out.append(("spans", "partial F1", k, name, f"{partial.f1:.3f}"))
    return out


def box_rows(n_items: int, k: int, seed: int) -> list[Row]:
    data = synthetic_boxes(n_items, k, random_state=seed)
    out: list[Row] = []
    for name, params in (
        ("majority + mean box", {"method": "majority"}),
        ("existence EM + WBF", {}),
    ):
        scores = box_scores(_predicted(data, **params), data.gold)
        pr = scores.at_threshold
        out.append(("bbox", "mean IoU", k, name, f"{scores.mean_iou:.3f}"))
        out.append(
            ("bbox", "P/R/F1 @0.5", k, name, f"{pr.precision:.3f}/{pr.recall:.3f}/{pr.f1:.3f}")
        )
    return out


def text_rows(n_items: int, k: int, seed: int) -> list[Row]:
    data = synthetic_texts(n_items, k, random_state=seed)
    values = _values_by_item(data)
    plurality = {}
    for item, answers in values.items():
        normal = [" ".join(a.casefold().split()) for a in answers]
        counts = collections.Counter(normal)
        plurality[item] = answers[
            normal.index(max(normal, key=lambda a: (counts[a], -normal.index(a))))
        ]
    votes: dict[tuple[str, str], list[bool]] = collections.defaultdict(list)
    for item, author, _, accepted in data.reviews:
        votes[(item, author)].append(accepted)
    by_vote = {}
    for row in data.rows:
        share = np.mean(votes[(row.item, row.annotator)])
        if row.item not in by_vote or share > by_vote[row.item][0]:
            by_vote[row.item] = (share, row.value)
    preds = {
        "plurality answer": plurality,
        "review majority": {i: v for i, (_, v) in by_vote.items()},
        "medoid": _predicted(data),
        "reviews (BCC) + medoid": _quiet(
            lambda: dict(
                zip(
                    *(lambda r: (r.item_ids.tolist(), r.labels))(
                        structured_quality(data.schema, data.rows, reviews=data.reviews)
                    ),
                    strict=True,
                )
            )
        ),
    }
    out: list[Row] = []
    for name, pred in preds.items():
        right = np.mean([text_similarity(pred[i], g) >= 0.9 for i, g in data.gold.items()])
        out.append(("text", "acc (sim>=0.9)", k, name, f"{right:.3f}"))
    return out


KINDS: dict[str, Callable[[int, int, int], list[Row]]] = {
    "multilabel": multilabel_rows,
    "rating": rating_rows,
    "spans": span_rows,
    "bbox": box_rows,
    "text": text_rows,
}
GENERATORS: dict[str, Callable[..., SyntheticSet]] = {
    "multilabel": synthetic_multilabel,
    "rating": synthetic_ratings,
    "spans": synthetic_spans,
    "bbox": synthetic_boxes,
    "text": synthetic_texts,
}


def print_table(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(" --- " for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(str(v) for v in row) + " |")
    print()


def accuracy_table(n_items: int, seed: int) -> None:
    print(f"## Accuracy against gold (synthetic, {n_items} items, seed {seed})\n")
    table: list[tuple[Any, ...]] = []
    for kind, make_rows in KINDS.items():
        by_key: dict[tuple[str, str], dict[int, str]] = collections.defaultdict(dict)
        order: list[tuple[str, str]] = []
        for k in (3, 5):
            for _, metric, kk, method, value in make_rows(n_items, k, seed):
                if (metric, method) not in by_key:
                    order.append((metric, method))
                by_key[(metric, method)][kk] = value
        table.extend(
            (kind, metric, method, by_key[(metric, method)][3], by_key[(metric, method)][5])
            for metric, method in order
        )
    print_table(("kind", "metric", "method", "3 labels/item", "5 labels/item"), table)


def scale_table(n_labels: int, seed: int) -> None:
    print(f"## Time of structured_quality for {n_labels:,} labels (5 per item)\n")
    print("CPU seconds are this process's (the machine may be shared; wall time then grows).\n")
    table = []
    for kind, generate in GENERATORS.items():
        data = generate(n_labels // 5, 5, random_state=seed)
        extra = {"reviews": data.reviews} if kind == "text" else {}
        started, cpu_started = time.perf_counter(), time.process_time()
        result = _quiet(
            lambda data=data, extra=extra: structured_quality(data.schema, data.rows, **extra)
        )
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        reviews = f" + {len(data.reviews):,} reviews" if extra else ""
        table.append(
            (
                kind,
                f"{len(data.rows):,}{reviews}",
                f"{wall:.2f}",
                f"{cpu:.2f}",
                f"{result.label_weights.mean():.3f}",
            )
        )
    print_table(("kind", "labels", "wall s", "CPU s", "mean weight"), table)


# ------------------------------------------------------------------ crowd NER data


_INLINE_TAG = re.compile(r"/(?:[BI]-)?(?:PER|LOC|ORG|MISC)$")


def _read_conll(path: Path) -> tuple[list[str], list[str]]:
    tokens, tags = [], []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            # Some tokens carry a stray inline tag ("YORK/LOC"); the tag column rules.
            tokens.append(_INLINE_TAG.sub("", parts[0]) or parts[0])
            tags.append(parts[-1])
    return tokens, tags


def _bio_to_spans(tokens: list[str], tags: list[str], starts: list[int]) -> list[dict[str, Any]]:
    """CoNLL BIO tags -> character spans, token k starting at ``starts[k]`` (I- after O
    begins a span)."""
    spans: list[dict[str, Any]] = []
    start, end, current = 0, 0, None
    for token, tag, offset in zip(tokens, tags, starts, strict=True):
        kind = tag[2:] if tag[:2] in ("B-", "I-") else None
        if current is not None and (kind != current or tag.startswith("B-")):
            spans.append({"start": start, "end": end, "tag": current})
            current = None
        if kind is not None and current is None:
            current, start = kind, offset
        end = offset + len(token)
    if current is not None:
        spans.append({"start": start, "end": end, "tag": current})
    return spans


def _aligned_starts(tokens: list[str], text_position: list[int]) -> list[int] | None:
    """Start offsets in the gold text of a worker's tokens, aligned character by
    character (workers sometimes split a gold token); None if the characters differ."""
    starts, consumed = [], 0
    for token in tokens:
        if consumed + len(token) > len(text_position):
            return None
        starts.append(text_position[consumed])
        consumed += len(token)
    return starts if consumed == len(text_position) else None


def load_ner(part: Path) -> tuple[list[StructuredRow], dict[str, Any]]:
    """Rows and gold of one part (``val`` or ``test``) of the crowd NER data."""
    gold, payloads, chars, positions = {}, {}, {}, {}
    for path in sorted((part / "ground_truth").glob("*.txt")):
        tokens, tags = _read_conll(path)
        doc = path.stem
        starts = list(np.cumsum([0] + [len(t) + 1 for t in tokens[:-1]]).tolist())
        payloads[doc] = {"text": " ".join(tokens)}
        chars[doc] = "".join(tokens)
        positions[doc] = [s + k for s, t in zip(starts, tokens, strict=True) for k in range(len(t))]
        gold[doc] = _bio_to_spans(tokens, tags, starts)
    rows, skipped = [], 0
    for worker_dir in sorted((part / "mturk_train_data").iterdir()):
        for path in sorted(worker_dir.glob("*.txt")):
            doc = path.stem
            if doc not in gold:
                continue
            tokens, tags = _read_conll(path)
            starts = _aligned_starts(tokens, positions[doc])
            if starts is None or "".join(tokens) != chars[doc]:
                skipped += 1
                continue
            spans = _bio_to_spans(tokens, tags, starts)
            rows.append(StructuredRow(doc, worker_dir.name, spans, payloads[doc]))
    labelled = {row.item for row in rows}
    print(
        f"{part.name}: {len(gold)} gold documents, {len(labelled)} with crowd labels; "
        f"{len(rows)} annotations read, {skipped} skipped (characters differ from gold)\n"
    )
    return rows, {doc: spans for doc, spans in gold.items() if doc in labelled}


def ner_table(archive: Path) -> None:
    print(f"## Crowd NER (CoNLL-2003, Rodrigues et al. 2014) from {archive.name}\n")
    schema = {"kind": "spans", "tags": ["PER", "LOC", "ORG", "MISC"], "allow_overlap": False}
    table = []
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(archive) as handle:
            handle.extractall(tmp)
        for part in ("val", "test"):
            rows, gold = load_ner(Path(tmp) / "task1" / part)
            per_doc = len(rows) / len(gold)
            for name, params in (
                ("token majority", {"method": "mv"}),
                ("token DS", {"method": "ds"}),
                ("token BCC (default)", {}),
            ):
                started = time.perf_counter()
                result = _quiet(
                    lambda rows=rows, params=params: structured_quality(schema, rows, **params)
                )
                elapsed = time.perf_counter() - started
                pred = dict(zip(result.item_ids.tolist(), result.labels, strict=True))
                exact, partial = span_scores(pred, gold)
                table.append(
                    (
                        part,
                        f"{len(gold)} docs, {per_doc:.1f} labels/doc",
                        name,
                        f"{exact.precision:.3f}/{exact.recall:.3f}/{exact.f1:.3f}",
                        f"{partial.precision:.3f}/{partial.recall:.3f}/{partial.f1:.3f}",
                        f"{elapsed:.2f}",
                    )
                )
    print_table(("part", "size", "method", "exact P/R/F1", "partial P/R/F1", "seconds"), table)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=2000, help="items per synthetic set")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scale-labels", type=int, default=100_000)
    parser.add_argument("--skip-synthetic", action="store_true")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--ner-zip", type=Path, help="task1.zip of thanhan/seqcrowd-acl17")
    args = parser.parse_args()
    if not args.skip_synthetic:
        accuracy_table(args.items, args.seed)
    if not args.skip_scale:
        scale_table(args.scale_labels, args.seed)
    if args.ner_zip is not None:
        ner_table(args.ner_zip)


if __name__ == "__main__":
    main()
