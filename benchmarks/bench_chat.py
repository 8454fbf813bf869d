"""Benchmark the chat: offline turns through the API with 10 concurrent sessions, history.

Loads the demo into a temporary SQLite database, serves the real API with uvicorn on
127.0.0.1 in its own process (lifespan included: startup checks and the shared search
index), creates a programme lead and two KAMs with API keys in the user store, then
measures:

1. offline chat turns through ``POST /chat/sessions/{id}/messages`` (JSON), 10 sessions
   at once, each on its own thread and connection, each user pausing 0.5 to 1.5 s
   between messages (``--think-min/--think-max``), with a mix of methodology questions,
   account KPIs and scenarios, portfolio analyses, coaching, help and clarifications in
   French and English, plus a draft every tenth turn: p50 / p95 overall and per tool
   (target: p95 <= 150 ms); the same turns streamed (SSE): time to the first token and
   to ``done``; then the 10 sessions back to back with no pause (the server saturated:
   its throughput, not a user's wait); and the API's floor (``GET /health``);
2. loading a 200-turn session (400 messages, made of real turns): ``ChatService.history``
   (pydantic models) and ``ChatService.history_json`` (what ``GET /chat/sessions/{id}``
   serves) in process, and the GET through the API (target: <= 50 ms).

Every kind of message is sent once before measuring (index, analysis and drafting
caches warm), as a server that has been up for a minute would be.

Usage: .venv/bin/python benchmarks/bench_chat.py [--turns 30] [--sessions 10]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kambot.config import Settings  # noqa: E402

MESSAGES_LEAD = [
    "How do we select key accounts?",
    "KPIs of Quenolac Mobilité",
    "and the scenarios?",
    "Quelle est la sélection des comptes clés ?",
    "Show me the segmentation",
    "Qu'est-ce qu'un sponsor exécutif ?",
    "What should I do next?",
    "Où en est le programme ?",
    "Donne-moi les chiffres de Verasca",
    "Berenlis KPIs",
    "Quels sont les indicateurs du programme ?",
    "three-year forecast for Valovel",
    "help",
    "which executive sponsors each key account?",
]
MESSAGES_KAM = [
    "KPIs of Quenolac",
    "et les scénarios ?",
    "Comment choisir les comptes clés ?",
    "What is a Customer Executive Brief?",
    "KPIs of Valovel",
    "Show me the segmentation",
    "Quels sont les indicateurs de Flaevel Boissons ?",
    "how many key accounts should a KAM handle?",
    "scenarios for Flaevel",
    "que sais-tu faire ?",
]
DRAFT = "Draft the strategy for Quenolac"
TARGET_TURN_P95_MS = 150.0
TARGET_HISTORY_MS = 50.0


def pct(values: list[float], q: float) -> float:
    """Return the q-quantile (0..1) of values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """The real API under uvicorn, in its own process, on 127.0.0.1.

    A separate process keeps the load generator's threads off the server's
    interpreter lock, as real clients would be.
    """

    def __init__(self, data_dir: Path) -> None:
        """Prepare the server on the data directory ``data_dir``."""
        self.port = free_port()
        self.data_dir = data_dir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Return the base URL."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        import httpx

        env = {**os.environ, "KAMBOT_DATA_DIR": str(self.data_dir),
               "KAMBOT_RATE_LIMIT_PER_MINUTE": "1000000",
               "KAMBOT_SESSION_COOKIE_SECURE": "false", "KAMBOT_LLM_PROVIDER": "offline",
               "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "api.app:create_app_from_env", "--factory",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            cwd=ROOT, env=env)
        deadline = time.monotonic() + 600
        while True:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the API did not start")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)


def credentials(settings: Settings) -> dict[str, dict[str, str]]:
    """Create a lead and two KAMs in the user store; return their API-key headers."""
    from kambot.assistant.portfolio import open_store
    from kambot.auth.users import create_user, issue_key

    engine = open_store(settings)
    try:
        create_user(engine, "bench-lead", "lead")
        create_user(engine, "bench-kam-a", "kam", accounts=["C10175", "C10154"])
        create_user(engine, "bench-kam-b", "kam", accounts=["C10102", "C10342"])
        return {name: {"Authorization": f"Bearer {issue_key(engine, name).key}"}
                for name in ("bench-lead", "bench-kam-a", "bench-kam-b")}
    finally:
        engine.dispose()


def run_sessions(url: str, headers: dict[str, dict[str, str]], sessions: int, turns: int,
                 stream: bool, think: tuple[float, float] = (0.0, 0.0),
                 ) -> tuple[list[tuple[str, float]], list[float], list[str]]:
    """Run ``sessions`` conversations at once; return (tool, seconds), first tokens, errors.

    ``think`` is the range of the pause (seconds) each user takes before the next
    message; (0, 0) sends back to back, which measures the server at saturation.
    """
    import random

    import httpx

    timings: list[tuple[str, float]] = []
    firsts: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(sessions)
    users = list(headers)

    def one(k: int) -> None:
        pause = random.Random(k)
        user = users[k % len(users)]
        messages = MESSAGES_LEAD if user == "bench-lead" else MESSAGES_KAM
        with httpx.Client(base_url=url, headers=headers[user], timeout=120) as client:
            session = client.post("/chat/sessions", json={}).json()["id"]
            barrier.wait()
            for turn in range(turns):
                if think[1] > 0:
                    time.sleep(pause.uniform(*think))
                draft = user != "bench-kam-b" and turn % 10 == 9
                text = DRAFT if draft else messages[(turn + k) % len(messages)]
                start = time.perf_counter()
                if stream:
                    first = None
                    tool = "?"
                    with client.stream("POST", f"/chat/sessions/{session}/messages",
                                       json={"content": text},
                                       headers={"Accept": "text/event-stream"}) as response:
                        for line in response.iter_lines():
                            if line.startswith("event: token") and first is None:
                                first = time.perf_counter() - start
                            if line.startswith("data: ") and '"message_id"' in line:
                                tool = json.loads(line[6:])["tool"]
                    elapsed = time.perf_counter() - start
                    with lock:
                        timings.append((tool, elapsed))
                        if first is not None:
                            firsts.append(first)
                    continue
                response = client.post(f"/chat/sessions/{session}/messages",
                                       json={"content": text})
                elapsed = time.perf_counter() - start
                with lock:
                    if response.status_code != 200:
                        errors.append(f"{response.status_code} {response.text[:200]}")
                    else:
                        timings.append((response.json()["tool"], elapsed))
                if draft:
                    client.post(f"/chat/sessions/{session}/messages", json={"content": "no"})

    threads = [threading.Thread(target=one, args=(k,)) for k in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, firsts, errors


def report_turns(label: str, timings: list[tuple[str, float]]) -> float:
    """Print p50/p95 overall and per tool; return the overall p95 in ms."""
    values = [t * 1000 for _, t in timings]
    p95 = pct(values, 0.95)
    print(f"{label}: {len(values)} turns, p50 {statistics.median(values):.1f} ms, "
          f"p95 {p95:.1f} ms, max {max(values):.1f} ms")
    by_tool: dict[str, list[float]] = defaultdict(list)
    for tool, seconds in timings:
        by_tool[tool].append(seconds * 1000)
    for tool, items in sorted(by_tool.items()):
        print(f"    {tool:20s} n={len(items):3d}  p50 {statistics.median(items):7.1f} ms  "
              f"p95 {pct(items, 0.95):7.1f} ms")
    return p95


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=30, help="turns per session")
    parser.add_argument("--sessions", type=int, default=10, help="concurrent sessions")
    parser.add_argument("--think-min", type=float, default=0.5,
                        help="shortest pause of a user between two messages (s)")
    parser.add_argument("--think-max", type=float, default=1.5,
                        help="longest pause of a user between two messages (s)")
    args = parser.parse_args()

    import httpx

    from kambot.assistant.chat import ChatService
    from kambot.assistant.portfolio import load_demo, open_store
    from kambot.domain.identity import Principal, Role

    with tempfile.TemporaryDirectory(prefix="kambot-bench-chat-") as tmp:
        settings = Settings(data_dir=Path(tmp) / "data", _env_file=None,  # type: ignore[call-arg]
                            rate_limit_per_minute=1_000_000, session_cookie_secure=False)
        started = time.perf_counter()
        load_demo(settings)
        print(f"demo loaded in {time.perf_counter() - started:.1f} s")
        headers = credentials(settings)
        started = time.perf_counter()
        with Server(settings.data_dir) as server:
            print(f"API up in {time.perf_counter() - started:.1f} s (search index ready)")
            with httpx.Client(base_url=server.url, timeout=300) as client:
                for user, messages in (("bench-lead", MESSAGES_LEAD),
                                       ("bench-kam-a", MESSAGES_KAM)):
                    session = client.post("/chat/sessions", json={},
                                          headers=headers[user]).json()["id"]
                    for text in [*messages, DRAFT, "no"]:
                        reply = client.post(f"/chat/sessions/{session}/messages",
                                            json={"content": text}, headers=headers[user])
                        reply.raise_for_status()
            with httpx.Client(base_url=server.url, timeout=30) as client:
                floor = []
                for _ in range(50):
                    start = time.perf_counter()
                    client.get("/health").raise_for_status()
                    floor.append((time.perf_counter() - start) * 1000)
            print(f"API floor, GET /health one at a time: p50 {statistics.median(floor):.1f} ms")
            think = (args.think_min, args.think_max)
            timings, _, errors = run_sessions(server.url, headers, args.sessions, args.turns,
                                              stream=False, think=think)
            if errors:
                print(f"errors: {len(errors)}; first: {errors[0]}")
            p95 = report_turns(f"JSON turns, {args.sessions} concurrent sessions, users "
                               f"pausing {think[0]:g}-{think[1]:g} s", timings)
            streamed, firsts, _ = run_sessions(server.url, headers, args.sessions,
                                               max(10, args.turns // 3), stream=True,
                                               think=think)
            report_turns(f"SSE turns, {args.sessions} concurrent sessions, same pauses",
                         streamed)
            first_ms = [f * 1000 for f in firsts]
            print(f"    first token: p50 {statistics.median(first_ms):.1f} ms, "
                  f"p95 {pct(first_ms, 0.95):.1f} ms")
            saturated, _, _ = run_sessions(server.url, headers, args.sessions, args.turns,
                                           stream=False)
            report_turns(f"JSON turns, {args.sessions} sessions back to back (saturation)",
                         saturated)
            verdict = "OK" if p95 <= TARGET_TURN_P95_MS else "OVER TARGET"
            print(f"turn p95 {p95:.1f} ms (10 concurrent sessions with pauses) against a "
                  f"target of {TARGET_TURN_P95_MS:.0f} ms: {verdict}")

            # A 200-turn session, made of real turns, then loaded again and again.
            plain = [m for m in MESSAGES_LEAD if "?" in m or "KPIs" in m]
            started = time.perf_counter()
            with httpx.Client(base_url=server.url, headers=headers["bench-lead"],
                              timeout=60) as client:
                session = int(client.post("/chat/sessions", json={}).json()["id"])
                for turn in range(200):
                    client.post(f"/chat/sessions/{session}/messages",
                                json={"content": plain[turn % len(plain)]}).raise_for_status()
                print(f"200 turns written in {time.perf_counter() - started:.1f} s")
                gets = []
                for _ in range(30):
                    start = time.perf_counter()
                    response = client.get(f"/chat/sessions/{session}")
                    gets.append((time.perf_counter() - start) * 1000)
                    assert len(response.json()["messages"]) == 400
            from kambot.auth.users import get_user

            engine = open_store(settings, migrate=False)
            try:
                service = ChatService(settings, engine)
                lead = Principal(user_id=get_user(engine, "bench-lead").id,
                                 username="bench-lead", role=Role.LEAD)
                loads, raws = [], []
                for _ in range(50):
                    start = time.perf_counter()
                    view = service.history(lead, session)
                    loads.append((time.perf_counter() - start) * 1000)
                    start = time.perf_counter()
                    raw = service.history_json(lead, session)
                    raws.append((time.perf_counter() - start) * 1000)
                assert len(view.messages) == 400 and len(json.loads(raw)["messages"]) == 400
            finally:
                engine.dispose()
            citations = sum(len(m.citations) for m in view.messages)
            print(f"history of 200 turns (400 messages, {citations} citations):")
            print(f"    ChatService.history (pydantic models): p50 "
                  f"{statistics.median(loads):.1f} ms, p95 {pct(loads, 0.95):.1f} ms")
            verdict = "OK" if pct(raws, 0.95) <= TARGET_HISTORY_MS else "OVER TARGET"
            print(f"    ChatService.history_json (what GET serves): p50 "
                  f"{statistics.median(raws):.1f} ms, p95 {pct(raws, 0.95):.1f} ms "
                  f"(target {TARGET_HISTORY_MS:.0f} ms: {verdict})")
            print(f"GET /chat/sessions/{{id}} with 400 messages: p50 "
                  f"{statistics.median(gets):.1f} ms, p95 {pct(gets, 0.95):.1f} ms")


if __name__ == "__main__":
    main()
