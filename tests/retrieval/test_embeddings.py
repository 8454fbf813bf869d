"""Embedders: the offline hashing embedding, the OpenAI-compatible one, the optional one."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest

from kambot.config import Settings
from kambot.errors import ConfigError, RetrievalError
from kambot.retrieval.embeddings import (
    DEFAULT_DIM,
    Embedder,
    FeatureStats,
    LocalHashEmbedder,
    OpenAIEmbedder,
    SentenceTransformersEmbedder,
    make_embedder,
)
from kambot.retrieval.glossary import load_glossary

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "knowledge"
ROOT = Path(__file__).resolve().parents[2]

DOCS = [
    "Share of wallet is our sales divided by the customer's total spend in our categories.",
    "An executive sponsor meets the customer's leadership twice a year.",
    "The portfolio matrix crosses attractiveness and our relative strength.",
]


@pytest.fixture(scope="module")
def embedder() -> LocalHashEmbedder:
    return LocalHashEmbedder(load_glossary(FIXTURES / "glossary.yaml"))


def test_local_embedder_satisfies_the_protocol(embedder: LocalHashEmbedder) -> None:
    assert isinstance(embedder, Embedder)
    matrix = embedder.embed_documents(DOCS, ["en"] * 3)
    assert matrix.shape == (3, DEFAULT_DIM) and matrix.dtype == np.float32
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-5)
    query = embedder.embed_query("share of wallet")
    assert query.shape == (DEFAULT_DIM,) and query.dtype == np.float32


def test_local_embedding_is_deterministic_across_processes(embedder: LocalHashEmbedder) -> None:
    here = embedder.embed_query("Comment calculer la part de portefeuille ?")
    assert np.array_equal(here, LocalHashEmbedder(embedder.glossary).embed_query(
        "Comment calculer la part de portefeuille ?"))
    code = (
        "import json; from pathlib import Path;"
        "from kambot.retrieval.embeddings import LocalHashEmbedder;"
        "from kambot.retrieval.glossary import load_glossary;"
        f"g = load_glossary(Path({str(FIXTURES / 'glossary.yaml')!r}));"
        "v = LocalHashEmbedder(g).embed_query('Comment calculer la part de portefeuille ?');"
        "print(json.dumps(v.tolist()))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT, env=env).stdout
    assert np.allclose(np.asarray(json.loads(out), dtype=np.float32), here, atol=1e-7)


def test_a_french_question_is_closest_to_the_english_passage_of_its_concept(
        embedder: LocalHashEmbedder) -> None:
    matrix = embedder.embed_documents(DOCS, ["en"] * 3)
    for question, expected in [("Comment calculer la part de portefeuille ?", 0),
                               ("Quel est le rôle du parrain d'un compte ?", 1)]:
        scores = matrix @ embedder.embed_query(question)
        assert int(np.argmax(scores)) == expected, (question, scores)
        others = np.delete(scores, expected)
        assert scores[expected] > 0.15 and scores[expected] > 2 * others.max(), scores


def test_without_the_glossary_the_cross_language_match_is_lost() -> None:
    bare = LocalHashEmbedder()
    matrix = bare.embed_documents(DOCS, ["en"] * 3)
    scores = matrix @ bare.embed_query("Quel est le rôle du parrain d'un compte ?")
    assert float(scores[1]) < 0.1


def test_typos_and_inflections_still_match(embedder: LocalHashEmbedder) -> None:
    matrix = embedder.embed_documents(DOCS, ["en"] * 3)
    scores = matrix @ embedder.embed_query("atractiveness of the portfollio")
    assert int(np.argmax(scores)) == 2


def test_fitted_idf_downweights_common_words(embedder: LocalHashEmbedder) -> None:
    texts = [f"customer meeting number {i} about pricing" for i in range(20)]
    texts.append("customer meeting about the escalation path")
    fitted, vectors = embedder.fit(texts, ["en"] * len(texts))
    assert fitted.stats.n_docs == len(texts)
    query = fitted.embed_query("escalation customer")
    scores = vectors @ query
    assert int(np.argmax(scores)) == len(texts) - 1
    assert fitted.identity() == embedder.identity()  # statistics are index data, not identity


def test_feature_stats_round_trip_and_corruption(tmp_path: Path) -> None:
    stats = LocalHashEmbedder().fit(["alpha beta", "beta gamma"], ["en", "en"])[0].stats
    path = tmp_path / "stats.npz"
    stats.save(path)
    loaded = FeatureStats.load(path)
    assert loaded.n_docs == 2 and np.array_equal(loaded.df, stats.df)
    path.write_bytes(b"not a numpy file")
    with pytest.raises(RetrievalError, match="unreadable"):
        FeatureStats.load(path)


def test_make_embedder_follows_settings(tmp_path: Path) -> None:
    local = make_embedder(Settings(data_dir=tmp_path, knowledge_dir=FIXTURES,
                                   _env_file=None))  # type: ignore[call-arg]
    assert isinstance(local, LocalHashEmbedder) and len(local.glossary) == 4
    remote = make_embedder(Settings(data_dir=tmp_path, embedding_provider="openai",
                                    embedding_model="nomic-embed",
                                    embedding_base_url="http://127.0.0.1:1/v1",
                                    _env_file=None))  # type: ignore[call-arg]
    assert isinstance(remote, OpenAIEmbedder) and remote.name == "openai-nomic-embed"
    assert "api_key" not in json.dumps(remote.config())


@pytest.mark.skipif(importlib.util.find_spec("sentence_transformers") is not None,
                    reason="sentence-transformers is installed here")
def test_sentence_transformers_absent_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not installed") as info:
        SentenceTransformersEmbedder("/models/e5-small").embed_query("x")
    assert info.value.hint and "local" in info.value.hint


class _EmbeddingsHandler(BaseHTTPRequestHandler):
    """A loopback OpenAI-compatible /v1/embeddings endpoint."""

    fail = False
    seen: list[dict[str, object]] = []  # noqa: RUF012 - shared on purpose in the test

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).seen.append(body)
        if type(self).fail:
            payload = json.dumps({"error": {"message": "model not loaded", "type": "server"}})
            self.send_response(500)
        else:
            data = [{"object": "embedding", "index": i,
                     "embedding": [float(len(str(t))), 1.0, float(i)]}
                    for i, t in enumerate(body["input"])]
            payload = json.dumps({"object": "list", "data": data, "model": body["model"],
                                  "usage": {"prompt_tokens": 1, "total_tokens": 1}})
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(payload.encode())

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def embeddings_server() -> Iterator[str]:
    _EmbeddingsHandler.fail = False
    _EmbeddingsHandler.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EmbeddingsHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_openai_embedder_against_a_loopback_server(embeddings_server: str) -> None:
    embedder = OpenAIEmbedder("test-embed", base_url=embeddings_server, max_retries=0)
    matrix = embedder.embed_documents(["a", "bbbb"])
    assert matrix.shape == (2, 3) and embedder.dim == 3
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0)
    assert _EmbeddingsHandler.seen[0]["model"] == "test-embed"
    # check_embedding_ctx_length=False: plain strings are sent, no tokenizer download.
    assert _EmbeddingsHandler.seen[0]["input"] == ["a", "bbbb"]


def test_openai_embedder_errors_become_retrieval_errors(embeddings_server: str) -> None:
    _EmbeddingsHandler.fail = True
    embedder = OpenAIEmbedder("test-embed", base_url=embeddings_server, max_retries=0)
    with pytest.raises(RetrievalError, match="embedding endpoint failed") as info:
        embedder.embed_query("hello")
    assert info.value.hint and "KAMBOT_EMBEDDING_BASE_URL" in info.value.hint


def test_openai_embedder_unreachable_is_a_retrieval_error() -> None:
    embedder = OpenAIEmbedder("m", base_url="http://127.0.0.1:9/v1", max_retries=0,
                              timeout_s=2)
    with pytest.raises(RetrievalError):
        embedder.embed_query("hello")
