"""Authenticate API keys and web sessions, remembering recent successes for a moment.

An argon2 verification costs tens of milliseconds: paying it on every request would
cap an API server at a few dozen requests per second per core. Successful checks are
therefore remembered in memory, keyed by the sha256 of the presented secret (fast, and
useless to whoever reads the process memory for keys), for ``ttl_s`` seconds. Revoking
a key or a user, changing a scope or logging out clears the entries of that user at
once in this process; other processes (another API worker, the CLI) are bounded by the
TTL. Failures are never remembered.

At most ``verify_slots`` verifications run at once: argon2 takes 19 MiB each, and when
many requests arrive with the same new key, the first one verifies and the others find
its result in the cache.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kambot.auth.hashing import fast_digest, parse_api_key
from kambot.auth.models import Identity
from kambot.errors import AuthenticationError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

DEFAULT_TTL_S = 30.0


@dataclass(frozen=True)
class _Entry:
    identity: Identity
    until: float


class Authenticator:
    """Check credentials against the store, with a short in-memory cache of successes.

    Args:
        engine: a function returning the engine (the API opens its store lazily).
        ttl_s: how long a successful check is remembered.
        max_entries: cache size bound (the oldest half goes when it is reached).
        verify_slots: how many argon2 verifications may run at once.
        clock: a monotonic clock in seconds.
    """

    def __init__(self, engine: Callable[[], Engine], *, ttl_s: float = DEFAULT_TTL_S,
                 max_entries: int = 10_000, verify_slots: int = 2,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._engine = engine
        self.ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._cache: dict[str, _Entry] = {}
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(verify_slots)

    # --- cache ----------------------------------------------------------------------

    def _get(self, digest: str) -> Identity | None:
        entry = self._cache.get(digest)
        if entry is None:
            return None
        if entry.until <= self._clock():
            with self._lock:
                self._cache.pop(digest, None)
            return None
        expires = entry.identity.expires_at
        if expires is not None and expires <= datetime.now(UTC):
            with self._lock:
                self._cache.pop(digest, None)
            return None
        return entry.identity

    def _put(self, digest: str, identity: Identity) -> None:
        with self._lock:
            if len(self._cache) >= self._max_entries:
                oldest = sorted(self._cache.items(), key=lambda item: item[1].until)
                for name, _entry in oldest[: len(oldest) // 2]:
                    del self._cache[name]
            self._cache[digest] = _Entry(identity, self._clock() + self.ttl_s)

    def forget_user(self, user_id: int | None) -> int:
        """Drop every remembered check of one user (after a revocation or a scope change)."""
        with self._lock:
            gone = [d for d, e in self._cache.items() if e.identity.principal.user_id == user_id]
            for digest in gone:
                del self._cache[digest]
        return len(gone)

    def forget_all(self) -> None:
        """Drop every remembered check."""
        with self._lock:
            self._cache.clear()

    # --- API keys -------------------------------------------------------------------

    @staticmethod
    def looks_like_key(key: str) -> bool:
        """Tell whether ``key`` has the shape of a kambot API key."""
        return parse_api_key(key) is not None

    def cached_key(self, key: str) -> Identity | None:
        """Return the identity of a key checked recently, without touching the store."""
        return self._get("k:" + fast_digest(key))

    def api_key(self, key: str) -> Identity | None:
        """Return the identity behind an API key, or None (unknown, revoked, wrong)."""
        from kambot.auth.users import authenticate_key

        digest = "k:" + fast_digest(key)
        found = self._get(digest)
        if found is not None:
            return found
        if parse_api_key(key) is None:
            return None
        with self._slots:
            found = self._get(digest)
            if found is not None:
                return found
            identity = authenticate_key(self._engine(), key)
        if identity is not None:
            self._put(digest, identity)
        return identity

    # --- sessions -------------------------------------------------------------------

    def cached_session(self, token: str) -> Identity | None:
        """Return the identity of a session checked recently, without touching the store."""
        return self._get("s:" + fast_digest(token))

    def session(self, token: str) -> Identity | None:
        """Return the identity of a live session, or None."""
        from kambot.auth.sessions import session_identity

        digest = "s:" + fast_digest(token)
        found = self._get(digest)
        if found is not None:
            return found
        identity = session_identity(self._engine(), token)
        if identity is not None:
            self._put(digest, identity)
        return identity

    def login(self, username: str, password: str, ttl_s: int) -> tuple[str, Identity]:
        """Check a user's password and open a session.

        Returns:
            The session token (for the cookie) and the session's identity.

        Raises:
            AuthenticationError: wrong name or password, or access revoked (one message
                for all, so that it does not tell which names exist).
        """
        from kambot.auth.sessions import create_session
        from kambot.auth.users import authenticate_password

        with self._slots:
            identity = authenticate_password(self._engine(), username, password)
        if identity is None:
            raise AuthenticationError("wrong user name or password",
                                      hint="check both, or ask an administrator to reset them")
        token, session = create_session(self._engine(), identity, ttl_s)
        self._put("s:" + fast_digest(token), session)
        return token, session

    def logout(self, token: str) -> bool:
        """End a session; tell whether there was one."""
        from kambot.auth.sessions import end_session

        with self._lock:
            self._cache.pop("s:" + fast_digest(token), None)
        return end_session(self._engine(), token)
