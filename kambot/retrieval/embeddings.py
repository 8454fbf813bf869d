"""Embeddings: one :class:`Embedder` interface, three providers chosen by Settings.

- ``local`` (default) downloads nothing and needs no model: :class:`LocalHashEmbedder`,
  a weighted feature-hashing vector described below.
- ``openai``: any OpenAI-compatible ``/v1/embeddings`` endpoint (OpenAI, Azure, Ollama,
  vLLM, LM Studio...) through LangChain's ``OpenAIEmbeddings`` (imported lazily).
- ``sentence-transformers``: an optional extra, loaded lazily, from a local path or a
  model already in the Hugging Face cache (offline mode is forced).

The local embedding, honestly
-----------------------------
It is a lexical vector with a few tricks, not a language model. Each text is analysed
with the French or English analyser (stop words out, Snowball stems, accents folded)
and four groups of features are hashed (signed) into ``dim`` (768) dimensions:

1. stemmed words: "negotiating"/"negotiation" meet; weight ``1 + log(tf)`` times an
   idf computed over the indexed chunks (stored with the index);
2. stemmed word bigrams: "share wallet", "executive sponsor" count more than the
   words apart;
3. character 3- to 5-grams of each word: misspellings ("sponsorhip"), inflections the
   stemmer misses and cognates across the two languages ("stratégique"/"strategic",
   "segmentation") still overlap;
4. glossary concepts: every concept of ``knowledge/glossary.yaml`` whose French or
   English term occurs in the text adds a shared ``concept:<id>`` feature, so a French
   question meets English content (and the reverse), and synonyms the glossary lists
   together meet.

Each group is L2-normalised, weighted (:data:`GROUP_WEIGHTS`) and summed, then the
vector is L2-normalised again (cosine space). What it captures: shared words and stems,
morphology and typos, bigram phrases, glossary-level concepts and, through the glossary
and cognates, cross-language matches. What it does not capture: meaning beyond those
surfaces. A paraphrase that shares no word, stem, cognate or glossary concept with the
passage ("how do I get the boss to care" for "executive sponsorship") is not matched;
word order beyond bigrams, negation and synonyms missing from the glossary are ignored.
Configure a real embedding model (``openai`` or ``sentence-transformers``) when that
matters; the hybrid search keeps BM25 either way.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from kambot.errors import ConfigError, KambotError, RetrievalError
from kambot.retrieval.glossary import Glossary, load_glossary
from kambot.retrieval.text import LANGS, Lang, analyse, detect_language

if TYPE_CHECKING:
    from kambot.config import Settings

FloatMatrix = npt.NDArray[np.float32]
FloatVector = npt.NDArray[np.float32]

# 2: glossary terms gutted by stop words ("follow-up") now give their concept feature.
LOCAL_VERSION = 2
DEFAULT_DIM = 768
DF_BUCKETS = 1 << 20
GROUP_WEIGHTS: dict[str, float] = {"word": 1.0, "bigram": 0.45, "char": 1.0, "concept": 0.7}
CHAR_NGRAMS = (3, 4, 5)


@runtime_checkable
class Embedder(Protocol):
    """What the index needs from an embedding provider."""

    @property
    def name(self) -> str:
        """Return a short identifier, used in the collection name (``local-hash``)."""
        ...

    @property
    def dim(self) -> int:
        """Return the vector dimension."""
        ...

    def embed_documents(self, texts: list[str],
                        languages: Sequence[str | None] | None = None) -> FloatMatrix:
        """Embed passages into an ``(n, dim)`` float32 matrix of unit vectors."""
        ...

    def embed_query(self, text: str, language: str | None = None) -> FloatVector:
        """Embed a search query into a ``(dim,)`` float32 unit vector."""
        ...

    def identity(self) -> dict[str, Any]:
        """Return what must match for stored vectors to be comparable with new ones."""
        ...

    def config(self) -> dict[str, Any]:
        """Return the JSON config Chroma persists to rebuild this embedder."""
        ...


def _normalise_rows(matrix: npt.NDArray[Any]) -> FloatMatrix:
    out = np.asarray(matrix, dtype=np.float32)
    if out.ndim == 1:
        out = out.reshape(1, -1)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(out / norms, dtype=np.float32)


# --- local hashing embedder ----------------------------------------------------------


_STATS_CACHE: dict[tuple[str, int, int], FeatureStats] = {}


@dataclass(frozen=True)
class FeatureStats:
    """Document frequencies of word and concept features, bucketed by hash.

    Computed over the indexed chunks at build time and saved with the index, so that
    queries use the same weights as the passages they are compared with.
    """

    n_docs: int
    df: npt.NDArray[np.int32]

    @classmethod
    def empty(cls) -> FeatureStats:
        """Return stats that weight every feature equally."""
        return cls(0, np.zeros(DF_BUCKETS, dtype=np.int32))

    @property
    def digest(self) -> str:
        """Return a short hash identifying these statistics."""
        h = hashlib.sha256(str(self.n_docs).encode())
        h.update(self.df.tobytes())
        return h.hexdigest()[:16]

    def save(self, path: Path) -> None:
        """Write the statistics as a compressed ``.npz`` file."""
        with path.open("wb") as fh:
            np.savez_compressed(fh, n_docs=np.array([self.n_docs]), df=self.df)

    @classmethod
    def load(cls, path: Path) -> FeatureStats:
        """Read statistics written by :meth:`save`.

        Raises:
            RetrievalError: when the file is missing or unreadable.
        """
        try:
            stat = path.stat()
            key = (str(path), stat.st_mtime_ns, stat.st_size)
            cached = _STATS_CACHE.get(key)
            if cached is not None:
                return cached
            with np.load(path) as data:
                df = np.asarray(data["df"], dtype=np.int32)
                n_docs = int(data["n_docs"][0])
        except (OSError, KeyError, ValueError, IndexError) as exc:
            raise RetrievalError(f"embedding statistics {path} are unreadable: {exc}",
                                 hint="run `kambot reindex`") from exc
        if df.shape != (DF_BUCKETS,):
            raise RetrievalError(f"embedding statistics {path} have the wrong shape",
                                 hint="run `kambot reindex`")
        stats = cls(n_docs, df)
        _STATS_CACHE.clear()  # one index in use at a time: keep the latest only
        _STATS_CACHE[key] = stats
        return stats


@dataclass(frozen=True, slots=True)
class Features:
    """The features of one text, before weighting (see :class:`LocalHashEmbedder`)."""

    words: Counter[str]
    bigrams: Counter[str]
    surfaces: Counter[tuple[str, str]]  # (surface word, its stem feature)
    concepts: Counter[str]
    stems: tuple[str, ...]


class _Hasher:
    """Feature string -> (dimension, sign, df bucket), memoised."""

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._cache: dict[str, tuple[int, float, int]] = {}
        self._grams: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]] = {}

    def __call__(self, feature: str) -> tuple[int, float, int]:
        found = self._cache.get(feature)
        return found if found is not None else self._compute(feature)

    def many(self, features: Iterable[str]) -> npt.NDArray[np.float64]:
        """Return an ``(n, 3)`` array of (dimension, sign, df bucket) rows."""
        cache = self._cache
        compute = self._compute
        rows = [cache.get(f) or compute(f) for f in features]
        return np.array(rows, dtype=np.float64).reshape(-1, 3)

    def _compute(self, feature: str) -> tuple[int, float, int]:
        digest = hashlib.blake2b(feature.encode(), digest_size=12).digest()
        index = int.from_bytes(digest[:4], "little") % self.dim
        sign = 1.0 if digest[4] & 1 else -1.0
        bucket = int.from_bytes(digest[5:9], "little") % DF_BUCKETS
        found = (index, sign, bucket)
        if len(self._cache) > 400_000:
            self._cache.clear()
        self._cache[feature] = found
        return found

    def grams(self, word: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Return the unit-norm hashed character n-gram vector of one word (sparse)."""
        found = self._grams.get(word)
        if found is None:
            padded = f"<{word}>"
            grams = [padded[i : i + n] for n in CHAR_NGRAMS for i in range(len(padded) - n + 1)]
            if not grams:
                grams = [padded]
            hashed = [self("c:" + g) for g in grams]
            index = np.fromiter((h[0] for h in hashed), dtype=np.int64, count=len(hashed))
            values = np.fromiter((h[1] for h in hashed), dtype=np.float32, count=len(hashed))
            values /= math.sqrt(len(hashed))
            found = (index, values)
            if len(self._grams) > 200_000:
                self._grams.clear()
            self._grams[word] = found
        return found


