"""Quantities and scope markers read from one sentence (folded text).

The level rules of :mod:`kambot.assistant.assessment.extract_offline` decide levels from
these facts: how big a team, how many countries or units, how much money, what share of
a target, how many years running, whether customer executives are involved. Everything
here reads lowercase, accent-free text (see :func:`kambot.assistant.assessment.text.fold`).
"""

from __future__ import annotations

import re
from functools import cached_property

NUMBER_WORDS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "hundred": 100, "dozen": 12, "un": 1, "une": 1,
    "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
    "onze": 11, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30, "quarante": 40,
    "cinquante": 50, "cent": 100, "several": 3, "multiple": 3, "many": 5, "numerous": 5,
    "plusieurs": 3, "nombreux": 5, "nombreuses": 5, "various": 3, "differents": 3,
}
_NUMW = (r"(?:\d{1,5}(?:[ ,.]\d{3})?\+?|"
         + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")")


def _num(token: str) -> int:
    token = token.strip().rstrip("+")
    if token in NUMBER_WORDS:
        return NUMBER_WORDS[token]
    digits = re.sub(r"[ ,.]", "", token)
    return int(digits) if digits.isdigit() else 0


_TEAM = (
    re.compile(
        r"\b(?:team|teams|equipe|equipes|group|groupe|organi[sz]ation|squad|task force|pool|"
        r"network|reseau)\s+(?:[a-z'-]+\s+){0,3}?(?:of|de|d')\s*(?:around\s+|about\s+|over\s+|"
        r"more than\s+|plus de\s+|pres de\s+|environ\s+)?(" + _NUMW + r")\b"
        r"(?!\s*(?:%|years?|ans|annees|countries|pays|accounts?|comptes?|clients?|customers?|"
        r"m\b|k\b|million|bn|€|\$|eur))"
    ),
    re.compile(
        r"\b(" + _NUMW + r")[- ](?:person|people|member|strong|fte|etp|personnes)\s+"
        r"(?:[a-z-]+\s+){0,2}?(?:team|equipe|organi[sz]ation)"
    ),
    re.compile(
        r"\b(" + _NUMW + r")\s+(?:direct\s+reports|reports|fte|etp|people|persons|staff|"
        r"headcount|engineers|sellers|salespeople|sales\s+reps?|sales\s+representatives|"
        r"representatives|account\s+managers|key\s+account\s+managers|kams|consultants|managers|"
        r"specialists|experts|team\s+members|colleagues|contributors|collaborateurs|"
        r"collaboratrices|personnes|commerciaux|ingenieurs|vendeurs|relationship\s+managers|"
        r"agents|technicians|techniciens|members|kams?)\b"
    ),
    re.compile(r"\b(?:headcount|effectif)\s+(?:of|de)\s+(" + _NUMW + r")\b"),
)
_COUNTRIES = re.compile(
    r"\b(" + _NUMW + r")\s+(?:other\s+|different\s+|autres\s+)?(countries|pays|markets|marches|"
    r"continents|geographies|territories|regions)\b"
)
_GLOBAL = re.compile(
    r"\b(?:global|globally|worldwide|world-wide|mondial\w*|emea|apac|latam|americas|"
    r"pan-european|pan-europeen\w*|multi-?country|multi-?pays|multipays|cross-border|"
    r"international\w*|europe|european|europeen\w*)\b"
)
_UNITS = re.compile(
    r"\b(" + _NUMW + r")\s+(?:other\s+|different\s+|autres\s+)?(?:business\s+units|bus|"
    r"divisions|profit\s+cent(?:re|er)s|business\s+lines|lines\s+of\s+business|entities|"
    r"subsidiaries|functions|departments|units|sites|plants|centres\s+de\s+profit|entites|"
    r"filiales|fonctions|directions|departements|usines|metiers|bu|agences|branches|offices|"
    r"bureaux|stores|magasins|plateformes)\b"
)
_CROSS = re.compile(
    r"\b(?:cross[- ]functional|cross[- ]divisional|transverse\w*|transversal\w*|"
    r"pluridisciplinaire\w*|multi-?disciplinary|multi-?functional|matrix|matriciel\w*|"
    r"across\s+(?:the\s+)?(?:business|functions|units|divisions|departments|organi[sz]ation)|"
    r"(?:several|multiple|plusieurs)\s+(?:functions|units|divisions|fonctions|entites|metiers)|"
    r"without\s+(?:formal\s+|direct\s+|hierarchical\s+|line\s+)?(?:authority|reporting)|"
    r"sans\s+(?:autorite|lien)\s+hierarchique|virtual|virtuelle|non[- ]reporting|dotted[- ]line)"
)
_VIRTUAL = re.compile(
    r"\b(?:virtual|virtuelle|without\s+(?:formal\s+|direct\s+|hierarchical\s+|line\s+)?"
    r"(?:authority|reporting)|sans\s+(?:autorite|lien)\s+hierarchique|non[- ]reporting|"
    r"dotted[- ]line)\b"
)

