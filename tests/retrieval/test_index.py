"""The index: build, reopen, stale and corrupt detection, rebuild, lock, incremental add."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from kambot.config import Settings
from kambot.errors import RetrievalError
from kambot.retrieval.chunking import AccountText, chunks_from_account_texts
from kambot.retrieval.index import index_lock, open_index, read_manifest, reindex
from kambot.retrieval.models import Scope


def _messages() -> tuple[list[str], object]:
    seen: list[str] = []
    return seen, seen.append


def test_missing_index_is_built_then_reopened_as_is(any_rsettings: Settings) -> None:
    rsettings = any_rsettings
    seen, say = _messages()
    index = open_index(rsettings, on_status=say)  # type: ignore[arg-type]
    assert index.status.state == "rebuilt" and index.status.reason == "is missing"
    assert seen[0].startswith("search index is missing; rebuilding")
    assert len(index) == 7
    manifest = read_manifest(rsettings.index_dir)
    assert manifest is not None
    assert manifest["counts"]["chunks"] == manifest["counts"]["chroma"] == 7
    assert manifest["embedder"]["name"] == "local-hash"
    if rsettings.chroma_url:  # one collection per generation on a shared server
        assert manifest["chroma"]["collection"].startswith("kambot_chunks_local_hash_g")
        assert manifest["chroma"]["mode"] == "http" and manifest["chroma"]["path"] is None
    else:
        assert manifest["chroma"]["collection"] == "kambot_chunks_local_hash"
    assert (rsettings.index_dir / manifest["bm25"]["path"] / "chunks.jsonl").is_file()
    assert (rsettings.index_dir / manifest["embedder"]["stats_path"]).is_file()

    seen2, say2 = _messages()
    again = open_index(rsettings, on_status=say2)  # type: ignore[arg-type]
    assert again.status.state == "ready" and seen2 == []
    assert [h.chunk_id for h in again.search("share of wallet", k=1)] == [
        "en/segmentation#share-of-wallet"]


def test_edited_corpus_is_detected_as_stale_and_rebuilt(any_rsettings: Settings) -> None:
    rsettings = any_rsettings
    open_index(rsettings)
    doc = rsettings.knowledge_dir / "methodology" / "en" / "sponsorship.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("twice a year", "every quarter"),
                   encoding="utf-8")
    index = open_index(rsettings)
    assert index.status.state == "rebuilt"
    assert index.status.reason == "is stale: the methodology corpus changed"
    assert "every quarter" in (index.get_chunk("en/sponsorship#what-a-sponsor-does")
                               or pytest.fail("chunk missing")).text


def test_rebuild_false_raises_instead(rsettings: Settings) -> None:
    with pytest.raises(RetrievalError, match="is missing"):
        open_index(rsettings, rebuild=False)


@pytest.mark.parametrize("damage", ["manifest", "chunk_table", "bm25", "chroma", "count",
                                    "stats", "vectors"])
def test_corrupt_index_is_detected_and_rebuilt(rsettings: Settings, damage: str) -> None:
    open_index(rsettings)
    index_dir = rsettings.index_dir
    manifest = read_manifest(index_dir)
    assert manifest is not None
    bm25_dir = index_dir / manifest["bm25"]["path"]
    if damage == "manifest":
        (index_dir / "manifest.json").write_text("{ not json", encoding="utf-8")
    elif damage == "chunk_table":
        table = bm25_dir / "chunks.jsonl"
        table.write_text(table.read_text(encoding="utf-8")[:200], encoding="utf-8")
    elif damage == "bm25":
        for path in bm25_dir.glob("*.npy"):
            path.write_bytes(b"garbage")
    elif damage == "chroma":
        shutil.rmtree(index_dir / manifest["chroma"]["path"])
    elif damage == "count":
        manifest["counts"]["chunks"] = 99
        (index_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    elif damage == "stats":
        (index_dir / manifest["embedder"]["stats_path"]).write_bytes(b"x")
    elif damage == "vectors":
        import numpy as np

        np.save(bm25_dir / "vectors.npy", np.zeros((3, 768), dtype=np.float32))
    seen, say = _messages()
    index = open_index(rsettings, on_status=say)  # type: ignore[arg-type]
    assert index.status.state == "rebuilt", damage
    assert index.status.reason and ("corrupt" in index.status.reason
                                    or "unusable" in index.status.reason)
    assert seen and "rebuilding" in seen[0]
    assert len(index) == 7
    assert index.search("executive sponsor", k=1)
    # Only the new generation is left on disk.
    assert len(list((index_dir / "chroma").iterdir())) == 1
    assert len(list((index_dir / "bm25").iterdir())) == 1


def test_other_embedder_settings_make_the_index_unusable(
        tmp_path: Path, settings_factory: Callable[..., Settings]) -> None:
    settings = settings_factory(tmp_path)
    open_index(settings)
    glossary = settings.knowledge_dir / "glossary.yaml"
    glossary.write_text(glossary.read_text(encoding="utf-8")
                        + '- id: pricing\n  en: ["price"]\n  fr: ["prix"]\n', encoding="utf-8")
    index = open_index(settings)
    assert index.status.state == "rebuilt"
    assert index.status.reason and "embedder" in index.status.reason


def test_without_a_database_account_chunks_are_carried_over(rsettings: Settings) -> None:
    index = open_index(rsettings)
    index.add_chunks(chunks_from_account_texts([AccountText(5, "n1", "Note", "Quokka tender")]))
    doc = rsettings.knowledge_dir / "methodology" / "en" / "sponsorship.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    seen, say = _messages()
    rebuilt = open_index(rsettings, on_status=say)  # type: ignore[arg-type]
    assert rebuilt.status.state == "rebuilt"
    assert "1 account chunks kept from the previous index" in seen[0]
    assert rebuilt.get_chunk("account-5/n1#text") is not None


def test_add_chunks_upserts_and_survives_a_reopen(any_rsettings: Settings) -> None:
    rsettings = any_rsettings
    index = open_index(rsettings)
    first = chunks_from_account_texts([AccountText(4, "n1", "Note", "Wombat pricing talk")])
    index.add_chunks(first)
    assert len(index) == 8
    scope = Scope.for_accounts({4})
    assert [h.chunk_id for h in index.search("wombat", k=1, scope=scope)] == ["account-4/n1#text"]
    edited = chunks_from_account_texts([AccountText(4, "n1", "Note", "Platypus pricing talk")])
    index.add_chunks(edited)
    assert len(index) == 8
    reopened = open_index(rsettings)
    assert reopened.status.state == "ready"
    assert [h.chunk_id for h in reopened.search("platypus", k=1, scope=scope)] == [
        "account-4/n1#text"]
    assert reopened.search("wombat", k=3, scope=scope, use_dense=False) == []


def test_reindex_reports_what_it_built(any_rsettings: Settings) -> None:
    rsettings = any_rsettings
    progress: list[tuple[str, int, int]] = []
    report = reindex(rsettings, None, lambda stage, done, total: progress.append(
        (stage, done, total)))
    assert (report.chunks, report.methodology_chunks, report.account_chunks) == (7, 7, 0)
    assert report.embedder == "local-hash" and report.reason == "requested"
    assert {stage for stage, _, _ in progress} >= {"embed", "chroma", "bm25"}
    assert open_index(rsettings).status.state == "ready"


def test_the_write_lock_excludes_a_second_writer(tmp_path: Path) -> None:
    ready, release = threading.Event(), threading.Event()

    def holder() -> None:
        with index_lock(tmp_path):
            ready.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    ready.wait(5)
    try:
        with pytest.raises(RetrievalError, match="locked by another process"), \
                index_lock(tmp_path, timeout_s=0.3):
            pass
    finally:
        release.set()
        thread.join()
    with index_lock(tmp_path, timeout_s=1):
        pass


def test_empty_corpus_gives_an_empty_index(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "d", knowledge_dir=tmp_path / "k",
                        _env_file=None)  # type: ignore[call-arg]
    index = open_index(settings)
    assert len(index) == 0
    assert index.search("anything") == []
    assert open_index(settings).status.state == "ready"


def test_parallel_embedding_matches_the_sequential_build(
        tmp_path: Path, settings_factory: Callable[..., Settings],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import numpy as np

    from kambot.retrieval import parallel
    from kambot.retrieval.glossary import load_glossary
    from kambot.retrieval.index import build_state
    from kambot.retrieval.sources import methodology_chunks

    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)
    monkeypatch.setattr(parallel, "BATCH", 3)
    settings = settings_factory(tmp_path)
    glossary = load_glossary(settings.knowledge_dir / "glossary.yaml")
    chunks = methodology_chunks(settings.knowledge_dir)
    notes = chunks_from_account_texts([AccountText(3, f"n{i}", "Note", f"Call number {i} "
                                                   "about the share of wallet review.")
                                       for i in range(5)])
    sources = chunks + notes
    with index_lock(settings.index_dir):
        sequential, _ = build_state(settings, glossary, sources, workers=1)
        concurrent, _ = build_state(settings, glossary, sources, workers=2)
    assert sequential.vectors is not None and concurrent.vectors is not None
    assert np.array_equal(np.asarray(sequential.vectors), np.asarray(concurrent.vectors))
    assert sequential.bm25.vocab_dict == concurrent.bm25.vocab_dict
    assert concurrent.collection.count() == len(sources)
    got = concurrent.collection.get(ids=[notes[2].id], include=["embeddings"])["embeddings"]
    assert np.allclose(got[0], np.asarray(sequential.vectors)[len(chunks) + 2], atol=1e-6)


@pytest.mark.chroma_server
def test_a_collection_gone_from_the_server_is_detected_and_rebuilt(
        tmp_path: Path, settings_factory: Callable[..., Settings], chroma_server_url: str) -> None:
    settings = settings_factory(tmp_path, chroma_url=chroma_server_url)
    index = open_index(settings)
    gone = index.manifest["chroma"]["collection"]
    collection = index.state.collection
    assert collection is not None
    collection._client.delete_collection(gone)
    seen, say = _messages()
    rebuilt = open_index(settings, on_status=say)  # type: ignore[arg-type]
    assert rebuilt.status.state == "rebuilt" and seen and "rebuilding" in seen[0]
    assert rebuilt.status.reason and "unusable" in rebuilt.status.reason
    assert rebuilt.manifest["chroma"]["collection"] != gone
    assert [h.chunk_id for h in rebuilt.search("share of wallet", k=1)] == [
        "en/segmentation#share-of-wallet"]
