"""Users, account scopes and API keys, kept in the store (tables of ``auth_schema``).

These are the administrator's use cases (CLI ``kambot user ...`` and the admin API);
they take no principal: the edges check ``principal.can_manage_users`` first.
Authentication itself (:func:`authenticate_key`, :func:`authenticate_password`) does
one indexed lookup and one argon2 verification; unknown names and key ids spend the
same time, so that timing does not tell which users or keys exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from kambot.auth.hashing import (
    burn_verification,
    check_password_strength,
    hash_secret,
    new_api_key,
    parse_api_key,
    verify_secret,
)
from kambot.auth.models import AccountRef, ApiKeyInfo, Identity, NewApiKey, RevokeReport, UserInfo
from kambot.auth.tables import missing_tables, now, reading, tables, utc, writing
from kambot.domain.identity import PORTFOLIO_WIDE_ROLES, Principal, Role
from kambot.errors import ConflictError, DataError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")
SCOPED_ROLES: frozenset[Role] = frozenset({Role.KAM, Role.EXECUTIVE})


# --- validation -------------------------------------------------------------------------


def _check_username(username: str) -> str:
    name = username.strip()
    if not USERNAME_RE.match(name):
        raise DataError(
            f"invalid user name {username!r}",
            hint="use 2 to 64 letters, digits, '.', '_', '-' or '@', starting with a letter "
            "or a digit",
        )
    return name


def parse_role(role: str | Role) -> Role:
    """Return the role named ``role``.

    Raises:
        DataError: no such role.
    """
    try:
        return Role(str(role).strip().lower())
    except ValueError:
        raise DataError(f"unknown role {role!r}",
                        hint=f"use one of: {', '.join(r.value for r in Role)}") from None


def _check_password(password: str) -> None:
    problem = check_password_strength(password)
    if problem:
        raise DataError(problem, hint="choose a longer passphrase")


# --- accounts in a scope ----------------------------------------------------------------


def resolve_account_refs(conn: Connection, refs: Iterable[str]) -> list[AccountRef]:
    """Resolve account references (external id, database id or exact name) in order.

    Raises:
        NotFoundError: some references match no account (all of them are listed).
        DataError: a name matches several accounts.
    """
    db = tables()
    a = db.accounts
    found: dict[int, AccountRef] = {}
    unknown: list[str] = []
    for raw in refs:
        ref = raw.strip()
        if not ref:
            continue
        rows = conn.execute(db.sa.select(a.c.id, a.c.external_id, a.c.name)
                            .where(a.c.external_id == ref)).all()
        # Ids are 32-bit on PostgreSQL: a longer number is no id.
        if not rows and ref.isascii() and ref.isdigit() and len(ref) <= 9:
            rows = conn.execute(db.sa.select(a.c.id, a.c.external_id, a.c.name)
                                .where(a.c.id == int(ref))).all()
        if not rows:
            rows = conn.execute(db.sa.select(a.c.id, a.c.external_id, a.c.name)
                                .where(db.sa.func.lower(a.c.name) == ref.lower())).all()
        if len(rows) > 1:
            raise DataError(f"several accounts are named {ref!r}",
                            hint="use the external ids: "
                            + ", ".join(str(r.external_id) for r in rows))
        if not rows:
            unknown.append(ref)
            continue
        row = rows[0]
        found[int(row.id)] = AccountRef(int(row.id), str(row.external_id), str(row.name))
    if unknown:
        raise NotFoundError(f"unknown account(s): {', '.join(repr(u) for u in unknown)}",
                            hint="use external ids as listed by `kambot kpis` or GET /accounts")
    return list(found.values())


def _scope_rows(conn: Connection, user_id: int) -> tuple[AccountRef, ...]:
    return _scopes_of(conn, [user_id]).get(user_id, ())


def _scopes_of(conn: Connection, user_ids: Sequence[int] | None
               ) -> dict[int, tuple[AccountRef, ...]]:
    """Return the account scope of each user (of every user for None), in one query."""
    db = tables()
    a = db.accounts
    stmt = (db.sa.select(db.scopes.c.user_id, a.c.id, a.c.external_id, a.c.name)
            .join(db.scopes, db.scopes.c.account_id == a.c.id)
            .order_by(db.scopes.c.user_id, a.c.external_id))
    if user_ids is not None:
        stmt = stmt.where(db.scopes.c.user_id.in_(list(user_ids)))
    scopes: dict[int, list[AccountRef]] = {}
    for r in conn.execute(stmt):
        scopes.setdefault(int(r.user_id), []).append(
            AccountRef(int(r.id), str(r.external_id), str(r.name)))
    return {user: tuple(refs) for user, refs in scopes.items()}


def _check_scope_for_role(role: Role, accounts: Sequence[str]) -> None:
    if not accounts:
        return
    if role in PORTFOLIO_WIDE_ROLES:
        raise DataError(f"a {role.value} sees every account: an account list would be ignored",
                        hint="give accounts only to kam and executive users")
    if role == Role.HR:
        raise DataError("HR users see no account (candidates only)",
                        hint="give accounts only to kam and executive users")


def _replace_scope(conn: Connection, user_id: int, accounts: Sequence[AccountRef]) -> None:
    db = tables()
    conn.execute(db.sa.delete(db.scopes).where(db.scopes.c.user_id == user_id))
    if accounts:
        conn.execute(db.sa.insert(db.scopes),
                     [{"user_id": user_id, "account_id": a.id} for a in accounts])


# --- reading users ----------------------------------------------------------------------


def _keys_of(conn: Connection, user_ids: Sequence[int] | None
             ) -> dict[int, tuple[ApiKeyInfo, ...]]:
    """Return the API keys of each user (of every user for None), in one query."""
    db = tables()
    k = db.keys
    stmt = db.sa.select(k).order_by(k.c.user_id, k.c.created_at, k.c.id)
    if user_ids is not None:
        stmt = stmt.where(k.c.user_id.in_(list(user_ids)))
    keys: dict[int, list[ApiKeyInfo]] = {}
    for r in conn.execute(stmt):
        keys.setdefault(int(r.user_id), []).append(ApiKeyInfo(
            key_id=r.key_id, label=r.label, created_at=utc(r.created_at) or now(),
            last_used_at=utc(r.last_used_at), revoked_at=utc(r.revoked_at)))
    return {user: tuple(found) for user, found in keys.items()}


def _infos(conn: Connection, rows: Sequence[Any], *, every_user: bool = False
           ) -> list[UserInfo]:
    """Return users with their scope and keys (three queries, however many users)."""
    ids = None if every_user else [int(r.id) for r in rows]
    scopes, keys = _scopes_of(conn, ids), _keys_of(conn, ids)
    return [UserInfo(id=int(row.id), username=row.username, role=parse_role(row.role),
                     active=bool(row.active), has_password=row.password_hash is not None,
                     created_at=utc(row.created_at) or now(),
                     accounts=scopes.get(int(row.id), ()), keys=keys.get(int(row.id), ()))
            for row in rows]


def _info(conn: Connection, row: Any) -> UserInfo:
    return _infos(conn, [row])[0]


def _user_row(conn: Connection, username: str) -> Any:
    db = tables()
    row = conn.execute(db.sa.select(db.users).where(db.users.c.username == username.strip())
                       ).first()
    if row is None:
        raise NotFoundError(f"no user named {username!r}",
                            hint="list users with `kambot user list`")
    return row


def get_user(engine: Engine, username: str) -> UserInfo:
    """Return one user with their scope and keys.

    Raises:
        NotFoundError: no such user.
    """
    with reading(engine) as conn:
        return _info(conn, _user_row(conn, username))


def list_users(engine: Engine) -> list[UserInfo]:
    """List every user (active or not), by name."""
    db = tables()
    try:
        with reading(engine) as conn:
            rows = conn.execute(db.sa.select(db.users).order_by(db.users.c.username)).all()
            return _infos(conn, rows, every_user=True)
    except db.sa.exc.OperationalError as exc:
        raise missing_tables(exc) from exc


# --- changing users ---------------------------------------------------------------------


def create_user(
    engine: Engine,
    username: str,
    role: str | Role,
    *,
    accounts: Sequence[str] = (),
    password: str | None = None,
) -> UserInfo:
    """Create a user with a role, an account scope and, optionally, a web password.

    Args:
        engine: the database.
        username: 2 to 64 letters, digits, ``._-@``.
        role: kam, lead, executive, hr or admin.
        accounts: the accounts a kam or an executive sees (external ids, ids or names).
        password: the web-login password (hashed with argon2); None: API keys only.

    Raises:
        DataError: invalid name, role, password or scope, or the name is taken.
        NotFoundError: an unknown account.
    """
    db = tables()
    name = _check_username(username)
    kind = parse_role(role)
    _check_scope_for_role(kind, accounts)
    if password is not None:
        _check_password(password)
    hashed = hash_secret(password) if password is not None else None
    try:
        with writing(engine) as conn:
            if conn.execute(db.sa.select(db.users.c.id)
                            .where(db.users.c.username == name)).first() is not None:
                raise ConflictError(f"the user name {name!r} is taken",
                                    hint="choose another name, or change that user's scope")
            scope = resolve_account_refs(conn, accounts)
            moment = now()
            result = conn.execute(db.sa.insert(db.users).values(
                username=name, role=kind.value, password_hash=hashed, active=True,
                created_at=moment, updated_at=moment))
            user_id = int(result.inserted_primary_key[0])
            _replace_scope(conn, user_id, scope)
            return _info(conn, _user_row(conn, name))
    except db.sa.exc.IntegrityError as exc:
        raise ConflictError(f"the user name {name!r} is taken",
                            hint="choose another name") from exc
    except db.sa.exc.OperationalError as exc:
        raise missing_tables(exc) from exc


def set_accounts(engine: Engine, username: str, accounts: Sequence[str]) -> UserInfo:
    """Replace a kam's or an executive's account scope.

    Raises:
        NotFoundError: no such user, or an unknown account.
        DataError: the role takes no account list.
    """
    db = tables()
    with writing(engine) as conn:
        row = _user_row(conn, username)
        _check_scope_for_role(parse_role(row.role), accounts)
        _replace_scope(conn, int(row.id), resolve_account_refs(conn, accounts))
        conn.execute(db.sa.update(db.users).where(db.users.c.id == row.id)
                     .values(updated_at=now()))
        return _info(conn, _user_row(conn, username))


def set_password(engine: Engine, username: str, password: str) -> None:
    """Set (or replace) a user's web-login password and end their open sessions.

    Raises:
        NotFoundError: no such user.
        DataError: the password is too weak.
    """
    db = tables()
    _check_password(password)
    hashed = hash_secret(password)
    with writing(engine) as conn:
        row = _user_row(conn, username)
        conn.execute(db.sa.update(db.users).where(db.users.c.id == row.id)
                     .values(password_hash=hashed, updated_at=now()))
        conn.execute(db.sa.delete(db.sessions).where(db.sessions.c.user_id == row.id))


def issue_key(engine: Engine, username: str, *, label: str | None = None) -> NewApiKey:
    """Issue a new API key to an active user; the whole key is in the result only.

    Raises:
        NotFoundError: no such user.
        DataError: the user's access was revoked.
    """
    db = tables()
    key_id, key = new_api_key()
    secret = parse_api_key(key)
    assert secret is not None  # new_api_key builds keys that parse
    hashed = hash_secret(secret[1])
    issued = now()
    with writing(engine) as conn:
        row = _user_row(conn, username)
        if not row.active:
            raise ConflictError(f"the user {row.username!r} has no access any more",
                                hint="create a new user rather than reviving a revoked one")
        conn.execute(db.sa.insert(db.keys).values(
            key_id=key_id, user_id=row.id, secret_hash=hashed,
            label=(label or "").strip()[:200] or None, created_at=issued))
    return NewApiKey(username=row.username, key_id=key_id, key=key, created_at=issued)


def revoke_key(engine: Engine, username: str, key_id: str) -> ApiKeyInfo:
    """Revoke one of a user's API keys (revoking it twice is harmless).

    Raises:
        NotFoundError: no such user, or the key is not theirs.
    """
    db = tables()
    k = db.keys
    with writing(engine) as conn:
        user = _user_row(conn, username)
        row = conn.execute(db.sa.select(k).where(k.c.key_id == key_id.strip(),
                                                 k.c.user_id == user.id)).first()
        if row is None:
            raise NotFoundError(f"{user.username!r} has no API key {key_id!r}",
                                hint="list the keys with `kambot user list`")
        revoked = utc(row.revoked_at)
        if revoked is None:
            revoked = now()
            conn.execute(db.sa.update(k).where(k.c.id == row.id).values(revoked_at=revoked))
    return ApiKeyInfo(key_id=row.key_id, label=row.label, created_at=utc(row.created_at) or revoked,
                      last_used_at=utc(row.last_used_at), revoked_at=revoked)


def revoke_user(engine: Engine, username: str) -> RevokeReport:
    """Revoke all of a user's access: every key, every session, and the account itself.

    The user row stays (inactive) so that the audit trail keeps pointing at a name.

    Raises:
        NotFoundError: no such user.
    """
    db = tables()
    moment = now()
    with writing(engine) as conn:
        user = _user_row(conn, username)
        keys = conn.execute(db.sa.update(db.keys).where(
            db.keys.c.user_id == user.id, db.keys.c.revoked_at.is_(None))
            .values(revoked_at=moment))
        sessions = conn.execute(db.sa.delete(db.sessions)
                                .where(db.sessions.c.user_id == user.id))
        conn.execute(db.sa.update(db.users).where(db.users.c.id == user.id)
                     .values(active=False, updated_at=moment))
    return RevokeReport(username=user.username, keys_revoked=int(keys.rowcount or 0),
                        sessions_ended=int(sessions.rowcount or 0), deactivated=bool(user.active))


# --- authentication ---------------------------------------------------------------------


def principal_of(row: Any, accounts: Sequence[AccountRef]) -> Principal:
    """Build the principal of a user row and its scope."""
    role = parse_role(row.role)
    ids = frozenset(a.id for a in accounts) if role in SCOPED_ROLES else frozenset()
    return Principal(user_id=int(row.id), username=row.username, role=role, account_ids=ids)


def identity_of(conn: Connection, row: Any, **how: Any) -> Identity:
    """Build the identity of an authenticated user row (``how``: method, key or session)."""
    role = parse_role(row.role)
    accounts = _scope_rows(conn, int(row.id)) if role in SCOPED_ROLES else ()
    return Identity(principal=principal_of(row, accounts), accounts=accounts, **how)


def authenticate_key(engine: Engine, key: str, *, touch: bool = True) -> Identity | None:
    """Return the identity behind an API key, or None (unknown, revoked, or wrong).

    Args:
        engine: the database.
        key: the key as presented (``kb_<key_id>_<secret>``).
        touch: record the time of use on the key.
    """
    db = tables()
    parsed = parse_api_key(key)
    if parsed is None:
        return None
    key_id, secret = parsed
    k, u = db.keys, db.users
    with reading(engine) as conn:
        row = conn.execute(
            db.sa.select(k.c.id.label("key_row"), k.c.secret_hash, k.c.revoked_at,
                         u.c.id, u.c.username, u.c.role, u.c.active)
            .join(u, u.c.id == k.c.user_id).where(k.c.key_id == key_id)).first()
        if row is None:
            burn_verification(secret)
            return None
        valid = verify_secret(row.secret_hash, secret)
        if not valid or row.revoked_at is not None or not row.active:
            return None
        identity = identity_of(conn, row, method="api_key", key_id=key_id)
    if touch:
        with writing(engine) as conn:
            conn.execute(db.sa.update(k).where(k.c.id == row.key_row).values(last_used_at=now()))
    return identity


def authenticate_password(engine: Engine, username: str, password: str) -> Identity | None:
    """Return the identity of a user whose password matches, or None."""
    db = tables()
    u = db.users
    with reading(engine) as conn:
        row = conn.execute(db.sa.select(u).where(u.c.username == username.strip())).first()
        if row is None or row.password_hash is None:
            burn_verification(password)
            return None
        if not verify_secret(row.password_hash, password) or not row.active:
            return None
        return identity_of(conn, row, method="session")


def user_ids_named(engine: Engine, usernames: Iterable[str]) -> dict[str, int]:
    """Map user names to ids (unknown names are left out)."""
    db = tables()
    names = [n.strip() for n in usernames]
    with reading(engine) as conn:
        rows = conn.execute(db.sa.select(db.users.c.id, db.users.c.username)
                            .where(db.users.c.username.in_(names))).all()
    return {r.username: int(r.id) for r in rows}
