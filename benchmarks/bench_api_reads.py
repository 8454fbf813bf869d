"""Benchmark: every authenticated GET endpoint against a bare FastAPI endpoint, 20 clients.

Usage: uv run --frozen python benchmarks/bench_api_reads.py [--clients 20] [--seconds 1.5]
       [--rounds 3] [--only PREFIX] [--data-dir DIR]

Target (issue 7): authenticated read endpoints sustain at least 50% of the requests per
second of a bare FastAPI endpoint measured in the same run. ``bench_api_auth.py``
measures the three hottest reads closely (7 rounds); this one measures all of them.

The endpoints are the app's own GET routes, so a route added later is measured (or the
run stops and names it, until :data:`CALLER` says who reads it). Before measuring, the
objects they read are created through the API as users would: a document drafted by a
programme lead, an interview answered by an executive, a conversation of a KAM, an
assessment by HR, a piece of feedback. Each route is called by a role allowed to read
it, with an API key; every answer must be a 200.

The load and the servers are those of ``bench_api_auth.py`` (one uvicorn worker each,
keep-alive clients on asyncio streams, alternating rounds, ratios paired per round).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_api_auth as bench  # a sibling script

ROOT = bench.ROOT
# Who calls a route, by the start of its path (the longest prefix wins).
CALLER = {
    "/accounts": "kam", "/auth/me": "kam", "/chat": "kam", "/v1": "kam",
    "/documents": "kam", "/sources": "kam",
    "/segmentation": "lead", "/selection": "lead", "/tiers": "lead", "/kpis": "lead",
    "/scenarios": "lead", "/programme": "lead", "/feedback": "lead",
    "/interviews": "executive", "/assessments": "hr", "/users": "admin",
    "/openapi.json": "admin",
}
PUBLIC = {"/health", "/", "/static/{path:path}"}
CV = """Key account manager, industrial automation, 2016-2025.
Grew the Acme account from 1.2 M EUR to 3.4 M EUR in three years (+180%).
Led a team of 6 account managers across France and Germany.
Built the three-year account plan reviewed quarterly with the customer's COO.
"""


def _prepare_users(data_dir: Path) -> tuple[dict[str, str], str]:
    """Create one user per role; return their API keys and the KAM's account."""
    sys.path.insert(0, str(ROOT))
    from kambot.assistant.portfolio import PortfolioService, open_store
    from kambot.auth.users import create_user, issue_key
    from kambot.config import Settings

    settings = Settings(data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    engine = open_store(settings)
    account = str(PortfolioService(settings, engine).analysis().portfolio.accounts
                  .external_ids[0])
    keys = {}
    for role in ("kam", "executive", "lead", "admin", "hr"):
        name = f"reads-{role}"
        create_user(engine, name, role, accounts=[account] if role in ("kam", "executive")
                    else [])
        keys[role] = issue_key(engine, name).key
    engine.dispose()
    return keys, account


def _call(port: int, method: str, path: str, key: str, body: dict[str, Any] | None = None
          ) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as answer:
        return json.loads(answer.read() or b"null")


def _create_objects(port: int, keys: dict[str, str], account: str) -> dict[str, str]:
    """Create what the reads read, through the API; return the path values."""
    _call(port, "POST", "/documents", keys["lead"],
          {"kind": "account_strategy", "account": account, "lang": "en"})
    listed = _call(port, "GET", f"/documents?kind=account_strategy&account={account}",
                   keys["kam"])
    doc_id = max(d["id"] for d in listed)
    interview = _call(port, "POST", "/interviews", keys["executive"], {"lang": "en"})
    for text in ("Grow our share of the five largest customers.",
                 "Margins and the time our engineers spend on them."):
        _call(port, "POST", f"/interviews/{interview['id']}/answers",
              keys["executive"], {"text": text})
    session = _call(port, "POST", "/chat/sessions", keys["kam"], {"lang": "en"})
    _call(port, "POST", f"/chat/sessions/{session['id']}/messages", keys["kam"],
          {"content": "What makes a good account plan?"})
    _call(port, "POST", "/assessments", keys["hr"],
          {"candidate_ref": "READS-1", "text": CV, "target": "hunter", "lang": "en"})
    _call(port, "POST", "/feedback", keys["lead"],
          {"text": "The account plan template is too long to fill in.", "lang": "en"})
    return {"account": account, "document_id": str(doc_id),
            "interview_id": str(interview["id"]), "session_id": str(session["id"]),
            "candidate_ref": "READS-1", "username": "reads-kam", "model_id": "kambot"}


QUERIES = {"/documents/{document_id}/compare": "with={document_id}",
           "/sources": "id=doc:{document_id}", "/accounts": "limit=50"}


def _targets(values: dict[str, str]) -> list[tuple[str, str, str]]:
    """Return (route, URL, role) for every authenticated GET route of the app."""
    from api.app import create_app
    from kambot.config import Settings

    with tempfile.TemporaryDirectory() as folder:  # the app is only read, never served
        app = create_app(Settings(data_dir=Path(folder), _env_file=None))  # type: ignore[call-arg]
        routes = sorted({str(getattr(r, "path", "")) for r in app.routes
                         if "GET" in (getattr(r, "methods", None) or ())} - PUBLIC)
    found = []
    for path in routes:
        prefixes = [p for p in CALLER if path == p or path.startswith(p + "/")
                    or path.startswith(p + ".")]
        if not prefixes:
            raise SystemExit(f"no caller for GET {path}: add its prefix to CALLER")
        url = path.format(**values)
        query = QUERIES.get(path)
        if query:
            url += "?" + query.format(**values)
        found.append((path, url, CALLER[max(prefixes, key=len)]))
    return found


def main() -> None:
    """Run the benchmark and print each endpoint's share of the bare rate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=1.5, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="measure the routes starting with this")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="a folder holding the demo (copied); else a new one")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kambot-bench-reads-"))
    try:
        data_dir = work / "data"
        if options.data_dir is not None:
            shutil.copytree(options.data_dir, data_dir,
                            ignore=shutil.ignore_patterns("*.server-lock"))
        else:
            sys.path.insert(0, str(ROOT))
            from kambot.assistant.portfolio import load_demo
            from kambot.config import Settings

            print("loading the demo...", flush=True)
            load_demo(Settings(data_dir=data_dir, _env_file=None))  # type: ignore[call-arg]
        keys, account = _prepare_users(data_dir)
        (work / "bare_app.py").write_text(bench.BARE_APP, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{work}",
               "KAMBOT_DATA_DIR": str(data_dir), "KAMBOT_RATE_LIMIT_PER_MINUTE": str(10**9)}
        bare_port, port = bench._free_port(), bench._free_port()
        with bench._server(["bare_app:app"], env, bare_port, "/ping", work) as bare, \
                bench._server(["api.app:create_app_from_env", "--factory"], env, port,
                              "/health", ROOT) as server:
            values = _create_objects(port, keys, account)
            targets = [t for t in _targets(values) if t[0].startswith(options.only)]
            print(f"{len(targets)} authenticated GET endpoints; {options.clients} clients; "
                  f"{options.rounds} rounds of {options.seconds:g} s each", flush=True)
            ratios: dict[str, list[float]] = {path: [] for path, _url, _role in targets}
            cpu: dict[str, list[float]] = {path: [] for path, _url, _role in targets}
            bare_cpu: list[float] = []
            for _round in range(options.rounds):
                for path, url, role in targets:
                    # The bare endpoint right before each one: paired in time.
                    base, base_cpu = bench._measure(bare_port, "/ping", {}, options.clients,
                                                    options.seconds, bare.pid)
                    rps, used = bench._measure(port, url, {
                        "Authorization": f"Bearer {keys[role]}"}, options.clients,
                        options.seconds, server.pid)
                    ratios[path].append(rps / base)
                    cpu[path].append(used)
                    bare_cpu.append(base_cpu)
                print(f"round {_round + 1} done", flush=True)
            rss = bench._rss_mb(server.pid)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"\n{'endpoint (caller)':52} {'vs bare':>8} {'(range)':>11} {'CPU/request':>12}")
    shares = {}
    for path, _url, role in sorted(targets, key=lambda t: statistics.median(ratios[t[0]])):
        share = shares[path] = statistics.median(ratios[path])
        spread = f"{min(ratios[path]):.0%}-{max(ratios[path]):.0%}"
        print(f"{'GET ' + path + ' (' + role + ')':52} {share:8.0%} {spread:>11} "
              f"{statistics.median(cpu[path]):9.0f} µs")
    print(f"bare FastAPI GET /ping: {statistics.median(bare_cpu):.0f} µs of server CPU "
          "per request")
    print(f"kambot server RSS at the end: {rss:.0f} MB")
    met = [p for p, s in shares.items() if s >= 0.5]
    lowest = min(shares, key=shares.__getitem__)
    print(f"{len(met)} of {len(shares)} authenticated GET endpoints at or above 50% of the "
          f"bare rate (median of the rounds); lowest: GET {lowest} at {shares[lowest]:.0%}")


if __name__ == "__main__":
    main()
