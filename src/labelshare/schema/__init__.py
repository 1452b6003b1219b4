"""Label schemas: which values an annotation may take, and their canonical form.

A schema is JSON such as ``{"kind": "classification", "classes": ["pos", "neg"]}``;
``parse_schema`` turns it into a ``LabelSchema`` whose ``validate`` checks a value
and returns its canonical form, and ``canonical_json`` / ``value_sha256`` give the
bytes and hash that are stored and signed. Kinds: classification, multilabel,
rating, spans, bbox, text, and the preference kinds pairwise, ranking and
rubric (one module each).

This package imports nothing else of labelshare; its errors subclass ``ValueError``.
"""

from __future__ import annotations

from labelshare.schema._base import LabelSchema
from labelshare.schema._canonical import canonical_json, value_sha256
from labelshare.schema._errors import InvalidLabel, InvalidSchema, SchemaError
from labelshare.schema._registry import SCHEMA_KINDS, parse_schema
from labelshare.schema.bbox import BboxSchema
from labelshare.schema.classification import ClassificationSchema
from labelshare.schema.multilabel import MultilabelSchema
from labelshare.schema.pairwise import PairwiseSchema
from labelshare.schema.ranking import RankingSchema
from labelshare.schema.rating import RatingSchema
from labelshare.schema.rubric import RubricSchema
from labelshare.schema.spans import SpansSchema
from labelshare.schema.text import TextSchema

__all__ = [
    "SCHEMA_KINDS",
    "BboxSchema",
    "ClassificationSchema",
    "InvalidLabel",
    "InvalidSchema",
    "LabelSchema",
    "MultilabelSchema",
    "PairwiseSchema",
    "RankingSchema",
    "RatingSchema",
    "RubricSchema",
    "SchemaError",
    "SpansSchema",
    "TextSchema",
    "canonical_json",
    "parse_schema",
    "value_sha256",
]
