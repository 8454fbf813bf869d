"""Mask protected attributes and their proxies before any scoring or model call.

What is masked (the placeholder in brackets replaces the text):
- ``[name]``: the candidate's name given as input (each part, anywhere), a name line at
  the top of the document (a short line of capitalised words with no job word), and
  labelled fields (``Name:``, ``Nom :``, ``Prénom :``);
- ``[email]``, ``[phone]``, ``[link]`` (web and profile addresses, which carry names),
  ``[address]`` (street lines, postcodes with a town, ``Address:`` fields);
- ``[age]`` and ``[birth date]``: "Age: 45", "45 years old", "âgé de 45 ans", "born in
  1980", "né le 3 mars 1980", date and place of birth;
- ``[title]`` and ``[pronoun]``: Mr/Mrs/Ms/Mme/M./Madame/Monsieur, he/she/him/her/his,
  il/elle; gendered French job titles and participles are rewritten to one form
  ("directrice" -> "directeur", "diplômée" -> "diplômé") so that both read the same;
- ``[nationality]``: nationality and citizenship fields, "French citizen", work permits
  and visas, "native speaker" / "langue maternelle" statements;
- ``[family status]``: marital status, children, parental leave, pregnancy;
- ``[health]``: disability, medical or sick leave, named conditions;
- ``[religion]``, ``[union]``: religious and trade-union or political affiliation;
- ``[photo]``: photo mentions and embedded images.

Nothing masked is used again: scoring and models only see the redacted text. The
masking is rule-based and errs on the side of masking; employment dates and years of
experience are job-related and kept.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from kambot.assistant.assessment.fastre import Matcher
from kambot.assistant.assessment.text import Edit, TextView, fold

_F = re.IGNORECASE | re.MULTILINE


def _rx(*patterns: str, flags: int = re.MULTILINE) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


# Patterns below run on the folded text (lowercase, accents removed, ' apostrophes).
_EMAIL = _rx(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LINK = _rx(r"https?://\S+", r"\bwww\.\S+", r"\b(?:linkedin|github|xing|viadeo)\.com/\S*")
_PHONE = _rx(
    r"(?<![\w€$£.,/])(?:\+\d{1,3}[ .-]?)?(?:\(0\)[ .-]?)?\(?\d{1,4}\)?(?:[ .-]?\d{2,4}){2,5}"
    r"(?![\w%€$])"
)
_PHONE_LABEL = _rx(r"\b(?:tel|tél|phone|mobile|portable|cell|gsm)\b\s*[:.]?\s*[+\d(][\d ().+-]{6,}")
_ADDRESS = _rx(
    r"\b(?:address|adresse|domicile|home)\s*:[^\n]*",
    r"\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+(?:rue|avenue|av\.|boulevard|bd|chemin|allee|impasse|"
    r"place d[eu]s?|quai|route de|street|st\.|road|rd\.|lane|drive)\b[^\n,;|]{0,50}",
    r"(?:^|(?<=[,;|\n-]))\s*\d{5}\s+[a-z][a-z'-]+(?:[ -][a-z][a-z'-]+){0,3}(?=\s*(?:$|[,;|(]))",
    r"\b[a-z][a-z .'-]{1,30},\s*[a-z]{2}\s+\d{5}(?:-\d{4})?\b",
    r"\b[a-z]{1,2}\d[a-z\d]?\s+\d[a-z]{2}(?=\s*(?:$|[,;|]))",
)
_AGE = _rx(
    r"\bage[d]?\s*[:=]?\s*\d{2}\b(?:\s*(?:years?|yrs?|ans))?",
    r"\b\d{2}\s*(?:years?|yrs?)[- ]old\b",
    r"\bagee?\s+de\s+\d{2}\s+ans\b",
    r"(?:^|(?<=[\n|,;]))\s*\d{2}\s+ans\s*(?=$|[\n|,;])",
)
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}(?:st|nd|rd|th|er)?\s+[a-z]{3,9}\.?\s+\d{4}|"
    r"[a-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{4})"
)
_BIRTH = _rx(
    r"\b(?:date of birth|birth ?date|d\.o\.b\.?|dob|date de naissance|date et lieu de naissance)"
    r"\s*[:.]?[^\n;|·•,]{0,50}",
    r"\b(?:place of birth|lieu de naissance|birthplace)\s*[:.]?[^\n;|·•,]{0,40}",
    rf"\bborn\s+(?:on\s+|in\s+)?{_DATE}(?:\s+in\s+[a-z][a-z -]{{1,30}})?",
    rf"\bnee?\s+(?:le\s+|en\s+)?{_DATE}(?:\s+a\s+[a-z][a-z -]{{1,30}})?",
    r"\bborn\s+(?:and\s+raised\s+)?in\s+[a-z][a-z -]{1,30}",
    r"\bnee?\s+a\s+[a-z][a-z -]{1,30}",
)
_TITLE = _rx(r"\b(?:mme|mlle|madame|monsieur|mademoiselle)\b\.?")
# English titles are also words ("MS Office", "miss a deadline"): a title precedes a name.
_TITLE_EN = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|MR|MRS|MS|MISS)\b\.?(?=\s+[A-ZÀ-Ý][a-zà-ÿ'’-]+\b)"
    r"(?!\s+(?i:Office|Excel|Word|Project|Dynamics|Teams|Access|PowerPoint|Outlook|SQL|"
    r"Windows|Visio|Remote)\b)"
)
_TITLED_NAME = re.compile(
    r"(?<![\w.])(?:Mr|Mrs|Ms|Miss|Mx|M|Mme|Mlle|Madame|Monsieur|Mademoiselle|MR|MRS|MS|MME)"
    r"\.?\s+((?!(?:Office|Excel|Word|Project|Dynamics|Teams|Access|PowerPoint|Powerpoint|"
    r"Outlook|SQL|Windows|Visio|Remote)\b)[A-ZÀ-Ý][\w'’-]+(?:[ \t]+[A-ZÀ-Ý][\w'’-]+){0,2})"
)
_PRONOUN = _rx(r"\b(?:he|she|him|her|his|hers|himself|herself|il|elle|ils|elles)\b")
_NATIONALITY = _rx(
    r"\b(?:nationality|nationalities|citizenship|nationalite|nationalites|citoyennete)\b"
    r"\s*[:.]?[^\n;|·•,]{0,40}",
    r"\bde\s+nationalite\s+[a-z-]+(?:\s+et\s+[a-z-]+)?",
    r"\b[a-z-]+\s+(?:citizen|citizenship|passport holder)\b",
    r"\b(?:citizen|ressortissante?|citoyenne?)\s+(?:of|de|du|des)\s+(?:the\s+)?[a-z -]{2,30}",
    r"\b(?:work permit|working visa|work visa|visa (?:status|sponsorship|required)|h-?1b|"
    r"green card|residence permit|titre de sejour|permis de travail|carte de sejour|"
    r"right to work)\b[^\n.;|]{0,40}",
    r"\b[a-z]+\s*\((?:native|mother tongue|langue maternelle|maternelle)\)",
    r"\b(?:native|mother[- ]tongue)\s+(?:[a-z]+\s+)?(?:speaker|language)(?:\s+of\s+[a-z]+)?",
    r"\bnative\s+[a-z]+\s+speaker\b",
    r"\b(?:mother tongue|langue maternelle|first language)\s*[:.]?\s*[a-z]+",
    r"\b[a-z]+\s*:\s*(?:native|langue maternelle|maternelle)\b",
)
_FAMILY = _rx(
    r"\b(?:marital status|family status|civil status|situation (?:familiale|de famille|maritale)|"
    r"etat civil)\s*[:.]?[^\n;|·•,]{0,40}",
    r"\b(?:married|divorced|widowed|widow|widower|mariee?|celibataire|divorcee?|veuve?|pacsee?|"
    r"en couple|concubinage|union libre)\b",
    r"\b(?:\d+|one|two|three|four|five|six|no|un|une|deux|trois|quatre|cinq|six|sans)\s+"
    r"(?:children|kids|child|sons?|daughters?|enfants?|fils|filles)\b",
    r"\b(?:mother|father|parent|mere|pere)\s+(?:of|de)\s+(?:\d+|one|two|three|four|un|une|deux|"
    r"trois|quatre)\b[^\n.;|]{0,20}",
    r"\b(?:maternity|paternity|parental)\s+leave\b",
    r"\bconge\s+(?:maternite|paternite|parental)\b",
    r"\b(?:pregnan\w*|enceinte|grossesse)\b",
)
_HEALTH = _rx(
    r"\b(?:disabilit\w*|disabled|handicap\w*|rqth|travailleur handicape\w*|invalidite)\b"
    r"[^\n.;|]{0,40}",
    r"\b(?:health (?:condition|issue|issues|problem|problems)|medical (?:condition|leave)|"
    r"sick leave|long[- ]term illness|chronic (?:illness|disease|condition)|arret maladie|"
    r"conge maladie|maladie (?:chronique|longue)|mi-temps therapeutique|burn-?out|wheelchair|"
    r"fauteuil roulant)\b[^\n.;|]{0,40}",
)
_RELIGION = _rx(
    r"\b(?:religion|religious|church|mosque|synagogue|temple|catholic|muslim|jewish|christian "
    r"faith|hindu|buddhist|eglise|mosquee|catholique|musulmane?|juive?|chretienne?|paroisse)\b"
)
_UNION = _rx(
    r"\b(?:trade union|labour union|labor union|syndicat|syndicale?|delegue syndical|"
    r"political party|parti politique)\b[^\n.;|]{0,30}"
)
_PHOTO = _rx(
    r"!\[[^\]]*\]\([^)]*\)",
    r"\b(?:photo|photograph|picture)\s*[:(][^\n|;)]{0,30}\)?",
    r"\b(?:photo|headshot)\b",
    r"\b(?:profile|passport|id|attached)\s+(?:picture|photo)\b",
)
_NAME_FIELD = _rx(
    r"\b(?:name|full name|first name|last name|surname|nom|prenom|nom complet)\s*:\s*[^\n|;]{1,60}"
)

_GENDERED = {
    "directrice": "directeur", "directrices": "directeurs", "vendeuse": "vendeur",
    "vendeuses": "vendeurs", "acheteuse": "acheteur", "animatrice": "animateur",
    "consultante": "consultant", "ingenieure": "ingénieur", "chargee": "chargé",
    "experte": "expert", "associee": "associé", "presidente": "président",
    "fondatrice": "fondateur", "cofondatrice": "cofondateur", "co-fondatrice": "co-fondateur",
    "negociatrice": "négociateur", "coordinatrice": "coordinateur", "conseillere": "conseiller",
    "superviseuse": "superviseur", "technicienne": "technicien", "assistante": "assistant",
    "representante": "représentant", "deleguee": "délégué", "adjointe": "adjoint",
    "attachee": "attaché", "cheffe": "chef", "collaboratrice": "collaborateur",
    "administratrice": "administrateur", "formatrice": "formateur", "gerante": "gérant",
    "diplomee": "diplômé", "certifiee": "certifié", "promue": "promu", "nommee": "nommé",
    "recrutee": "recruté", "elue": "élu", "reconnue": "reconnu", "classee": "classé",
    "formee": "formé", "specialisee": "spécialisé", "basee": "basé", "impliquee": "impliqué",
    "passionnee": "passionné", "habilitee": "habilité", "salesman": "salesperson",
    "saleswoman": "salesperson", "salesmen": "salespeople", "saleswomen": "salespeople",
    "chairman": "chair", "chairwoman": "chair", "businessman": "businessperson",
    "businesswoman": "businessperson", "spokesman": "spokesperson", "spokeswoman": "spokesperson",
    "commerciale": "commercial", "generale": "général", "regionale": "régional",
    "nationale": "national", "internationale": "international", "principale": "principal",
}
_GENDERED_RX = re.compile(r"\b(?:" + "|".join(sorted(_GENDERED, key=len, reverse=True)) + r")\b")
# Feminine adjectives are rewritten only right after a job title, where they agree with it.
_ADJECTIVES = frozenset({"commerciale", "generale", "regionale", "nationale", "internationale",
                         "principale"})
_TITLE_NOUNS = re.compile(
    r"\b(?:directrice|directeur|presidente|president|responsable|ingenieure|ingenieur|deleguee|"
    r"delegue|chargee|charge|attachee|attache|assistante|assistant|adjointe|adjoint|"
    r"conseillere|conseiller|cheffe|chef|manager|experte|expert|ingenieure|direction)\s+$"
)

_JOB_WORDS = re.compile(
    r"\b(?:manager|director|directeur|directrice|sales|account|accounts|engineer|consultant|"
    r"executive|representative|specialist|officer|lead|head|vp|president|analyst|developer|"
    r"coordinator|associate|responsable|ingenieur|commercial|commerciale|chef|charge|business|"
    r"marketing|key|senior|junior|curriculum|vitae|resume|cv|profile|profil|summary|experience|"
    r"skills|competences|education|formation|objective|contact|partner|advisor|adviser|kam|"
    r"vendeur|technico|ceo|cfo|coo|owner|founder|agent|assistant|administrator|expert|history|"
    r"employment|work|languages|interests|references|achievements|accomplishments|highlights|"
    r"qualifications|career|parcours|langues|loisirs|centres|interets|realisations|projets|"
    r"certifications|about|professional|personal|information|informations|personnelles)\b"
)
_NAME_WORD = re.compile(
    r"^[A-ZÀ-Ý][A-Za-zÀ-ÿ'’-]*[a-zà-ÿ][A-Za-zÀ-ÿ'’-]*$|^[A-ZÀ-Ý][A-ZÀ-Ý'’-]+$|^[A-ZÀ-Ý]\.$"
)

CATEGORIES = (
    "name", "email", "phone", "link", "address", "age", "birth_date", "title", "pronoun",
    "gender_form", "nationality", "family_status", "health", "religion", "union", "photo",
)


@dataclass(frozen=True)
class Redaction:
    """A redacted text and how many spans of each category were masked."""

    view: TextView
    counts: dict[str, int]


_PARTICLES = frozenset({
    "de", "du", "des", "la", "le", "van", "von", "der", "den", "da", "di", "del", "dos", "el",
    "al", "ben", "bin", "st", "mc",
})


def _name_parts(name: str | None) -> list[str]:
    if not name:
        return []
    parts = [p.strip(".-'") for p in re.split(r"[\s,]+", fold(name))]
    return [p for p in parts if len(p) >= 2 and p not in _PARTICLES]


def header_name_lines(text: str) -> list[tuple[int, int]]:
    """Find a name line among the first non-empty lines (capitalised words, no job word)."""
    found: list[tuple[int, int]] = []
    offset = 0
    seen = 0
    for line in text.split("\n"):
        start, end = offset, offset + len(line)
        offset = end + 1
        stripped = line.strip().strip("#*").strip()
        if not stripped:
            continue
        seen += 1
        if seen > 3:
            break
        words = stripped.replace(",", " ").split()
        if not 2 <= len(words) <= 4 or any(ch.isdigit() for ch in stripped):
            continue
        if _JOB_WORDS.search(fold(stripped)):
            continue
        if all(_NAME_WORD.match(w) for w in words):
            lead = len(line) - len(line.lstrip(" #*"))
            found.append((start + lead, end))
    return found


def _resolve(spans: Iterable[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Keep non-overlapping spans, longest first where they collide."""
    chosen: list[tuple[int, int, str, str]] = []
    for span in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if chosen and span[0] < chosen[-1][1]:
            last = chosen[-1]
            if span[1] > last[1] and (span[1] - span[0]) > (last[1] - last[0]):
                chosen[-1] = span
            continue
        chosen.append(span)
    return chosen


