"""Chroma never falls back to its downloading default embedding function."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from kambot.config import Settings
from kambot.retrieval.index import open_index, read_manifest

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter: no module, cache or Chroma system survives from the test.
REOPEN = textwrap.dedent("""
    import ipaddress, json, socket, sys
    _connect = socket.socket.connect

    def guarded(self, address):
        host = address[0] if isinstance(address, tuple) else ""
        if self.family in (socket.AF_INET, socket.AF_INET6):
            try:
                loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = False
            if not loopback:
                raise ConnectionRefusedError(f"network blocked: {address!r}")
        return _connect(self, address)

    socket.socket.connect = guarded
    from pathlib import Path
    from kambot.config import Settings
    from kambot.retrieval.index import open_index

    settings = Settings(data_dir=Path(sys.argv[1]), knowledge_dir=Path(sys.argv[2]),
                        _env_file=None)
    index = open_index(settings, rebuild=False)
    hits = index.search("Quel est le rôle du parrain exécutif ?", k=2,
                        filters={"language": "en"})

    # A plain Chroma client that is handed no embedding function must rebuild ours from
    # the persisted config (registered on import) and embed the text query offline.
    import chromadb
    import kambot.retrieval.chroma_ef  # noqa: F401 - registers the functions
    client = chromadb.PersistentClient(path=str(index.state.chroma_path))
    collection = client.get_collection(index.manifest["chroma"]["collection"])
    raw = collection.query(query_texts=["executive sponsor"], n_results=1)
    print(json.dumps({"status": index.status.state, "hits": [h.chunk_id for h in hits],
                      "raw": raw["ids"][0],
                      "ef": type(collection.configuration["embedding_function"]).__name__}))
""")


def test_collection_persists_our_embedding_function(rsettings: Settings) -> None:
    index = open_index(rsettings)
    collection = index.state.collection
    config = collection.configuration_json["embedding_function"]
    assert config["name"] == "kambot-local-hash"
    assert config["config"]["glossary"] == index.embedder.identity()["glossary"]
    assert collection.configuration_json["hnsw"]["space"] == "cosine"


def test_reopen_in_a_new_process_and_query_with_the_network_blocked(
        rsettings: Settings) -> None:
    open_index(rsettings)  # built here with the network blocked by the autouse fixture
    assert read_manifest(rsettings.index_dir) is not None
    result = subprocess.run(
        [sys.executable, "-c", REOPEN, str(rsettings.data_dir), str(rsettings.knowledge_dir)],
        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False,
        env={"PATH": "/usr/bin:/bin", "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False",
             "HOME": str(rsettings.data_dir)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["status"] == "ready"
    assert found["hits"][0] == "en/sponsorship#what-a-sponsor-does"
    assert found["raw"] == ["en/sponsorship#what-a-sponsor-does"]
    assert found["ef"] == "KambotLocalEmbeddingFunction"
