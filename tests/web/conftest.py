"""A real kambot server on loopback (demo data, one user per role) and headless Chromium.

The server runs in its own process (``uvicorn --factory api.app:create_app_from_env``) on
a free loopback port, with a data directory of the test session. Chromium is Debian's
(``/usr/bin/chromium``, installed by ``.ci/run``), driven by Playwright; Playwright's own
browser download is never used. Without Chromium or Playwright the browser tests skip,
except under ``CI=true`` where that is a failure: CI must run them.

Every page the tests open is watched: a request to anything but the test server fails
the test (and is aborted so that nothing leaves the machine), and so does a JavaScript
error. Screenshots go to ``tests/web/artifacts/`` (or ``$KAMBOT_WEB_ARTIFACTS``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from processes import stop_process, wait_until_answers

from kambot.config import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("KAMBOT_WEB_ARTIFACTS",
                                Path(__file__).resolve().parent / "artifacts"))
# A note as a customer or a colleague could type it: it must show as text, never run.
HOSTILE_SUBJECT = "<img src=x onerror=\"window.__kambotXss='subject'\">Plant visit"
HOSTILE_TEXT = ("<script>window.__kambotXss='script'</script>they want one automation platform "
                "<img src=x onerror=\"window.__kambotXss='img'\"> and asked us for a proposal "
                "covering the whole plant.")
HOSTILE_NOTE_ID = "ACT-XSS-0001"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_browser() -> None:
    """Skip (or fail under CI=true) when Chromium or Playwright is missing."""
    reason = None
    if not CHROMIUM.is_file():
        reason = f"{CHROMIUM} is absent (apt-get install chromium)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            reason = "the playwright package is not installed"
    if reason is None:
        return
    if _in_ci():
        pytest.fail(f"CI=true but {reason}: the browser tests must run in CI", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class WebServer:
    """The running server and what the tests need to know about its data."""

    base_url: str
    settings: Settings
    users: dict[str, tuple[str, str]]  # role -> (username, password)
    account: str  # external id of the account carrying the hostile note
    account_name: str
    log: Path
    process: subprocess.Popen[bytes] = field(repr=False)

    def credentials(self, role: str) -> tuple[str, str]:
        """Return the user name and password of the demo user of ``role``."""
        return self.users[role]


def _plant_hostile_note(settings: Settings) -> tuple[str, str]:
    """Add a note full of markup to the biggest account; return its external id and name."""
    import sqlalchemy as sa

    from kambot.assistant.portfolio import PortfolioService
    from kambot.store.db import session_scope
    from kambot.store.portfolio import refresh_portfolio_snapshot
    from kambot.store.schema import AccountRow, ActivityRow

    service = PortfolioService(settings)
    try:
        analysis = service.analysis()
        revenue = analysis.kpis.revenue_ttm
        top = max(range(len(revenue)), key=lambda i: float(revenue[i]))
        external_id = analysis.portfolio.accounts.external_ids[top]
        name = analysis.portfolio.accounts.names[top]
        with session_scope(service.engine, write=True) as session:
            account_id = session.scalar(sa.select(AccountRow.id)
                                        .where(AccountRow.external_id == external_id))
            latest = session.scalar(sa.select(sa.func.max(ActivityRow.occurred_on))
                                    .where(ActivityRow.account_id == account_id))
            session.add(ActivityRow(
                external_id=HOSTILE_NOTE_ID, account_id=account_id, kind="note",
                occurred_on=latest or date.today(), subject=HOSTILE_SUBJECT,
                text=HOSTILE_TEXT, author="test"))
        # Analyses and drafts read the stored snapshot: rebuild it, as an import does.
        refresh_portfolio_snapshot(service.engine)
    finally:
        service.engine.dispose()
    return str(external_id), str(name)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    wait_until_answers(f"{url}/health", process, log, name="the kambot server", timeout_s=180)


@pytest.fixture(scope="session")
def web_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    """Start kambot on a free loopback port with the demo loaded and the demo users."""
    require_browser()
    from kambot.assistant.portfolio import load_demo, open_store
    from kambot.auth import ensure_demo_users

    root = tmp_path_factory.mktemp("web")
    settings = Settings(data_dir=root / "data", session_cookie_secure=False,  # type: ignore[call-arg]
                        _env_file=None)
    load_demo(settings)
    account, account_name = _plant_hostile_note(settings)
    engine = open_store(settings)
    try:
        users = {role: (username, password)
                 for username, role, password in ensure_demo_users(engine)}
    finally:
        engine.dispose()
    port = _free_port()
    log = root / "server.log"
    env = {**os.environ, "KAMBOT_DATA_DIR": str(settings.data_dir),
           "KAMBOT_SESSION_COOKIE_SECURE": "false", "HF_HUB_OFFLINE": "1",
           "ANONYMIZED_TELEMETRY": "False", "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app_from_env",
             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    server = WebServer(base_url=url, settings=settings, users=users, account=account,
                       account_name=account_name, log=log, process=process)
    try:
        _wait_until_up(url, process, log)
        yield server
    finally:
        stop_process(process, timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Launch Debian's Chromium once per module (its event loop ends with it)."""
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield instance
        finally:
            instance.close()


@dataclass
class Watch:
    """What a page did: every request, those refused for leaving loopback, and errors."""

    requests: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def watch() -> Watch:
    """Return the record of the current test's page activity."""
    return Watch()


@pytest.fixture
def page(browser: Any, web_server: WebServer, watch: Watch,
         request: pytest.FixtureRequest) -> Iterator[Any]:
    """Open a fresh browser context on the server; fail on any request off loopback."""
    context = browser.new_context(base_url=web_server.base_url, accept_downloads=True,
                                  viewport={"width": 1366, "height": 900}, locale="en-GB")
    server_origin = urlsplit(web_server.base_url)

    def guard(route: Any) -> None:
        url = route.request.url
        watch.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob") or (
                parts.hostname == server_origin.hostname and parts.port == server_origin.port):
            route.continue_()
            return
        watch.outside.append(url)
        route.abort()

    context.route("**/*", guard)
    new_page = context.new_page()
    new_page.set_default_timeout(30_000)
    new_page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
    try:
        yield new_page
    finally:
        if getattr(request.node, "rep_call_failed", False):
            shoot(new_page, f"FAILED-{request.node.name}")
        context.close()
    assert not watch.outside, f"the page reached beyond loopback: {watch.outside}"
    assert not watch.errors, f"JavaScript errors on the page: {watch.errors}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if report.when == "call":
        item.rep_call_failed = report.failed  # type: ignore[attr-defined]
    return report


def shoot(page: Any, name: str) -> Path:
    """Save a full-page screenshot as a test artefact and print where it went."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    print(f"screenshot: {path}")
    return path


def login(page: Any, server: WebServer, role: str) -> None:
    """Sign in through the login form as the demo user of ``role``."""
    username, password = server.credentials(role)
    page.goto("/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").wait_for()
