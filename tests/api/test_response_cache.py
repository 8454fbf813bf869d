"""Serialised answers are kept per analysis object and dropped with it."""

from __future__ import annotations

from api.response_cache import AnalysisResponses


class _Analysis:
    """Stands for an analysis: only its identity matters to the cache."""


def test_an_answer_is_built_once_per_analysis() -> None:
    cache = AnalysisResponses()
    built: list[str] = []

    def build(text: str) -> bytes:
        built.append(text)
        return text.encode()

    first = _Analysis()
    assert cache.get(first, ("detail", "A"), lambda: build("a1")) == b"a1"
    assert cache.get(first, ("detail", "A"), lambda: build("a2")) == b"a1"
    assert cache.get(first, ("scenarios", "A"), lambda: build("s1")) == b"s1"
    assert built == ["a1", "s1"]

    second = _Analysis()  # the data changed: everything is rebuilt
    assert cache.get(second, ("detail", "A"), lambda: build("a3")) == b"a3"
    assert len(cache) == 1
    assert built == ["a1", "s1", "a3"]


def test_the_cache_is_bounded() -> None:
    cache = AnalysisResponses(max_entries=2)
    analysis = _Analysis()
    for ref in "ABC":
        cache.get(analysis, ("detail", ref), ref.encode)
    assert len(cache) == 2
    assert cache.get(analysis, ("detail", "A"), lambda: b"rebuilt") == b"rebuilt"  # evicted
    assert cache.get(analysis, ("detail", "C"), lambda: b"rebuilt") == b"C"


def test_the_cache_is_bounded_in_bytes_too() -> None:
    cache = AnalysisResponses(max_bytes=10)
    analysis = _Analysis()
    cache.put(analysis, ("list", "1"), b"123456")
    cache.put(analysis, ("list", "2"), b"abcdef")  # 12 bytes would be too many
    assert cache.peek(analysis, ("list", "1")) is None
    assert cache.peek(analysis, ("list", "2")) == b"abcdef"
    cache.put(analysis, ("list", "3"), b"x" * 11)  # larger than the budget: not kept
    assert cache.peek(analysis, ("list", "3")) is None
    assert cache.peek(_Analysis(), ("list", "2")) is None  # another analysis sees nothing
