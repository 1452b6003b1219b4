"""The terms a requester sets for a project, validated before anything is stored."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from labelshare.core.money import parse_token_amount
from labelshare.errors import InvalidInput


def _amount(value: Any) -> int:
    # Integers are base units; strings are tokens ("0.05") or base units with "wei".
    # JSON clients often cannot hold 10**18-scale integers exactly, hence strings.
    if isinstance(value, int | str):
        try:
            return parse_token_amount(value)
        except InvalidInput as exc:
            raise ValueError(str(exc).removeprefix("amount: ")) from None
    raise ValueError(f"expected an integer of base units or a token string, got {value!r}")


Amount = Annotated[int, BeforeValidator(_amount)]
ProjectName = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[^\s/][^/]*$")]


class ProjectSpec(BaseModel):
    """Everything needed to create a project.

    Amounts are integers in base units (18 decimals) or token strings (``"0.05"``).
    ``label_schema`` is a label schema as JSON (see ``labelshare.schema``), given as
    ``schema`` in files and requests.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: ProjectName
    label_schema: dict[str, Any] = Field(alias="schema")
    instructions: str = Field(default="", max_length=100_000)
    domain: str | None = Field(default=None, min_length=1, max_length=64)
    redundancy_min: int = Field(default=3, ge=1, le=100)
    redundancy_max: int = Field(default=5, ge=1, le=100)
    gold_rate: float = Field(default=0.1, ge=0.0, lt=1.0)
    reward_per_label: Amount = 0
    budget: Amount = 0
    royalty_share_bps: int = Field(default=7_000, ge=0, le=10_000)
    slash_bar: float = Field(default=0.5, ge=0.0, le=1.0)
    exam_size: int = Field(default=10, ge=1, le=1_000)
    exam_pass_rate: float = Field(default=0.8, ge=0.0, le=1.0)
    requires_signature: bool = False
    is_public: bool = False

    @field_validator("label_schema")
    @classmethod
    def _schema_is_valid(cls, value: dict[str, Any]) -> dict[str, Any]:
        from labelshare.schema import parse_schema

        return parse_schema(value).to_json()

    @model_validator(mode="after")
    def _redundancy_is_ordered(self) -> ProjectSpec:
        if self.redundancy_min > self.redundancy_max:
            raise ValueError(
                f"redundancy_min {self.redundancy_min} exceeds redundancy_max {self.redundancy_max}"
            )
        return self


class ProjectUpdate(BaseModel):
    """The terms that may change once a project exists (its schema may not)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instructions: str | None = Field(default=None, max_length=100_000)
    domain: str | None = Field(default=None, min_length=1, max_length=64)
    redundancy_min: int | None = Field(default=None, ge=1, le=100)
    redundancy_max: int | None = Field(default=None, ge=1, le=100)
    gold_rate: float | None = Field(default=None, ge=0.0, lt=1.0)
    reward_per_label: Amount | None = None
    royalty_share_bps: int | None = Field(default=None, ge=0, le=10_000)
    slash_bar: float | None = Field(default=None, ge=0.0, le=1.0)
    exam_size: int | None = Field(default=None, ge=1, le=1_000)
    exam_pass_rate: float | None = Field(default=None, ge=0.0, le=1.0)
    is_public: bool | None = None
