"""Queries, named as questions, so services read as use cases."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelshare.store.models import Account, AccountDomain, ApiToken, Item, Project


class AccountRepository:
    """Accounts, their domains and their API tokens."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_by_address(self, address: str) -> Account | None:
        """The account with this checksum address, if any."""
        return self.session.scalar(select(Account).where(Account.address == address))

    def get_by_token_sha256(self, token_sha256: str) -> tuple[Account, ApiToken] | None:
        """The account owning the token with this digest, and the token."""
        row = self.session.execute(
            select(Account, ApiToken)
            .join(ApiToken, ApiToken.account_id == Account.id)
            .where(ApiToken.token_sha256 == token_sha256)
        ).first()
        return None if row is None else (row[0], row[1])

    def has_domain(self, account_id: int, domain: str) -> bool:
        """Whether the account holds this expertise domain."""
        return (
            self.session.get(AccountDomain, {"account_id": account_id, "domain": domain})
            is not None
        )

    def domains_of(self, account_id: int) -> list[str]:
        """The account's domains, sorted."""
        return sorted(
            self.session.scalars(
                select(AccountDomain.domain).where(AccountDomain.account_id == account_id)
            )
        )

    def list_tokens(self, account_id: int) -> Sequence[ApiToken]:
        """The account's tokens, newest first (revoked ones included)."""
        return self.session.scalars(
            select(ApiToken).where(ApiToken.account_id == account_id).order_by(ApiToken.id.desc())
        ).all()


class ProjectRepository:
    """Projects."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_by_name(self, name: str) -> Project | None:
        """The project with this name, if any."""
        return self.session.scalar(select(Project).where(Project.name == name))

    def get_by_ref(self, ref: str | int) -> Project | None:
        """The project named ``ref``, or with id ``ref`` when it is a number."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            by_id = self.session.get(Project, int(ref))
            if by_id is not None:
                return by_id
        return self.get_by_name(str(ref))

    def list_all(self) -> Sequence[Project]:
        """Every project, oldest first."""
        return self.session.scalars(select(Project).order_by(Project.id)).all()


class ItemRepository:
    """Items of a project."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_in_project(self, project_id: int, item_id: int) -> Item | None:
        """The item with this id, if it belongs to the project."""
        item = self.session.get(Item, item_id)
        return item if item is not None and item.project_id == project_id else None

    def existing_external_ids(self, project_id: int, external_ids: Sequence[str]) -> set[str]:
        """Which of ``external_ids`` the project already has."""
        if not external_ids:
            return set()
        return set(
            self.session.scalars(
                select(Item.external_id).where(
                    Item.project_id == project_id, Item.external_id.in_(external_ids)
                )
            )
        )
