"""`kambot interview ...`, `kambot next` and `kambot feedback ...` (in process)."""

from __future__ import annotations

import json

from interview_support import build_store
from typer.testing import CliRunner

from kambot.cli import app
from kambot.config import Settings

runner = CliRunner()


def kambot(settings: Settings, *args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, ["--data-dir", str(settings.data_dir), "--lang", "en", *args],
                           input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_interview_commands_from_start_to_synthesis(settings: Settings) -> None:
    build_store(settings).dispose()
    turn = json.loads(kambot(settings, "interview", "start", "--executive", "Marc Delorme",
                             "--json"))
    iid = str(turn["id"])
    assert turn["question_id"] == "battles"
    out = kambot(settings, "interview", "answer", iid, "Maybe growth.")
    assert "(follow-up)" in out and "What is at stake" in out
    assert "(paused)" in kambot(settings, "interview", "pause", iid)
    assert "pick up where we left off" in kambot(settings, "interview", "resume", iid)
    kambot(settings, "interview", "answer", iid, stdin="Above all we must break the silos "
           "between our business units by 2027 to serve each customer as one company.")
    for _ in range(30):
        turn = json.loads(kambot(settings, "interview", "answer", iid, "skip", "--json"))
        if turn["done"]:
            break
    assert turn["done"]
    shown = kambot(settings, "interview", "show", iid)
    assert "Marc Delorme (done)" in shown and "A: Maybe growth." in shown
    listed = json.loads(kambot(settings, "interview", "list", "--json"))
    assert listed[0]["status"] == "done"
    synthesis = kambot(settings, "interview", "synthesis")
    assert synthesis.startswith("# Synthesis of the executive interviews")
    assert "breaking internal silos" in synthesis


def test_next_and_feedback_commands(settings: Settings) -> None:
    build_store(settings).dispose()
    advice = json.loads(kambot(settings, "next", "--json"))
    assert advice["checkpoint"] == "alignment_interviews"
    assert "Next step" in kambot(settings, "next")
    out = kambot(settings, "feedback", "add", "The account plan template takes three hours "
                 "to fill in.")
    assert "Workload and reporting" in out
    themes = json.loads(kambot(settings, "feedback", "themes", "--json"))
    assert themes[0]["theme"] == "workload" and themes[0]["count"] == 1
    review = kambot(settings, "feedback", "review")
    assert review.startswith("## What we heard after the launch")
