"""Helpers of the kill -9 tests: run `kambot` in a child, kill it at a random moment.

``KAMBOT_DURABILITY_ROUNDS`` sets the rounds per test (20 by hand); by default CI runs
a short form: 3 rounds on SQLite + embedded Chroma, 1 on PostgreSQL + Chroma server.
Each round prints one line (``-s`` shows them): when the kill came and what was found.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from kambot.config import Settings
from kambot.store.db import integrity_check

FIXTURE_KNOWLEDGE = Path(__file__).resolve().parents[1] / "retrieval" / "fixtures" / "knowledge"
SEED = 20261126


def rounds(backend: str) -> int:
    """Return how many kill rounds to run on a back end."""
    wanted = os.environ.get("KAMBOT_DURABILITY_ROUNDS", "").strip()
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    return 3 if backend == "sqlite+embedded" else 1


def more_rounds(backend: str, done: int, killed: int) -> bool:
    """Tell whether to run another round: the planned ones, then up to 3 more while
    no run was interrupted yet (a run may finish before its kill)."""
    planned = rounds(backend)
    return done < planned or (not killed and done < planned + 3)


def pace(calibration_s: float, finished_s: list[float]) -> float:
    """Return how long runs take now, relative to the calibration run (at most 1).

    A run that ended before its kill shows that the machine got faster since the kill
    moments were planned (the calibration ran while something else loaded it): the
    next moments are scaled down by the quickest such run.
    """
    return min([1.0, *(s / calibration_s for s in finished_s if calibration_s > 0)])


def rng_for(name: str, backend: str) -> random.Random:
    """Return a seeded generator (printed moments can be replayed)."""
    return random.Random(f"{SEED}-{name}-{backend}")


def with_small_knowledge(settings: Settings, root: Path) -> Settings:
    """Return ``settings`` on a private copy of the small fixture corpus."""
    knowledge = root / "knowledge"
    if not knowledge.exists():
        shutil.copytree(FIXTURE_KNOWLEDGE, knowledge)
    return settings.model_copy(update={"knowledge_dir": knowledge})


def child_env(settings: Settings) -> dict[str, str]:
    """Return the environment that gives a `kambot` child these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMBOT_")}
    env.update(KAMBOT_DATA_DIR=str(settings.data_dir),
               KAMBOT_KNOWLEDGE_DIR=str(settings.knowledge_dir),
               KAMBOT_LANG=settings.lang)
    if settings.database_url:
        env["KAMBOT_DATABASE_URL"] = settings.database_url
    if settings.chroma_url:
        env["KAMBOT_CHROMA_URL"] = settings.chroma_url
    return env


@dataclass(frozen=True)
class Outcome:
    """How a child run ended."""

    killed: bool
    returncode: int
    after_s: float
    stderr: str


def run_and_kill(settings: Settings, args: list[str], *, at_s: float,
                 timeout_s: float = 600.0) -> Outcome:
    """Run ``kambot ARGS`` and kill -9 its process group ``at_s`` seconds in.

    Returns:
        Whether the kill hit a running process, the exit code, and its stderr.
    """
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kambot", *args], env=child_env(settings),
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        proc.wait(timeout=at_s)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    _, stderr = proc.communicate(timeout=timeout_s)
    killed = proc.returncode == -signal.SIGKILL
    if not killed:
        # Worker processes of a finished run should be gone already; make sure.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    return Outcome(killed, proc.returncode, round(time.monotonic() - started, 2), stderr)


def run_watching(settings: Settings, args: list[str], probe: Callable[[], int],
                 *, every_s: float = 0.05,
                 timeout_s: float = 600.0) -> tuple[Outcome, list[tuple[float, int]]]:
    """Run ``kambot ARGS`` to the end, noting when ``probe()`` changes (e.g. a row count).

    Returns:
        The outcome and the (seconds since start, value) of every change seen.
    """
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kambot", *args], env=child_env(settings),
        start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    seen: list[tuple[float, int]] = []
    last = probe()
    while proc.poll() is None:
        if time.monotonic() - started > timeout_s:
            os.killpg(proc.pid, signal.SIGKILL)
            break
        value = probe()
        if value != last:
            seen.append((round(time.monotonic() - started, 3), value))
            last = value
        time.sleep(every_s)
    _, stderr = proc.communicate()
    value = probe()
    if value != last:
        seen.append((round(time.monotonic() - started, 3), value))
    return Outcome(False, proc.returncode, round(time.monotonic() - started, 2), stderr), seen


def assert_sound(engine: Engine) -> None:
    """Assert the database passes its integrity check."""
    problems = integrity_check(engine)
    assert problems == [], problems


def report(test: str, backend: str, number: int, at_s: float, outcome: Outcome,
           found: str) -> None:
    """Print one line per round."""
    state = "killed" if outcome.killed else f"finished (rc {outcome.returncode})"
    print(f"[durability] {test} {backend} round {number}: kill at {at_s:.2f} s -> {state}; "
          f"{found}")
