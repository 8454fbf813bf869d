"""Use cases over the portfolio: open the store, load the demo, analyse, find accounts.

The CLI and the API both go through this module, so that they compute the same numbers
the same way. The analysis is cached per process and recomputed when the data changes
(a new import run or a new programme version).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from kambot.config import Settings
from kambot.errors import DataError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from kambot.core.analyse import PortfolioAnalysis
    from kambot.domain.programme import Programme
    from kambot.store.importers.report import ImportReport

DEMO_DIR_NAME = "demo"
# PortfolioService.memo keeps at most this many results (then starts again).
MEMO_MAX_ENTRIES = 256
T = TypeVar("T")

ProgressFn = Callable[[int], None]


def open_store(settings: Settings, *, migrate: bool = True) -> Engine:
    """Open the configured database, bringing its schema up to date."""
    from kambot.store.db import migrate as run_migrations
    from kambot.store.db import open_engine

    engine = open_engine(settings)
    if migrate:
        run_migrations(engine)
    return engine


def demo_dir(settings: Settings) -> Path:
    """Return the folder of the demo programme."""
    return settings.knowledge_dir / DEMO_DIR_NAME


def initialise(settings: Settings, programme_file: Path | None = None) -> Engine:
    """Create or migrate the database and, when given, load the programme file."""
    from kambot.store.db import session_scope
    from kambot.store.repositories import load_programme_file, save_programme

    engine = open_store(settings)
    if programme_file is not None:
        programme = load_programme_file(programme_file)
        with session_scope(engine, write=True) as session:
            save_programme(session, programme)
    return engine


def load_demo(
    settings: Settings, *, force: bool = False, progress: ProgressFn | None = None
) -> list[ImportReport]:
    """Load the demo programme and its account data into the configured database.

    Refuses to mix the demo into a database that already holds another programme's
    accounts, unless ``force`` is set.
    """
    from kambot.store.db import session_scope
    from kambot.store.importers.runner import import_bundle
    from kambot.store.repositories import load_programme_file, save_programme

    folder = demo_dir(settings)
    programme = load_programme_file(folder / "programme.yaml")
    engine = open_store(settings)
    existing = _current_programme_name(engine)
    if existing is not None and existing != programme.name and _account_count(engine) and not force:
        raise DataError(
            f"the database in {settings.data_dir} already holds the programme {existing!r}",
            hint="point KAMBOT_DATA_DIR at another folder for the demo, or pass --force",
        )
    from kambot.store.portfolio import refresh_portfolio_snapshot

    with session_scope(engine, write=True) as session:
        save_programme(session, programme)
    reports = import_bundle(engine, settings, folder, progress=progress)
    refresh_portfolio_snapshot(engine)
    return reports


def _current_programme_name(engine: Engine) -> str | None:
    from kambot.store.db import session_scope
    from kambot.store.repositories import load_programme

    try:
        with session_scope(engine) as session:
            return load_programme(session).name
    except NotFoundError:
        return None


def _account_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT COUNT(*) FROM accounts").scalar_one())


@dataclass
class _Cached:
    version: tuple[object, ...]
    analysis: PortfolioAnalysis
    token: object = None  # the change token under which ``version`` was last confirmed
    generation: int = -1  # this process's write generation at that confirmation
    confirmed_at: float = 0.0  # time.monotonic() of that confirmation


# While one request confirms a cached analysis that is past its trust window, others may
# still be served it for this long (so that they do not all queue for the same check).
CONFIRMING_GRACE_S = 1.0


class PortfolioService:
    """The analysed portfolio of one database, cached until its data changes.

    Whether the data changed is asked of a change token first (this process's write
    generation and ``PRAGMA data_version`` on SQLite, see :mod:`kambot.store.changes`);
    only when it moved are the data fingerprint's queries run.
    """

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        """Open the store (migrating it) unless an engine is given."""
        from kambot.store.changes import AlwaysChanged, change_token_for, local_generation

        self.settings = settings
        self._generation = local_generation  # kept: an import per hot read costs a µs
        self.engine = engine if engine is not None else open_store(settings)
        self._changes = change_token_for(self.engine, poll_s=settings.data_change_poll_s)
        self._trust_s = settings.data_change_poll_s
        self._cache: _Cached | None = None
        self._confirming = False
        self._lock = threading.Lock()
        self._memo: dict[Hashable, tuple[object, Any]] = {}
        self._memo_lock = threading.Lock()
        self._seen: tuple[object, int, float] | None = None  # token, generation, when
        # A database whose changes cannot be seen (in memory) never repeats a token.
        self._tokens_repeat = not isinstance(self._changes, AlwaysChanged)

    def data_version(self) -> tuple[object, ...]:
        """Return a cheap fingerprint that changes whenever the data or programme does."""
        with self.engine.connect() as conn:
            runs = conn.exec_driver_sql("SELECT MAX(id), COUNT(*) FROM import_runs").one()
            accounts = conn.exec_driver_sql("SELECT COUNT(*), MAX(id) FROM accounts").one()
            programme = conn.exec_driver_sql("SELECT MAX(updated_at) FROM programme").one()
        return (*runs, *accounts, *programme)

    def current_version(self) -> tuple[object, ...]:
        """Return :meth:`data_version`, from memory while nothing was committed since."""
        with self._lock:
            cached = self._cache
            if cached is not None and cached.version[-1] is None \
                    and cached.token == self._changes.current():
                return cached.version[:-1]
        return self.data_version()

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Return ``compute()``, run again only once the database may have changed.

        For reads derived from the store alone (the programme path's state, say). The
        change token is taken before computing, so a commit made meanwhile makes the
        next call compute again. Any commit counts, including other processes' (on
        SQLite at once, elsewhere within ``data_change_poll_s``). Does I/O: call it
        from a worker thread.
        """
        token = self._changes.current()
        with self._memo_lock:
            known = self._memo.get(key)
        if known is not None and known[0] == token:
            return known[1]  # type: ignore[no-any-return]
        value = compute()
        with self._memo_lock:
            if len(self._memo) >= MEMO_MAX_ENTRIES:
                self._memo.clear()
            self._memo[key] = (token, value)
        return value

    def trusted_token(self) -> object:
        """Return the change token, from memory while it can be trusted; no waiting.

        For event-loop callers that keep answers per token (``api/stored_answers.py``).
        The token last read is returned again while this process made no write since and
        it is younger than ``data_change_poll_s`` (so another process's change shows
        within that time, as for :meth:`cached_analysis`); past that, the token is read
        again (microseconds: ``PRAGMA data_version`` of a local file, or a clock). While
        the value stays the same, the same object is returned, so callers may compare
        tokens by identity.
        """
        if not self._tokens_repeat:
            return self._changes.current()
        generation = self._generation()  # before the token: a later write moves both
        moment = time.monotonic()
        seen = self._seen
        if seen is not None and seen[1] == generation and moment - seen[2] < self._trust_s:
            return seen[0]
        token = self._changes.current()
        if seen is not None and token == seen[0]:
            token = seen[0]
        self._seen = (token, generation, moment)
        return token

    def write_unseen(self) -> Callable[[str, Sequence[Sequence[object]]], bool] | None:
        """Return how to write without moving the change token (SQLite), or None.

        For writes that change no business data (the audit trail), so that they do not
        make kept answers and the cached analysis look stale.
        """
        write: Callable[[str, Sequence[Sequence[object]]], bool] | None = getattr(
            self._changes, "write_unseen", None)
        return write

    def cached_analysis(self) -> PortfolioAnalysis | None:
        """Return today's analysis from memory, with no I/O and without waiting, or None.

        For event-loop callers on hot paths. The cached analysis is returned when this
        process has made no write since it was confirmed and the confirmation is younger
        than ``data_change_poll_s`` (so another process's change shows within that
        time); past that, when the change token is unchanged (which confirms it), or,
        while one caller is confirming it in a worker thread, for up to
        :data:`CONFIRMING_GRACE_S`. On None the caller calls :meth:`analysis` (in a
        worker thread), which confirms or recomputes it.
        """
        cached = self._cache
        if cached is None or cached.version[-1] is not None \
                or cached.generation != self._generation():
            return None
        moment = time.monotonic()
        age = moment - cached.confirmed_at
        if age < self._trust_s:
            return cached.analysis
        # Past the window: the change token answers in microseconds without a network
        # (PRAGMA data_version of a local file, or a clock); unchanged means confirmed.
        if cached.token == self._changes.current():
            cached.confirmed_at = moment
            return cached.analysis
        if self._confirming:
            return cached.analysis if age < CONFIRMING_GRACE_S else None
        self._confirming = True  # this caller goes to confirm; the others keep reading
        return None

    def analysis(self, as_of: date | None = None) -> PortfolioAnalysis:
        """Return the portfolio analysis, computing it when the data changed."""
        from kambot.core.analyse import analyse_portfolio
        from kambot.store.changes import local_generation
        from kambot.store.portfolio import load_portfolio

        with self._lock:
            try:
                # Taken before the fingerprint: a commit after this changes the token.
                generation = local_generation()
                token = self._changes.current()
                cached = self._cache
                today = as_of is None
                if cached is not None and today and cached.version[-1] is None \
                        and cached.token == token:
                    self._confirm(cached, token, generation)
                    return cached.analysis
                version = (*self.data_version(), as_of)
                if cached is not None and cached.version == version:
                    if today:
                        self._confirm(cached, token, generation)
                    return cached.analysis
                programme = self.programme()
                portfolio = load_portfolio(self.engine, as_of)
                if len(portfolio.accounts) == 0:
                    raise DataError(
                        "there are no accounts yet",
                        hint="import some with `kambot import FILE`, or run `kambot demo`",
                    )
                analysis = analyse_portfolio(portfolio, programme)
                fresh = _Cached(version, analysis)
                if today:
                    self._confirm(fresh, token, generation)
                self._cache = fresh
                return analysis
            finally:
                self._confirming = False

    @staticmethod
    def _confirm(cached: _Cached, token: object, generation: int) -> None:
        # The time first: a reader that sees the new generation also sees the new time.
        cached.confirmed_at = time.monotonic()
        cached.token = token
        cached.generation = generation

    def close(self) -> None:
        """Release the change token's connection (the engine stays the caller's)."""
        self._changes.close()

    def programme(self) -> Programme:
        """Return the stored programme (NotFoundError with a hint when there is none)."""
        from kambot.store.db import session_scope
        from kambot.store.repositories import load_programme

        with session_scope(self.engine) as session:
            return load_programme(session)

    def resolve_account(self, ref: str) -> str:
        """Return the external id of the account named by ``ref``.

        ``ref`` may be an external id, a database id or a name (case-insensitive); an
        unknown reference raises NotFoundError listing the closest names.
        """
        analysis = self.analysis()
        return resolve_account(analysis, ref)


