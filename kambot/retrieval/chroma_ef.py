"""Chroma embedding functions wrapping our embedders (imports chromadb: load lazily).

Chroma persists the embedding function of a collection by name and config. A collection
created without one gets Chroma's "default" function, which downloads an ONNX model on
first use: offline that fails, and it would embed with another model than ours. So every
collection kambot creates or opens is given one of the registered classes below, and
every add and query passes vectors we computed; the function is only there so that a
collection reopens cleanly (in a new process, or by a tool that calls ``query_texts``).
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from kambot.retrieval.embeddings import (
    Embedder,
    LocalHashEmbedder,
    OpenAIEmbedder,
    SentenceTransformersEmbedder,
)


class _KambotEmbeddingFunction(EmbeddingFunction[Documents]):
    """Adapter from an :class:`Embedder` to Chroma's embedding-function protocol."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        matrix = self.embedder.embed_documents([str(t) for t in input])
        return [np.asarray(row, dtype=np.float32) for row in matrix]

    def embed_query(self, input: Documents) -> Embeddings:
        return [self.embedder.embed_query(str(t)) for t in input]

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine"]

    def get_config(self) -> dict[str, Any]:
        return self.embedder.config()


@register_embedding_function
class KambotLocalEmbeddingFunction(_KambotEmbeddingFunction):
    """The offline hashing embedder."""

    @staticmethod
    def name() -> str:
        return "kambot-local-hash"

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmbeddingFunction[Documents]:
        return KambotLocalEmbeddingFunction(LocalHashEmbedder.from_config(config))


@register_embedding_function
class KambotOpenAIEmbeddingFunction(_KambotEmbeddingFunction):
    """An OpenAI-compatible endpoint; the key comes from ``OPENAI_API_KEY`` on rebuild."""

    @staticmethod
    def name() -> str:
        return "kambot-openai"

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmbeddingFunction[Documents]:
        return KambotOpenAIEmbeddingFunction(OpenAIEmbedder(
            str(config["model"]), base_url=config.get("base_url"),
            timeout_s=float(config.get("timeout_s", 60.0)),
            max_retries=int(config.get("max_retries", 1))))


@register_embedding_function
class KambotSentenceTransformersEmbeddingFunction(_KambotEmbeddingFunction):
    """A local sentence-transformers model."""

    @staticmethod
    def name() -> str:
        return "kambot-sentence-transformers"

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmbeddingFunction[Documents]:
        return KambotSentenceTransformersEmbeddingFunction(
            SentenceTransformersEmbedder(str(config["model"]), device=config.get("device")))


def chroma_embedding_function(embedder: Embedder) -> EmbeddingFunction[Documents]:
    """Return the registered Chroma embedding function wrapping ``embedder``."""
    if isinstance(embedder, LocalHashEmbedder):
        return KambotLocalEmbeddingFunction(embedder)
    if isinstance(embedder, OpenAIEmbedder):
        return KambotOpenAIEmbeddingFunction(embedder)
    if isinstance(embedder, SentenceTransformersEmbedder):
        return KambotSentenceTransformersEmbeddingFunction(embedder)
    # Another Embedder implementation (e.g. a test double) still gets a named function.
    return cast(EmbeddingFunction[Documents], _GenericEmbeddingFunction(embedder))


@register_embedding_function
class _GenericEmbeddingFunction(_KambotEmbeddingFunction):
    """Any other :class:`Embedder`; it cannot be rebuilt from config alone."""

    @staticmethod
    def name() -> str:
        return "kambot-custom"

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmbeddingFunction[Documents]:
        from kambot.errors import RetrievalError

        raise RetrievalError(
            f"collection built with a custom embedder {config.get('name')!r}",
            hint="open it through kambot with the same embedder, or run `kambot reindex`")
