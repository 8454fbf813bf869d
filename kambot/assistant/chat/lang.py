"""Which language a message is in, and short replies that mean yes, no or "in English".

The detector is deliberately small and honest: it counts French and English function
words and French diacritics and elisions, and says "don't know" (None) when the
message carries too little evidence (``"Quenolac KPIs"``), in which case the
conversation keeps its language. It is not a general language identifier.
"""

from __future__ import annotations

import re
import unicodedata

from kambot.assistant.chat.models import Lang

_FR_WORDS = frozenset({
    "le", "la", "les", "un", "une", "des", "du", "de", "au", "aux", "et", "ou", "est", "sont",
    "pour", "avec", "sur", "dans", "par", "pas", "ne", "que", "qui", "quoi", "quel", "quelle",
    "quels", "quelles", "comment", "pourquoi", "combien", "quand", "ce", "cette", "ces", "mon",
    "ma", "mes", "ton", "ta", "tes", "son", "sa", "ses", "notre", "nos", "votre", "vos", "leur",
    "leurs", "je", "tu", "il", "elle", "nous", "vous", "ils", "elles", "moi", "toi", "peux",
    "peut", "pouvez", "veux", "voudrais", "faire", "fais", "fait", "donne", "donner", "montre",
    "montrer", "merci", "bonjour", "salut", "oui", "non", "plus", "moins", "tres",
    "aussi", "encore", "deja", "ete", "avoir", "etre", "sera", "chez", "entre", "sans", "sous",
    "rediger", "redige", "ajoute", "ajouter", "rends", "rendre", "selon", "dois",
    "doit", "devons", "prochaine", "etape", "compte", "comptes", "chiffres", "indicateurs",
    "strategie", "entretien", "apres", "avant",
})
_EN_WORDS = frozenset({
    "the", "a", "an", "and", "or", "is", "are", "was", "were", "for", "with", "on", "in", "by",
    "not", "no", "yes", "what", "which", "who", "how", "why", "when", "where", "this", "that",
    "these", "those", "my", "your", "our", "their", "his", "her", "its", "i", "you", "we",
    "they", "me", "us", "them", "can", "could", "would", "should", "will", "shall", "do",
    "does", "did", "please", "show", "give", "tell", "make", "draft", "write", "add", "thanks",
    "thank", "hello", "hi", "of", "to", "from", "about", "more", "less", "very", "also",
    "again", "already", "been", "have", "has", "next", "step", "account", "accounts", "figures",
    "numbers", "strategy", "interview", "after", "before", "let's", "lets",
})
_FR_DIACRITICS = frozenset("éèêëàâçîïôûùœ")
_ELISION = re.compile(r"\b(?:l|d|qu|j|n|s|c|m|t)['’][a-zà-ÿ]", re.IGNORECASE)
_WORD = re.compile(r"[a-zà-ÿœ']+", re.IGNORECASE)

_TO_EN = (
    r"\b(?:in|into)\s+english\b", r"\benglish\s+please\b", r"\bswitch\s+to\s+english\b",
    r"\ben\s+anglais\b", r"\bspeak\s+english\b", r"\banswer\s+in\s+english\b",
)
_TO_FR = (
    r"\ben\s+fran[cç]ais\b", r"\b(?:in|into)\s+french\b", r"\bfrench\s+please\b",
    r"\bswitch\s+to\s+french\b", r"\bparle[sz]?\s+fran[cç]ais\b",
)
_LANG_EN = re.compile("|".join(_TO_EN), re.IGNORECASE)
_LANG_FR = re.compile("|".join(_TO_FR), re.IGNORECASE)

_YES = frozenset({
    "yes", "y", "yeah", "yep", "ok", "okay", "sure", "confirm", "confirmed", "go ahead",
    "do it", "save it", "please do", "yes please", "yes save it", "oui", "ouais",
    "d'accord", "daccord", "ok vas-y", "vas-y", "vas y", "allez-y", "allez y", "confirme",
    "je confirme", "oui merci", "oui vas-y", "enregistre", "enregistre-le", "c'est bon",
    "valide", "oui, enregistre",
})
_NO = frozenset({
    "no", "n", "nope", "cancel", "don't", "do not", "no thanks", "not now", "discard",
    "non", "annule", "annuler", "non merci", "pas maintenant", "laisse tomber", "abandonne",
})


def fold(text: str) -> str:
    """Return ``text`` lower-cased without accents (``"Éléments"`` -> ``"elements"``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def detect_language(text: str) -> Lang | None:
    """Guess whether ``text`` is French or English; None when the evidence is too thin.

    Each French or English function word counts one point for its language; French
    diacritics and elisions (``l'``, ``qu'``) count for French. The language needs at
    least two points and more points than the other.
    """
    lowered = text.casefold()
    words = [w.strip("'") for w in _WORD.findall(lowered)]
    folded = [fold(w) for w in words]
    fr = sum(1 for w in folded if w in _FR_WORDS and w not in _EN_WORDS)
    en = sum(1 for w in words if w in _EN_WORDS and fold(w) not in _FR_WORDS)
    fr += min(3, sum(1 for ch in lowered if ch in _FR_DIACRITICS))
    fr += 2 * len(_ELISION.findall(lowered))
    if fr >= 2 and fr > en:
        return "fr"
    if en >= 2 and en > fr:
        return "en"
    return None


def requested_language(text: str) -> Lang | None:
    """Return the language the user asks for (``"in English please"``), or None."""
    to_en = _LANG_EN.search(text) is not None
    to_fr = _LANG_FR.search(text) is not None
    if to_en == to_fr:
        return None
    return "en" if to_en else "fr"


def _short(text: str) -> str:
    cleaned = fold(text).strip().strip(".!?…").strip()
    return re.sub(r"\s+", " ", cleaned)


def is_yes(text: str) -> bool:
    """Tell whether a message is a plain confirmation (``yes``, ``oui``, ``go ahead``)."""
    return _short(text) in {fold(y) for y in _YES}


def is_no(text: str) -> bool:
    """Tell whether a message is a plain refusal (``no``, ``non``, ``cancel``)."""
    return _short(text) in {fold(n) for n in _NO}
