"""The served API limits glibc's malloc arenas unless the environment already does."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from kambot.assistant.operations.memory import limit_malloc_arenas

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"


def test_the_environment_decides_when_it_names_a_count() -> None:
    assert limit_malloc_arenas({"MALLOC_ARENA_MAX": "4"}) is False


@pytest.mark.skipif(not GLIBC, reason="mallopt is a glibc function")
def test_the_limit_is_set_on_glibc() -> None:
    # In a child process: the arenas of the test process stay as they are.
    code = ("from kambot.assistant.operations.memory import limit_malloc_arenas; "
            "print(limit_malloc_arenas({}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=60)
    assert done.stdout.strip() == "True"
