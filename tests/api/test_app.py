"""The application's assembly: route order and FastAPI's native telemetry switch."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Match

import api.app as app_module
from api.app import HOT_READS, create_app
from kambot.config import Settings


def _settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None, **values)  # type: ignore[call-arg]


def _first_full(routes: Any, method: str, path: str) -> tuple[str, frozenset[str]] | None:
    """The first of ``routes`` that fully matches a request, as (path, methods)."""
    scope = {"type": "http", "method": method, "path": path, "root_path": "",
             "query_string": b"", "headers": []}
    for route in routes:
        match, _child = route.matches(scope)
        if match == Match.FULL:
            return getattr(route, "path", ""), frozenset(getattr(route, "methods", ()) or ())
    return None


def _first_match(app: FastAPI, method: str, path: str) -> tuple[str, frozenset[str]] | None:
    return _first_full(app.router.routes, method, path)


def test_hot_reads_come_first_in_their_order(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path))
    first = [(r.path, r.methods) for r in app.router.routes[:len(HOT_READS)]
             if isinstance(r, APIRoute)]
    assert first == [(path, {"GET"}) for path in HOT_READS]


def test_moving_the_hot_reads_changes_no_route_choice(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    reordered = create_app(_settings(tmp_path))
    monkeypatch.setattr(app_module, "hot_reads_first", lambda app: None)
    declared = create_app(_settings(tmp_path))
    assert [getattr(r, "path", "") for r in declared.router.routes][:4] != list(HOT_READS)

    checked = 0
    for route in declared.router.routes:
        template = getattr(route, "path", "")
        # Every route's own sample path, plus paths that look like a hot read's.
        sample = re.sub(r"\{[^}]+\}", "sample", template)
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            for path in (sample, sample + "/x", "/accounts" + sample):
                assert _first_match(reordered, method, path) \
                    == _first_match(declared, method, path), (method, path)
                checked += 1
    assert checked > 100


def test_native_telemetry_is_off_unless_asked_for(tmp_path: Path) -> None:
    quiet = create_app(_settings(tmp_path))
    assert not any(quiet._telemetry[k] for k in ("tracing", "metrics", "logs"))  # type: ignore[literal-required]
    traced = create_app(_settings(tmp_path, opentelemetry=True))
    assert all(traced._telemetry[k] for k in ("tracing", "metrics", "logs"))  # type: ignore[literal-required]


def _dispatched(app: FastAPI, method: str, path: str) -> tuple[str, frozenset[str]] | None:
    """The route `FirstSegmentDispatch` hands a request to, or None (to the router)."""
    from api.routing import FirstSegmentDispatch, first_segment

    dispatch = app.router.middleware_stack
    assert isinstance(dispatch, FirstSegmentDispatch)
    buckets = dispatch.buckets()
    assert buckets is not None
    return _first_full(buckets.get(first_segment(path), ()), method, path)


def test_dispatch_by_first_segment_picks_the_routers_route(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path))
    checked = 0
    for route in app.router.routes:
        template = getattr(route, "path", "")
        sample = re.sub(r"\{[^}]+\}", "sample", template)
        for method in ("GET", "POST", "DELETE", "HEAD"):
            for path in (sample, sample + "/", sample + "/x", "/accounts" + sample,
                         "/" + sample.strip("/").split("/")[-1]):
                chosen = _dispatched(app, method, path)
                # Handed over: the router's own loop decides (404, 405, redirects).
                if chosen is not None:
                    assert chosen == _first_match(app, method, path), (method, path)
                    checked += 1
    assert checked > 80


def test_a_route_with_a_parameter_first_turns_the_index_off(tmp_path: Path) -> None:
    from api.routing import FirstSegmentDispatch

    app = create_app(_settings(tmp_path))
    dispatch = app.router.middleware_stack
    assert isinstance(dispatch, FirstSegmentDispatch)
    assert dispatch.buckets() is not None

    @app.get("/{anything}")
    async def anything() -> dict[str, str]:
        return {}

    assert dispatch.buckets() is None  # the list changed: indexed again, and refused