_NUM_RX = r"\d{1,3}(?:[ ,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_SCALE_RX = (
    r"k|mn|mm|m|bn|b|md|mds|mrd|million|millions|billion|billions|milliard|milliards|thousand"
)
_CUR_PRE = r"€|\$|£|\beur\b|\busd\b|\bgbp\b|\bchf\b|\bus\$"
_CUR_POST = (r"€|\$|£|\beur\b|\beuros?\b|\busd\b|\bdollars?\b|\bgbp\b|\bchf\b|d'euros|"
             r"de dollars|d'eur\b")
_MONEY = (
    re.compile(rf"(?:{_CUR_PRE})\s?({_NUM_RX})\s?({_SCALE_RX})?(?![a-z])"),
    re.compile(rf"\b({_NUM_RX})\s?({_SCALE_RX})?\s?(?:de\s+)?(?:{_CUR_POST})"),
    re.compile(rf"\b({_NUM_RX})\s?(keur|meur|k€|m€|md€)"),
)
_SCALES = {
    "k": 1e3, "thousand": 1e3, "keur": 1e3, "k€": 1e3, "m": 1e6, "mn": 1e6, "mm": 1e6,
    "million": 1e6, "millions": 1e6, "meur": 1e6, "m€": 1e6, "bn": 1e9, "b": 1e9,
    "billion": 1e9, "billions": 1e9, "md": 1e9, "mds": 1e9, "mrd": 1e9, "milliard": 1e9,
    "milliards": 1e9, "md€": 1e9,
}
_PCT = re.compile(r"(\d{1,4}(?:[.,]\d+)?)\s?(?:%|percent|pour\s?cent)")
_ATTAIN = re.compile(
    r"(\d{2,4}(?:[.,]\d+)?)\s?(?:%|percent)\s+(?:of|de\s+l'|des|du|de\s+mon|de\s+mes|of\s+my|"
    r"vs\.?|versus|against|par rapport (?:a|aux))?\s*(?:[a-z'-]+\s+){0,2}?(?:quota|target|targets|"
    r"plan|objectifs?|budget|goal|goals)"
)
_TIMES_QUOTA = re.compile(
    r"\b(?:x\s?(\d(?:[.,]\d)?)\s+(?:the\s+|du\s+|de\s+l'|le\s+)?(?:quota|target|objectif)|"
    r"(\d(?:[.,]\d)?)\s?x\s+(?:the\s+|du\s+|de\s+l'|le\s+)?(?:quota|target|objectif))"
)
_EXCEEDED = re.compile(
    r"\b(?:exceed\w*|surpass\w*|beat|beating|over-?achiev\w*|outperform\w*|overachiev\w*|"
    r"depass\w*|surperform\w*)\b"
)
_OVER_BY = re.compile(r"(?:\bby\b|\bde\b|\+)\s?(\d{1,3}(?:[.,]\d+)?)\s?(?:%|percent)")
_GROWTH_PCT = re.compile(
    r"\b(?:grew|grow\w*|increas\w*|growth|expan\w*|boost\w*|rais\w*|croissance|hausse|augment\w*|"
    r"progression|progress\w*|developpe\w*|up)\b[^.\n]{0,50}?(\d{1,4}(?:[.,]\d+)?)\s?(?:%|percent)"
    r"|\+\s?(\d{1,4}(?:[.,]\d+)?)\s?%"
)
_MULTIPLIED = re.compile(
    r"\b(doubled|doubling|tripled|tripling|quadrupled|double\w*|triple\w*|multipli\w* par (\d+)|"
    r"x(\d+)|(\d+)x)\b"
)
_REPEAT = (
    re.compile(
        r"\b(" + _NUMW + r")\s+(?:consecutive\s+|straight\s+|successive\s+)?(?:years?|annees?|"
        r"ans|quarters|trimestres|exercices|fiscal\s+years)\s+(?:running|in\s+a\s+row|"
        r"consecutive\w*|straight|de\s+suite|d'affilee|successi\w*|consecuti\w*)"
    ),
    re.compile(
        r"\b(" + _NUMW + r")\s+(?:consecutive|straight|successive|consecutifs|consecutives)\s+"
        r"(?:years|quarters|annees|exercices|trimestres)"
    ),
    re.compile(r"\b(" + _NUMW + r")\s*(?:x|times|fois)\b(?!\s*(?:quota|target|objectif))"),
)
_REPEAT_WORDS = re.compile(
    r"\b(?:every\s+(?:year|quarter|fiscal\s+year)|each\s+(?:year|quarter)|year\s+after\s+year|"
    r"year[- ]on[- ]year|consistently|chaque\s+(?:annee|trimestre|exercice)|tous\s+les\s+ans|"
    r"annee\s+apres\s+annee|systematiquement|regulierement|constamment|repeatedly)\b"
)
_YEAR_LIST = re.compile(r"\b(?:19|20)\d\d(?:\s*(?:,|and|et|&|/)\s*(?:19|20)\d\d)+")
_YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*(?:-|to|a|au)\s*((?:19|20)\d\d)\b")
_MULTI_YEAR = re.compile(
    r"\b(?:multi-?years?|multiyear|pluriannu\w*|pluri-?annu\w*|(?:\d|two|three|four|five|six|"
    r"seven|ten)[- ]years?\s+(?:contract|agreement|deal|framework|partnership|plan|frame)|"
    r"(?:sur|de)\s+(?:\d|deux|trois|quatre|cinq|six|sept|dix)\s+ans|"
    r"(?:\d|two|three|four|five)[- ]year)\b"
)
_EXEC = re.compile(
    r"\b(?:c-level|c-suite|ceos?|cfos?|coos?|cios?|ctos?|cpos?|cmos?|cdos?|chros?|cxos?|"
    r"board\s+of\s+directors|(?<!on\s)(?<!dash)board(?!\s+with)|executive\s+(?:committees?|boards?|"
    r"teams?|leadership|level|sponsors?)|comex|codir|pdg|dg|daf|dsi|drh|directeurs?\s+generaux|"
    r"directeur\s+general|direction\s+generale|comites?\s+(?:executifs?|de\s+direction)|"
    r"managing\s+directors?|general\s+managers?|top\s+management|vice[- ]presidents?|svps?|"
    r"evps?|vps?|chief\s+[a-z]+\s+officers?|presidents?(?!'s\s+club)|dirigeants?|(?<!account\s)(?<!sales\s)"
    r"executives)\b"
)
_SENIOR = re.compile(
    r"\b(?:directors?|heads?\s+of|senior\s+(?:management|managers?|leadership|executives?|"
    r"stakeholders?|buyers?)|decision[- ]makers?|directeurs?|cadres\s+dirigeants|"
    r"responsables?\s+(?:achats|des\s+achats)|management\s+team|leadership\s+team|"
    r"directions?\s+(?:metier|achats|financiere|generale|des\s+achats))\b"
)
_LARGEST = re.compile(
    r"\b(?:largest|biggest|plus\s+gros\w*|plus\s+grand\w*|plus\s+importante?s?|record|"
    r"first[- ]ever|historic\w*|historique)\b"
)
_OUTCOME = re.compile(
    r"\b(?:led\s+to|leading\s+to|result(?:ed|ing)?\s+in|which\s+led|so\s+that|enabl\w+|"
    r"launch\w*|chang\w+|approv\w+|adopt\w+|secur\w+|won|abouti\w*|conduit\s+a|debouch\w*|"
    r"permis\w*|valid\w*|lance\w*|modifi\w*|revis\w*|obtenu\w*|generat\w+|funded|finance\w*|"
    r"signed|signe\w*)\b"
)
_SUPPORTED = re.compile(
    r"\b(?:with\s+(?:the\s+)?(?:support|help|guidance|coaching)\s+of|supported\s+by|"
    r"alongside\s+(?:my|a)\s+(?:manager|senior)|avec\s+l'(?:appui|aide)|"
    r"accompagne\w*\s+(?:par|de)|en\s+binome|sous\s+la\s+supervision|under\s+the\s+supervision|"
    r"under\s+(?:the\s+)?guidance)\b"
)
_COUNT = re.compile(
    r"\b(" + _NUMW + r")\s+(?:[a-z-]+\s+)?"
    r"(?:accounts|comptes|clients|customers|deals|contracts|contrats|projects|projets|"
    r"initiatives|logos|programmes|programs)\b"
)
_CUSTOMER = re.compile(r"\b(?:customers?|clients?|accounts?|comptes?|buyers?|acheteurs?)\b")


