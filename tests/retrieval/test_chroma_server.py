"""Index and search through a real `chroma run` server (HttpClient)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from chroma_support import chroma_executable, free_port, running_chroma

from kambot.config import Settings
from kambot.retrieval.index import open_index, read_manifest, reindex
from kambot.retrieval.models import Scope

pytestmark = pytest.mark.chroma_server


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[str]:
    """A server of this test's own: it checks that only one collection is left."""
    executable = chroma_executable()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the `chroma` executable is missing in CI (it ships with chromadb)")
        pytest.skip("the `chroma` executable (installed with chromadb) is not available")
    with running_chroma(executable, tmp_path / "server") as url:
        yield url


def test_index_and_search_through_a_chroma_server(
        chroma_server: str, tmp_path: Path, settings_factory: object) -> None:
    make = settings_factory
    assert callable(make)
    settings: Settings = make(tmp_path, chroma_url=chroma_server)
    index = open_index(settings)
    assert index.status.state == "rebuilt"
    manifest = read_manifest(settings.index_dir)
    assert manifest is not None and manifest["chroma"]["mode"] == "http"
    assert manifest["chroma"]["path"] is None
    assert not (settings.index_dir / "chroma").exists()
    first_collection = manifest["chroma"]["collection"]
    assert first_collection.startswith("kambot_chunks_local_hash_g")

    hits = index.search("Quel est le rôle du parrain ?", k=1, filters={"language": "en"},
                        scope=Scope.public())
    assert [h.chunk_id for h in hits] == ["en/sponsorship#what-a-sponsor-does"]
    assert hits[0].dense_rank is not None and hits[0].bm25_rank is not None
    # The filtered (where) path runs on the server too.
    filtered = index.search("share of wallet", k=2, scope=Scope.public(),
                            filters={"language": "fr"}, chroma_where_mode="always",
                            use_bm25=False)
    assert filtered and all(h.metadata["language"] == "fr" for h in filtered)

    reopened = open_index(settings)
    assert reopened.status.state == "ready"

    reindex(settings)
    collection = reopened.state.collection
    assert collection is not None
    client = collection._client
    names = {c.name for c in client.list_collections()}
    assert first_collection not in names  # the previous generation was dropped
    assert len(names) == 1
    assert open_index(settings).search("share of wallet", k=1)[0].chunk_id == (
        "en/segmentation#share-of-wallet")


def test_unreachable_server_is_a_clear_error(tmp_path: Path, settings_factory: object) -> None:
    from kambot.errors import RetrievalError

    make = settings_factory
    assert callable(make)
    settings: Settings = make(tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(RetrievalError, match="Chroma"):
        open_index(settings)


def test_a_collection_left_by_a_failed_reindex_is_dropped_by_the_next(
        chroma_server: str, tmp_path: Path, settings_factory: object,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import kambot.retrieval.index as index_module
    from kambot.retrieval.index import PENDING_COLLECTIONS

    make = settings_factory
    assert callable(make)
    settings: Settings = make(tmp_path, chroma_url=chroma_server)
    index = open_index(settings)
    collection = index.state.collection
    assert collection is not None
    client = collection._client

    def killed(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt  # as if the process died once its collection was written

    with monkeypatch.context() as patch:
        patch.setattr(index_module, "_manifest_counts", killed)
        with pytest.raises(KeyboardInterrupt):
            reindex(settings)
    names = {c.name for c in client.list_collections()}
    assert len(names) == 2  # the one in use, and the orphan
    assert (settings.index_dir / PENDING_COLLECTIONS).exists()

    reindex(settings)
    current = read_manifest(settings.index_dir)
    assert current is not None
    assert {c.name for c in client.list_collections()} == {current["chroma"]["collection"]}
    assert not names & {c.name for c in client.list_collections()}
    assert json.loads((settings.index_dir / PENDING_COLLECTIONS).read_text()) == {
        "collections": []}
