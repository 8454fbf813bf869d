"""One index writer, readers that follow its rebuilds (embedded Chroma and a server)."""

from __future__ import annotations

from pathlib import Path

import pytest
from ops_support import with_small_knowledge

from kambot.assistant.operations.live_index import LiveIndex
from kambot.config import Settings
from kambot.errors import RetrievalError
from kambot.retrieval.index import open_index, reindex
from kambot.retrieval.models import Scope

MODES = (pytest.param("embedded", id="embedded"),
         pytest.param("server", id="server", marks=pytest.mark.chroma_server))


@pytest.fixture(params=MODES)
def index_settings(request: pytest.FixtureRequest, settings: Settings,
                   tmp_path: Path) -> Settings:
    small = with_small_knowledge(settings, tmp_path)
    if request.param == "server":
        small = small.model_copy(update={"chroma_url": request.getfixturevalue(
            "chroma_server_url")})
    return small


def test_a_reader_never_builds_and_says_who_should(settings: Settings, tmp_path: Path) -> None:
    small = with_small_knowledge(settings, tmp_path)
    reader = LiveIndex(small, writer=False, wait_s=0.3)
    with pytest.raises(RetrievalError, match="does not write it") as caught:
        reader.search("share of wallet")
    assert "kambot reindex" in (caught.value.hint or "")
    assert not (small.index_dir / "manifest.json").exists()


def test_the_writer_setting_decides(settings: Settings, tmp_path: Path) -> None:
    small = with_small_knowledge(settings, tmp_path)
    assert LiveIndex(small).writer is True
    assert LiveIndex(small.model_copy(update={"index_writer": False})).writer is False
    writer = LiveIndex(small)
    assert writer.search("share of wallet", k=1)[0].chunk_id == (
        "en/segmentation#share-of-wallet")
    assert writer.status.state == "rebuilt" and len(writer) == 7


def test_a_reader_follows_the_writers_rebuild(index_settings: Settings) -> None:
    messages: list[str] = []
    open_index(index_settings)
    reader = LiveIndex(index_settings, writer=False, check_every_s=3600,
                       on_status=messages.append)
    first = reader.manifest["generation"]
    assert [h.chunk_id for h in reader.search("share of wallet", k=1)] == [
        "en/segmentation#share-of-wallet"]

    doc = index_settings.knowledge_dir / "methodology" / "en" / "sponsorship.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("twice a year", "every quarter"),
                   encoding="utf-8")
    reindex(index_settings)  # another process, as far as the reader knows

    # The old generation is gone (folder or server collection): the next search fails
    # on it, sees the new manifest and is answered from the new generation.
    hits = reader.search("how often does the sponsor meet the customer", k=3,
                         scope=Scope.public())
    assert reader.manifest["generation"] != first
    assert reader.switches == 1
    assert any("every quarter" in h.text for h in hits)
    assert any("switched to generation" in m for m in messages)
    assert reader.refresh() is False  # nothing new since


def test_a_periodic_look_picks_up_a_new_generation(index_settings: Settings) -> None:
    open_index(index_settings)
    reader = LiveIndex(index_settings, writer=False, check_every_s=0)
    first = reader.manifest["generation"]
    reindex(index_settings)
    assert reader.current().manifest["generation"] != first
    assert reader.switches == 1


def test_the_writers_own_additions_are_no_switch(settings: Settings, tmp_path: Path) -> None:
    from kambot.retrieval.chunking import AccountText, chunks_from_account_texts

    small = with_small_knowledge(settings, tmp_path)
    writer = LiveIndex(small, check_every_s=0)
    writer.current().add_chunks(chunks_from_account_texts(
        [AccountText(4, "n1", "Note", "Wombat pricing talk")]))
    assert writer.refresh() is False and writer.switches == 0
    assert [h.chunk_id for h in writer.search("wombat", k=1, scope=Scope.for_accounts({4}))] == [
        "account-4/n1#text"]