def _float(token: str) -> float:
    token = token.strip()
    if re.fullmatch(r"\d{1,3}(?:[ ,.]\d{3})+(?:[.,]\d+)?", token):
        separators = re.findall(r"[ ,.]", token)
        if len(set(separators)) > 1:
            decimal = separators[-1]
            whole, _, frac = token.rpartition(decimal)
            return float(re.sub(r"[ ,.]", "", whole) + "." + frac)
        return float(re.sub(r"[ ,.]", "", token))
    return float(token.replace(",", "."))


def money(text: str) -> float | None:
    """Return the largest money amount in a folded sentence (currency units), if any."""
    best: float | None = None
    for rx in _MONEY:
        for m in rx.finditer(text):
            raw, scale = m.group(1), (m.group(2) or "").strip()
            try:
                value = _float(raw)
            except ValueError:
                continue
            if scale and re.fullmatch(r"\d+[.,]\d{3}", raw):
                value = float(raw.replace(",", "."))  # "€1,250m": a decimal, not thousands
            value *= _SCALES.get(scale, 1.0)
            if best is None or value > best:
                best = value
    return best


def _max_num(rx: re.Pattern[str], text: str, group: int = 1) -> int | None:
    found = [_num(m.group(group)) for m in rx.finditer(text)]
    found = [n for n in found if n > 0]
    return max(found) if found else None


