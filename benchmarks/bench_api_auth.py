"""Benchmark: authenticated reads against a bare FastAPI endpoint, at 20 concurrent clients.

Usage: uv run --frozen python benchmarks/bench_api_auth.py [--clients 20] [--seconds 2]
       [--rounds 7] [--data-dir DIR]  (a folder holding the demo; else a temporary one)

Target (issue 7): authenticated read endpoints sustain at least 50% of the requests per
second of a bare FastAPI endpoint measured in the same run.

Both servers are real uvicorn processes on 127.0.0.1 with the same options (one worker,
no access log); only one is under load at a time, and the endpoints are measured in
alternating rounds so that background load hits them alike. Each endpoint's share of
the bare rate is taken within a round, and the median over the rounds is reported
with its range (the machine's speed drifts too much between rounds to divide two
medians taken at different moments). The
load comes from one client process: ``--clients`` keep-alive HTTP/1.1
connections on asyncio streams, each sending its next request as soon as the previous
answer is read (a thin client, so that the server, not the client, sets the pace).
Measured on the kambot server, with an API key in ``Authorization: Bearer``:

- ``GET /auth/me``: authentication (cached argon2 check), rate limit, security headers;
- ``GET /accounts/{ref}``: the same plus scope resolution, the audit trail and the
  account's detail, served from the cached analysis and its cached JSON while the data
  is unchanged (see ``kambot/store/changes.py``);
- ``GET /accounts?limit=50``: the accounts of the caller's scope (a KAM with one
  account), the page cached per scope and query;
- ``GET /health`` without credentials (the database asked at most once a second, in the
  thread pool).

The server's resident memory at the end is printed too (issue 7: under 400 MB with the
demo loaded).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BARE_APP = '''
from fastapi import FastAPI

app = FastAPI()


@app.get("/ping")
async def ping() -> dict[str, bool]:
    return {"ok": True}
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(port: int, path: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                             .encode())
                if conn.recv(64).startswith(b"HTTP/1.1"):
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server on port {port} did not answer {path}")


@contextmanager
def _server(args: list[str], env: dict[str, str], port: int, ready: str,
            cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    command = [sys.executable, "-m", "uvicorn", *args, "--host", "127.0.0.1",
               "--port", str(port), "--no-access-log", "--log-level", "warning"]
    process = subprocess.Popen(command, env=env, cwd=cwd)
    try:
        _wait_ready(port, ready)
        yield process
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _client(port: int, request: bytes, stop: float, counts: list[int],
                  errors: list[str]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = head[9:12]
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            if status != b"200":
                errors.append(status.decode())
                return
            counts[0] += 1
    finally:
        writer.close()


async def _load(port: int, path: str, headers: dict[str, str], clients: int,
                seconds: float) -> tuple[float, list[str]]:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    errors: list[str] = []
    warm = [0]
    await asyncio.gather(*(_client(port, request, time.perf_counter() + 1.0, warm, errors)
                           for _ in range(clients)))
    counts = [0]
    start = time.perf_counter()
    await asyncio.gather(*(_client(port, request, start + seconds, counts, errors)
                           for _ in range(clients)))
    return counts[0] / (time.perf_counter() - start), errors


def _cpu_s(pid: int) -> float:
    """Return the CPU time (user + system, all threads) a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(port: int, path: str, headers: dict[str, str], clients: int,
             seconds: float, pid: int) -> tuple[float, float]:
    """Return requests per second and the server's CPU microseconds per request."""
    cpu = _cpu_s(pid)
    start = time.perf_counter()
    rps, errors = asyncio.run(_load(port, path, headers, clients, seconds))
    elapsed = time.perf_counter() - start
    used = _cpu_s(pid) - cpu
    if errors:
        raise RuntimeError(f"{path} answered {sorted(set(errors))}")
    # The CPU time covers the warm-up second too: count its requests at the same rate.
    return rps, used / (rps * elapsed) * 1e6


