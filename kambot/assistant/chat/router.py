"""The rule-based router: which tool a message asks for, with which arguments.

Used when no model is configured (and as the fallback when the model fails). It
reads French and English phrasing, tolerates typos (each unknown word is corrected
to the nearest word of the router's own vocabulary, one edit for short words and two
for long ones, with rapidfuzz's Damerau-Levenshtein distance) and finds accounts
through the principal's :class:`~kambot.assistant.chat.scope.AccountDirectory`.

When a request is ambiguous (several accounts match, no account or document is
named where one is needed, or nothing is recognised) it returns ``clarify`` with
what is missing, never a guess: a clarifying question costs one turn, a wrong
action costs trust.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from kambot.assistant.chat.lang import fold, requested_language
from kambot.assistant.chat.models import Lang
from kambot.assistant.chat.scope import AccountDirectory, AccountEntry, Mention, tokens
from kambot.domain.documents import ACCOUNT_KINDS, DocumentKind, outline

CLARIFY = "clarify"


@dataclass(frozen=True)
class DocumentRef:
    """The document a conversation is working on."""

    kind: DocumentKind
    account: str | None = None
    id: int | None = None


@dataclass(frozen=True)
class Person:
    """Someone an interview can be about (an executive of the programme)."""

    key: str
    name: str


@dataclass(frozen=True)
class RouteContext:
    """What the router knows besides the message.

    Attributes:
        directory: the accounts the principal may see.
        people: executives who can be interviewed.
        account: external id of the account last discussed.
        document: the document the conversation works on.
        last_tool: the tool of the previous turn ("same for Corivar").
    """

    directory: AccountDirectory
    people: Sequence[Person] = ()
    account: str | None = None
    document: DocumentRef | None = None
    last_tool: str | None = None


@dataclass(frozen=True)
class Route:
    """The router's decision.

    Attributes:
        tool: a tool name, or ``clarify``.
        args: the tool's arguments.
        reason: for ``clarify``, what is missing (``account``, ``ambiguous_account``,
            ``unknown_account``, ``document``, ``document_kind``, ``section``,
            ``candidate``, ``interview``, ``unknown``).
        options: for ``clarify``, the choices to offer (account labels, sections).
        lang: a language asked for this message only ("... in English").
    """

    tool: str
    args: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    options: tuple[str, ...] = ()
    lang: Lang | None = None


# --- vocabulary ------------------------------------------------------------------------
# Phrases are folded (no accents, lower case); a trailing * accepts any ending.


def _rx(phrases: Iterable[str]) -> re.Pattern[str]:
    parts = []
    for phrase in phrases:
        words = phrase.split()
        body = r"\s+".join(re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "")
                           for w in words)
        parts.append(body)
    return re.compile(r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])")


CUES: dict[str, tuple[str, ...]] = {
    "help": ("help", "aide", "aide-moi", "what can you do", "what do you do",
             "que sais-tu faire", "que sais tu faire", "que peux-tu faire",
             "que peux tu faire", "what are you", "qui es-tu", "hello", "hi", "hey",
             "bonjour", "salut", "bonsoir", "good morning", "how does this work",
             "comment ca marche", "comment tu marches"),
    "candidate": ("candidat*", "candidate*", "applicant*", "assessment*", "evaluation* du candidat",
                  "evaluation* de candidat*"),
    "interview": ("interview*", "entretien*", "entrevue*"),
    "int_synthesis": ("synthes*", "consensus", "divergen*", "bilan des entretiens",
                      "what did the executives say", "what did executives say",
                      "what the executives said", "ce qu'ont dit", "qu'ont dit les"),
    "int_pause": ("pause", "suspend*", "stop", "arrete*", "interromp*"),
    "int_resume": ("resume", "reprend*", "reprise", "continue*", "poursui*"),
    "int_start": ("start*", "begin*", "launch*", "commenc*", "demarr*", "lance*", "new",
                  "nouvel*", "nouveau", "conduct*", "mener", "run", "interview me",
                  "interviewe-moi", "let's do", "faisons", "with", "avec"),
    "feedback": ("feedback*", "retour", "retours", "suggestion*", "concern*", "worried",
                 "worry", "inquiet*", "inquietude*", "preoccup*", "remarque*", "complain*",
                 "plainte*", "i'd like to report", "je voudrais signaler", "signaler",
                 "je trouve que", "i find that"),
    "next": ("what next", "what's next", "whats next", "what is next", "next step*",
             "what should i do", "what should we do", "what do i do", "what do we do",
             "what now", "prochaine etape", "prochaines etapes", "etape suivante",
             "que dois-je faire", "que dois je faire", "que devons-nous faire",
             "que devons nous faire", "que faire", "quoi faire", "et maintenant",
             "par quoi commencer", "where do i start", "where do we start"),
    "status": ("where does the programme stand", "where do we stand",
               "where is the programme", "programme status", "status of the programme",
               "state of the programme", "progress of the programme", "ou en est",
               "ou en sommes", "avancement", "checkpoint*", "jalon*", "parcours",
               "path status", "etat du programme", "etat d'avancement"),
    "draft": ("draft*", "write*", "prepare*", "create*", "generate*", "produce*", "build",
              "redige*", "rediger", "ecri*", "cree*", "genere*", "produi*", "elabore*",
              "construi*", "redraft*", "refai*", "regenere*", "new version",
              "nouvelle version", "can you write", "make me", "fais-moi", "fais moi"),
    "show": ("show*", "display*", "open", "see", "view", "read", "affiche*", "montre*",
             "voir", "ouvre*", "lire", "stored", "saved", "enregistre*", "sauvegarde*",
             "latest", "derniere"),
    "revise": ("more", "less", "plus", "moins", "ambitious", "ambitieu*", "shorter",
               "longer", "court*", "long*", "add", "ajoute*", "ajouter", "remove",
               "retire*", "supprime*", "rewrite", "reecri*", "reformule*", "rephrase*",
               "revise*", "change*", "modifie*", "update", "mets a jour", "mettre a jour",
               "improve*", "ameliore*", "emphasi*", "stress", "insiste*", "souligne*",
               "precise*", "rends", "rendre", "make it", "make the", "make initiative",
               "concrete", "concret*", "clearer", "plus clair*", "tone", "le ton"),
    "compare": ("compare*", "diff", "difference*", "what changed", "what has changed",
                "a change", "ont change", "changes between", "versus", "vs"),
    "versions": ("versions", "historique", "history", "list the versions",
                 "liste des versions"),
    "segmentation": ("segment*", "matrix", "matrice", "quadrant*"),
    "selection": ("selection", "selected", "selectionne*", "runner-up", "runners-up",
                  "runners up", "suivants", "cut-off", "cutoff", "shortlist",
                  "comptes cles selectionnes", "liste des comptes cles",
                  "which accounts are key", "key accounts list"),
    "sponsor": ("sponsor*", "sponsorship", "parrain*"),
    "programme": ("programme", "program", "programme's", "portfolio", "portefeuille",
                  "overall", "global*", "du programme", "whole programme"),
    "kpi": ("kpi", "kpis", "indicateur*", "chiffre*", "figure*", "number*", "metric*",
            "revenue*", "revenu*", "ca", "chiffre d'affaires", "turnover", "sales",
            "ventes", "share of wallet", "part de portefeuille", "sow", "marge*", "margin*",
            "pipeline*", "win rate", "taux de transformation", "performance", "performing",
            "doing", "comment va", "how is", "satisfaction", "tier", "niveau de service",
            "quadrant", "escalation*", "escalade*", "growth", "croissance", "overview",
            "apercu", "point sur", "tell me about", "parle-moi de", "parle moi de"),
    "scenario": ("scenario*", "projection*", "projete*", "forecast*", "prevision*",
                 "outlook", "upside", "downside", "three-year", "three years", "3-year",
                 "3 years", "3 ans", "trois ans", "trajectoire"),
    "question": ("what", "what's", "whats", "how", "why", "when", "who", "which", "explain",
                 "define", "definition", "describe", "qu'est-ce", "qu'est ce", "quel*",
                 "comment", "pourquoi", "quand", "qui", "explique*", "defini*", "c'est quoi",
                 "que dit", "what does", "role of", "role du", "role de", "role d'un"),
    "definition": ("what is", "what's", "whats", "what are", "qu'est-ce", "qu'est ce",
                   "c'est quoi", "define", "definition", "explain", "explique*",
                   "how do we", "how do you", "how should", "how to", "how can",
                   "how many", "comment choisir", "comment on", "comment faut",
                   "comment doit", "comment calcul*", "comment mesur*", "pourquoi", "why",
                   "what does the methodology", "que dit", "bonnes pratiques",
                   "best practice*", "wat is"),
    "explain": ("explain*", "explique*", "define", "definition", "defini*", "c'est quoi",
                "qu'est-ce", "qu'est ce", "describe", "decri*"),
    "methodology": ("methodolog*", "methode", "method", "best practice*", "bonne* pratique*",
                    "regle*", "rule*", "principe*", "guide*", "role of", "role du",
                    "role d'un", "supposed to"),
    "possessive": ("our", "my", "nos", "notre", "mes", "mon", "ma", "we", "us"),
    "same": ("what about", "how about", "and for", "same for", "et pour", "meme chose pour",
             "pareil pour", "et", "and"),
}
PATTERNS: dict[str, re.Pattern[str]] = {key: _rx(values) for key, values in CUES.items()}

KIND_CUES: dict[DocumentKind, tuple[str, ...]] = {
    "executive_summary": ("executive summary", "exec summary", "synthese executive",
                          "resume executif", "one-pager", "one pager",
                          "synthese pour la direction"),
    "ceb": ("ceb", "customer executive brief", "brief*", "note de brief"),
    "sponsorship_plan": ("sponsorship plan", "plan de sponsorship", "plan de sponsor*",
                         "plan de parrainage"),
    "programme_review": ("review pack", "programme review", "dossier de revue",
                         "revue du programme", "revue de programme", "pack de revue",
                         "steering committee pack", "comite de pilotage"),
    "account_strategy": ("strateg*", "account plan", "plan de compte", "plan strategique",
                         "plan d'action", "strategie de compte"),
}
KIND_PATTERNS = {kind: _rx(values) for kind, values in KIND_CUES.items()}

SECTION_CUES: dict[str, tuple[str, ...]] = {
    # account strategy
    "situation": ("situation", "context*", "contexte"),
    "initiatives": ("initiative*",),
    "alignment": ("alignment", "alignement", "align*"),
    "account_team": ("team", "equipe*", "account team", "equipe de compte"),
    "kpis_scenarios": ("kpi", "kpis", "indicateur*", "scenario*"),
    "ownership": ("ownership", "prise en charge", "owner*"),
    "executive_actions": ("executive action*", "actions des dirigeants", "decision*", "cfo",
                          "ceo", "coo", "cto", "dirigeant*", "direction", "executive*",
                          "daf", "dg"),
    # executive summary
    "why_it_matters": ("why it matters", "why this account", "pourquoi ce compte", "enjeu*"),
    "figures": ("figure*", "chiffre*", "key figures", "chiffres cles"),
    "asks": ("ask*", "demande*", "what we ask"),
    # customer executive brief
    "context": ("context*", "contexte", "priorit*"),
    "history": ("history", "historique", "relationship"),
    "delivered": ("delivered", "realise*", "what we did"),
    "value_proposition": ("value proposition", "proposition de valeur", "value prop"),
    "objectives": ("objective*", "objectif*", "meeting objectives"),
    "talking_points": ("talking point*", "points a aborder", "point* de discussion"),
    "risks": ("risk*", "risque*", "sensitiv*", "sensible*"),
    "attendees": ("attendee*", "participant*"),
    # sponsorship plan
    "principles": ("principle*", "principe*", "rules", "regles"),
    "assignments": ("assignment*", "affectation*", "sponsor per"),
    "loads": ("load*", "charge*"),
    "cadence": ("cadence", "rythme", "meeting frequency", "frequence"),
    "gaps": ("gap*", "lacune*", "coverage"),
    # programme review
    "kpis": ("kpi", "kpis", "indicateur*"),
    "maturity": ("maturity", "maturite"),
    "selection": ("selection",),
    "sponsorship": ("sponsorship", "sponsor*"),
    "decisions": ("decision*",),
}
SECTION_PATTERNS = {key: _rx(values) for key, values in SECTION_CUES.items()}

STOPWORDS = frozenset({
    "the", "a", "an", "of", "for", "to", "in", "on", "at", "by", "with", "and", "or", "is",
    "are", "was", "be", "me", "my", "our", "your", "this", "that", "it", "its", "please", "can",
    "could", "would", "you", "i", "we", "us", "show", "give", "tell", "get", "about", "what",
    "how", "which", "who", "why", "le", "la", "les", "un", "une", "des", "du", "de", "d", "l",
    "au", "aux", "et", "ou", "est", "sont", "pour", "avec", "sur", "dans", "par", "moi", "mon",
    "ma", "mes", "notre", "nos", "votre", "vos", "ce", "cette", "ces", "s'il", "te", "plait",
    "stp", "svp", "que", "qui", "quoi", "quel", "quelle", "quels", "quelles", "il",
    "elle", "nous", "vous", "y", "en", "se", "sa", "son", "ses", "leur", "leurs", "ne", "pas",
    "je", "tu",
})

_HELP_PHRASE = re.compile(
    r"^(?:what can you do|what do you do|que sais[- ]tu faire|que peux[- ]tu faire|"
    r"how does this work|comment ca marche)\b")
_EXT_LIKE = re.compile(r"^[a-z]{1,4}-?\d{3,}$")
_CANDIDATE_REF = re.compile(
    r"\b(?:candidat(?:e)?|candidate|applicant)\s+(?:n[o°]\s*)?[\"'«“]?([A-Za-z0-9][\w.\-]*)",
    re.IGNORECASE)
_VERSION = re.compile(r"\b(?:v|version)\s*(\d+)\b")
_PREPOSITION_TAIL = re.compile(
    r"\b(?:for|of|at|about|on|pour|de|du|chez|sur)\s+(?:the\s+|le\s+|la\s+|l')?"
    r"(?:account\s+|compte\s+)?([\w'’\-. ]{3,60}?)\s*[?!.]*$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset[str], tuple[str, ...]]:
    """Return (exact words, stems) of every cue, for typo correction."""
    words: set[str] = set()
    stems: set[str] = set()
    groups = [*CUES.values(), *KIND_CUES.values(), *SECTION_CUES.values()]
    for group in groups:
        for phrase in group:
            for w in phrase.split():
                (stems if w.endswith("*") else words).add(w.rstrip("*"))
    return frozenset(words), tuple(sorted(stems, key=len, reverse=True))


def router_vocabulary() -> frozenset[str]:
    """Return the words the router understands (never taken for account names)."""
    words, stems = _vocabulary()
    return words | frozenset(stems) | STOPWORDS


def _known(token: str, words: frozenset[str], stems: tuple[str, ...]) -> bool:
    return token in words or token in STOPWORDS or any(token.startswith(s) for s in stems)


def correct_typos(folded_tokens: Sequence[str], keep: frozenset[str] = frozenset()) -> list[str]:
    """Replace each unknown word by the nearest router word within the allowed edits.

    Words of four letters or fewer are never corrected; five to seven letters allow
    one edit (a transposition counts as one), longer words two. Words in ``keep``
    (account names) are left as they are.
    """
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    words, stems = _vocabulary()
    choices = sorted(words | set(stems))
    out: list[str] = []
    for token in folded_tokens:
        if len(token) <= 4 or token in keep or _known(token, words, stems) \
                or any(ch.isdigit() for ch in token):
            out.append(token)
            continue
        limit = 1 if len(token) <= 7 else 2
        hits = process.extract(token, choices, scorer=DamerauLevenshtein.distance,
                               score_cutoff=limit, limit=3)
        best = min((int(h[1]) for h in hits), default=None)
        winners = [str(h[0]) for h in hits if int(h[1]) == best]
        out.append(winners[0] if len(winners) == 1 and len(winners[0]) >= 4 else token)
    return out


def _normalise(text: str) -> str:
    folded = fold(text).replace("’", "'")
    return re.sub(r"\s+", " ", re.sub(r"[^\w'\-?]+", " ", folded)).strip()


# --- the router -----------------------------------------------------------------------


@dataclass
class _Reading:
    """One message, folded, typo-corrected and matched against every cue."""

    raw: str
    text: str
    words: list[str]
    mentions: list[Mention]
    hits: dict[str, bool]
    kind: DocumentKind | None

    def has(self, *cues: str) -> bool:
        return any(self.hits.get(c, False) for c in cues)


def _read(raw: str, directory: AccountDirectory) -> _Reading:
    vocabulary = router_vocabulary()
    mentions = directory.find(raw, ignore=vocabulary)
    keep = frozenset(m.text for m in mentions) | directory.vocabulary
    folded = _normalise(raw)
    corrected = correct_typos(folded.split(), keep)
    text = " ".join(corrected)
    hits = {key: bool(pattern.search(text)) for key, pattern in PATTERNS.items()}
    kind: DocumentKind | None = None
    for candidate, pattern in KIND_PATTERNS.items():
        if pattern.search(text):
            kind = candidate
            break
    return _Reading(raw=raw, text=text, words=corrected, mentions=mentions, hits=hits,
                    kind=kind)


def _word_count(text: str) -> int:
    return len(tokens(text))


def _clarify(reason: str, options: Iterable[str] = (), **args: Any) -> Route:
    return Route(CLARIFY, dict(args), reason=reason, options=tuple(options))


def route(text: str, ctx: RouteContext) -> Route:
    """Decide which tool ``text`` asks for, with its arguments, or ask to clarify.

    Args:
        text: the user's message.
        ctx: the accounts the principal sees and what the conversation is about.

    Returns:
        The :class:`Route` (``clarify`` when unsure).
    """
    raw = text.strip()
    if not raw:
        return _clarify("unknown")
    asked = requested_language(raw)
    if asked is not None:
        rest = _strip_language_request(raw)
        if _word_count(rest) <= 2:
            return Route("set_language", {"lang": asked})
        inner = route(rest, ctx)
        return Route(inner.tool, inner.args, inner.reason, inner.options, lang=asked)
    reading = _read(raw, ctx.directory)
    decided = _decide(reading, ctx)
    return decided


def _strip_language_request(raw: str) -> str:
    from kambot.assistant.chat.lang import _LANG_EN, _LANG_FR

    rest = _LANG_FR.sub(" ", _LANG_EN.sub(" ", raw))
    rest = re.sub(r"(?i)\b(please|s'il te pla[iî]t|s'il vous pla[iî]t|stp|svp|merci)\b", " ", rest)
    return re.sub(r"\s+", " ", rest).strip(" ,.;:!?")


def _decide(r: _Reading, ctx: RouteContext) -> Route:
    n_words = len(r.words)
    # Help is a greeting or a question about the assistant itself, nothing more.
    only_help = r.has("help") and (n_words <= 3 or _HELP_PHRASE.search(r.text) is not None)
    if only_help and not r.mentions and not r.has("kpi", "scenario", "draft", "interview"):
        return Route("help")
    if r.has("candidate"):
        return _candidate(r)
    if r.has("interview"):
        return _interview(r, ctx)
    if r.has("feedback") and r.kind is None and not r.has("compare"):
        return Route("give_feedback", {"text": r.raw})
    if r.has("compare") and (ctx.document is not None or r.kind is not None):
        return _document_tool("compare_versions", r, ctx)
    if r.has("versions") and not r.has("compare") and (ctx.document or r.kind):
        return _document_tool("list_versions", r, ctx)
    if r.kind is not None and r.has("draft"):
        return _draft(r, ctx)
    section = _section(r, ctx)
    if r.has("revise") and (section is not None or ctx.document is not None) \
            and not r.has("draft") and (section is not None or r.kind is None):
        return _revise(r, ctx, section)
    if r.has("next"):
        return Route("next_step")
    if r.has("status"):
        return Route("programme_status")
    # A question about how things are done is for the methodology, unless it is about
    # our own data (an account, "our", "the programme's").
    about_data = bool(r.mentions) or r.has("possessive", "programme")
    explain = r.has("explain") and not r.has("possessive")
    if not r.has("draft") and not r.mentions and (
            r.has("methodology") or explain or (r.has("definition") and not about_data)):
        return Route("ask_methodology", {"question": r.raw})
    data = _data_route(r, ctx)
    if data is not None:
        return data
    if r.kind is not None:
        return _show(r, ctx)
    if r.has("definition", "methodology") or (r.has("question") and r.raw.rstrip().endswith("?")):
        args: dict[str, Any] = {"question": r.raw}
        named = [m.account for m in r.mentions if m.account is not None]
        if len(named) == 1 and len(r.mentions) == 1:
            # A question about one account also searches that account's notes.
            args["account"] = named[0].external_id
        return Route("ask_methodology", args)
    if r.mentions:
        return _account_tool("kpis", r, ctx, allow_context=False)
    if r.has("draft"):
        return _clarify("document_kind")
    if r.has("revise", "compare"):
        return _clarify("document")
    return _clarify("unknown")


# --- intents ----------------------------------------------------------------------------


def _candidate(r: _Reading) -> Route:
    match = _CANDIDATE_REF.search(r.raw)
    if match is None:
        return _clarify("candidate")
    return Route("candidate_summary", {"candidate": match.group(1).rstrip(".?!,;")})


def _interview(r: _Reading, ctx: RouteContext) -> Route:
    if r.has("int_synthesis"):
        return Route("interview_synthesis")
    if r.has("int_pause"):
        return Route("interview_pause")
    if r.has("int_resume"):
        return Route("interview_resume")
    person = _person(r.raw, ctx.people)
    if r.has("int_start") or person is not None:
        return Route("interview_start", {"executive": person.key if person else None})
    if r.has("question", "show"):
        return Route("interview_synthesis")
    return _clarify("interview", ("start", "pause", "resume", "synthesis"))


def _person(raw: str, people: Sequence[Person]) -> Person | None:
    words = set(tokens(raw))
    if not words:
        return None
    scored: list[tuple[int, Person]] = []
    for person in people:
        parts = [p for p in tokens(person.name) if len(p) > 2]
        hits = sum(1 for p in parts if p in words)
        if hits:
            scored.append((hits, person))
    if not scored:
        return None
    scored.sort(key=lambda item: -item[0])
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    return scored[0][1]


def _section(r: _Reading, ctx: RouteContext) -> str | None:
    kind = r.kind or (ctx.document.kind if ctx.document else None)
    if kind is None:
        return None
    keys = [s.key for s in outline(kind)]
    found = [k for k in keys if k in SECTION_PATTERNS and SECTION_PATTERNS[k].search(r.text)]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        # The most specific cue wins: "executive actions" over "kpis" when both appear.
        spans = {k: max(len(m.group(0)) for m in SECTION_PATTERNS[k].finditer(r.text))
                 for k in found}
        best = max(spans.values())
        top = [k for k, v in spans.items() if v == best]
        return top[0] if len(top) == 1 else None
    return None


def _revise(r: _Reading, ctx: RouteContext, section: str | None) -> Route:
    document = ctx.document
    if document is None:
        return _clarify("document")
    if section is None:
        return _clarify("section", [s.key for s in outline(document.kind)])
    return Route("revise_section", {"section": section, "instruction": r.raw})


def _document_target(r: _Reading, ctx: RouteContext) -> Route | dict[str, Any]:
    """Return the (kind, account) arguments of the document named or in context."""
    kind = r.kind or (ctx.document.kind if ctx.document else None)
    if kind is None:
        return _clarify("document_kind")
    if kind not in ACCOUNT_KINDS:
        return {"kind": kind, "account": None}
    account = _one_account(r, ctx, allow_context=True,
                           context_account=(ctx.document.account if ctx.document
                                            and ctx.document.kind == kind else ctx.account))
    if isinstance(account, Route):
        return account
    return {"kind": kind, "account": account.external_id}


def _draft(r: _Reading, ctx: RouteContext) -> Route:
    target = _document_target(r, ctx)
    if isinstance(target, Route):
        return target
    return Route("draft_document", target)


def _show(r: _Reading, ctx: RouteContext) -> Route:
    target = _document_target(r, ctx)
    if isinstance(target, Route):
        return target
    if target["kind"] in ACCOUNT_KINDS and not r.mentions and not r.has("show"):
        # "the strategy" alone names no account and asks for nothing in particular.
        return _clarify("document")
    return Route("show_document", target)


def _document_tool(tool: str, r: _Reading, ctx: RouteContext) -> Route:
    args: dict[str, Any] = {}
    if r.kind is not None:
        target = _document_target(r, ctx)
        if isinstance(target, Route):
            return target
        args.update(target)
    versions = [int(v) for v in _VERSION.findall(r.text)]
    if tool == "compare_versions" and len(versions) >= 2:
        args["from_version"], args["to_version"] = versions[0], versions[1]
    return Route(tool, args)


def _data_route(r: _Reading, ctx: RouteContext) -> Route | None:
    """Route KPIs, scenarios, segmentation, selection and sponsorship requests."""
    definitional = r.has("definition") and not r.mentions and not r.has("possessive",
                                                                         "programme")
    portfolio = [t for t, cue in (("segmentation", "segmentation"), ("selection", "selection"),
                                  ("sponsorship_plan", "sponsor")) if r.has(cue)]
    if r.has("scenario") and not definitional:
        return _account_or_programme("scenarios", r, ctx)
    if portfolio and not definitional:
        if len(portfolio) > 1 and "sponsorship_plan" not in portfolio:
            return _clarify("unknown", portfolio)
        tool = "sponsorship_plan" if "sponsorship_plan" in portfolio else portfolio[0]
        if tool == "sponsorship_plan" and r.mentions:
            account = _one_account(r, ctx, allow_context=False)
            if isinstance(account, Route):
                return account
            return Route(tool, {"account": account.external_id})
        if tool == "segmentation" and r.mentions:
            return _account_tool("kpis", r, ctx, allow_context=False)
        return Route(tool)
    if r.has("kpi") and not definitional:
        return _account_or_programme("kpis", r, ctx)
    if r.has("same") and r.mentions and ctx.last_tool in ("kpis", "scenarios",
                                                          "sponsorship_plan"):
        return _account_tool(ctx.last_tool, r, ctx, allow_context=False)
    return None


def _account_or_programme(tool: str, r: _Reading, ctx: RouteContext) -> Route:
    if r.has("programme") and not r.mentions:
        return Route(tool, {"account": None})
    return _account_tool(tool, r, ctx, allow_context=True)


def _account_tool(tool: str, r: _Reading, ctx: RouteContext, *, allow_context: bool) -> Route:
    account = _one_account(r, ctx, allow_context=allow_context)
    if isinstance(account, Route):
        return account
    return Route(tool, {"account": account.external_id})


def _one_account(r: _Reading, ctx: RouteContext, *, allow_context: bool,
                 context_account: str | None = None) -> AccountEntry | Route:
    """Return the one account the message names (or the conversation is about)."""
    found = [m for m in r.mentions if m.account is not None]
    ambiguous = [m for m in r.mentions if m.ambiguous]
    if ambiguous and not found:
        return _clarify("ambiguous_account", [c.label() for c in ambiguous[0].candidates],
                        account=ambiguous[0].text)
    distinct = {m.account.external_id: m.account for m in found if m.account is not None}
    if len(distinct) > 1:
        return _clarify("ambiguous_account", [a.label() for a in distinct.values()])
    if distinct:
        return next(iter(distinct.values()))
    unknown = _unknown_reference(r, ctx.directory)
    if unknown is not None:
        return _clarify("unknown_account", ctx.directory.suggest(unknown), account=unknown)
    remembered = context_account or ctx.account
    if allow_context and remembered:
        entry = ctx.directory.get(remembered)
        if entry is not None:
            return entry
    return _clarify("account")


def _unknown_reference(r: _Reading, directory: AccountDirectory) -> str | None:
    """Return what looks like an account reference that matched nothing, if any.

    An external-id-like token (``C10999``), a capitalised word that is not the first
    of the message, or the words after a final "for / of / pour / de ...".
    """
    vocabulary = router_vocabulary()
    raw_words: list[str] = [str(w) for w in re.findall(r"[\w'’\-.]+", r.raw)]
    for word in raw_words:
        if _EXT_LIKE.match(fold(word)):
            return word
    for position, word in enumerate(raw_words):
        if position == 0 or len(word) < 3 or not word[0].isupper():
            continue
        folded = fold(word)
        if folded in vocabulary or any(folded.startswith(s) for s in _vocabulary()[1]):
            continue
        if word.isupper() and len(word) <= 4:
            continue  # acronyms such as KPI, CEB, CFO
        return word.strip(".")
    tail = _PREPOSITION_TAIL.search(r.raw)
    if tail is not None:
        words = [w for w in tokens(tail.group(1)) if w not in vocabulary and len(w) > 2]
        if words:
            return " ".join(words)
    return None
