"""Who is asking: roles, scopes and the principal every use case is run for.

A :class:`Principal` is built at the edges (API key, web session, CLI operator, MCP
client) and passed down to every use case and repository read, which check it. The
rules live here, in one place, so that the API, the chat tools and the MCP server
cannot disagree about who may see what.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Role(StrEnum):
    """The roles of the KAM programme."""

    KAM = "kam"
    LEAD = "lead"  # programme lead
    EXECUTIVE = "executive"
    HR = "hr"
    ADMIN = "admin"


# Roles that see every account, whatever their account scope says.
PORTFOLIO_WIDE_ROLES: frozenset[Role] = frozenset({Role.LEAD, Role.ADMIN})
# Candidates and assessments are for HR alone (EU AI Act, Annex III: least access).
CANDIDATE_ROLES: frozenset[Role] = frozenset({Role.HR})
# Roles that may change programme-wide settings, segments, selection and sponsors.
PROGRAMME_WRITE_ROLES: frozenset[Role] = frozenset({Role.LEAD, Role.ADMIN})


class Principal(BaseModel):
    """The authenticated user a request or a chat turn is run for."""

    model_config = ConfigDict(frozen=True)

    user_id: int | None
    username: str
    role: Role
    # Account ids a KAM or an executive may see; ignored for portfolio-wide roles.
    account_ids: frozenset[int] = frozenset()

    @property
    def sees_all_accounts(self) -> bool:
        """Tell whether this principal sees the whole portfolio."""
        return self.role in PORTFOLIO_WIDE_ROLES

    def can_see_account(self, account_id: int) -> bool:
        """Tell whether this principal may read the account ``account_id``."""
        if self.role == Role.HR:
            return False
        return self.sees_all_accounts or account_id in self.account_ids

    def can_change_account(self, account_id: int) -> bool:
        """Tell whether this principal may change the plans of ``account_id``."""
        if self.role in (Role.HR, Role.EXECUTIVE):
            return False
        return self.can_see_account(account_id)

    @property
    def can_see_portfolio(self) -> bool:
        """Tell whether this principal may read portfolio-wide analyses.

        Executives steer the programme, so they see segmentation, selection, tiers and
        programme KPIs; a KAM sees only the accounts in their scope.
        """
        return self.role in (Role.LEAD, Role.ADMIN, Role.EXECUTIVE)

    @property
    def can_manage_programme(self) -> bool:
        """Tell whether this principal may change programme-wide plans."""
        return self.role in PROGRAMME_WRITE_ROLES

    @property
    def can_assess_people(self) -> bool:
        """Tell whether this principal may see candidates and assessments."""
        return self.role in CANDIDATE_ROLES

    @property
    def can_manage_users(self) -> bool:
        """Tell whether this principal may add and revoke users and keys."""
        return self.role == Role.ADMIN


def operator() -> Principal:
    """Return the principal of the local operator running the CLI on their own data.

    The CLI runs with the file-system rights of whoever owns the data directory, so it
    acts as an administrator that may also assess people.
    """
    return Principal(user_id=None, username="operator", role=Role.ADMIN)
