"""The evaluation script prints aggregates only."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pytest

from .conftest import CVS

SCRIPT = Path(__file__).resolve().parents[2] / "evals" / "assessment" / "run_resumes.py"


def _load():
    spec = importlib.util.spec_from_file_location("run_resumes", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_eval_prints_figures_and_no_text(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("en_global_kam.md", "en_hunter.txt", "en_service_rep.txt"):
        shutil.copy(CVS / name, tmp_path / (Path(name).stem + ".txt"))
    assert _load().main(["--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "resumes assessed: 3" in out and "time per CV" in out
    assert "leader" in out and "evidence/CV" in out
    for name in ("en_global_kam.md", "en_hunter.txt"):
        for line in (CVS / name).read_text(encoding="utf-8").splitlines():
            if len(line) > 25:
                assert line.strip("-*# ") not in out


def test_eval_without_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _load().main(["--data", str(tmp_path / "absent")]) == 0
    assert "nothing to evaluate" in capsys.readouterr().out


@pytest.mark.shared_data
def test_eval_on_the_shared_resumes(shared_data: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    folder = shared_data / "resumes-eval-only" / "selected"
    if not folder.is_dir():
        pytest.skip("no evaluation resumes")
    assert _load().main(["--data", str(folder)]) == 0
    out = capsys.readouterr().out
    count = len(list(folder.glob("*.txt")))
    assert f"resumes assessed: {count}" in out
