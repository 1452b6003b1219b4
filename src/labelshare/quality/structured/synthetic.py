"""Synthetic annotators with known answers, one generator per label kind.

Each generator draws a pool of annotators (mostly careful, some sloppy, a few
spammers who answer at random), true labels, and ``labels_per_item`` annotations of
every item by distinct annotators, with the noise typical of the kind: ratings
shifted by a per-annotator bias and spread; boxes shifted and scaled with a
per-annotator bias, missed and spurious; spans with boundary errors, wrong tags,
misses and spurious spans; texts with typos or unrelated answers. Values are in the
canonical form of ``labelshare.schema`` so that they pass its validation.
Everything is drawn from ``numpy.random.default_rng(random_state)``: the same seed
gives the same set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from labelshare.quality._base import check_positive_int
from labelshare.quality.exceptions import QualityInputError
from labelshare.quality.structured._base import StructuredRow

__all__ = [
    "SyntheticSet",
    "synthetic_boxes",
    "synthetic_multilabel",
    "synthetic_ratings",
    "synthetic_spans",
    "synthetic_texts",
]

_WORDS = (
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "xray",
    "yankee",
    "zulu",
)


@dataclass(frozen=True, eq=False)
class SyntheticSet:
    """A synthetic labelling job with its answers.

    Attributes:
        schema: the label schema as JSON (``labelshare.schema`` format).
        rows: the annotations, ``labels_per_item`` per item, items in order.
        gold: item id -> true value.
        skill: annotator id -> the annotator's drawn quality in [0, 1] (0 = spammer).
        reviews: for ``text`` only, ``(item, author, reviewer, accepted)`` votes on
            each answer; empty for other kinds.
    """

    schema: dict[str, Any]
    rows: list[StructuredRow]
    gold: dict[str, Any]
    skill: dict[str, float]
    reviews: list[tuple[str, str, str, bool]]


def _pool(
    rng: np.random.Generator, n_workers: int, spammer_share: float
) -> tuple[list[str], np.ndarray]:
    """Annotator ids and skills: Beta(6, 2) for most, 0 for the spammers."""
    skill = rng.beta(6.0, 2.0, size=n_workers)
    skill[rng.random(n_workers) < spammer_share] = 0.0
    return [f"w{k:04d}" for k in range(n_workers)], skill


def _assign(
    rng: np.random.Generator, n_items: int, n_workers: int, labels_per_item: int
) -> list[np.ndarray]:
    """For each item, ``labels_per_item`` distinct annotator indices."""
    if labels_per_item > n_workers:
        raise QualityInputError(f"labels_per_item: {labels_per_item} exceeds n_workers {n_workers}")
    return [rng.choice(n_workers, size=labels_per_item, replace=False) for _ in range(n_items)]


def _check(n_items: int, labels_per_item: int, n_workers: int) -> None:
    check_positive_int(n_items, "n_items")
    check_positive_int(labels_per_item, "labels_per_item")
    check_positive_int(n_workers, "n_workers")


def synthetic_multilabel(
    n_items: int,
    labels_per_item: int,
    *,
    n_classes: int = 6,
    n_workers: int = 50,
    spammer_share: float = 0.1,
    random_state: int = 0,
) -> SyntheticSet:
    """Multilabel answers: each class applies with its own prevalence; annotators
    choose an applying class with probability ``0.5 + skill / 2`` and a wrong one
    with probability ``(1 - skill) / 4``; spammers choose each class with prob 0.3.

    Args:
        n_items: number of items.
        labels_per_item: annotations per item (distinct annotators).
        n_classes: number of classes.
        n_workers: size of the annotator pool.
        spammer_share: expected share of spammers.
        random_state: seed.

    Returns:
        The set (schema ``multilabel`` with classes ``c0..``, ``allow_empty`` true).

    Raises:
        QualityInputError: a count is not a positive integer, or ``labels_per_item``
            exceeds ``n_workers``.
    """
    _check(n_items, labels_per_item, n_workers)
    rng = np.random.default_rng(random_state)
    classes = [f"c{k}" for k in range(n_classes)]
    ids, skill = _pool(rng, n_workers, spammer_share)
    prevalence = rng.uniform(0.1, 0.5, size=n_classes)
    truth = rng.random((n_items, n_classes)) < prevalence
    rows, gold = [], {}
    for i, workers in enumerate(_assign(rng, n_items, n_workers, labels_per_item)):
        item = f"i{i:06d}"
        gold[item] = [classes[c] for c in np.flatnonzero(truth[i])]
        for w in workers:
            s = skill[w]
            p = np.where(truth[i], 0.5 + s / 2, (1 - s) / 4) if s > 0 else np.full(n_classes, 0.3)
            chosen = rng.random(n_classes) < p
            rows.append(StructuredRow(item, ids[w], [classes[c] for c in np.flatnonzero(chosen)]))
    schema = {"kind": "multilabel", "classes": classes, "allow_empty": True}
    return SyntheticSet(schema, rows, gold, dict(zip(ids, skill.tolist(), strict=True)), [])


def synthetic_ratings(
    n_items: int,
    labels_per_item: int,
    *,
    max_rating: int = 5,
    n_workers: int = 50,
    spammer_share: float = 0.1,
    random_state: int = 0,
) -> SyntheticSet:
    """Ratings: annotator w answers ``round(truth + b_w + e)`` clipped to 1..K, with
    bias ``b_w ~ N(0, 0.6)`` and noise spread ``0.3 + 1.2 (1 - skill)``; spammers
    answer uniformly at random.

    Args:
        n_items: number of items.
        labels_per_item: annotations per item.
        max_rating: K.
        n_workers: size of the annotator pool.
        spammer_share: expected share of spammers.
        random_state: seed.

    Returns:
        The set (schema ``rating``).

    Raises:
        QualityInputError: as :func:`synthetic_multilabel`.
    """
    _check(n_items, labels_per_item, n_workers)
    rng = np.random.default_rng(random_state)
    ids, skill = _pool(rng, n_workers, spammer_share)
    bias = rng.normal(0.0, 0.6, size=n_workers)
    spread = 0.3 + 1.2 * (1.0 - skill)
    truth = rng.integers(1, max_rating + 1, size=n_items)
    rows, gold = [], {}
    for i, workers in enumerate(_assign(rng, n_items, n_workers, labels_per_item)):
        item = f"i{i:06d}"
        gold[item] = int(truth[i])
        for w in workers:
            if skill[w] == 0:
                value = int(rng.integers(1, max_rating + 1))
            else:
                raw = truth[i] + bias[w] + rng.normal(0.0, spread[w])
                value = int(np.clip(np.rint(raw), 1, max_rating))
            rows.append(StructuredRow(item, ids[w], value))
    schema = {"kind": "rating", "max_rating": max_rating}
    return SyntheticSet(schema, rows, gold, dict(zip(ids, skill.tolist(), strict=True)), [])


def _sentence(rng: np.random.Generator, n_tokens: int) -> list[str]:
    return [str(_WORDS[k]) for k in rng.integers(0, len(_WORDS), size=n_tokens)]


def _char_spans(tokens: list[str], token_spans: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
    """Token spans [a, b) -> character spans over ``" ".join(tokens)``, sorted."""
    starts = np.cumsum([0] + [len(tok) + 1 for tok in tokens[:-1]])
    out = {
        (int(starts[a]), int(starts[b - 1]) + len(tokens[b - 1]), tag) for a, b, tag in token_spans
    }
    return [{"start": s, "end": e, "tag": tag} for s, e, tag in sorted(out)]


def _entities(
    rng: np.random.Generator, n_tokens: int, tags: list[str]
) -> list[tuple[int, int, str]]:
    """Non-overlapping token spans of 1-3 tokens, about one per eight tokens."""
    spans, position = [], int(rng.integers(0, 4))
    while position < n_tokens:
        length = int(rng.integers(1, 4))
        if position + length <= n_tokens and rng.random() < 0.5:
            spans.append((position, position + length, str(tags[rng.integers(len(tags))])))
            position += length + 1
        position += int(rng.integers(1, 8))
    return spans


def _noisy_spans(
    rng: np.random.Generator,
    truth: list[tuple[int, int, str]],
    n_tokens: int,
    tags: list[str],
    s: float,
) -> list[tuple[int, int, str]]:
    if s == 0:
        return _entities(rng, n_tokens, tags)
    out = []
    for a, b, tag in truth:
        if rng.random() < 0.4 * (1 - s):
            continue  # missed
        if rng.random() < 0.3 * (1 - s):
            tag = str(tags[rng.integers(len(tags))])
        if rng.random() < 0.4 * (1 - s):
            a = min(n_tokens - 1, max(0, a + int(rng.integers(-1, 2))))
            b = min(n_tokens, max(a + 1, b + int(rng.integers(-1, 2))))
        out.append((a, b, tag))
    if rng.random() < 0.5 * (1 - s):
        a = int(rng.integers(0, n_tokens))
        out.append((a, a + 1, str(tags[rng.integers(len(tags))])))
    # Keep the answer valid (no overlap): drop spans that overlap an earlier one.
    kept: list[tuple[int, int, str]] = []
    for span in sorted(set(out)):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


def synthetic_spans(
    n_items: int,
    labels_per_item: int,
    *,
    n_tokens: int = 30,
    tags: tuple[str, ...] = ("PER", "LOC", "ORG"),
    n_workers: int = 50,
    spammer_share: float = 0.1,
    random_state: int = 0,
) -> SyntheticSet:
    """Tagged spans over texts of ``n_tokens`` words: an annotator misses an entity
    with probability ``0.4 (1 - skill)``, changes its tag with ``0.3 (1 - skill)``,
    moves a boundary by one word with ``0.4 (1 - skill)`` and adds a spurious one-word
    span with ``0.5 (1 - skill)``; spammers tag random spans.

    Args:
        n_items: number of items (texts).
        labels_per_item: annotations per item.
        n_tokens: words per text.
        tags: the tag names.
        n_workers: size of the annotator pool.
        spammer_share: expected share of spammers.
        random_state: seed.

    Returns:
        The set (schema ``spans``; each row carries its payload ``{"text": ...}``).

    Raises:
        QualityInputError: as :func:`synthetic_multilabel`.
    """
    _check(n_items, labels_per_item, n_workers)
    rng = np.random.default_rng(random_state)
    ids, skill = _pool(rng, n_workers, spammer_share)
    tag_list = list(tags)
    rows, gold = [], {}
    for i, workers in enumerate(_assign(rng, n_items, n_workers, labels_per_item)):
        item = f"i{i:06d}"
        tokens = _sentence(rng, n_tokens)
        payload = {"text": " ".join(tokens)}
        truth = _entities(rng, n_tokens, tag_list)
        gold[item] = _char_spans(tokens, truth)
        for w in workers:
            answer = _noisy_spans(rng, truth, n_tokens, tag_list, float(skill[w]))
            rows.append(StructuredRow(item, ids[w], _char_spans(tokens, answer), payload))
    schema = {"kind": "spans", "tags": tag_list, "allow_overlap": False, "allow_empty": True}
    return SyntheticSet(schema, rows, gold, dict(zip(ids, skill.tolist(), strict=True)), [])


def _box(
    x: float, y: float, w: float, h: float, name: str, size: tuple[int, int]
) -> dict[str, Any]:
    """A box clipped into the image, coordinates rounded to 0.1 pixel."""
    width, height = size
    x0, y0 = np.clip([x, y], 0.0, [width - 1.0, height - 1.0])
    x1, y1 = np.clip([x + w, y + h], [x0 + 1.0, y0 + 1.0], [width, height])
    x0, y0, x1, y1 = (round(float(v), 1) for v in (x0, y0, x1, y1))
    return {"x": x0, "y": y0, "w": round(x1 - x0, 1), "h": round(y1 - y0, 1), "class": name}


def _sorted_boxes(boxes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    unique = {(b["x"], b["y"], b["w"], b["h"], b["class"]): b for b in boxes}
    return [unique[key] for key in sorted(unique)]


def synthetic_boxes(
    n_items: int,
    labels_per_item: int,
    *,
    classes: tuple[str, ...] = ("car", "person", "sign"),
    image_size: tuple[int, int] = (640, 480),
    n_workers: int = 50,
    spammer_share: float = 0.1,
    random_state: int = 0,
) -> SyntheticSet:
    """Boxes over images with 0-4 objects: an annotator shifts every box by its own
    bias (up to 8% of the box size, times ``1 - skill``) plus noise, scales it by its
    own factor, misses an object with probability ``0.4 (1 - skill)``, names a wrong
    class with ``0.2 (1 - skill)`` and adds a spurious box with ``0.6 (1 - skill)``;
    spammers draw 0-3 random boxes.

    Args:
        n_items: number of items (images).
        labels_per_item: annotations per item.
        classes: the class names.
        image_size: (width, height) in pixels of every image.
        n_workers: size of the annotator pool.
        spammer_share: expected share of spammers.
        random_state: seed.

    Returns:
        The set (schema ``bbox``; each row carries ``{"width", "height"}``).

    Raises:
        QualityInputError: as :func:`synthetic_multilabel`.
    """
    _check(n_items, labels_per_item, n_workers)
    rng = np.random.default_rng(random_state)
    ids, skill = _pool(rng, n_workers, spammer_share)
    shift = rng.uniform(-0.08, 0.08, size=(n_workers, 2)) * (1 - skill[:, None])
    scale = 1.0 + rng.uniform(-0.1, 0.1, size=n_workers) * (1 - skill)
    width, height = image_size
    payload = {"width": width, "height": height}
    names = list(classes)

    def random_box() -> dict[str, Any]:
        w, h = rng.uniform(0.08, 0.35) * width, rng.uniform(0.08, 0.35) * height
        x, y = rng.uniform(0, width - w), rng.uniform(0, height - h)
        return _box(x, y, w, h, str(names[rng.integers(len(names))]), image_size)

    rows, gold = [], {}
    for i, workers in enumerate(_assign(rng, n_items, n_workers, labels_per_item)):
        item = f"i{i:06d}"
        truth = _sorted_boxes([random_box() for _ in range(int(rng.integers(0, 5)))])
        gold[item] = truth
        for w in workers:
            s = float(skill[w])
            if s == 0:
                answer = [random_box() for _ in range(int(rng.integers(0, 4)))]
            else:
                answer = []
                for box in truth:
                    if rng.random() < 0.4 * (1 - s):
                        continue
                    name = box["class"]
                    if rng.random() < 0.2 * (1 - s):
                        name = str(names[rng.integers(len(names))])
                    bw, bh = box["w"] * scale[w], box["h"] * scale[w]
                    noise = rng.normal(0.0, 0.03 * (1.5 - s), size=2)
                    x = box["x"] + (shift[w, 0] + noise[0]) * box["w"]
                    y = box["y"] + (shift[w, 1] + noise[1]) * box["h"]
                    answer.append(_box(x, y, bw, bh, name, image_size))
                if rng.random() < 0.6 * (1 - s):
                    answer.append(random_box())
            rows.append(StructuredRow(item, ids[w], _sorted_boxes(answer), payload))
    schema = {"kind": "bbox", "classes": names, "allow_empty": True}
    return SyntheticSet(schema, rows, gold, dict(zip(ids, skill.tolist(), strict=True)), [])


def _typos(rng: np.random.Generator, text: str, rate: float) -> str:
    chars = list(text)
    for k in np.flatnonzero(rng.random(len(chars)) < rate):
        chars[k] = str(_WORDS[rng.integers(len(_WORDS))][0])
    return "".join(chars)


def synthetic_texts(
    n_items: int,
    labels_per_item: int,
    *,
    n_reviewers: int = 3,
    n_workers: int = 50,
    spammer_share: float = 0.1,
    random_state: int = 0,
) -> SyntheticSet:
    """Free-text answers (e.g. transcriptions) with reviews: an annotator gives an
    unrelated sentence with probability ``0.6 (1 - skill)`` and otherwise the true
    one with typos at rate ``0.1 (1 - skill)``; spammers always answer unrelated text.
    Each answer gets ``n_reviewers`` accept/reject votes from other pool members; a
    reviewer judges an answer correctly with probability ``0.6 + 0.4 skill``.

    Args:
        n_items: number of items.
        labels_per_item: answers per item.
        n_reviewers: review votes per answer.
        n_workers: size of the annotator pool (reviewers are drawn from it too).
        spammer_share: expected share of spammers.
        random_state: seed.

    Returns:
        The set (schema ``text``; ``reviews`` filled; the gold answer is the true
        sentence, and an answer is "right" when its typo rate is at most 10%).

    Raises:
        QualityInputError: as :func:`synthetic_multilabel`.
    """
    _check(n_items, labels_per_item, n_workers)
    rng = np.random.default_rng(random_state)
    ids, skill = _pool(rng, n_workers, spammer_share)
    rows, gold, reviews = [], {}, []
    for i, workers in enumerate(_assign(rng, n_items, n_workers, labels_per_item)):
        item = f"i{i:06d}"
        truth = " ".join(_sentence(rng, int(rng.integers(4, 10))))
        gold[item] = truth
        for w in workers:
            s = float(skill[w])
            wrong = s == 0 or rng.random() < 0.6 * (1 - s)
            answer = " ".join(_sentence(rng, 6)) if wrong else _typos(rng, truth, 0.1 * (1 - s))
            rows.append(StructuredRow(item, ids[w], answer))
            others = np.setdiff1d(np.arange(n_workers), [w])
            for r in rng.choice(others, size=min(n_reviewers, others.size), replace=False):
                honest = rng.random() < 0.6 + 0.4 * skill[r]
                reviews.append((item, ids[w], ids[r], bool(honest != wrong)))
    schema = {"kind": "text", "max_length": 10_000, "allow_empty": False}
    return SyntheticSet(schema, rows, gold, dict(zip(ids, skill.tolist(), strict=True)), reviews)
