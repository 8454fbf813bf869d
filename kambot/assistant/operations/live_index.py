"""The search index as long-running processes share it: one index writer, many readers.

A process opens the index once and keeps it in memory. When another process rebuilds
it (``kambot reindex``, or the index writer after an import), the previous generation
is deleted: its embedded Chroma folder, or its collection on the Chroma server. A
process that kept the old generation would then fail every search. :class:`LiveIndex`
notices the new ``manifest.json`` (a ``stat`` at most every ``check_every_s``) and
switches to the new generation; a search that fails because its generation vanished
meanwhile is retried once on the new one.

Only the *index writer* builds or rebuilds (``settings.index_writer``, default true;
see :func:`~kambot.assistant.operations.startup_checks.is_index_writer`). A reader
(``KAMBOT_INDEX_WRITER=false``) never writes: it loads the generation the manifest
names, waits up to ``wait_s`` for the writer when there is none yet, and keeps serving
its generation when it finds the index stale (the writer catches up).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kambot.errors import RetrievalError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from kambot.config import Settings
    from kambot.retrieval.index import SearchIndex
    from kambot.retrieval.models import Hit, Scope

CHECK_EVERY_S = 2.0
WAIT_FOR_WRITER_S = 30.0
_POLL_S = 0.25


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


def _same_generation(a: dict[str, Any], b: dict[str, Any]) -> bool:
    keys = ("generation", "updated_at")
    return all(a.get(k) == b.get(k) for k in keys) and a.get("bm25") == b.get("bm25")


class LiveIndex:
    """A lazily opened search index that follows the rebuilds of other processes.

    It offers what callers use of :class:`~kambot.retrieval.index.SearchIndex`
    (``search``, ``get_chunk``, ``state``, ``glossary``, ``manifest``...): attributes it
    does not define are read from the current generation's index.
    """

    def __init__(self, settings: Settings,
                 engine: Engine | Callable[[], Engine] | None = None, *,
                 writer: bool | None = None, check_every_s: float = CHECK_EVERY_S,
                 wait_s: float = WAIT_FOR_WRITER_S,
                 on_status: Callable[[str], None] | None = None) -> None:
        """Prepare the index; nothing is read before the first use.

        Args:
            settings: the settings (index folder, knowledge folder, embedder, Chroma).
            engine: the database (or a function returning it), to index account notes
                when this process writes the index; None indexes the methodology only.
            writer: whether this process may build the index; from the settings
                (``index_writer``) when None.
            check_every_s: how often to look for a new generation.
            wait_s: how long a reader waits for the writer's first build.
            on_status: called with a line when the index is built or switched.
        """
        from kambot.assistant.operations.startup_checks import is_index_writer

        self.settings = settings
        self.writer = is_index_writer(settings) if writer is None else writer
        self.check_every_s = check_every_s
        self.wait_s = wait_s
        self._engine_source = engine
        self._say = on_status or (lambda _message: None)
        self._index: SearchIndex | None = None
        self._seen: tuple[int, int, int] | None = None
        self._last_check = 0.0
        self._lock = threading.RLock()
        self.switches = 0

    # -- access -----------------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        """Return the manifest file this index follows."""
        return self.settings.index_dir / "manifest.json"

    def current(self) -> SearchIndex:
        """Return the index of the newest generation (opening it on first use).

        Raises:
            RetrievalError: the index cannot be opened or built, or (reader) the
                writer did not build it within ``wait_s``.
        """
        with self._lock:
            if self._index is None:
                self._index = self._open()
                self._seen = _stamp(self.manifest_path)
                self._last_check = time.monotonic()
            elif time.monotonic() >= self._last_check + self.check_every_s:
                self.refresh()
            return self._index

    def refresh(self) -> bool:
        """Switch to the generation the manifest names now, if it changed.

        Returns:
            True when another generation was loaded.
        """
        with self._lock:
            self._last_check = time.monotonic()
            if self._index is None:
                return False
            stamp = _stamp(self.manifest_path)
            if stamp == self._seen:
                return False
            return self._switch(stamp)

    def search(self, query: str, *, k: int = 5, scope: Scope | None = None,
               filters: dict[str, str | Sequence[str]] | None = None,
               language: str | None = None, **options: Any) -> list[Hit]:
        """Search the current generation; retried once on a newer one if it vanished."""
        index = self.current()
        try:
            return index.search(query, k=k, scope=scope, filters=filters, language=language,
                                **options)
        except RetrievalError:
            with self._lock:
                self._seen = None  # force a look at the manifest
                switched = self.refresh()
            if not switched:
                raise
            return self.current().search(query, k=k, scope=scope, filters=filters,
                                         language=language, **options)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.current(), name)

    def __len__(self) -> int:
        return len(self.current())

    # -- opening ----------------------------------------------------------------------

    def _engine(self) -> Engine | None:
        source = self._engine_source
        if source is None or hasattr(source, "connect"):
            return source  # type: ignore[return-value]
        return source()  # type: ignore[operator]

    def _open(self) -> SearchIndex:
        if self.writer:
            from kambot.retrieval.index import open_index

            return open_index(self.settings, self._engine(), on_status=self._say)
        deadline = time.monotonic() + self.wait_s
        last: str = "there is no index manifest yet"
        while True:
            try:
                loaded = self._load_named()
            except RetrievalError as exc:
                last = exc.message
            else:
                if loaded is not None:
                    return loaded
            if time.monotonic() >= deadline:
                raise RetrievalError(
                    f"the search index is not ready ({last}) and this process does not "
                    "write it (KAMBOT_INDEX_WRITER=false)",
                    hint="run `kambot reindex` where KAMBOT_INDEX_WRITER is true (the index "
                    "writer), with the same embedding and Chroma settings")
            time.sleep(_POLL_S)

    def _load_named(self) -> SearchIndex | None:
        """Load the generation the manifest names, without building anything."""
        from kambot.retrieval.glossary import load_glossary
        from kambot.retrieval.index import SearchIndex, load_state, read_manifest
        from kambot.retrieval.models import IndexStatus

        manifest = read_manifest(self.settings.index_dir)
        if manifest is None:
            return None
        glossary = load_glossary(self.settings.knowledge_dir / "glossary.yaml")
        state = load_state(self.settings, glossary, manifest)
        return SearchIndex(self.settings, glossary, state, IndexStatus(state="ready"))

    def _switch(self, stamp: tuple[int, int, int] | None) -> bool:
        from kambot.retrieval.index import read_manifest

        assert self._index is not None
        try:
            manifest = read_manifest(self.settings.index_dir)
        except RetrievalError:
            manifest = None
        if manifest is None or _same_generation(manifest, self._index.manifest):
            # Our own write (add_chunks), or a rebuild still being written.
            self._seen = stamp
            return False
        try:
            loaded = self._load_named()
        except RetrievalError as exc:
            if not self.writer:
                # The writer is mid-swap or the files are damaged: keep serving ours.
                self._say(f"search index: keeping the current generation ({exc.message})")
                return False
            from kambot.retrieval.index import open_index

            loaded = open_index(self.settings, self._engine(), on_status=self._say)
        if loaded is None:
            return False
        self._index = loaded
        self._seen = _stamp(self.manifest_path)
        self.switches += 1
        self._say(f"search index: switched to generation {loaded.manifest.get('generation')}")
        return True
