"""kambot assess: a run, then the human decision on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CV = """Key account manager, industrial automation, 2016-2025.
Grew the Acme account from 1.2 M EUR to 3.4 M EUR in three years (+180%).
Led a team of 6 account managers across France and Germany.
Built the three-year account plan reviewed quarterly with the customer's COO.
"""


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KAMBOT_DATA_DIR": str(data_dir), "COLUMNS": "160"}
    out = subprocess.run([sys.executable, "-m", "kambot", *args], capture_output=True,
                         text=True, env=env, timeout=300, check=False)
    assert out.returncode == 0, f"kambot {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}"
    return out


def test_decide_reports_the_decision_kind_and_reviewer(tmp_path: Path) -> None:
    cv = tmp_path / "cv.txt"
    cv.write_text(CV, encoding="utf-8")
    data = tmp_path / "data"
    proposal = json.loads(_run(data, "assess", "run", str(cv), "--candidate", "CAND-CLI-1",
                               "--json").stdout)
    run_id = str(proposal["run_id"])
    confirmed = _run(data, "assess", "decide", run_id, "--reviewer", "hr-anna")
    assert f"run {run_id}: confirmed by hr-anna" in confirmed.stdout
    overridden = _run(data, "assess", "decide", run_id, "--reviewer", "hr-ben", "--override",
                      "--reason", "the interview showed more farming than the CV says")
    assert f"run {run_id}: overridden by hr-ben" in overridden.stdout
