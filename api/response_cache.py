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
        max_bytes: beyond this many bytes in all, the oldest answers are dropped.
    """

    def __init__(self, max_entries: int = 20_000, max_bytes: int = 64 * 1024 * 1024) -> None:
        self._max = max_entries
        self._max_bytes = max_bytes
        self._owner: object | None = None
        self._entries: dict[tuple[object, ...], bytes] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def peek(self, analysis: Any, key: tuple[object, ...]) -> bytes | None:
        """Return the answer kept for ``key`` under ``analysis``, or None."""
        with self._lock:
            return self._entries.get(key) if self._owner is analysis else None

    def put(self, analysis: Any, key: tuple[object, ...], body: bytes) -> None:
        """Keep an answer built from ``analysis`` (forgetting those of another one)."""
        with self._lock:
            if self._owner is not analysis:
                self._owner, self._entries, self._bytes = analysis, {}, 0
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= len(previous)
            while self._entries and (len(self._entries) >= self._max
                                     or self._bytes + len(body) > self._max_bytes):
                self._bytes -= len(self._entries.pop(next(iter(self._entries))))
            if len(body) <= self._max_bytes:
                self._entries[key] = body
                self._bytes += len(body)

    def get(self, analysis: Any, key: tuple[object, ...], build: Callable[[], bytes]) -> bytes:
        """Return the answer for ``key`` under ``analysis``, building it on a miss."""
        body = self.peek(analysis, key)
        if body is None:
            body = build()
            self.put(analysis, key, body)
        return body

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