_HASHERS: dict[int, _Hasher] = {}


def _hasher_for(dim: int) -> _Hasher:
    """Return the shared, memoised hasher of a dimension (hashing is deterministic)."""
    hasher = _HASHERS.get(dim)
    if hasher is None:
        hasher = _HASHERS.setdefault(dim, _Hasher(dim))
    return hasher


class LocalHashEmbedder:
    """Offline embedding: hashed stems, bigrams, character n-grams and glossary concepts.

    See the module docstring for what it captures and what it does not.
    """

    def __init__(self, glossary: Glossary | None = None, *, dim: int = DEFAULT_DIM,
                 stats: FeatureStats | None = None, glossary_path: str | None = None,
                 stats_path: str | None = None, default_language: Lang = "en") -> None:
        if dim < 64:
            raise ConfigError(f"local embedding dimension {dim} is too small",
                              hint="use at least 64 (768 by default)")
        self.glossary = glossary or Glossary()
        self._dim = dim
        self.stats = stats or FeatureStats.empty()
        self.glossary_path = glossary_path
        self.stats_path = stats_path
        self.default_language: Lang = default_language
        self._hasher = _hasher_for(dim)
        self._idf_table = self._make_idf(self.stats)

    @property
    def name(self) -> str:
        """Return ``local-hash``."""
        return "local-hash"

    @property
    def dim(self) -> int:
        """Return the vector dimension."""
        return self._dim

    def identity(self) -> dict[str, Any]:
        """Return provider, version, dimension, weights and glossary fingerprint."""
        return {"provider": "local", "name": self.name, "version": LOCAL_VERSION,
                "dim": self._dim, "glossary": self.glossary.fingerprint,
                "weights": dict(GROUP_WEIGHTS)}

    def config(self) -> dict[str, Any]:
        """Return the identity plus the files needed to rebuild it (glossary, stats)."""
        return {**self.identity(), "glossary_path": self.glossary_path,
                "stats_path": self.stats_path, "stats": self.stats.digest,
                "default_language": self.default_language}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LocalHashEmbedder:
        """Rebuild the embedder Chroma persisted (glossary and stats read from disk).

        Raises:
            RetrievalError: when the stored glossary or statistics no longer match.
        """
        glossary_path = config.get("glossary_path")
        glossary = load_glossary(Path(glossary_path)) if glossary_path else Glossary()
        if glossary.fingerprint != config.get("glossary"):
            raise RetrievalError("the glossary changed since this collection was built",
                                 hint="run `kambot reindex`")
        stats_path = config.get("stats_path")
        stats = FeatureStats.load(Path(stats_path)) if stats_path else None
        return cls(glossary, dim=int(config.get("dim", DEFAULT_DIM)), stats=stats,
                   glossary_path=glossary_path, stats_path=stats_path,
                   default_language=config.get("default_language", "en"))

    def with_stats(self, stats: FeatureStats, stats_path: str | None = None) -> LocalHashEmbedder:
        """Return the same embedder using other document frequencies."""
        return LocalHashEmbedder(self.glossary, dim=self._dim, stats=stats,
                                 glossary_path=self.glossary_path, stats_path=stats_path,
                                 default_language=self.default_language)

    @staticmethod
    def _make_idf(stats: FeatureStats) -> npt.NDArray[np.float32]:
        n = stats.n_docs
        idf: npt.NDArray[np.float32] = (
            np.log((n + 1.0) / (stats.df.astype(np.float32) + 1.0)) + 1.0).astype(np.float32)
        return idf

    def language_of(self, text: str, language: str | None) -> Lang:
        """Return ``language`` when it is fr or en, else the language detected in text."""
        if language in LANGS:
            return language  # type: ignore[return-value]
        return detect_language(text, self.default_language)

    def features(self, text: str, lang: Lang) -> Features:
        """Extract the hashed features of a text analysed in ``lang``."""
        main = analyse(text, lang)
        stems = main.stems
        words = Counter("w:" + s for s in stems)
        bigrams = Counter(f"b:{a} {b}" for a, b in itertools.pairwise(stems))
        surfaces = Counter(zip(main.surface, ("w:" + s for s in stems), strict=True))
        concepts: Counter[str] = Counter()
        if len(self.glossary):
            concepts = Counter({"k:" + c: n for c, n in self.glossary.match_analysis(main).items()})
        return Features(words, bigrams, surfaces, concepts, stems)

    def _group(self, counts: Counter[str], use_idf: bool) -> FloatVector:
        if not counts:
            return np.zeros(self._dim, dtype=np.float32)
        rows = self._hasher.many(counts)
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        weights = (1.0 + np.log(tf)) * rows[:, 1]
        if use_idf:
            weights *= self._idf_table[rows[:, 2].astype(np.int64)]
        vector = np.bincount(rows[:, 0].astype(np.int64), weights=weights,
                             minlength=self._dim).astype(np.float32)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def _chars(self, surfaces: Counter[tuple[str, str]]) -> FloatVector:
        if not surfaces:
            return np.zeros(self._dim, dtype=np.float32)
        grams = [self._hasher.grams(word) for word, _ in surfaces]
        buckets = self._hasher.many(stem for _, stem in surfaces)[:, 2].astype(np.int64)
        tf = np.fromiter(surfaces.values(), dtype=np.float32, count=len(surfaces))
        weights = (1.0 + np.log(tf)) * self._idf_table[buckets]
        lengths = np.fromiter((len(g[0]) for g in grams), dtype=np.int64, count=len(grams))
        values = np.concatenate([g[1] for g in grams]) * np.repeat(weights, lengths)
        vector = np.bincount(np.concatenate([g[0] for g in grams]), weights=values,
                             minlength=self._dim).astype(np.float32)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def count_features(self, features: Features, df: npt.NDArray[np.int32]) -> None:
        """Add one document's word, bigram and concept features to frequency counts."""
        rows = self._hasher.many([*features.words, *features.concepts, *features.bigrams])
        if len(rows):
            df[np.unique(rows[:, 2].astype(np.int64))] += 1

    def vector(self, features: Features) -> FloatVector:
        """Weight, hash and normalise features into the embedding vector."""
        vector = (GROUP_WEIGHTS["word"] * self._group(features.words, True)
                  + GROUP_WEIGHTS["bigram"] * self._group(features.bigrams, True)
                  + GROUP_WEIGHTS["char"] * self._chars(features.surfaces)
                  + GROUP_WEIGHTS["concept"] * self._group(features.concepts, True))
        norm = float(np.linalg.norm(vector))
        result: FloatVector = (vector / norm if norm else vector).astype(np.float32)
        return result

    def fit(self, texts: Sequence[str],
            languages: Sequence[str | None] | None = None) -> tuple[LocalHashEmbedder, FloatMatrix]:
        """Compute document frequencies over passages, then embed them with them.

        Args:
            texts: the passages of the whole index.
            languages: each passage's language (detected when None).

        Returns:
            The embedder carrying the new statistics, and the passages' vectors.
        """
        fitted, vectors, _ = self.fit_tokens(texts, languages)
        return fitted, vectors

    def fit_tokens(self, texts: Sequence[str], languages: Sequence[str | None] | None = None,
                   ) -> tuple[LocalHashEmbedder, FloatMatrix, list[tuple[str, ...]]]:
        """Do what :meth:`fit` does and also return each passage's analysed stems.

        The stems are exactly the BM25 tokens, so the index builder analyses each
        passage once for both indexes.
        """
        langs = list(languages) if languages is not None else [None] * len(texts)
        features = [self.features(t, self.language_of(t, lang))
                    for t, lang in zip(texts, langs, strict=True)]
        df = np.zeros(DF_BUCKETS, dtype=np.int32)
        for feats in features:
            self.count_features(feats, df)
        fitted = self.with_stats(FeatureStats(len(texts), df))
        stems = [f.stems for f in features]
        if not features:
            return fitted, np.zeros((0, self._dim), dtype=np.float32), stems
        return fitted, np.vstack([fitted.vector(f) for f in features]), stems

    def embed_documents(self, texts: list[str],
                        languages: Sequence[str | None] | None = None) -> FloatMatrix:
        """Embed passages (languages detected when not given)."""
        langs = list(languages) if languages is not None else [None] * len(texts)
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return np.vstack([self.vector(self.features(t, self.language_of(t, lang)))
                          for t, lang in zip(texts, langs, strict=True)])

    def embed_query(self, text: str, language: str | None = None) -> FloatVector:
        """Embed a query (language detected when not given)."""
        return self.vector(self.features(text, self.language_of(text, language)))


