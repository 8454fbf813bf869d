"""Web sessions: a random token in an HttpOnly cookie, its sha256 in the database.

A session lives ``settings.session_ttl_s`` seconds from login (absolute, not sliding:
a stolen cookie stops working at the latest then). Logging out, changing the password
or revoking the user ends it at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from kambot.auth.hashing import fast_digest, new_session_token
from kambot.auth.models import Identity
from kambot.auth.tables import now, reading, tables, utc, writing
from kambot.auth.users import identity_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def create_session(engine: Engine, identity: Identity, ttl_s: int) -> tuple[str, Identity]:
    """Open a session for an authenticated user; expired sessions are cleared meanwhile.

    Returns:
        The cookie token (shown to the browser only) and the session's identity.
    """
    db = tables()
    s = db.sessions
    token = new_session_token()
    opened = now()
    expires = opened + timedelta(seconds=ttl_s)
    with writing(engine) as conn:
        conn.execute(db.sa.delete(s).where(s.c.expires_at < opened))
        result = conn.execute(db.sa.insert(s).values(
            token_hash=fast_digest(token), user_id=identity.principal.user_id,
            created_at=opened, expires_at=expires))
        session_id = int(result.inserted_primary_key[0])
    return token, Identity(principal=identity.principal, method="session",
                           accounts=identity.accounts, session_id=session_id, expires_at=expires)


def session_identity(engine: Engine, token: str, *,
                     at: datetime | None = None) -> Identity | None:
    """Return the identity of a live session, or None (unknown, expired, user revoked)."""
    db = tables()
    s, u = db.sessions, db.users
    moment = at or now()
    with reading(engine) as conn:
        row = conn.execute(
            db.sa.select(s.c.id.label("session_id"), s.c.expires_at, u.c.id, u.c.username,
                         u.c.role, u.c.active)
            .join(u, u.c.id == s.c.user_id).where(s.c.token_hash == fast_digest(token))).first()
        if row is None or not row.active:
            return None
        expires = utc(row.expires_at)
        if expires is None or expires <= moment:
            return None
        return identity_of(conn, row, method="session", session_id=int(row.session_id),
                           expires_at=expires)


def end_session(engine: Engine, token: str) -> bool:
    """End the session of a cookie token; tell whether there was one."""
    db = tables()
    with writing(engine) as conn:
        result = conn.execute(db.sa.delete(db.sessions)
                              .where(db.sessions.c.token_hash == fast_digest(token)))
    return bool(result.rowcount)


def purge_sessions(engine: Engine, *, at: datetime | None = None) -> int:
    """Delete expired sessions; return how many went."""
    db = tables()
    with writing(engine) as conn:
        result = conn.execute(db.sa.delete(db.sessions)
                              .where(db.sessions.c.expires_at < (at or now())))
    return int(result.rowcount or 0)
