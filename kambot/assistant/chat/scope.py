"""What a principal may reach through the chat: accounts by name, documents, owners.

:class:`AccountDirectory` holds only the accounts a principal may see. Every lookup
by name, external id or database id, exact or fuzzy (rapidfuzz), goes through it, so
that an account outside the scope is indistinguishable from one that does not exist:
it is simply not in the directory, and suggestions come from the directory too.

The scope rules themselves are those of :class:`kambot.domain.identity.Principal`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from kambot.assistant.chat.lang import fold
from kambot.domain.documents import ACCOUNT_KINDS, DocumentKind
from kambot.domain.identity import Principal, Role
from kambot.errors import NotFoundError

# Legal forms carry no identity: "Corivar SAS" is "Corivar".
LEGAL_FORMS = frozenset({
    "sa", "sas", "sasu", "sarl", "eurl", "sca", "snc", "ag", "gmbh", "co", "kg", "kgaa", "se",
    "spa", "srl", "bv", "nv", "plc", "ltd", "llc", "inc", "corp", "ab", "asa", "oy", "sl",
    "slu", "sp", "oo", "as", "aps", "bvba", "sprl", "cv", "lda", "kft", "sro",
})
# Words that open a name without being its distinctive part.
GENERIC_FIRST = frozenset({
    "groupe", "group", "societe", "compagnie", "company", "the", "les", "la", "le", "de", "des",
    "du", "etablissements", "ets",
})
_TOKEN = re.compile(r"[0-9a-z]+")


def owner_key(principal: Principal) -> str:
    """Return the owner string chat sessions are filed under for this principal."""
    if principal.user_id is not None:
        return f"user:{principal.user_id}"
    return f"name:{principal.username}"


def tokens(text: str) -> list[str]:
    """Return the folded alphanumeric tokens of a text (accents and case removed)."""
    return _TOKEN.findall(fold(text))


@dataclass(frozen=True)
class AccountEntry:
    """One account the principal may see."""

    id: int
    external_id: str
    name: str

    @cached_property
    def words(self) -> tuple[str, ...]:
        """Return the name's distinctive tokens (no legal form, no single letter)."""
        return tuple(t for t in tokens(self.name) if len(t) > 1 and t not in LEGAL_FORMS)

    @cached_property
    def brand(self) -> str:
        """Return the token that names the company (the first non-generic one)."""
        for word in self.words:
            if word not in GENERIC_FIRST:
                return word
        return self.words[0] if self.words else self.folded_external_id

    @cached_property
    def qualifiers(self) -> tuple[str, ...]:
        """Return the name's other distinctive tokens (industry, country, city)."""
        brand = self.brand
        return tuple(w for w in self.words if w != brand)

    @cached_property
    def folded_external_id(self) -> str:
        """Return the external id, folded (case and accents removed)."""
        return fold(self.external_id.strip())

    @cached_property
    def folded_name(self) -> str:
        """Return the name's tokens joined by spaces."""
        return " ".join(tokens(self.name))

    def label(self) -> str:
        """Return ``Name (external id)``."""
        return f"{self.name} ({self.external_id})"


@dataclass(frozen=True)
class Mention:
    """An account named in a message: found, ambiguous between several, or unknown.

    Attributes:
        text: the words of the message that named it.
        account: the account, when exactly one matches.
        candidates: the accounts it could be, when several match equally well.
    """

    text: str
    account: AccountEntry | None = None
    candidates: tuple[AccountEntry, ...] = ()

    @property
    def ambiguous(self) -> bool:
        """Tell whether several accounts match."""
        return self.account is None and len(self.candidates) > 1


def _max_edits(length: int) -> int:
    if length <= 4:
        return 0
    if length <= 7:
        return 1
    return 2


