"""Benchmark: the web app's first page on loopback, until the login form is visible.

Usage: uv run --frozen python benchmarks/bench_web.py [--runs 20] [--no-demo]

Target (issue 7): the first page loads in at most 1 s on loopback.

A real server (``uvicorn --factory api.app:create_app_from_env``) is started on a free
loopback port with the demo loaded in a temporary data directory; Debian's Chromium
(``/usr/bin/chromium``) is driven by Playwright. Each cold run opens a new browser
context (empty cache, no cookies), navigates to ``/`` and stops the clock when the login
form's user-name field is visible: the HTML, the stylesheet, every JavaScript module and
the first render. Warm runs reload the same context (files revalidated with ETags).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TARGET_S = 1.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(data_dir: Path, demo: bool) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    from kambot.config import Settings

    settings = Settings(data_dir=data_dir, _env_file=None)  # type: ignore[call-arg]
    if demo:
        from kambot.assistant.portfolio import load_demo

        load_demo(settings)
    port = _free_port()
    env = {**os.environ, "KAMBOT_DATA_DIR": str(data_dir),
           "KAMBOT_SESSION_COOKIE_SECURE": "false", "ANONYMIZED_TELEMETRY": "False"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app_from_env",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("the kambot server exited before answering")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("the kambot server did not answer within 180 s")


def _load_once(page: Page, url: str) -> float:
    start = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.locator("input[name=username]").wait_for(state="visible")
    return time.perf_counter() - start


def main() -> None:
    """Time the first page until the login form shows and print medians against the target."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--no-demo", action="store_true", help="serve an empty database")
    args = parser.parse_args()

    if not Path(CHROMIUM).is_file():
        raise SystemExit(f"{CHROMIUM} is absent: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="kambot-bench-web-") as tmp:
        process, url = _start_server(Path(tmp) / "data", demo=not args.no_demo)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                outside: list[str] = []
                cold: list[float] = []
                requests: list[int] = []
                # One throw-away run: the browser's own start-up is not the page's.
                warmup = browser.new_context()
                _load_once(warmup.new_page(), url)
                warmup.close()
                for _ in range(args.runs):
                    context = browser.new_context()
                    page = context.new_page()
                    seen: list[str] = []

                    def record(request: Request, seen: list[str] = seen) -> None:
                        seen.append(request.url)

                    page.on("request", record)
                    cold.append(_load_once(page, url))
                    requests.append(len(seen))
                    outside += [u for u in seen if not u.startswith(url)]
                    context.close()
                context = browser.new_context()
                page = context.new_page()
                _load_once(page, url)
                warm = [_load_once(page, url) for _ in range(args.runs)]
                timing = page.evaluate("""() => {
                    const n = performance.getEntriesByType('navigation')[0];
                    return {dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd};
                }""")
                context.close()
                browser.close()
        finally:
            process.terminate()
            process.wait(timeout=15)

    med = statistics.median(cold)
    print(f"first page until the login form is visible, {args.runs} cold runs "
          f"(new context, empty cache), demo {'off' if args.no_demo else 'loaded'}:")
    p90 = sorted(cold)[int(0.9 * (len(cold) - 1))]
    print(f"  median {med * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms, "
          f"min {min(cold) * 1000:.0f} ms, max {max(cold) * 1000:.0f} ms; "
          f"{statistics.median(requests):.0f} requests by then (views prefetch in the background)")
    print(f"  warm reload (ETag revalidation): median {statistics.median(warm) * 1000:.0f} ms; "
          f"last reload DOMContentLoaded {timing['dcl']:.0f} ms, load {timing['load']:.0f} ms")
    print(f"  requests outside loopback: {len(outside)}")
    verdict = "OK" if med <= TARGET_S and not outside else "MISSED"
    print(f"target <= {TARGET_S:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
