"""Serialised answers kept per analysed portfolio.

An account's detail or scenarios are the same for everyone allowed to see them, and
change only when the data does; building and serialising them costs more than the rest
of the request. :class:`AnalysisResponses` keeps the JSON bytes for the current analysis
object and forgets them all as soon as a new analysis replaces it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class AnalysisResponses:
    """JSON bytes by key, valid for one analysis object.

    Args:
        max_entries: beyond this many answers for one analysis, the oldest is dropped.
    """

    def __init__(self, max_entries: int = 20_000) -> None:
        self._max = max_entries
        self._owner: object | None = None
        self._entries: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def get(self, analysis: Any, key: tuple[str, str], build: Callable[[], bytes]) -> bytes:
        """Return the answer for ``key`` under ``analysis``, building it on a miss."""
        with self._lock:
            if self._owner is analysis:
                hit = self._entries.get(key)
                if hit is not None:
                    return hit
        body = build()
        with self._lock:
            if self._owner is not analysis:
                self._owner, self._entries = analysis, {}
            if len(self._entries) >= self._max:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = body
        return body

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
