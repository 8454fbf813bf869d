"""Load test: a real uvicorn on loopback, the demo loaded, mixed traffic, bounded in time.

Drives the HTTP API with ``--clients`` concurrent clients for ``--seconds`` seconds, each
picking its next request from the mix (weights in ``--mix``):

- ``kpis``: GET /kpis (programme KPIs);
- ``segmentation``: GET /segmentation;
- ``search``: POST /ask (methodology questions, some scoped to a key account's notes);
- ``drafting``: POST /documents (account strategies, executive summaries, CEBs; every
  call stores a new version; each client drafts its own documents);
- ``chat``: POST /chat/sessions/{id}/messages (one session per client), when the chat
  routes exist: a family whose route answers 404 is left out and the report says so.

Reports the requests, errors (zero required: the exit code is 1 otherwise), p50/p95/max
latency per family, the throughput, and the server's resident memory (RSS, the whole
process tree) at the start, middle and end of the run (memory steady).

Back ends (``--backend``): ``sqlite`` (SQLite + embedded Chroma in a temporary data
directory) or ``postgres`` (PostgreSQL + a Chroma server). For ``postgres`` pass
``--database-url`` and ``--chroma-url``, or let the script start a throw-away
PostgreSQL cluster (Debian's ``/usr/lib/postgresql/*/bin``) and a ``chroma run`` server
on loopback. ``--data-dir`` reuses a prepared data directory (the demo is loaded only
when the database has no accounts; the index is built only when missing or stale).

Authentication: with ``--api-key`` every request sends ``Authorization: Bearer KEY``;
without it, when ``kambot.auth`` exists, a programme-lead user is created and a key
issued for the run. The server runs with a rate limit high enough not to throttle the
test (the limiter is not what is measured).

Everything stays on 127.0.0.1. Usage::

    .venv/bin/python benchmarks/load_test.py --clients 50 --seconds 60 --backend sqlite
    .venv/bin/python benchmarks/load_test.py --clients 50 --seconds 60 --backend postgres
    .venv/bin/python benchmarks/load_test.py --clients 5 --seconds 3 --json out.json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import glob
import importlib.util
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FAMILIES = ("kpis", "segmentation", "search", "drafting", "chat")
DEFAULT_MIX = "kpis=3,segmentation=2,search=3,drafting=1,chat=2"
QUESTIONS = (
    "How many key accounts should a programme select?",
    "What does an executive sponsor do?",
    "How do we measure share of wallet?",
    "Comment segmenter le portefeuille ?",
    "What goes into an account plan?",
    "Quel est le rôle du parrain exécutif ?",
)
CHAT_MESSAGES = ("What is share of wallet?", "Which accounts are key accounts?",
                 "How should a sponsor prepare the next customer meeting?")
LOCAL = "127.0.0.1"


# --- small helpers -------------------------------------------------------------------


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind((LOCAL, 0))
        return int(sock.getsockname()[1])


def tree_rss(pid: int) -> int:
    """Return the resident memory (bytes) of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat, encoding="utf-8") as handle:
                text = handle.read()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[-1].split()
        children.setdefault(int(fields[1]), []).append(int(stat.split("/")[2]))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        todo.extend(children.get(current, []))
        try:
            with open(f"/proc/{current}/status", encoding="utf-8") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def percentile(values: list[float], share: float) -> float:
    """Return the ``share`` quantile (nearest rank) of values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


def parse_mix(text: str) -> dict[str, int]:
    """Parse ``family=weight,...`` into weights (families not named get 0)."""
    weights = dict.fromkeys(FAMILIES, 0)
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in weights or not weight.strip().isdigit():
            raise SystemExit(f"bad --mix entry {part!r}: use family=weight with families "
                             f"{', '.join(FAMILIES)}")
        weights[name.strip()] = int(weight)
    return weights


# --- services the postgres back end needs --------------------------------------------


@dataclass
class Services:
    """Throw-away servers started for the run, stopped at the end."""

    database_url: str | None = None
    chroma_url: str | None = None
    stops: list[Any] = field(default_factory=list)

    def close(self) -> None:
        """Stop what was started, last first."""
        for stop in reversed(self.stops):
            with contextlib.suppress(Exception):
                stop()


def start_postgres(root: Path, services: Services) -> str:
    """Start a PostgreSQL cluster from Debian's binaries; return its URL."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise SystemExit("no PostgreSQL binaries in /usr/lib/postgresql/*/bin: install the "
                         "postgresql package or pass --database-url")
    bindir = Path(found[-1]).parent
    data = root / "pg"
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        os.chmod(root, 0o700)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                    "-A", "trust", "-E", "UTF8", "--no-sync"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "pg.log"),
                    "-w", "-o", f"-p {port} -k {root} -c listen_addresses={LOCAL} "
                    "-c max_connections=200", "start"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    services.stops.append(lambda: subprocess.run(
        [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False))
    return f"postgresql+psycopg://postgres@{LOCAL}:{port}/postgres"


def start_chroma(root: Path, services: Services) -> str:
    """Start `chroma run` on loopback; return its URL."""
    import httpx

    executable = Path(sys.executable).parent / "chroma"
    command = str(executable) if executable.is_file() else shutil.which("chroma")
    if not command:
        raise SystemExit("the `chroma` command is missing: pass --chroma-url")
    port = free_port()
    log = (root / "chroma.log").open("w")
    process = subprocess.Popen([command, "run", "--path", str(root / "chroma"), "--host", LOCAL,
                                "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})

    def stop() -> None:
        process.terminate()
        process.wait(10)
        log.close()

    services.stops.append(stop)
    url = f"http://{LOCAL}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                return url
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise SystemExit(f"chroma run did not start: {(root / 'chroma.log').read_text()[-500:]}")


# --- preparing the data --------------------------------------------------------------


def prepare(settings: Any, say: Any) -> tuple[list[str], str | None]:
    """Load the demo (if there are no accounts), build the index, make an API key.

    Returns:
        The key accounts (external ids) and the API key created (None without auth).
    """
    from kambot.assistant.portfolio import PortfolioService, load_demo, open_store
    from kambot.retrieval.index import open_index

    engine = open_store(settings)
    try:
        with engine.connect() as conn:
            accounts = int(conn.exec_driver_sql("SELECT COUNT(*) FROM accounts").scalar_one())
        if not accounts:
            started = time.perf_counter()
            load_demo(settings)
            say(f"demo loaded in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        index = open_index(settings, engine)
        say(f"search index {index.status.state} ({len(index)} chunks) in "
            f"{time.perf_counter() - started:.1f} s")
        service = PortfolioService(settings, engine)
        key_accounts = [s.external_id for s in service.analysis().selection_result.selected]
        key: str | None = None
        if importlib.util.find_spec("kambot.auth") is not None:
            from kambot.auth.users import create_user, issue_key

            name = f"loadtest-{os.getpid()}"
            create_user(engine, name, "lead")
            key = issue_key(engine, name, label="load test").key
            say(f"API key issued to {name} (role lead)")
        return key_accounts, key
    finally:
        engine.dispose()


@contextlib.contextmanager
def serve(settings: Any, port: int, workers: int, log: Path,
          arenas: int) -> Iterator[subprocess.Popen[bytes]]:
    """Run uvicorn with the API on loopback until the block ends."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMBOT_")}
    if arenas > 0:
        # As docs/deployment.md: glibc gives each new thread-pool thread its own malloc
        # arena; capped, the worker's memory levels off instead of creeping up.
        env["MALLOC_ARENA_MAX"] = str(arenas)
    env.update(KAMBOT_DATA_DIR=str(settings.data_dir), KAMBOT_LANG=settings.lang,
               KAMBOT_KNOWLEDGE_DIR=str(settings.knowledge_dir),
               KAMBOT_RATE_LIMIT_PER_MINUTE="10000000", ANONYMIZED_TELEMETRY="False",
               PYTHONPATH=str(ROOT))
    if settings.database_url:
        env["KAMBOT_DATABASE_URL"] = settings.database_url
    if settings.chroma_url:
        env["KAMBOT_CHROMA_URL"] = settings.chroma_url
    if workers > 1:
        # As docs/deployment.md: the workers read the index prepare() built, never build it.
        env["WEB_CONCURRENCY"] = str(workers)
        env["KAMBOT_INDEX_WRITER"] = "false"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.app:create_app_from_env", "--factory",
             "--host", LOCAL, "--port", str(port), "--workers", str(workers),
             "--log-level", "warning", "--no-access-log"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


# --- the run -------------------------------------------------------------------------


@dataclass
class Results:
    """Latencies and errors per family."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)

    def record(self, family: str, seconds: float, problem: str | None) -> None:
        """Note one request."""
        self.latencies.setdefault(family, []).append(seconds)
        if problem is not None:
            self.errors[family] = self.errors.get(family, 0) + 1
            if len(self.samples) < 10:
                self.samples.append(f"{family}: {problem}")


DRAFT_KINDS = ("account_strategy", "executive_summary", "ceb")


class Traffic:
    """The requests of every family, against one server.

    Each client drafts its own documents (as a KAM drafts for their accounts): two
    clients never store a version of the same document at the same moment. With more
    clients than documents, the extra clients do not draft.
    """

    def __init__(self, client: Any, key_accounts: list[str], clients: int) -> None:
        self.client = client
        self.key_accounts = key_accounts or [None]  # type: ignore[list-item]
        self.sessions: dict[int, str] = {}
        documents = [(kind, account, lang) for account in key_accounts
                     for kind in DRAFT_KINDS for lang in ("en", "fr")]
        self.drafts = {n: documents[n::clients] for n in range(clients)}
        self.drafts[-1] = documents[:1]  # the warm-up

    def families_of(self, number: int, families: list[str]) -> list[str]:
        """Return the families client ``number`` sends."""
        return [f for f in families if f != "drafting" or self.drafts.get(number)]

    async def call(self, family: str, number: int, rng: random.Random) -> Any:
        """Send one request of ``family`` for client ``number``; return the response."""
        account = self.key_accounts[rng.randrange(len(self.key_accounts))]
        if family == "kpis":
            return await self.client.get("/kpis")
        if family == "segmentation":
            return await self.client.get("/segmentation")
        if family == "search":
            body: dict[str, Any] = {"question": rng.choice(QUESTIONS)}
            if rng.random() < 0.3 and account:
                body["account"] = account
            return await self.client.post("/ask", json=body)
        if family == "drafting":
            kind, account, lang = rng.choice(self.drafts[number])
            return await self.client.post("/documents", json={
                "kind": kind, "account": account, "lang": lang})
        session = self.sessions.get(number)
        if session is None:
            created = await self.client.post("/chat/sessions", json={"lang": "en"})
            if created.status_code != 200:
                return created
            session = str(created.json()["id"])
            self.sessions[number] = session
        return await self.client.post(f"/chat/sessions/{session}/messages",
                                      json={"content": rng.choice(CHAT_MESSAGES)})


async def probe_families(traffic: Traffic, weights: dict[str, int],
                         results: Results) -> tuple[dict[str, int], dict[str, str]]:
    """Send one request per family (warm-up); leave out families whose route is absent."""
    skipped: dict[str, str] = {}
    rng = random.Random(0)
    for family in FAMILIES:
        if not weights[family]:
            continue
        started = time.perf_counter()
        response = await traffic.call(family, -1, rng)
        if response.status_code in (404, 405) and "error" not in _json(response):
            skipped[family] = f"{response.request.method} {response.request.url.path} answers " \
                f"{response.status_code}: the route is not there yet"
            continue
        problem = None if response.status_code < 400 else \
            f"warm-up {response.status_code} {response.text[:200]}"
        results.record(f"{family} (warm-up)", time.perf_counter() - started, problem)
    return {f: (0 if f in skipped else w) for f, w in weights.items()}, skipped


def _json(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


async def drive(base_url: str, headers: dict[str, str], clients: int, seconds: float,
                weights: dict[str, int], key_accounts: list[str], on_start: Any,
                on_middle: Any) -> tuple[Results, dict[str, str], float]:
    """Warm up, run the clients until the deadline; return results, skipped, duration."""
    import httpx

    results = Results()
    # Idle connections are dropped by the client before uvicorn's 5 s keep-alive timeout:
    # otherwise a request may race the server closing its connection (a ReadError that
    # says nothing about the API).
    limits = httpx.Limits(max_connections=clients + 5, max_keepalive_connections=clients + 5,
                          keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=120,
                                 limits=limits) as client:
        traffic = Traffic(client, key_accounts, clients)
        weights, skipped = await probe_families(traffic, weights, results)
        families = [f for f in FAMILIES if weights[f]]
        if not families:
            raise SystemExit("every family of the mix was left out: nothing to run")
        on_start()
        started = time.monotonic()
        deadline = started + seconds

        async def one(number: int) -> None:
            rng = random.Random(1000 + number)
            mine = traffic.families_of(number, families)
            while time.monotonic() < deadline:
                family = rng.choices(mine, [weights[f] for f in mine])[0]
                began = time.perf_counter()
                try:
                    response = await traffic.call(family, number, rng)
                    problem = None if response.status_code < 400 else \
                        f"{response.status_code} {response.text[:200]}"
                except httpx.HTTPError as exc:
                    problem = f"{exc.__class__.__name__}: {exc}"
                results.record(family, time.perf_counter() - began, problem)

        async def middle() -> None:
            await asyncio.sleep(seconds / 2)
            on_middle()

        await asyncio.gather(middle(), *(one(n) for n in range(clients)))
        return results, skipped, time.monotonic() - started


def wait_ready(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait for GET /health to answer 200."""
    import httpx

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{base_url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer /health within 120 s:\n{log.read_text()[-3000:]}")


def summarise(results: Results, duration: float) -> dict[str, Any]:
    """Return counts, errors and latency quantiles (ms) per family."""
    table: dict[str, Any] = {}
    for family, values in sorted(results.latencies.items()):
        table[family] = {
            "requests": len(values), "errors": results.errors.get(family, 0),
            "p50_ms": round(1000 * statistics.median(values), 1),
            "p95_ms": round(1000 * percentile(values, 0.95), 1),
            "max_ms": round(1000 * max(values), 1),
            "per_s": round(len(values) / duration, 2) if "warm-up" not in family else None,
        }
    return table


def main(argv: list[str] | None = None) -> int:
    """Run the load test; return 0 when there was no error."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--database-url", help="PostgreSQL URL (postgres back end)")
    parser.add_argument("--chroma-url", help="Chroma server URL (postgres back end)")
    parser.add_argument("--data-dir", type=Path, help="reuse a data directory")
    parser.add_argument("--api-key", help="send Authorization: Bearer KEY")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--mix", default=DEFAULT_MIX, help=f"weights (default {DEFAULT_MIX})")
    parser.add_argument("--malloc-arena-max", type=int, default=2,
                        help="MALLOC_ARENA_MAX of the server (0: glibc's default)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    args = parser.parse_args(argv)
    weights = parse_mix(args.mix)
    from kambot.config import Settings

    def say(line: str) -> None:
        print(f"load: {line}", flush=True)

    scratch = Path(tempfile.mkdtemp(prefix="kambot-load-"))
    services = Services()
    try:
        overrides: dict[str, Any] = {"data_dir": args.data_dir or scratch / "data"}
        if args.backend == "postgres":
            overrides["database_url"] = args.database_url or start_postgres(scratch, services)
            overrides["chroma_url"] = args.chroma_url or start_chroma(scratch, services)
        elif args.database_url or args.chroma_url:
            raise SystemExit("--database-url and --chroma-url go with --backend postgres")
        settings = Settings(_env_file=None, **overrides)  # type: ignore[call-arg]
        key_accounts, created_key = prepare(settings, say)
        api_key = args.api_key or created_key
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        port = free_port()
        base_url = f"http://{LOCAL}:{port}"
        log = scratch / "server.log"
        with serve(settings, port, args.workers, log, args.malloc_arena_max) as server:
            wait_ready(base_url, server, log)
            memory: dict[str, int] = {"boot": tree_rss(server.pid)}
            say(f"{args.backend}: {args.clients} clients for {args.seconds:g} s against "
                f"{base_url} ({args.workers} worker(s), MALLOC_ARENA_MAX="
                f"{args.malloc_arena_max or 'default'}, RSS at boot "
                f"{memory['boot'] / 1e6:.0f} MB); warming up")

            series: list[tuple[float, int]] = []
            sampling = threading.Event()

            def sample() -> None:
                began = time.monotonic()
                while not sampling.wait(1.0):
                    series.append((round(time.monotonic() - began, 1), tree_rss(server.pid)))

            sampler = threading.Thread(target=sample, daemon=True)

            def start() -> None:  # after the warm-up: indexes and caches are loaded
                memory["start"] = tree_rss(server.pid)
                sampler.start()

            def middle() -> None:
                memory["middle"] = tree_rss(server.pid)

            results, skipped, duration = asyncio.run(drive(
                base_url, headers, args.clients, args.seconds, weights, key_accounts, start,
                middle))
            memory["end"] = tree_rss(server.pid)
            memory.setdefault("middle", memory["end"])
            sampling.set()
            if sampler.is_alive():
                sampler.join()
        table = summarise(results, duration)
        errors = sum(results.errors.values())
        timed = [f for f in table if "warm-up" not in f]
        total = sum(table[f]["requests"] for f in timed)
        payload = {
            "backend": args.backend, "clients": args.clients, "seconds": round(duration, 2),
            "workers": args.workers, "malloc_arena_max": args.malloc_arena_max,
            "requests": total, "errors": errors,
            "per_s": round(total / duration, 2), "families": table, "skipped": skipped,
            "rss_mb": {k: round(v / 1e6, 1) for k, v in memory.items()},
            "rss_mb_every_s": [(t, round(v / 1e6, 1)) for t, v in series],
            "error_samples": results.samples,
        }
        print(f"{'family':<22}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}"
              f"{'max ms':>9}{'req/s':>8}")
        for family, row in table.items():
            rate = "" if row["per_s"] is None else f"{row['per_s']:.1f}"
            print(f"{family:<22}{row['requests']:>9}{row['errors']:>8}{row['p50_ms']:>9.1f}"
                  f"{row['p95_ms']:>9.1f}{row['max_ms']:>9.1f}{rate:>8}")
        for family, reason in skipped.items():
            print(f"{family:<22} skipped: {reason}")
        rss = payload["rss_mb"]
        print(f"total: {total} requests in {duration:.1f} s ({payload['per_s']:.1f}/s), "
              f"{errors} errors; server RSS boot {rss['boot']:.0f} MB, after warm-up "
              f"{rss['start']:.0f} MB, middle {rss['middle']:.0f} MB, end {rss['end']:.0f} MB")
        for problem in results.samples:
            print(f"error: {problem}")
        if args.json:
            args.json.write_text(json.dumps(payload, indent=2), encoding="utf-8")
        return 1 if errors else 0
    finally:
        services.close()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
