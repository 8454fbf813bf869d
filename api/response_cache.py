"""Serialised answers kept while what they were built from stays the same.

An account's detail or scenarios are the same for everyone allowed to see them, and
change only when the data does; building and serialising them costs more than the rest
of the request. :class:`AnswersByOwner` keeps answers for one owner object (the current
analysis, or the database's current change token) and forgets them all as soon as
another owner replaces it; :class:`AnalysisResponses` is the JSON bytes of one analysis.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class AnswersByOwner(Generic[V]):
    """Answers by key, valid for one owner object (compared by identity).

    Args:
        weigh: the size of an answer in bytes.
        max_entries: beyond this many answers for one owner, the oldest is dropped.
        max_bytes: beyond this many bytes in all, the oldest answers are dropped; an
            answer larger than this is not kept.
    """

    def __init__(self, weigh: Callable[[V], int], max_entries: int = 20_000,
                 max_bytes: int = 64 * 1024 * 1024) -> None:
        self._weigh = weigh
        self._max = max_entries
        self._max_bytes = max_bytes
        self._owner: object | None = None
        self._entries: dict[tuple[object, ...], tuple[V, int]] = {}
        self._bytes = 0
        self._lock = threading.Lock()

    def peek(self, owner: Any, key: tuple[object, ...]) -> V | None:
        """Return the answer kept for ``key`` under ``owner``, or None."""
        with self._lock:
            if self._owner is not owner:
                return None
            found = self._entries.get(key)
        return None if found is None else found[0]

    def put(self, owner: Any, key: tuple[object, ...], answer: V) -> None:
        """Keep an answer built under ``owner`` (forgetting those of another one)."""
        size = self._weigh(answer)
        with self._lock:
            if self._owner is not owner:
                self._owner, self._entries, self._bytes = owner, {}, 0
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= previous[1]
            while self._entries and (len(self._entries) >= self._max
                                     or self._bytes + size > self._max_bytes):
                self._bytes -= self._entries.pop(next(iter(self._entries)))[1]
            if size <= self._max_bytes:
                self._entries[key] = (answer, size)
                self._bytes += size

    def get(self, owner: Any, key: tuple[object, ...], build: Callable[[], V]) -> V:
        """Return the answer for ``key`` under ``owner``, building it on a miss."""
        answer = self.peek(owner, key)
        if answer is None:
            answer = build()
            self.put(owner, key, answer)
        return answer

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class AnalysisResponses(AnswersByOwner[bytes]):
    """JSON bytes by key, valid for one analysis object."""

    def __init__(self, max_entries: int = 20_000, max_bytes: int = 64 * 1024 * 1024) -> None:
        super().__init__(len, max_entries, max_bytes)
