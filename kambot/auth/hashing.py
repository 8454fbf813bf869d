"""Secrets: API keys, passwords and session tokens, and how they are kept at rest.

API keys look like ``kb_<key_id>_<secret>``: ``key_id`` (12 hex characters) is not
secret and finds the one row to check, so that a key costs one argon2 verification,
never a scan; only the argon2 hash of ``secret`` is stored. Passwords are hashed with
argon2 too. Session tokens are 256-bit random values: their sha256 is enough at rest
(nobody can brute-force 256 bits), and it makes a session lookup one indexed query.

Argon2 parameters are OWASP's recommended minimum (argon2id, 19 MiB, 2 passes, 1 lane):
about 60 ms per hash on a small machine, and bounded memory when several requests
verify at once. The parameters travel in each hash, so raising them later needs no
migration.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

KEY_PREFIX = "kb_"
KEY_ID_CHARS = 12
_KEY_RE = re.compile(r"^kb_([0-9a-f]{12})_([A-Za-z0-9_-]{32,128})$")
MIN_PASSWORD_CHARS = 12


@lru_cache(maxsize=1)
def _hasher() -> PasswordHasher:
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


def hash_secret(secret: str) -> str:
    """Return the argon2id hash of a password or of an API key's secret part."""
    return _hasher().hash(secret)


def verify_secret(stored_hash: str, secret: str) -> bool:
    """Tell whether ``secret`` matches ``stored_hash`` (False for a malformed hash)."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return bool(_hasher().verify(stored_hash, secret))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def burn_verification(secret: str) -> None:
    """Spend the time of one verification, so that unknown names answer as slowly."""
    verify_secret(_dummy_hash(), secret)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_secret(secrets.token_urlsafe(16))


def new_api_key() -> tuple[str, str]:
    """Return a new key's public id and the whole key (shown once to its owner)."""
    key_id = secrets.token_hex(KEY_ID_CHARS // 2)
    return key_id, f"{KEY_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"


def parse_api_key(key: str) -> tuple[str, str] | None:
    """Split a presented key into ``(key_id, secret)``; None when it is not a kambot key."""
    match = _KEY_RE.match(key.strip())
    if match is None:
        return None
    return match.group(1), match.group(2)


def fast_digest(value: str) -> str:
    """Return the sha256 hex digest of a high-entropy value (cache keys, session tokens)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_session_token() -> str:
    """Return a new random session token (256 bits)."""
    return secrets.token_urlsafe(32)


def csrf_token_for(session_token: str) -> str:
    """Return the CSRF token bound to a session token.

    It is derived rather than stored: whoever holds the (HttpOnly) session cookie can
    be told it again, and a page on another site, which cannot read the cookie, cannot
    compute it.
    """
    return hmac.new(session_token.encode("utf-8"), b"kambot-csrf", hashlib.sha256).hexdigest()


def same_secret(a: str, b: str) -> bool:
    """Compare two secrets in constant time."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def check_password_strength(password: str) -> str | None:
    """Return why a password is refused, or None when it is acceptable."""
    # Length is what makes a password hard to guess (NIST SP 800-63B): no composition
    # rules, which push people to predictable substitutions.
    if len(password) < MIN_PASSWORD_CHARS:
        return f"a password needs at least {MIN_PASSWORD_CHARS} characters"
    return None
