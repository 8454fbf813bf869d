"""Who may use what: the authorization rules every edge applies, in one place.

Two kinds of refusal, as the identity contract fixes them:

- a whole kind of use the role may not have answers :class:`PermissionDeniedError`
  (HTTP 403): HR asking for accounts, a KAM asking for portfolio-wide analyses,
  anyone but HR asking for candidates;
- an object addressed by id or name that is outside the caller's scope answers
  :class:`NotFoundError` (HTTP 404) with exactly the message and hint an unknown
  object gets, so that a caller cannot learn what exists outside their scope.
  Suggestions in hints are drawn from the caller's scope only.

Methodology questions (``POST /ask`` without an account) are open to every role, HR
included: the methodology corpus holds no customer or personal data, and HR staff
cast KAMs against it. Passages restricted to some roles stay filtered by role.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from kambot.domain.documents import ACCOUNT_KINDS
from kambot.domain.identity import Principal, Role
from kambot.errors import NotFoundError, PermissionDeniedError


def require_account_reader(principal: Principal) -> Principal:
    """Refuse a role that sees no account at all (HR).

    Raises:
        PermissionDeniedError: the role sees no account.
    """
    if principal.role == Role.HR:
        raise PermissionDeniedError(
            "the hr role sees no customer account",
            hint="accounts are for kam, executive, lead and admin users",
            role=principal.role.value,
        )
    return principal


def require_portfolio_reader(principal: Principal) -> Principal:
    """Refuse a role that may not read portfolio-wide analyses.

    Raises:
        PermissionDeniedError: not a lead, an admin or an executive.
    """
    if not principal.can_see_portfolio:
        raise PermissionDeniedError(
            f"the {principal.role.value} role may not read portfolio-wide analyses",
            hint="segmentation, selection, tiers and programme KPIs are for executives, "
            "programme leads and admins; a KAM reads their own accounts",
            role=principal.role.value,
        )
    return principal


def require_people_assessor(principal: Principal) -> Principal:
    """Refuse anyone but HR (candidates and assessments).

    Raises:
        PermissionDeniedError: not an HR user.
    """
    if not principal.can_assess_people:
        raise PermissionDeniedError(
            "candidates and assessments are for the hr role only",
            hint="ask an HR user; even admins do not see assessments",
            role=principal.role.value,
        )
    return principal


def require_user_manager(principal: Principal) -> Principal:
    """Refuse anyone but an admin (users and keys).

    Raises:
        PermissionDeniedError: not an admin.
    """
    if not principal.can_manage_users:
        raise PermissionDeniedError("managing users and keys is for admins only",
                                    hint="ask an administrator", role=principal.role.value)
    return principal


def visible_account_ids(principal: Principal) -> frozenset[int] | None:
    """Return the account ids the principal sees; None means every account."""
    if principal.role == Role.HR:
        return frozenset()
    return None if principal.sees_all_accounts else principal.account_ids


def filter_accounts(principal: Principal, ids: Iterable[int]) -> list[int]:
    """Return the positions of ``ids`` the principal may see, in order."""
    return [i for i, account in enumerate(ids) if principal.can_see_account(int(account))]


def unknown_account(ref: str, suggestions: Sequence[str] = ()) -> NotFoundError:
    """Return the error for an account that is unknown or outside the caller's scope."""
    hint = ("did you mean: " + "; ".join(suggestions)) if suggestions else (
        "list the accounts you can see with GET /accounts or `kambot kpis`")
    return NotFoundError(f"unknown account {ref!r}", hint=hint)


def resolve_in_scope(
    principal: Principal,
    ref: str,
    ids: Sequence[int],
    external_ids: Sequence[str],
    names: Sequence[str],
) -> str:
    """Find an account the principal may see, by external id, database id or name.

    Matching follows the portfolio's own resolver (external id, then exact name without
    case, then database id), over the accounts in the principal's scope only.

    Returns:
        The account's external id.

    Raises:
        NotFoundError: no account in scope matches (suggestions from the scope only).
    """
    wanted = ref.strip()
    visible = filter_accounts(principal, ids)
    for i in visible:
        if external_ids[i] == wanted:
            return external_ids[i]
    lowered = wanted.casefold()
    by_name = [i for i in visible if names[i].casefold() == lowered]
    if len(by_name) == 1:
        return external_ids[by_name[0]]
    if len(by_name) > 1:
        raise NotFoundError(f"several accounts are named {ref!r}",
                            hint="use the external id: "
                            + ", ".join(external_ids[i] for i in by_name))
    if wanted.isascii() and wanted.isdigit():  # "²".isdigit() is True too
        for i in visible:
            if int(ids[i]) == int(wanted):
                return external_ids[i]
    raise unknown_account(ref, _suggest(wanted, [(external_ids[i], names[i]) for i in visible]))


def _suggest(wanted: str, accounts: Sequence[tuple[str, str]]) -> list[str]:
    if not accounts or not wanted:
        return []
    from rapidfuzz import fuzz, process

    choices = {n: f"{name} ({ext})" for n, (ext, name) in enumerate(accounts)}
    return [c[0] for c in process.extract(wanted, choices, scorer=fuzz.WRatio, limit=3,
                                          score_cutoff=75)]


# --- documents ----------------------------------------------------------------------------


def can_read_document(principal: Principal, account_id: int | None) -> bool:
    """Tell whether the principal may read a document about ``account_id``.

    ``account_id`` is None for programme-level documents (sponsorship plan, programme
    review), which the portfolio roles read. A document whose account no longer exists
    is passed as ``-1`` and only portfolio-wide roles see it.
    """
    if principal.role == Role.HR:
        return False
    if account_id is None:
        return principal.can_see_portfolio
    return principal.can_see_account(account_id)


def require_document_reader(principal: Principal) -> Principal:
    """Refuse a role that reads no document (HR).

    Raises:
        PermissionDeniedError: the role reads no document.
    """
    if principal.role == Role.HR:
        raise PermissionDeniedError("the hr role reads no account or programme document",
                                    hint="HR reports are under /assessments",
                                    role=principal.role.value)
    return principal


def require_drafter(principal: Principal, kind: str) -> Principal:
    """Refuse a role that may not draft this kind of document (before any scope check).

    Account documents are drafted by those who change the account's plans (KAM, lead,
    admin); programme documents by those who manage the programme (lead, admin).

    Raises:
        PermissionDeniedError: the role may not draft this kind.
    """
    if kind in ACCOUNT_KINDS:
        if principal.role not in (Role.KAM, Role.LEAD, Role.ADMIN):
            raise PermissionDeniedError(
                f"the {principal.role.value} role may not draft account documents",
                hint="KAMs draft for their accounts; leads and admins for any account",
                role=principal.role.value)
    elif not principal.can_manage_programme:
        raise PermissionDeniedError(
            f"the {principal.role.value} role may not draft programme documents",
            hint="programme documents are drafted by programme leads and admins",
            role=principal.role.value)
    return principal


def unknown_document(document_id: int) -> NotFoundError:
    """Return the error for a document that is unknown or outside the caller's scope."""
    return NotFoundError(f"no stored document with id {document_id}",
                         hint="list the stored documents to see their ids")


def retrieval_roles(principal: Principal) -> frozenset[str]:
    """Return the role names that filter role-restricted passages for this principal."""
    return frozenset({principal.role.value})
