"""``rubric``: a response scored on each named criterion of an ordinal scale.

The value is an object with one integer score per criterion, e.g.
``{"helpfulness": 4, "harmlessness": 5, "honesty": 3}`` on a 1..5 scale. Every
criterion must be scored and no other key may appear. The payload (a prompt and the
response) is not checked: scores do not refer to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import Field, StrictInt, model_validator

from labelshare.schema._base import LabelSchema
from labelshare.schema._errors import InvalidLabel
from labelshare.schema._json_fields import describe, expect_int, name_choices
from labelshare.schema._names import NameList


class RubricSchema(LabelSchema):
    """Scores per criterion, e.g. ``{"kind": "rubric", "criteria": ["helpfulness"]}``.

    Attributes:
        criteria: the criterion names, at least one, distinct and non-blank.
        min_score: the lowest score of the scale.
        max_score: the highest score of the scale (above ``min_score``).
    """

    kind: Literal["rubric"] = "rubric"
    criteria: Annotated[NameList, Field(min_length=1)]
    min_score: Annotated[StrictInt, Field(ge=-100, le=100)] = 1
    max_score: Annotated[StrictInt, Field(ge=-100, le=100)] = 5

    @model_validator(mode="after")
    def _scale_is_increasing(self) -> Self:
        if self.max_score <= self.min_score:
            raise ValueError(f"max_score {self.max_score} must be above min_score {self.min_score}")
        return self

    def _canonical_value(self, value: Any, payload: Mapping[str, Any]) -> dict[str, int]:
        if not isinstance(value, Mapping):
            raise InvalidLabel(
                "value", f"must be an object of scores per criterion, got {describe(value)}"
            )
        for key in value:
            if key not in self.criteria:
                raise InvalidLabel(
                    f"value.{key}",
                    f"is not a criterion; expected {name_choices(self.criteria)}",
                )
        scores: dict[str, int] = {}
        for criterion in self.criteria:
            field = f"value.{criterion}"
            if criterion not in value:
                raise InvalidLabel(field, "is missing; every criterion must be scored")
            score = expect_int(value[criterion], field)
            if not self.min_score <= score <= self.max_score:
                raise InvalidLabel(
                    field, f"score {score} is outside {self.min_score}..{self.max_score}"
                )
            scores[criterion] = score
        return scores
