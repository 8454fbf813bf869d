"""Identity and access: users, scopes, API keys, web sessions, rate limits, audit.

Public entry points (imported lazily so that ``import kambot.auth`` stays cheap for the
CLI):

- users and keys (:mod:`.users`): :func:`create_user`, :func:`get_user`,
  :func:`list_users`, :func:`set_accounts`, :func:`set_password`, :func:`issue_key`,
  :func:`revoke_key`, :func:`revoke_user`, :func:`authenticate_key`,
  :func:`authenticate_password`;
- sessions (:mod:`.sessions`): :func:`create_session`, :func:`session_identity`,
  :func:`end_session`, :func:`purge_sessions`;
- :class:`Authenticator` (checks with a short cache of successes), :class:`RateLimiter`,
  :class:`AuditTrail` / :func:`record_access` / :func:`list_access`;
- the authorization rules (:mod:`.access`);
- :func:`ensure_demo_users` for ``kambot demo``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "create_user": "users",
    "get_user": "users",
    "list_users": "users",
    "set_accounts": "users",
    "set_password": "users",
    "issue_key": "users",
    "revoke_key": "users",
    "revoke_user": "users",
    "authenticate_key": "users",
    "authenticate_password": "users",
    "parse_role": "users",
    "create_session": "sessions",
    "session_identity": "sessions",
    "end_session": "sessions",
    "purge_sessions": "sessions",
    "Authenticator": "authenticator",
    "RateLimiter": "ratelimit",
    "AuditEntry": "audit",
    "AuditTrail": "audit",
    "record_access": "audit",
    "list_access": "audit",
    "ensure_demo_users": "demo",
    "Identity": "models",
    "UserInfo": "models",
    "ApiKeyInfo": "models",
    "NewApiKey": "models",
    "AccountRef": "models",
    "RevokeReport": "models",
}

__all__ = [
    "AccountRef",
    "ApiKeyInfo",
    "AuditEntry",
    "AuditTrail",
    "Authenticator",
    "Identity",
    "NewApiKey",
    "RateLimiter",
    "RevokeReport",
    "UserInfo",
    "authenticate_key",
    "authenticate_password",
    "create_session",
    "create_user",
    "end_session",
    "ensure_demo_users",
    "get_user",
    "issue_key",
    "list_access",
    "list_users",
    "parse_role",
    "purge_sessions",
    "record_access",
    "revoke_key",
    "revoke_user",
    "session_identity",
    "set_accounts",
    "set_password",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