# --- OpenAI-compatible endpoint ------------------------------------------------------


class OpenAIEmbedder:
    """Vectors from an OpenAI-compatible ``/v1/embeddings`` endpoint."""

    def __init__(self, model: str, *, base_url: str | None = None, api_key: str | None = None,
                 timeout_s: float = 60.0, max_retries: int = 1, batch_size: int = 256) -> None:
        self.model = model
        self.base_url = base_url
        self._api_key = api_key
        self.timeout_s = timeout_s
        self.max_retries = max_retries
        self.batch_size = batch_size
        self._client: Any = None
        self._dim: int | None = None

    @property
    def name(self) -> str:
        """Return ``openai-<model>``."""
        return f"openai-{self.model}"

    @property
    def dim(self) -> int:
        """Return the dimension, asking the endpoint once if no vector was seen yet."""
        if self._dim is None:
            self.embed_query("dimension")
        assert self._dim is not None
        return self._dim

    def identity(self) -> dict[str, Any]:
        """Return provider, model and endpoint."""
        return {"provider": "openai", "name": self.name, "model": self.model,
                "base_url": self.base_url}

    def config(self) -> dict[str, Any]:
        """Return the identity (the API key is never persisted)."""
        return {**self.identity(), "timeout_s": self.timeout_s, "max_retries": self.max_retries}

    def _embeddings(self) -> Any:
        if self._client is None:
            try:
                from langchain_openai import OpenAIEmbeddings
            except ImportError as exc:  # pragma: no cover - a core dependency
                raise ConfigError("langchain-openai is not installed",
                                  hint="install kambot with its dependencies") from exc
            # A local server needs no key but the client insists on one.
            key = self._api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
            # The documented aliases (base_url, api_key, timeout) are what mypy's pydantic
            # plugin does not know.
            self._client = OpenAIEmbeddings(  # type: ignore[call-arg]
                model=self.model, base_url=self.base_url, api_key=key,  # type: ignore[arg-type]
                check_embedding_ctx_length=False, timeout=self.timeout_s,
                max_retries=self.max_retries, chunk_size=self.batch_size,
            )
        return self._client

    def _call(self, texts: list[str]) -> FloatMatrix:
        try:
            raw = self._embeddings().embed_documents(texts)
        except KambotError:
            raise
        except Exception as exc:  # the vendor client raises many types; translate once
            raise RetrievalError(
                f"the embedding endpoint failed ({type(exc).__name__}): {exc}",
                hint="check KAMBOT_EMBEDDING_BASE_URL, KAMBOT_EMBEDDING_MODEL and the key, "
                     "or use KAMBOT_EMBEDDING_PROVIDER=local",
            ) from exc
        matrix = np.asarray(raw, dtype=np.float32)
        if matrix.ndim != 2 or matrix.shape[0] != len(texts) or matrix.shape[1] == 0:
            raise RetrievalError(
                f"the embedding endpoint returned {matrix.shape} for {len(texts)} texts",
                hint="check that KAMBOT_EMBEDDING_MODEL is an embedding model")
        if self._dim is not None and matrix.shape[1] != self._dim:
            raise RetrievalError(f"the embedding dimension changed ({self._dim} -> "
                                 f"{matrix.shape[1]})", hint="run `kambot reindex`")
        self._dim = int(matrix.shape[1])
        return _normalise_rows(matrix)

    def embed_documents(self, texts: list[str],
                        languages: Sequence[str | None] | None = None) -> FloatMatrix:
        """Embed passages through the endpoint (languages are not needed)."""
        if not texts:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        return self._call([t or " " for t in texts])

    def embed_query(self, text: str, language: str | None = None) -> FloatVector:
        """Embed a query through the endpoint."""
        row: FloatVector = self._call([text or " "])[0]
        return row


