"""Who the MCP server acts for: a user named on the command line, an API key, or the operator.

Rules (``kambot mcp``):

- ``--api-key KEY``: the key's user (the key must be valid and not revoked);
- ``--user NAME``: that user, looked up in the user store. Whoever starts the server
  already has the data directory in hand, so naming a user is a way to act with *less*
  than the operator's rights, not a way to gain any;
- neither: the local operator (``kambot.domain.identity.operator()``) when the store
  has no user yet (a single-person install); refused as soon as users exist, since the
  server would otherwise hand every MCP client an administrator's view.

Over HTTP each request may also carry ``Authorization: Bearer <API key>``; see
:mod:`kambot.mcp_server.server`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kambot.domain.identity import Principal, Role, operator
from kambot.errors import AuthenticationError, ConfigError, DataError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from kambot.auth.models import UserInfo

SCOPED_ROLES = frozenset({Role.KAM, Role.EXECUTIVE})


def principal_of_user(info: UserInfo) -> Principal:
    """Build the principal of a stored user (scope ids only for KAMs and executives)."""
    ids = frozenset(a.id for a in info.accounts) if info.role in SCOPED_ROLES else frozenset()
    return Principal(user_id=info.id, username=info.username, role=info.role, account_ids=ids)


def users_exist(engine: Engine) -> bool:
    """Tell whether the store holds at least one active user."""
    from kambot.auth.users import list_users

    return any(u.active for u in list_users(engine))


def principal_for_key(engine: Engine, api_key: str) -> Principal:
    """Return the principal behind an API key.

    Raises:
        AuthenticationError: the key is malformed, unknown or revoked.
    """
    from kambot.auth.users import authenticate_key

    identity = authenticate_key(engine, api_key.strip())
    if identity is None:
        raise AuthenticationError("unknown or revoked API key",
                                  hint="ask an administrator for a key: `kambot user key NAME`")
    return identity.principal


def principal_for_user(engine: Engine, username: str) -> Principal:
    """Return the principal of a named, active user.

    Raises:
        NotFoundError: no such user.
        DataError: the user's access was revoked.
    """
    from kambot.auth.users import get_user

    info = get_user(engine, username)
    if not info.active:
        raise DataError(f"the user {info.username!r} has no access any more",
                        hint="name an active user (`kambot user list`)")
    return principal_of_user(info)


def resolve_principal(engine: Engine, *, user: str | None = None,
                      api_key: str | None = None) -> Principal:
    """Return the principal the server runs for, following the module's rules.

    Raises:
        ConfigError: both a user and a key were given, or neither while users exist.
        AuthenticationError: a bad key.
        NotFoundError: an unknown user.
        DataError: a revoked user.
    """
    if user is not None and api_key is not None:
        raise ConfigError("give either --user or --api-key, not both",
                          hint="--api-key proves who you are; --user names a local user")
    if api_key is not None:
        return principal_for_key(engine, api_key)
    if user is not None:
        return principal_for_user(engine, user)
    if users_exist(engine):
        raise ConfigError(
            "this kambot has users: the MCP server needs to know whom it acts for",
            hint="start it with --api-key KEY (or KAMBOT_MCP_API_KEY) or --user NAME",
        )
    return operator()