def _phone_ok(candidate: str) -> bool:
    digits = sum(ch.isdigit() for ch in candidate)
    if not 9 <= digits <= 15:
        return False
    # A range of years ("2015 2019 2021") is not a phone number.
    groups = re.findall(r"\d+", candidate)
    return not all(len(g) == 4 and g[:2] in ("19", "20") for g in groups)


_MATCHERS: dict[str, Matcher] = {}


def _matcher(rx: re.Pattern[str]) -> Matcher:
    found = _MATCHERS.get(rx.pattern)
    if found is None:
        found = _MATCHERS[rx.pattern] = Matcher(rx)
    return found


def find_spans(text: str, candidate_name: str | None = None) -> list[tuple[int, int, str, str]]:
    """Locate protected attributes in a text.

    Args:
        text: the text to scan (hidden characters already removed).
        candidate_name: the person's name as given by the user, if known.

    Returns:
        Non-overlapping ``(start, end, replacement, category)`` spans.
    """
    folded = fold(text)
    spans: list[tuple[int, int, str, str]] = []

    def add(rx: re.Pattern[str], replacement: str, category: str,
            needs: tuple[str, ...] = ()) -> None:
        # A cheap substring test first: most CVs mention none of these words.
        if needs and not any(n in folded for n in needs):
            return
        for m in _matcher(rx).finditer(folded):
            if m.end() > m.start():
                spans.append((m.start(), m.end(), replacement, category))

    add(_EMAIL, "[email]", "email", ("@",))
    add(_LINK, "[link]", "link", ("http", "www.", ".com/"))
    for m in _PHONE_LABEL.finditer(folded):
        spans.append((m.start(), m.end(), "[phone]", "phone"))
    for m in _PHONE.finditer(folded):
        if _phone_ok(m.group(0)):
            spans.append((m.start(), m.end(), "[phone]", "phone"))
    add(_ADDRESS, "[address]", "address")
    add(_AGE, "[age]", "age", ("age", "old", "ans"))
    add(_BIRTH, "[birth date]", "birth_date", ("birth", "naissance", "dob", "d.o.b", "born", "ne"))
    add(_NATIONALITY, "[nationality]", "nationality",
        ("nationa", "citizen", "ressortissant", "citoyen", "permit", "visa", "1b", "green card",
         "sejour", "right to work", "native", "mother", "maternelle", "first language"))
    add(_FAMILY, "[family status]", "family_status")
    add(_HEALTH, "[health]", "health",
        ("disab", "handicap", "rqth", "invalid", "health", "medical", "sick", "illness",
         "chronic", "maladie", "therapeutique", "burn", "wheelchair", "fauteuil"))
    add(_RELIGION, "[religion]", "religion")
    add(_UNION, "[union]", "union")
    add(_PHOTO, "[photo]", "photo", ("photo", "picture", "headshot", "!["))
    add(_NAME_FIELD, "[name]", "name", ("name", "nom"))
    for m in _TITLE.finditer(folded):
        spans.append((m.start(), m.end(), "[title]", "title"))
    # "M." alone is a title only before a capitalised word ("M. Martin").
    for m in re.finditer(r"(?<![\w.])M\.(?=\s+[A-ZÀ-Ý])", text):
        spans.append((m.start(), m.end(), "[title]", "title"))
    for m in _TITLE_EN.finditer(text):
        spans.append((m.start(), m.end(), "[title]", "title"))
    # A title is followed by a name: whoever it is, it goes too.
    for m in _TITLED_NAME.finditer(text):
        spans.append((m.start(1), m.end(1), "[name]", "name"))
    add(_PRONOUN, "[pronoun]", "pronoun")
    for m in _GENDERED_RX.finditer(folded):
        word = m.group(0)
        before = folded[max(0, m.start() - 40):m.start()]
        if word in _ADJECTIVES and not _TITLE_NOUNS.search(before):
            continue
        replacement = _GENDERED[word]
        original = text[m.start():m.end()]
        if original[:1].isupper():
            replacement = replacement[:1].upper() + replacement[1:]
        if original.isupper():
            replacement = replacement.upper()
        spans.append((m.start(), m.end(), replacement, "gender_form"))
    for start, end in header_name_lines(text):
        spans.append((start, end, "[name]", "name"))
    for part in _name_parts(candidate_name):
        for m in re.finditer(rf"(?<![\w]){re.escape(part)}(?![\w])", folded):
            spans.append((m.start(), m.end(), "[name]", "name"))
    return _resolve(spans)


def redact(view: TextView, candidate_name: str | None = None) -> Redaction:
    """Mask protected attributes in a view, keeping the map to the original offsets.

    Args:
        view: the text to redact (hidden text already removed).
        candidate_name: the person's name, masked wherever it appears.

    Returns:
        The redacted view and the count of masked spans per category.
    """
    spans = find_spans(view.text, candidate_name)
    edits: list[Edit] = [(s, e, rep) for s, e, rep, _ in spans]
    counts = Counter(cat for _, _, _, cat in spans)
    return Redaction(view.apply(edits), dict(sorted(counts.items())))