def _repeat(text: str, exceeded: bool) -> int:
    best = 0
    for rx in _REPEAT:
        value = _max_num(rx, text)
        if value and value < 50:
            best = max(best, value)
    if _REPEAT_WORDS.search(text):
        best = max(best, 2)
    for m in _YEAR_LIST.finditer(text):
        best = max(best, len(re.findall(r"(?:19|20)\d\d", m.group(0))))
    if exceeded:
        for m in _YEAR_RANGE.finditer(text):
            span = int(m.group(2)) - int(m.group(1)) + 1
            if 2 <= span <= 15:
                best = max(best, span)
    return best


def _attainment(text: str, exceeded: bool) -> float | None:
    best: float | None = None
    for m in _ATTAIN.finditer(text):
        value = float(m.group(1).replace(",", "."))
        if 30 <= value <= 1000:
            best = max(best or 0.0, value)
    for m in _TIMES_QUOTA.finditer(text):
        raw = m.group(1) or m.group(2)
        best = max(best or 0.0, float(raw.replace(",", ".")) * 100)
    if exceeded:
        for m in _OVER_BY.finditer(text):
            value = float(m.group(1).replace(",", "."))
            if value <= 500:
                best = max(best or 0.0, 100.0 + value)
        if best is None:
            # "Exceeded target in 2022 (115%)": a bare share above 100 is the attainment.
            shares = [float(m.group(1).replace(",", ".")) for m in _PCT.finditer(text)]
            above = [v for v in shares if 100 < v <= 400]
            best = max(above) if above else None
    return best


def _growth(text: str) -> float | None:
    best: float | None = None
    for m in _GROWTH_PCT.finditer(text):
        raw = m.group(1) or m.group(2)
        value = float(raw.replace(",", "."))
        if value <= 5000:
            best = max(best or 0.0, value)
    for m in _MULTIPLIED.finditer(text):
        word = m.group(1)
        factor = next((int(g) for g in m.groups()[1:] if g), 0)
        if word.startswith("doubl"):
            factor = 2
        elif word.startswith("tripl"):
            factor = 3
        elif word.startswith("quadrupl"):
            factor = 4
        if 2 <= factor <= 20:
            best = max(best or 0.0, (factor - 1) * 100.0)
    return best


_HAS_NUMBER = re.compile(r"\d|\b(?:" + "|".join(NUMBER_WORDS) + r")\b")


