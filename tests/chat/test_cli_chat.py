"""`kambot chat` in the terminal: one-shot messages, resuming, and the user's scope."""

from __future__ import annotations

from pathlib import Path

import pytest
from chat_support import copy_data
from typer.testing import CliRunner

from kambot.cli import app


@pytest.fixture(scope="module")
def data_dir(chat_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_data(chat_template, tmp_path_factory.mktemp("chat-cli") / "data")


def run(data: Path, *args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(app, ["--data-dir", str(data), "chat", *args], input=input)
    assert result.exit_code == 0, result.output + str(result.exception)
    return result.output


def test_one_shot_messages_stream_the_answers(data_dir: Path) -> None:
    out = run(data_dir, "-m", "KPIs of Quenolac", "-m", "en français s'il te plaît",
              "-m", "et les scénarios ?")
    assert "Key figures of Quenolac Mobilité SA" in out
    assert "[1] Service tier (acct:C10175/tier)" in out
    assert "Je réponds désormais en français." in out
    assert "Scénarios à trois ans pour Quenolac Mobilité SA" in out


def test_interactive_session_asks_to_confirm_and_can_be_resumed(data_dir: Path) -> None:
    out = run(data_dir, "--lang", "en", input="Draft the strategy for Flaevel\nno\n/quit\n")
    assert "kambot chat — session" in out and "Save “Account strategy" in out
    assert "Dropped: nothing was saved." in out
    session = out.split("session ", 1)[1].split(" ", 1)[0]
    resumed = run(data_dir, "--session", session, input="")
    assert "Resuming session" in resumed and "Draft the strategy for Flaevel" in resumed


def test_a_stored_user_chats_within_their_scope(data_dir: Path) -> None:
    pytest.importorskip("kambot.auth.users")
    from kambot.assistant.portfolio import open_store
    from kambot.auth.users import create_user
    from kambot.config import Settings

    engine = open_store(Settings(data_dir=data_dir, _env_file=None))  # type: ignore[call-arg]
    try:
        create_user(engine, "kvogel", "kam", accounts=["C10342"])
    finally:
        engine.dispose()
    out = run(data_dir, "--user", "kvogel", "-m", "KPIs of Quenolac", "-m", "KPIs of Corivar")
    assert "I don't know an account named “Quenolac”." in out
    assert "Key figures of Corivar SAS" in out
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "chat", "--user", "nobody",
                                      "-m", "hello"])
    assert result.exit_code != 0