def resolve_account(analysis: PortfolioAnalysis, ref: str) -> str:
    """Find an account in an analysis by external id, database id or name."""
    accounts = analysis.portfolio.accounts
    wanted = ref.strip()
    if wanted in set(accounts.external_ids):
        return wanted
    lowered = wanted.casefold()
    by_name = [x for x, n in zip(accounts.external_ids, accounts.names, strict=True)
               if n.casefold() == lowered]
    if len(by_name) == 1:
        return by_name[0]
    if wanted.isascii() and wanted.isdigit():
        matches = [accounts.external_ids[i] for i, v in enumerate(accounts.ids) if v == int(wanted)]
        if matches:
            return matches[0]
    from rapidfuzz import fuzz, process

    choices = {i: f"{n} ({x})" for i, (x, n) in
               enumerate(zip(accounts.external_ids, accounts.names, strict=True))}
    close = process.extract(wanted, choices, scorer=fuzz.WRatio, limit=3, score_cutoff=75)
    if len(by_name) > 1:
        raise NotFoundError(
            f"several accounts are named {ref!r}",
            hint="use the external id: " + ", ".join(by_name),
        )
    hint = ("did you mean: " + "; ".join(c[0] for c in close)) if close else (
        "list the accounts with `kambot kpis`"
    )
    raise NotFoundError(f"unknown account {ref!r}", hint=hint)