# --- sentence-transformers (optional) -------------------------------------------------


class SentenceTransformersEmbedder:
    """A sentence-transformers model from a local path or the local Hugging Face cache."""

    def __init__(self, model: str, *, device: str | None = None) -> None:
        self.model = model
        self.device = device
        self._model: Any = None

    @property
    def name(self) -> str:
        """Return ``st-<model folder or name>``."""
        return "st-" + Path(self.model.rstrip("/")).name

    def _load(self) -> Any:
        if self._model is None:
            # Never download: a model must be a local folder or already cached.
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError as exc:
                raise ConfigError(
                    "KAMBOT_EMBEDDING_PROVIDER=sentence-transformers but the "
                    "sentence-transformers package is not installed",
                    hint="install it (`uv pip install sentence-transformers`) or use "
                         "KAMBOT_EMBEDDING_PROVIDER=local",
                ) from exc
            try:
                self._model = SentenceTransformer(self.model, device=self.device,
                                                  local_files_only=True)
            except Exception as exc:  # many loader errors; all mean "not available here"
                raise ConfigError(
                    f"cannot load sentence-transformers model {self.model!r} offline: {exc}",
                    hint="give a local folder or a model already in the Hugging Face cache; "
                         "kambot never downloads models",
                ) from exc
        return self._model

    @property
    def dim(self) -> int:
        """Return the model's output dimension."""
        return int(self._load().get_sentence_embedding_dimension())

    def identity(self) -> dict[str, Any]:
        """Return provider and model."""
        return {"provider": "sentence-transformers", "name": self.name, "model": self.model}

    def config(self) -> dict[str, Any]:
        """Return the identity plus the device."""
        return {**self.identity(), "device": self.device}

    def embed_documents(self, texts: list[str],
                        languages: Sequence[str | None] | None = None) -> FloatMatrix:
        """Embed passages with the model."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._load().encode(texts, convert_to_numpy=True, show_progress_bar=False,
                                      normalize_embeddings=True)
        return _normalise_rows(vectors)

    def embed_query(self, text: str, language: str | None = None) -> FloatVector:
        """Embed a query with the model."""
        row: FloatVector = self.embed_documents([text])[0]
        return row


def make_embedder(settings: Settings, glossary: Glossary | None = None,
                  stats: FeatureStats | None = None, stats_path: str | None = None) -> Embedder:
    """Build the embedder Settings ask for.

    Args:
        settings: ``embedding_provider``, ``embedding_model``, ``embedding_base_url``,
            ``embedding_api_key`` are read.
        glossary: the glossary for the local embedder (read from
            ``knowledge_dir/glossary.yaml`` when None).
        stats: document frequencies for the local embedder (from the index).
        stats_path: where those statistics are stored (persisted in Chroma's config).

    Returns:
        The embedder.

    Raises:
        ConfigError: when the provider needs a model that is not configured.
    """
    provider = settings.embedding_provider
    if provider == "local":
        glossary_path = settings.knowledge_dir / "glossary.yaml"
        if glossary is None:
            glossary = load_glossary(glossary_path)
        return LocalHashEmbedder(glossary, stats=stats, glossary_path=str(glossary_path),
                                 stats_path=stats_path, default_language=settings.lang)
    if not settings.embedding_model:
        raise ConfigError(f"KAMBOT_EMBEDDING_PROVIDER={provider} needs KAMBOT_EMBEDDING_MODEL",
                          hint="set the model name or path")
    if provider == "openai":
        key = settings.embedding_api_key.get_secret_value() if settings.embedding_api_key else None
        return OpenAIEmbedder(settings.embedding_model, base_url=settings.embedding_base_url,
                              api_key=key, timeout_s=settings.llm_timeout_s,
                              max_retries=settings.llm_max_retries)
    return SentenceTransformersEmbedder(settings.embedding_model)
