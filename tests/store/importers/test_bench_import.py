"""The import benchmark runs (on a small file) and prints its figures."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_import.py"


def test_benchmark_runs_on_a_small_file(capsys: pytest.CaptureFixture[str]) -> None:
    spec = importlib.util.spec_from_file_location("bench_import", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--rows", "3000", "--runs", "1", "--customers", "50"]) == 0
    out = capsys.readouterr().out
    assert "generated 3,000 lines" in out
    assert "rows read 3,000" in out and "accounts created 50" in out
    assert "import median:" in out and "rows/s" in out
