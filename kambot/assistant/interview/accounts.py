"""Find the store's accounts in what an executive says, with fuzzy matching (rapidfuzz).

Executives name customers the way they speak: "Quenolac", "les gens de Morennova",
"Orsanova Maschinenbau" with a typo. Each account gets a *core name* (accent-folded,
legal forms such as SA, GmbH, S.p.A. and words such as Group removed) and a
*distinctive word* (the first word of the core name that is not generic). A phrase
matches an account when it is close to its core name, or (one word, capitalised as a
name, or spelled exactly) to its distinctive word. When several accounts share the
best score (a group and its subsidiaries), the key account wins, then the top-level
account, then the shortest name, then the external id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kambot.core.interview_coverage import fold

MATCH_THRESHOLD = 86.0
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*", re.UNICODE)
# Legal forms and words that do not tell one company from another.
GENERIC_WORDS: frozenset[str] = frozenset({
    "sa", "sas", "sasu", "sarl", "sàrl", "sa.", "gmbh", "ag", "ab", "nv", "bv", "b", "v",
    "s", "p", "a", "l", "spa", "srl", "sl", "ltd", "limited", "plc", "inc", "corp", "corporation",
    "co", "kg", "kgaa", "oy", "oyj", "as", "asa", "aps", "sp", "z", "o", "oo", "se", "llc", "lp",
    "group", "groupe", "gruppo", "grupo", "gruppe", "holding", "holdings", "company",
    "compagnie", "societe", "the", "le", "la", "les", "de", "des", "du", "di", "del", "der",
    "und", "and", "et", "y", "e", "international", "industries", "industrie", "services",
})
# Everyday words that must never be taken for an account's distinctive word.
_COMMON = frozenset({
    "with", "would", "could", "should", "their", "there", "these", "those", "which", "about",
    "account", "accounts", "customer", "customers", "client", "clients", "compte", "comptes",
    "sponsor", "parrainer", "avec", "pour", "dans", "nous", "vous", "leur", "leurs",
})


@dataclass(frozen=True)
class AccountRef:
    """An account as the matcher sees it."""

    external_id: str
    name: str
    is_key_account: bool = False
    top_level: bool = True


@dataclass(frozen=True)
class AccountMention:
    """An account found in a text."""

    external_id: str
    name: str
    mentioned: str
    score: float
    start: int = 0
    end: int = 0


def core_name(name: str) -> str:
    """Return a company name folded, without legal forms and generic words."""
    words = [w for w in _WORD.findall(fold(name)) if w not in GENERIC_WORDS]
    return " ".join(words) or fold(name).strip()


def _distinctive(core: str) -> str | None:
    for word in core.split():
        if len(word) >= 4 and word not in _COMMON:
            return word
    return None


class AccountMatcher:
    """Match phrases and texts against a list of accounts."""

    def __init__(self, accounts: Sequence[AccountRef],
                 threshold: float = MATCH_THRESHOLD) -> None:
        """Index ``accounts``; phrases scoring below ``threshold`` (0..100) do not match."""
        self.accounts = list(accounts)
        self.threshold = threshold
        self._cores: dict[str, list[int]] = {}
        self._words: dict[str, list[int]] = {}
        for i, a in enumerate(self.accounts):
            core = core_name(a.name)
            self._cores.setdefault(core, []).append(i)
            word = _distinctive(core)
            if word:
                self._words.setdefault(word, []).append(i)
        self._core_keys = list(self._cores)
        self._word_keys = list(self._words)

    def __len__(self) -> int:
        """Return the number of accounts indexed."""
        return len(self.accounts)

    def _best(self, indices: Sequence[int]) -> AccountRef:
        return min((self.accounts[i] for i in indices),
                   key=lambda a: (not a.is_key_account, not a.top_level, len(a.name),
                                  a.external_id))

    def _score(self, phrase: str, *, single_word: bool, name_like: bool
               ) -> tuple[float, AccountRef] | None:
        from rapidfuzz import fuzz, process

        score = 0.0
        indices: list[int] = []
        if self._core_keys:
            hit = process.extractOne(phrase, self._core_keys, scorer=fuzz.ratio,
                                     score_cutoff=self.threshold)
            if hit is not None:
                score, indices = float(hit[1]), list(self._cores[hit[0]])
        if single_word and self._word_keys and (name_like or phrase in self._words):
            hit = process.extractOne(phrase, self._word_keys, scorer=fuzz.ratio,
                                     score_cutoff=self.threshold)
            if hit is not None and float(hit[1]) >= score:
                # Equal scores pool their accounts, so that the tie-break decides.
                same = float(hit[1]) == score
                score = float(hit[1])
                indices = [*indices, *self._words[hit[0]]] if same else list(
                    self._words[hit[0]])
        if not indices:
            return None
        return score, self._best(indices)

    def match(self, phrase: str) -> AccountMention | None:
        """Return the account a phrase names (an account name as the executive said it).

        The whole phrase is tried first, then each of its words and word pairs, so that
        "the Quenolac plant" still finds Quenolac.
        """
        core = core_name(phrase)
        if not core:
            return None
        words = core.split()
        found = self._score(core, single_word=len(words) == 1, name_like=True)
        if found is not None:
            return AccountMention(found[1].external_id, found[1].name, phrase.strip(), found[0])
        hits = self.find(phrase)
        return hits[0] if hits else None

    def find(self, text: str) -> list[AccountMention]:
        """Return the accounts named in a text, in text order, each at most once.

        Every window of one to three words is scored; the best-scoring windows are kept
        first (longer ones on ties), without overlap. A one-word window must look like a
        name (capitalised) unless it is exactly an account's distinctive word; a window
        may not start or end with a generic word ("and", "SA", "the").
        """
        tokens = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
        folded = [fold(t[0]) for t in tokens]
        skip = [f in GENERIC_WORDS or f in _COMMON or len(f) < 3 for f in folded]
        candidates: list[tuple[float, int, int, AccountRef]] = []
        for i in range(len(tokens)):
            if skip[i]:
                continue
            for size in (1, 2, 3):
                j = i + size - 1
                if j >= len(tokens) or skip[j]:
                    break
                core = core_name(" ".join(t[0] for t in tokens[i:j + 1]))
                if size == 1 and len(core) < 4:
                    continue
                hit = self._score(core, single_word=size == 1,
                                  name_like=tokens[i][0][:1].isupper())
                if hit is not None:
                    candidates.append((hit[0], size, i, hit[1]))
        candidates.sort(key=lambda c: (-c[0], -c[1], c[2], c[3].external_id))
        used: set[int] = set()
        seen: set[str] = set()
        found: list[AccountMention] = []
        for score, size, i, account in candidates:
            span = set(range(i, i + size))
            if span & used or account.external_id in seen:
                continue
            used |= span
            seen.add(account.external_id)
            a, b = tokens[i][1], tokens[i + size - 1][2]
            found.append(AccountMention(account.external_id, account.name, text[a:b], score,
                                        a, b))
        return sorted(found, key=lambda m: m.start)