class Facts:
    """What one sentence says about size, scope, money, repetition and seniority.

    Each fact is read on first use only: a level rule looks at a few of them, and a
    sentence without any figure skips every numeric pattern.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def has_number(self) -> bool:
        """Tell whether the sentence holds a digit or a number word."""
        return bool(_HAS_NUMBER.search(self.text))

    @cached_property
    def team_size(self) -> int | None:
        """Return the largest team size stated, if any."""
        if not self.has_number:
            return None
        sizes = [n for rx in _TEAM for n in [_max_num(rx, self.text)] if n]
        return max(sizes) if sizes else None

    @cached_property
    def countries(self) -> int:
        """Return the number of countries covered (a continent counts five)."""
        if not self.has_number:
            return 0
        found = 0
        for m in _COUNTRIES.finditer(self.text):
            n = _num(m.group(1))
            found = max(found, n * 5 if m.group(2) == "continents" else n)
        return found

    @cached_property
    def global_scope(self) -> bool:
        """Tell whether the sentence speaks of a global or international scope."""
        return bool(_GLOBAL.search(self.text))

    @cached_property
    def units(self) -> int:
        """Return the number of business units, divisions or sites stated."""
        return (_max_num(_UNITS, self.text) or 0) if self.has_number else 0

    @cached_property
    def cross_functional(self) -> bool:
        """Tell whether the work spans functions or units, or runs without authority."""
        return bool(_CROSS.search(self.text))

    @cached_property
    def virtual(self) -> bool:
        """Tell whether the team is virtual or led without hierarchical authority."""
        return bool(_VIRTUAL.search(self.text))

    @cached_property
    def amount(self) -> float | None:
        """Return the largest money amount, if any."""
        return money(self.text) if self.has_number else None

    @cached_property
    def exceeded(self) -> bool:
        """Tell whether a target was exceeded."""
        return bool(_EXCEEDED.search(self.text))

    @cached_property
    def attainment(self) -> float | None:
        """Return the target attainment in percent, if stated."""
        return _attainment(self.text, self.exceeded) if self.has_number else None

    @cached_property
    def growth(self) -> float | None:
        """Return the growth in percent, if stated."""
        return _growth(self.text)

    @cached_property
    def repeat(self) -> int:
        """Return how many periods in a row a result was repeated (2 for "every year")."""
        return _repeat(self.text, self.exceeded)

    @cached_property
    def multi_year(self) -> bool:
        """Tell whether a multi-year contract, plan or horizon is mentioned."""
        return bool(_MULTI_YEAR.search(self.text))

    @cached_property
    def executive(self) -> bool:
        """Tell whether customer or company executives are involved."""
        return bool(_EXEC.search(self.text))

    @cached_property
    def senior(self) -> bool:
        """Tell whether senior managers or decision makers are involved."""
        return bool(_SENIOR.search(self.text))

    @cached_property
    def largest(self) -> bool:
        """Tell whether a record or the largest deal is claimed."""
        return bool(_LARGEST.search(self.text))

    @cached_property
    def outcome(self) -> bool:
        """Tell whether the sentence states an outcome (launched, approved, changed...)."""
        return bool(_OUTCOME.search(self.text))

    @cached_property
    def supported(self) -> bool:
        """Tell whether the result came with a manager's or a senior's support."""
        return bool(_SUPPORTED.search(self.text))

    @cached_property
    def count(self) -> int:
        """Return the number of accounts, deals or projects stated."""
        return (_max_num(_COUNT, self.text) or 0) if self.has_number else 0

    @cached_property
    def customer(self) -> bool:
        """Tell whether the sentence is about customers or accounts."""
        return bool(_CUSTOMER.search(self.text))

    @property
    def quantified(self) -> bool:
        """Tell whether the sentence gives a figure."""
        return bool(
            self.team_size or self.countries >= 2 or self.amount or self.attainment
            or self.growth or self.repeat >= 2 or self.units >= 2 or self.count >= 2
        )

    @property
    def strong(self) -> bool:
        """Tell whether the sentence is strong evidence: a figure, or an outcome at
        executive level (approved by, launched with, changed by executives)."""
        return self.quantified or (self.executive and self.outcome)


def read_facts(text: str) -> Facts:
    """Read the facts of one folded sentence (lazily)."""
    return Facts(text)
