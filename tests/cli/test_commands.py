"""The command line, run as a user runs it: real process, real database, demo data."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def _run(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KAMBOT_DATA_DIR": str(data_dir), "COLUMNS": "160"}
    out = subprocess.run([sys.executable, "-m", "kambot", *args], capture_output=True,
                         text=True, env=env, timeout=300, check=False)
    if check and out.returncode != 0:
        raise AssertionError(f"kambot {' '.join(args)} failed:\n{out.stdout}\n{out.stderr}")
    return out


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("cli") / "data"
    out = _run(data, "demo")
    assert "Demo programme loaded" in out.stdout
    assert "Key accounts selected" in out.stdout
    return data


def _counts(data: Path) -> dict[str, int]:
    with sqlite3.connect(data / "kambot.db") as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                for t in ("accounts", "opportunities", "invoice_lines", "account_revenue")}


def test_select_json_respects_capacity(demo_dir: Path) -> None:
    body = json.loads(_run(demo_dir, "select", "--json", "--sensitivity").stdout)
    assert len(body["selection"]["selected"]) <= body["selection"]["capacity"]
    assert "variants" in body["sensitivity"]


def test_kpis_of_one_account_in_french(demo_dir: Path) -> None:
    tiers = json.loads(_run(demo_dir, "tiers", "--json").stdout)
    name = tiers["accounts"][0]["name"]
    out = _run(demo_dir, "--lang", "fr", "kpis", name)
    assert "Indicateurs du compte" in out.stdout
    assert name.split()[0] in out.stdout


def test_unknown_account_is_a_clear_error(demo_dir: Path) -> None:
    out = _run(demo_dir, "kpis", "No Such Company", check=False)
    assert out.returncode == 1
    assert "error: unknown account 'No Such Company'" in out.stderr
    assert "Traceback" not in out.stderr


def test_scenarios_state_their_assumptions(demo_dir: Path) -> None:
    body = json.loads(_run(demo_dir, "scenarios", "--json").stdout)
    assert {s["name"] for s in body["scenarios"]} == {"base", "upside", "downside"}
    assert all(s["assumptions"] for s in body["scenarios"])


def test_a_refused_import_changes_nothing(demo_dir: Path, tmp_path: Path) -> None:
    before = _counts(demo_dir)
    bad = tmp_path / "opportunities.csv"
    bad.write_text(
        "external_id,account_external_id,stage,value\n"
        "N1,C10001,open,1000\n"
        "N2,NO-SUCH-ACCOUNT,open,abc\n",
        encoding="utf-8",
    )
    out = _run(demo_dir, "import", str(bad), check=False)
    assert out.returncode == 1
    assert "nothing was written" in out.stdout + out.stderr
    assert "row 3" in (out.stdout + out.stderr).lower()
    assert _counts(demo_dir) == before


def test_dry_run_writes_no_data(demo_dir: Path, tmp_path: Path) -> None:
    before = _counts(demo_dir)
    good = tmp_path / "accounts.csv"
    good.write_text("external_id,name\nNEW-1,Brand New Customer SA\n", encoding="utf-8")
    out = _run(demo_dir, "import", str(good), "--dry-run")
    assert "Dry run" in out.stdout
    assert _counts(demo_dir) == before


def test_draft_writes_a_docx(demo_dir: Path, tmp_path: Path) -> None:
    from docx import Document as Docx

    target = tmp_path / "review.docx"
    _run(demo_dir, "draft", "review", "--format", "docx", "--out", str(target))
    paragraphs = [p.text for p in Docx(str(target)).paragraphs]
    assert any(p.strip() for p in paragraphs)


def test_ask_json_has_answer_citations_confidence(demo_dir: Path) -> None:
    body = json.loads(_run(demo_dir, "ask", "Qu'est-ce qu'un sponsor exécutif ?",
                           "--json").stdout)
    assert set(body) >= {"answer", "citations", "confidence"}
    assert body["language"] == "fr"
