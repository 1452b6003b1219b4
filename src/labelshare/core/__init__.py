"""Domain types and pure rules: addresses, money, roles and statuses, project terms."""

from labelshare.core.ids import checksum_address, placeholder_address
from labelshare.core.money import (
    BASE_UNITS_PER_TOKEN,
    TOKEN_DECIMALS,
    format_token_amount,
    parse_token_amount,
)
from labelshare.core.project import ProjectSpec, ProjectUpdate
from labelshare.core.statuses import (
    AssignmentStatus,
    EpochStatus,
    ProjectStatus,
    Role,
    check_project_transition,
)

__all__ = [
    "BASE_UNITS_PER_TOKEN",
    "TOKEN_DECIMALS",
    "AssignmentStatus",
    "EpochStatus",
    "ProjectSpec",
    "ProjectStatus",
    "ProjectUpdate",
    "Role",
    "check_project_transition",
    "checksum_address",
    "format_token_amount",
    "parse_token_amount",
    "placeholder_address",
]