def _prepare_data(data_dir: Path | None, work: Path) -> tuple[Path, str, str]:
    """Return a data directory with the demo, an API key and an account reference."""
    sys.path.insert(0, str(ROOT))
    from kambot.assistant.portfolio import PortfolioService, load_demo, open_store
    from kambot.auth.users import create_user, issue_key
    from kambot.config import Settings

    if data_dir is None:
        data_dir = work / "data"
        print("loading the demo...", flush=True)
        load_demo(Settings(data_dir=data_dir, _env_file=None))  # type: ignore[call-arg]
    settings = Settings(data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    engine = open_store(settings)
    name = f"bench-{os.getpid()}"
    account = PortfolioService(settings, engine).analysis().portfolio.accounts.external_ids[0]
    create_user(engine, name, "kam", accounts=[account])
    key = issue_key(engine, name).key
    engine.dispose()
    return data_dir, key, account


def main() -> None:
    """Run the benchmark and print requests per second and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=2.0, help="per endpoint and round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, default=None)
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kambot-bench-auth-"))
    rates: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    try:
        data_dir, key, account = _prepare_data(options.data_dir, work)
        (work / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{work}",
               "KAMBOT_DATA_DIR": str(data_dir),
               "KAMBOT_RATE_LIMIT_PER_MINUTE": str(10**9)}
        auth = {"Authorization": f"Bearer {key}"}
        bare_port, kambot_port = _free_port(), _free_port()
        targets = [("bare", bare_port, "/ping", {}),
                   ("me", kambot_port, "/auth/me", auth),
                   ("detail", kambot_port, f"/accounts/{account}", auth),
                   ("list", kambot_port, "/accounts?limit=50", auth),
                   ("health", kambot_port, "/health", {})]
        # Both servers run at once but only one is loaded at a time; rounds alternate
        # so that a change in the machine's background load hits every endpoint alike.
        with _server(["bare_app:app"], env, bare_port, "/ping", work) as bare_server, \
                _server(["api.app:create_app_from_env", "--factory"], env, kambot_port,
                        "/health", ROOT) as server:
            pids = {bare_port: bare_server.pid, kambot_port: server.pid}
            for _round in range(options.rounds):
                for name, port, path, headers in targets:
                    rps, cpu_us = _measure(port, path, headers, options.clients,
                                           options.seconds, pids[port])
                    rates.setdefault(name, []).append(rps)
                    cpu.setdefault(name, []).append(cpu_us)
            rss = _rss_mb(server.pid)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rate = {n: statistics.median(v) for n, v in rates.items()}
    cpu_us = {n: statistics.median(v) for n, v in cpu.items()}
    # Each endpoint against the bare endpoint of the same round: the machine's speed
    # drifts by tens of percent over a minute here, and a ratio of two medians taken
    # at different moments carries that drift; paired ratios mostly cancel it.
    ratios = {n: sorted(r / b for r, b in zip(v, rates["bare"], strict=True))
              for n, v in rates.items()}
    print(f"clients: {options.clients}; {options.rounds} rounds of {options.seconds:.0f} s "
          "per endpoint; one uvicorn worker per server")
    print(f"{'endpoint':38} {'req/s':>7} {'vs bare (range)':>17} {'server CPU/request':>19}")
    for name, label in (("bare", "bare FastAPI GET /ping"),
                        ("health", "kambot GET /health (no credentials)"),
                        ("me", "kambot GET /auth/me (API key)"),
                        ("detail", "kambot GET /accounts/{ref} (API key)"),
                        ("list", "kambot GET /accounts (API key)")):
        spread = f"{ratios[name][0]:.0%}-{ratios[name][-1]:.0%}"
        print(f"{label:38} {rate[name]:7.0f} {statistics.median(ratios[name]):6.0%} "
              f"({spread:>9}) {cpu_us[name]:16.0f} µs")
    print(f"kambot server RSS at the end: {rss:.0f} MB")
    for name, label in (("me", "/auth/me"), ("detail", "/accounts/{ref}"),
                        ("list", "/accounts")):
        share = statistics.median(ratios[name])
        verdict = "meets" if share >= 0.5 else "misses"
        print(f"authenticated read {label} / bare, median of the rounds: {share:.0%} "
              f"({verdict} the 50% target); by server CPU per request: "
              f"{cpu_us['bare'] / cpu_us[name]:.0%}")


if __name__ == "__main__":
    main()
