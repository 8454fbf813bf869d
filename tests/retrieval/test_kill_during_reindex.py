"""kill -9 during a rebuild of the indexes: the database stays sound, the index recovers."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kambot.assistant.portfolio import load_demo, open_store
from kambot.config import Settings
from kambot.retrieval.index import open_index
from kambot.store.db import integrity_check

KILLS = int(os.environ.get("KAMBOT_KILL_ROUNDS", "3"))


@pytest.mark.slow
def test_kill_9_during_reindex_leaves_a_sound_database_and_a_recoverable_index(
    tmp_path: Path,
) -> None:
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    load_demo(settings)
    engine = open_store(settings)
    env = {**os.environ, "KAMBOT_DATA_DIR": str(settings.data_dir)}
    rng = random.Random(20261126)
    killed = 0
    for _ in range(KILLS):
        proc = subprocess.Popen(
            [sys.executable, "-m", "kambot", "reindex"], env=env, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.5, 5.0))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        killed += proc.wait(timeout=30) == -signal.SIGKILL
        assert integrity_check(engine) == []
        messages: list[str] = []
        index = open_index(settings, engine, on_status=messages.append)
        hits = index.search("how many key accounts should we select", k=3)
        assert hits, f"no result after a killed rebuild ({messages})"
        assert index.status.state in ("ready", "rebuilt")
    assert killed, "no rebuild was interrupted: the test proved nothing"
