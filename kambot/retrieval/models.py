"""Value objects of the retrieval layer: chunks, scopes, hits, answers, reports."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ChunkKind = Literal["methodology", "account_note", "account_document"]
PUBLIC = "public"
# Roles that see every chunk an account scope lets through, whatever its role list says.
ALL_ROLES_ROLE = "admin"


def account_scope(account_id: int) -> str:
    """Return the scope string of an account's chunks (``account:<id>``)."""
    return f"account:{account_id}"


@dataclass(frozen=True, slots=True)
class Chunk:
    """A passage of a document, the unit that is indexed, retrieved and cited.

    Attributes:
        id: stable, readable id used in citations: ``<lang>/<doc id>#<section-slug>[-<n>]``
            for methodology, ``account-<id>/<source id>#<section-slug>[-<n>]`` for account
            documents.
        text: the passage, verbatim from the source (hidden characters removed).
        title: the document title.
        section: the section heading the passage belongs to.
        doc_id: the document id (front matter ``id``, or the account source id).
        language: ``fr`` or ``en``.
        kind: methodology, account_note or account_document.
        scope: ``public`` or ``account:<id>``: who may see it.
        account_id: the account for account documents, None for methodology.
        topic: the front matter topic (None for account documents).
        step: the front matter step (None for account documents).
        source: where it came from (a path relative to the knowledge folder, or a
            database reference such as ``activities:42``).
        flagged: True when the untrusted text carries injection markers.
        flags: the markers found.
        roles: when not empty, only callers with one of these roles may see the chunk.
        part: 1 for a whole section or its first part, 2.. for the following parts.
    """

    id: str
    text: str
    title: str
    section: str
    doc_id: str
    language: str
    kind: ChunkKind
    scope: str = PUBLIC
    account_id: int | None = None
    topic: str | None = None
    step: str | None = None
    source: str = ""
    flagged: bool = False
    flags: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    part: int = 1
    content_hash: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.content_hash:
            object.__setattr__(self, "content_hash", self.compute_hash())

    def compute_hash(self) -> str:
        """Return a short hash of everything that is indexed or filtered on."""
        payload = [self.id, self.text, self.title, self.section, self.doc_id, self.language,
                   self.kind, self.scope, self.account_id, self.topic, self.step,
                   list(self.flags), list(self.roles)]
        blob = json.dumps(payload, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    @property
    def index_text(self) -> str:
        """Return the text that is embedded and indexed: title, heading, then passage."""
        return f"{self.title}\n{self.section}\n{self.text}"

    def metadata(self) -> dict[str, Any]:
        """Return the chunk's metadata (everything but the text)."""
        return {
            "title": self.title, "section": self.section, "doc_id": self.doc_id,
            "language": self.language, "kind": self.kind, "scope": self.scope,
            "account_id": self.account_id, "topic": self.topic, "step": self.step,
            "source": self.source, "flagged": self.flagged, "flags": list(self.flags),
            "roles": list(self.roles), "part": self.part, "content_hash": self.content_hash,
        }

    def filter_metadata(self) -> dict[str, str | int | bool]:
        """Return the metadata stored in Chroma: only what ``where`` filters need.

        Chroma evaluates filters against its metadata table; keeping it small keeps
        inserts fast. Role-restricted chunks carry ``restricted`` and one ``role_<name>``
        flag per allowed role.
        """
        meta: dict[str, str | int | bool] = {
            "scope": self.scope,
            "language": self.language,
            "kind": self.kind,
            "doc_id": self.doc_id,
            "restricted": bool(self.roles),
        }
        if self.topic is not None:
            meta["topic"] = self.topic
        for role in self.roles:
            meta[f"role_{role}"] = True
        return meta

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict (the chunk table row)."""
        data = asdict(self)
        data["flags"] = list(self.flags)
        data["roles"] = list(self.roles)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Chunk:
        """Rebuild a chunk from :meth:`to_json` output."""
        values = dict(data)
        values["flags"] = tuple(values.get("flags") or ())
        values["roles"] = tuple(values.get("roles") or ())
        return cls(**values)


@dataclass(frozen=True)
class Scope:
    """What a caller may see; applied inside the retriever, before any ranking is fused.

    Attributes:
        account_ids: the accounts whose documents the caller may see; None means all
            accounts, an empty set means none.
        roles: the caller's roles; a chunk with a role list is visible only to a caller
            holding one of them (``admin`` sees them all).
        include_public: whether methodology (public) chunks are visible.
    """

    account_ids: frozenset[int] | None = frozenset()
    roles: frozenset[str] = frozenset()
    include_public: bool = True

    @classmethod
    def public(cls) -> Scope:
        """Return the scope of an anonymous caller: methodology only."""
        return cls(account_ids=frozenset())

    @classmethod
    def everything(cls, roles: frozenset[str] = frozenset({ALL_ROLES_ROLE})) -> Scope:
        """Return the scope of a caller who may see all accounts (local CLI, admin)."""
        return cls(account_ids=None, roles=roles)

    @classmethod
    def for_accounts(cls, account_ids: set[int] | frozenset[int],
                     roles: set[str] | frozenset[str] = frozenset()) -> Scope:
        """Return the scope of a caller limited to some accounts."""
        return cls(account_ids=frozenset(account_ids), roles=frozenset(roles))

    def allows(self, scope: str, roles: tuple[str, ...] = ()) -> bool:
        """Tell whether a chunk with this scope string and role list is visible."""
        if roles and ALL_ROLES_ROLE not in self.roles and not self.roles.intersection(roles):
            return False
        if scope == PUBLIC:
            return self.include_public
        if not scope.startswith("account:"):
            return False
        if self.account_ids is None:
            return True
        try:
            return int(scope.split(":", 1)[1]) in self.account_ids
        except ValueError:
            return False

    def chroma_where(self) -> dict[str, Any] | None:
        """Return the Chroma ``where`` clause enforcing this scope (None: no restriction)."""
        clauses: list[dict[str, Any]] = []
        if self.account_ids is None:
            if not self.include_public:
                clauses.append({"scope": {"$ne": PUBLIC}})
        else:
            allowed = [account_scope(a) for a in sorted(self.account_ids)]
            if self.include_public:
                allowed.append(PUBLIC)
            if not allowed:
                allowed = ["\x00none"]
            clauses.append({"scope": {"$in": allowed}})
        if ALL_ROLES_ROLE not in self.roles:
            role_clauses: list[dict[str, Any]] = [{"restricted": False}]
            role_clauses += [{f"role_{r}": True} for r in sorted(self.roles)]
            clauses.append(role_clauses[0] if len(role_clauses) == 1 else {"$or": role_clauses})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class Hit(BaseModel):
    """One retrieved chunk with its score and its rank in each retriever.

    ``score`` is the fused score, on a 0..2 scale (RRF times its constant), plus the
    coverage re-ranking's bonus; ``coverage`` the idf-weighted share of the query's
    stems the passage holds (None when it was not re-ranked).
    """

    model_config = ConfigDict(frozen=True)

    chunk_id: str
    score: float
    text: str
    metadata: dict[str, Any]
    bm25_rank: int | None = None
    dense_rank: int | None = None
    bm25_score: float = 0.0
    dense_similarity: float | None = None
    coverage: float | None = None


class Citation(BaseModel):
    """A cited passage."""

    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str


class Answer(BaseModel):
    """A grounded answer: every sentence is taken from the chunk it cites."""

    answer: str
    citations: list[Citation] = Field(default_factory=list)
    confidence: float = 0.0
    language: str = "en"
    abstained: bool = False
    found: list[Hit] = Field(default_factory=list)


class ReindexReport(BaseModel):
    """What a rebuild did."""

    chunks: int
    methodology_chunks: int
    account_chunks: int
    flagged_chunks: int
    embedder: str
    fingerprint: str
    seconds: float
    chroma: str
    reason: str | None = None


class IndexStatus(BaseModel):
    """How an index was opened: used as is, or rebuilt and why."""

    state: Literal["ready", "rebuilt"]
    reason: str | None = None
    report: ReindexReport | None = None