@dataclass
class AccountDirectory:
    """The accounts one principal may see, searchable by id, name and fuzzy name."""

    entries: list[AccountEntry]
    _by_brand: dict[str, list[AccountEntry]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            self._by_brand.setdefault(entry.brand, []).append(entry)

    @classmethod
    def build(cls, principal: Principal, ids: Sequence[int], external_ids: Sequence[str],
              names: Sequence[str]) -> AccountDirectory:
        """Return the directory of the accounts ``principal`` may see."""
        return cls.of(principal, [AccountEntry(int(i), str(x), str(n))
                                  for i, x, n in zip(ids, external_ids, names, strict=True)])

    @classmethod
    def of(cls, principal: Principal, entries: Sequence[AccountEntry]) -> AccountDirectory:
        """Return the directory of the ``entries`` the principal may see."""
        return cls([e for e in entries if principal.can_see_account(e.id)])

    def __len__(self) -> int:
        return len(self.entries)

    @cached_property
    def _by_external(self) -> dict[str, AccountEntry]:
        return {e.folded_external_id: e for e in self.entries}

    @cached_property
    def _by_id(self) -> dict[int, AccountEntry]:
        return {e.id: e for e in self.entries}

    @cached_property
    def vocabulary(self) -> frozenset[str]:
        """Return every distinctive token of the visible account names."""
        return frozenset(w for e in self.entries for w in e.words)

    def get(self, external_id: str) -> AccountEntry | None:
        """Return the visible account with this external id, or None."""
        return self._by_external.get(fold(external_id.strip()))

    def by_id(self, account_id: int) -> AccountEntry | None:
        """Return the visible account with this database id, or None."""
        return self._by_id.get(account_id)

    # -- lookups -------------------------------------------------------------------------

    def resolve(self, ref: str) -> AccountEntry:
        """Find the visible account named by ``ref`` (external id, id, name, fuzzy name).

        Raises:
            NotFoundError: no visible account matches, or several do (the hint then
                lists them; suggestions only ever come from the visible accounts).
        """
        wanted = ref.strip()
        entry = self.get(wanted)
        if entry is not None:
            return entry
        if wanted.isdigit() and (entry := self.by_id(int(wanted))) is not None:
            return entry
        folded = " ".join(tokens(wanted))
        exact = [e for e in self.entries if folded in (e.folded_name, " ".join(e.words))]
        if len(exact) == 1:
            return exact[0]
        mention = self._best_mention(tokens(wanted), wanted)
        if mention is not None and mention.account is not None:
            return mention.account
        if exact or (mention is not None and mention.ambiguous):
            options = exact or list(mention.candidates if mention else ())
            raise NotFoundError(f"several accounts match {ref!r}",
                                hint="say which one: " + "; ".join(e.label() for e in options))
        raise unknown_account(ref, self.suggest(wanted))

    def suggest(self, ref: str, limit: int = 3) -> list[str]:
        """Return up to ``limit`` visible accounts whose names resemble ``ref``."""
        if not self.entries or not ref.strip():
            return []
        from rapidfuzz import fuzz, process

        choices = {i: " ".join(e.words) for i, e in enumerate(self.entries)}
        found = process.extract(" ".join(tokens(ref)), choices, scorer=fuzz.WRatio,
                                limit=limit, score_cutoff=75)
        return [self.entries[int(key)].label() for _, _, key in found]

    def find(self, text: str, ignore: frozenset[str] = frozenset()) -> list[Mention]:
        """Return the accounts a free-text message names, in order of appearance.

        External ids match exactly; names match on their distinctive first token
        (exactly, or with one typo for five to seven letters, two beyond), then the
        other tokens of the name choose among accounts sharing it. Words in
        ``ignore`` (the router's own vocabulary) are never taken for names.
        """
        words = tokens(text)
        found: list[Mention] = []
        seen: set[str] = set()
        for position, word in enumerate(words):
            entry = self._by_external.get(word)
            if entry is not None and entry.external_id not in seen:
                seen.add(entry.external_id)
                found.append(Mention(text=word, account=entry))
                continue
            if len(word) < 4 or word in ignore or word.isdigit():
                continue
            mention = self._brand_mention(word, words[position + 1:position + 5])
            if mention is None:
                continue
            key = (mention.account.external_id if mention.account else
                   "|".join(sorted(c.external_id for c in mention.candidates)))
            if key not in seen:
                seen.add(key)
                found.append(mention)
        return found

    # -- matching ------------------------------------------------------------------------

    def _best_mention(self, words: list[str], text: str) -> Mention | None:
        for position, word in enumerate(words):
            if len(word) >= 3:
                mention = self._brand_mention(word, words[position + 1:])
                if mention is not None:
                    return mention
        return None

    def _brands_for(self, word: str) -> list[str]:
        if word in self._by_brand:
            return [word]
        limit = _max_edits(len(word))
        if limit == 0:
            return []
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        hits = process.extract(word, list(self._by_brand), scorer=DamerauLevenshtein.distance,
                               score_cutoff=limit, limit=5)
        if not hits:
            return []
        best = min(int(h[1]) for h in hits)
        return [str(h[0]) for h in hits if int(h[1]) == best]

    def _brand_mention(self, word: str, following: Sequence[str]) -> Mention | None:
        brands = self._brands_for(word)
        if not brands:
            return None
        candidates = [e for b in brands for e in self._by_brand[b]]
        if len(candidates) == 1:
            return Mention(text=word, account=candidates[0])
        # Several accounts share the name: the words after it (Pharma, Deutschland...)
        # choose, when they single one out.
        after = set(following)
        scored = sorted(((sum(1 for q in c.qualifiers if _near(q, after)), c)
                         for c in candidates), key=lambda item: -item[0])
        best = scored[0][0]
        top = [c for s, c in scored if s == best]
        if best > 0 and len(top) == 1:
            return Mention(text=word, account=top[0])
        if best > 0:
            # Equal on the words given: prefer the account with nothing more to its name.
            shortest = min(len(c.qualifiers) for c in top)
            exact = [c for c in top if len(c.qualifiers) == shortest]
            if len(exact) == 1 and shortest == best:
                return Mention(text=word, account=exact[0])
        return Mention(text=word, candidates=tuple(top))


def _near(word: str, pool: set[str]) -> bool:
    if word in pool:
        return True
    if len(word) < 5:
        return False
    from rapidfuzz.distance import DamerauLevenshtein

    return any(DamerauLevenshtein.distance(word, p) <= 1 for p in pool
               if abs(len(p) - len(word)) <= 1)


def unknown_account(ref: str, suggestions: Sequence[str] = ()) -> NotFoundError:
    """Return the error for an account that is unknown or outside the caller's scope.

    Both cases get exactly this message and hint, and suggestions come from the
    caller's scope only, so that nobody learns what exists outside their scope.
    """
    hint = ("did you mean: " + "; ".join(suggestions)) if suggestions else (
        "ask for the list of your accounts, or give the account's external id")
    return NotFoundError(f"unknown account {ref!r}", hint=hint)


# --- documents and roles --------------------------------------------------------------


def can_read_document(principal: Principal, account_id: int | None) -> bool:
    """Tell whether the principal may read a document about ``account_id``.

    None is a programme document (sponsorship plan, review pack): the portfolio roles
    read it. An account document is read by whoever sees the account. HR reads none.
    """
    if principal.role == Role.HR:
        return False
    if account_id is None:
        return principal.can_see_portfolio
    return principal.can_see_account(account_id)


def can_write_document(principal: Principal, kind: DocumentKind, account_id: int | None) -> bool:
    """Tell whether the principal may draft or revise a document of ``kind``.

    Account documents change the account's plans (KAM on their accounts, lead,
    admin); programme documents change the programme (lead, admin).
    """
    if kind in ACCOUNT_KINDS:
        return account_id is not None and principal.can_change_account(account_id)
    return principal.can_manage_programme


def can_interview(principal: Principal) -> bool:
    """Tell whether the principal may conduct or give executive interviews."""
    return principal.role in (Role.EXECUTIVE, Role.LEAD, Role.ADMIN)
