"""Level rules: which sentence supports which level of which trait, without a model.

A rule is a French-and-English pattern for a kind of behaviour named by the rubric's
indicators, and a function that reads the sentence's facts
(:mod:`kambot.assistant.assessment.facts`) to decide the level it supports. Levels follow
the rubric's anchors; the main thresholds are:

Leader
  - leads a team: size < 3 or unstated -> 2 (3 when cross-functional); 3-9 -> 3;
    10-49 -> 3, or 4 across countries, units, functions or without authority; >= 50 -> 4,
    or 5 across 10+ countries or global with several units;
  - virtual team / without hierarchical authority -> 4 with 10+ people or several
    countries or units, else 3; recurring team rhythm, delegation, matrix, chairing
    account-team meetings -> 3 (other project meetings -> 2); bid-team coordination -> 2;
  - resources obtained from other managers, team members promoted -> 4;
  - coached other KAMs or account teams, designed the account-team operating model -> 5;
    other mentoring -> 3.
Challenger
  - alternatives, variants, counter-proposals -> 2; insight brought to a customer,
    business case written, discount pushed back, customer or assumptions challenged,
    customer convinced -> 3; any of those with an executive audience or a stated outcome
    -> 4; need, scope or tender redefined; internal policy changed -> 4;
  - invited to customer strategy workshops or executive committees; insight method
    adopted across the sales force -> 5.
Seller
  - order handling, quotations -> 1; deals with a manager's support or irregular target
    attainment -> 2;
  - deals won: unquantified -> 2 (3 when multi-year, multi-country or a framework);
    by value < 250k -> 2, < 1M -> 3, >= 1M -> 4; the company's largest deal, a new
    strategic customer or a new business model -> 5; several decision makers -> 3;
    won with a manager's support -> 2;
  - targets: met -> 2 (3 with a figure or repeatedly); exceeded -> 3; exceeded
    repeatedly -> 4, 5 when five years or more at 120 % or above; president's club or
    top performer -> 4, 5 when repeated 3+ times;
  - revenue or share-of-wallet growth: quantified >= 20 % or >= 1M -> 4, smaller -> 3,
    unquantified -> 2; pipeline or win rate -> 3 with a figure, else 2; new business
    in new buying centres or divisions -> 4, other new logos -> 2 (3 with a figure).
Planner
  - account-plan mention, milestones, roadmaps, action plans -> 2; a maintained or
    reviewed plan, QBRs, tracked action plans, forecast accuracy -> 3; multi-year plans,
    risk registers, scenario forecasts, resources planned across units, joint business
    plans -> 4; designed the planning method used by others, joint plans with the
    customer's management -> 5.
Visionary
  - market or industry trends followed, customer strategy known -> 2; market analysis
    presented, offer tied to the customer's strategy, a 3-5 year view, strategic
    partnership -> 3; strategic initiative or co-development originated, talks at
    industry events -> 4; innovation or transformation programme launched with a
    customer, company strategy or new business line shaped, partnership vision built with
    customer executives -> 5.
Influencer
  - relationships with buyers and users, a manager brought in -> 2; buying-centre or
    stakeholder mapping, champions, senior-manager contacts, buy-in secured -> 3;
    regular access to customer executives, executive sponsorship, top-to-top meetings,
    several profit centres aligned -> 4; trusted adviser to executives, agreements
    brokered between executive committees -> 5.

A sentence a rule does not cover but a rubric hint does becomes a context mention (no
level). The scoring rule that turns levels into a trait level is in
:mod:`kambot.core.traits`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from kambot.assistant.assessment.facts import Facts
from kambot.domain.assessment import Trait

LevelFn = Callable[[Facts, str], int]


@dataclass(frozen=True)
class Rule:
    """A behaviour pattern and how to read the level it supports."""

    id: str
    trait: Trait
    regex: re.Pattern[str]
    level: LevelFn
    indicators: Mapping[int, int] = field(default_factory=dict)


def _rx(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


def _const(level: int) -> LevelFn:
    return lambda _f, _u: level


def _cap(level: int) -> int:
    return max(1, min(5, level))


# --- shared vocabulary (folded text) --------------------------------------------------

LEAD_VERBS = (
    r"(?:led|lead|leads|leading|manag(?:e|ed|es|ing)|head(?:ed|ing|s)?|ran|run(?:s|ning)?|"
    r"coordinat(?:e|ed|es|ing)|supervis(?:e|ed|es|ing)|oversaw|overse(?:e|es|eing)|"
    r"direct(?:ed|ing)|steer(?:ed|ing)?|orchestrat(?:e|ed|ing)|mobili[sz](?:e|ed|ing)|built|"
    r"buil(?:d|ding)|rallied|assembled|dirig\w*|encadr\w*|anim\w*|manag\w*|pilot\w*|"
    r"coordonn\w*|supervis\w*|constitu\w*|mobilis\w*|feder\w*|conduit|conduis\w*|"
    r"responsable|direction|coordination|encadrement|pilotage|management)"
)
TEAM = r"(?:team|teams|equipe|equipes|squad|task\s+force|groupe\s+de\s+travail|organi[sz]ation)"
_OUTCOME_WORDS = re.compile(
    r"\b(?:led\s+to|leading\s+to|result(?:ed|ing)?\s+in|which\s+led|so\s+that|launch\w*|"
    r"chang\w+|adopt\w+|abouti\w*|conduit\s+a|debouch\w*|lance\w*|modifi\w*|revis\w*|"
    r"won|secured|obtenu\w*|approv\w+|valide\w*)\b"
)
_PRESENT = re.compile(
    r"\b(?:present\w*|shared|deliver\w*|brought|apport\w*|partag\w*|restitu\w*|expos\w*)\b"
)
_APPROVED = re.compile(
    r"\b(?:approv\w+|validat\w+|valide\w*|funded|financ\w*|sponsored|adopt\w+)\b"
)
_SPEAKER = re.compile(
    r"\b(?:spoke|speaker|keynote|conference|panel|panelist|webinar|published|article|"
    r"white\s?paper|intervenu\w*|intervenant\w*|conferenc\w*|table\s+ronde|salon|publie\w*|"
    r"tribune|livre\s+blanc)\b"
)
_OTHERS = re.compile(
    r"\b(?:other\s+(?:kams?|key\s+account\s+managers|account\s+(?:teams|managers)|teams|"
    r"sales\s+teams)|all\s+(?:kams?|account\s+teams|account\s+managers|sales\s+teams)|"
    r"across\s+(?:the\s+)?(?:sales\s+force|company|organi[sz]ation|group|programme|program)|"
    r"company-?wide|(?:used|adopted|rolled\s+out|deployed)\s+(?:by|across|in)|"
    r"autres\s+(?:kams?|equipes|key\s+account\s+managers|commerciaux)|toute\s+la\s+force\s+de\s+"
    r"vente|ensemble\s+des\s+(?:kams?|equipes|commerciaux)|l'ensemble\s+du\s+groupe|"
    r"(?:utilis|adopt|deploy)\w*\s+(?:par|dans)|kams?\b|key\s+account\s+managers)"
)
_KAM_AUDIENCE = re.compile(
    r"\b(?:kams?|key\s+account\s+managers|account\s+managers|account\s+teams|equipes\s+de\s+"
    r"comptes?|other\s+teams|autres\s+equipes|sales\s+managers|managers)\b"
)
_PROMOTED = re.compile(r"\b(?:promot\w+|promu\w*|promotion\w*)\b")
_MET_ONLY = re.compile(
    r"\b(?:met|achiev\w*|reach\w*|hit|deliver\w*|atteint\w*|realis\w*|attain\w*)\b"
)
_SOMETIMES = re.compile(
    r"\b(?:some\s+(?:years|quarters|periods)|in\s+(?:one|two|\d)\s+of\s+(?:the\s+)?"
    r"(?:last\s+)?(?:\w+\s+)?(?:years|quarters)|not\s+consistently|irregular\w*|partially|"
    r"certaines\s+annees|certains\s+trimestres|partiellement|irreguli\w*|parfois)\b"
)
_NEW_CENTRES = re.compile(
    r"\b(?:new\s+(?:buying\s+cent(?:re|er)s|divisions?|business\s+units|countries|"
    r"subsidiaries|departments|entities|sites)|nouveaux?\s+(?:centres?\s+d'achats?|pays|"
    r"sites|departements)|nouvelles?\s+(?:divisions?|filiales|entites|business\s+units|"
    r"directions?))\b"
)
_DECISION_MAKERS = re.compile(
    r"\b(?:(?:several|multiple|many|\d+)\s+(?:decision[- ]makers|stakeholders)|buying\s+"
    r"(?:committee|cent(?:re|er))|formal\s+(?:purchasing|procurement|buying)\s+process|"
    r"plusieurs\s+(?:decideurs|interlocuteurs)|comite\s+d'achat|processus\s+d'achat)\b"
)
_DESIGNED = re.compile(
    r"\b(?:design\w*|creat\w*|built|develop\w*|introduc\w*|defin\w*|set\s+up|implement\w*|"
    r"concu\w*|cree\w*|construi\w*|developpe\w*|mis\s+en\s+place|defini\w*|instaur\w*|"
    r"elabore\w*)\b"
)
_MAINTAINED = re.compile(
    r"\b(?:maintain\w*|own\w*|updat\w*|review\w*|revis\w*|track\w*|monitor\w*|follow\w*|"
    r"quarterly|monthly|weekly|living|wrote|written|built|develop\w*|prepar\w*|"
    r"tenu\w*|suivi\w*|revu\w*|mis\s+a\s+jour|actualis\w*|trimestriel\w*|mensuel\w*|"
    r"hebdomadaire\w*|redig\w*|construi\w*|elabor\w*|etabli\w*|pilot\w*)\b"
)
_TEMPLATE = re.compile(
    r"\b(?:template|form|filled|annual\s+review|modele|formulaire|rempli\w*|revue\s+annuelle|"
    r"when\s+(?:asked|required)|a\s+la\s+demande)\b"
)
_ACCURACY = re.compile(
    r"\b(?:accura\w*|precision|fiabilite|exactitude|within\s+[+-]?\d|a\s+[+-]?\d+\s?%\s+pres|"
    r"ecart\s+de\s+moins)\b"
)
_LONG_RANGE = re.compile(
    r"\b(?:long[- ]range|long[- ]term|multi-?year|3-year|three-year|5-year|five-year|"
    r"long\s+terme|pluriannu\w*|a\s+(?:3|5|trois|cinq)\s+ans)\b"
)
_ACROSS_UNITS = re.compile(
    r"\b(?:profit\s+cent(?:re|er)s|business\s+units|divisions|centres\s+de\s+profit|"
    r"plusieurs\s+(?:bu|entites|unites|metiers)|several\s+units|across\s+units|entites)\b"
)
_WITH_CUSTOMER = re.compile(
    r"\b(?:with\s+(?:[a-z0-9-]+\s+){0,3}?(?:customer|client|account)s?|avec\s+(?:le\s+|"
    r"les\s+|un\s+|nos\s+)?(?:client|compte)s?|chez\s+(?:le\s+)?client|joint\w*|conjoint\w*|"
    r"commun\w*)\b"
)
_LINKED = re.compile(
    r"\b(?:align\w*|tied|linked|map\w*|based\s+on|in\s+line\s+with|aligne\w*|li[eé]\w*|"
    r"en\s+lien|propos\w*|offer\w*|offre\w*|opportunit\w*|translated|tradui\w*)\b"
)
_TRUSTED = re.compile(
    r"\b(?:trusted\s+advis[eo]r|conseill\w*\s+de\s+confiance|(?:sought|seek|seeks|asked)\s+"
    r"(?:for\s+)?(?:my|his|her|their|\[pronoun\])\s+(?:advice|counsel|view)|sollicit\w*\s+"
    r"(?:pour\s+)?(?:mon|son|leur|ses|mes)\s+(?:avis|conseils?))\b"
)
_RELATION = re.compile(
    r"\b(?:met|meet\w*|relationship\w*|relations?|access|trust\w*|regular\w*|engag\w*|"
    r"rapport|partner\w*|rencontr\w*|echang\w*|acces|interlocut\w*|confiance|dialogue|"
    r"accompagn\w*|entretenu\w*|entretien\w*|developpe\w*|built|nurtur\w*|cultivat\w*|"
    r"developed|contacts?|mensuel\w*|trimestriel\w*|"
    r"hebdo\w*|monthly|quarterly|weekly|invit\w*|organi[sz]\w*)\b"
)


# --- level functions ------------------------------------------------------------------


def _team_level(f: Facts, u: str) -> int:
    n = f.team_size
    wide = f.countries >= 2 or f.units >= 2 or f.virtual or f.cross_functional
    if n is None or n < 3:
        return 3 if f.cross_functional or f.virtual else 2
    if n < 10:
        return 3
    if n < 50:
        return 4 if wide else 3
    if f.countries >= 10 or (f.global_scope and (f.units >= 2 or f.countries >= 5)):
        return 5
    return 4


def _virtual_level(f: Facts, u: str) -> int:
    if (f.team_size or 0) >= 10 or f.countries >= 2 or f.units >= 2:
        return 5 if (f.team_size or 0) >= 50 and f.countries >= 10 else 4
    return 3


def _mentor_level(f: Facts, u: str) -> int:
    if re.search(r"\bcoach(?:ed|ing)?\s+by\b|\bmentored\s+by\b|accompagne\w*\s+par", u):
        return 2
    if _KAM_AUDIENCE.search(u):
        return 5
    if _PROMOTED.search(u):
        return 4
    return 3


def _operating_model_level(f: Facts, u: str) -> int:
    if re.search(r"operating\s+model|mode\s+de\s+fonctionnement|kam\s+(?:programme|program|"
                 r"organi[sz]ation)|playbook", u) or f.countries >= 10 or f.global_scope:
        return 5
    return 4


def _executive_or_outcome(base: int) -> LevelFn:
    def level(f: Facts, u: str) -> int:
        return _cap(base + 1) if (f.executive or _OUTCOME_WORDS.search(u)) else base
    return level


def _insight_level(f: Facts, u: str) -> int:
    if not (_PRESENT.search(u) or f.customer):
        return 2
    # "which led the customer to launch a project": the insight changed a decision.
    return 4 if (f.customer or f.executive) and _OUTCOME_WORDS.search(u) else 3


def _meeting_level(f: Facts, u: str) -> int:
    return 3 if re.search(r"\b(?:team|account|equipe|compte|cross[- ]functional|"
                          r"transverse)\b", u) else 2


def _business_case_level(f: Facts, u: str) -> int:
    if re.search(r"\b(?:wrote|written|built|develop\w*|present\w*|prepar\w*|redig\w*|"
                 r"redaction|construi\w*|construction|elabor\w*|presente\w*|chiffr\w*)\b", u):
        return 4 if f.executive and _OUTCOME_WORDS.search(u) else 3
    return 2


def _challenge_level(f: Facts, u: str) -> int:
    internal = re.search(r"\b(?:internal\w*|polic\w+|pricing\s+rules?|our\s+(?:own\s+)?"
                         r"(?:organi[sz]ation|company|management|headquarters)|regle\w*\s+"
                         r"(?:interne|tarifaire)|politique\s+(?:tarifaire|interne)|notre\s+"
                         r"(?:organisation|entreprise|direction)|en\s+interne|siege)\b", u)
    if internal and _OUTCOME_WORDS.search(u):
        return 4
    return 4 if f.executive and _OUTCOME_WORDS.search(u) else 3


def _tender_level(f: Facts, u: str) -> int:
    return 4


def _deal_level(f: Facts, u: str) -> int:
    if f.supported:
        return 2
    if (f.largest and re.search(r"\b(?:company|group|history|firm|entreprise|groupe|societe|"
                                r"histoire|ever|jamais)\b", u)) or re.search(
            r"\bnew\s+strategic\s+(?:customer|client|account)|\bnouveau\s+client\s+strategique", u):
        return 5
    level = 2
    if f.amount is not None:
        level = 2 if f.amount < 250e3 else 3 if f.amount < 1e6 else 4
    elif f.multi_year or f.countries >= 2 or re.search(r"framework|accord-?cadre|contrat-?cadre|"
                                                        r"global\s+agreement", u):
        level = 3
    if _DECISION_MAKERS.search(u):
        level = max(level, 3)
    if (f.count or 0) >= 5 and level < 3:
        level = 3
    return level


def _target_level(f: Facts, u: str) -> int:
    if _SOMETIMES.search(u):
        return 2
    exceeded = f.exceeded or (f.attainment is not None and f.attainment > 100)
    if exceeded:
        if f.repeat >= 2:
            return 5 if f.repeat >= 5 and (f.attainment or 0) >= 120 else 4
        return 3
    if f.attainment is not None and f.attainment < 90:
        return 2
    if _MET_ONLY.search(u) or f.attainment is not None:
        if f.repeat >= 2:
            return 3
        return 3 if f.attainment is not None else 2
    return 2


def _top_performer_level(f: Facts, u: str) -> int:
    return 5 if f.repeat >= 3 else 4


def _growth_level(f: Facts, u: str) -> int:
    if (f.growth or 0) >= 20 or (f.amount or 0) >= 1e6:
        return 4
    if f.growth or f.amount:
        return 3
    return 2


def _pipeline_level(f: Facts, u: str) -> int:
    if f.amount or f.attainment or re.search(r"\d\s?%", u):
        return 3
    return 2


def _new_business_level(f: Facts, u: str) -> int:
    if _NEW_CENTRES.search(u):
        return 4
    if (f.count or 0) >= 5 or (f.amount or 0) >= 1e6:
        return 3
    return 2


def _new_model_level(f: Facts, u: str) -> int:
    if re.search(r"\b(?:design\w*|creat\w*|sign\w*|clos\w*|negotiat\w*|launch\w*|concu\w*|"
                 r"cree\w*|sign\w*|negoci\w*|lance\w*|mis\s+en\s+place|built)\b", u):
        return 5
    return 3


def _account_plan_level(f: Facts, u: str) -> int:
    if _DESIGNED.search(u) and re.search(
        r"\b(?:template|method\w*|process|framework|standard|modele|methode|processus|"
        r"canevas|outil|tool)\b", u
    ) and _OTHERS.search(u):
        return 5
    if f.multi_year or re.search(r"\b(?:3|three|5|five|trois|cinq)[- ](?:year|ans)\b", u):
        return 4
    if (f.count or 0) >= 3 and _MAINTAINED.search(u):
        return 3
    if _TEMPLATE.search(u):
        return 2
    if _MAINTAINED.search(u):
        return 3
    return 2


def _forecast_level(f: Facts, u: str) -> int:
    if re.search(r"scenario", u):
        return 4
    if _ACCURACY.search(u):
        if _LONG_RANGE.search(u) and f.repeat >= 2:
            return 5
        return 4 if _LONG_RANGE.search(u) else 3
    return 2


def _resources_level(f: Facts, u: str) -> int:
    return 4 if (f.units >= 2 or _ACROSS_UNITS.search(u)) else 3


def _milestones_level(f: Facts, u: str) -> int:
    return 3 if _MAINTAINED.search(u) else 2


def _joint_plan_level(f: Facts, u: str) -> int:
    return 5 if f.executive or re.search(r"management|direction|leadership", u) else 4


def _process_design_level(f: Facts, u: str) -> int:
    return 5 if _OTHERS.search(u) else 4


def _trend_level(f: Facts, u: str) -> int:
    if _SPEAKER.search(u):
        return 4
    if _PRESENT.search(u):
        return 3
    return 2


def _customer_strategy_level(f: Facts, u: str) -> int:
    return 3 if _LINKED.search(u) else 2


def _market_analysis_level(f: Facts, u: str) -> int:
    if _SPEAKER.search(u):
        return 4
    return 3 if _PRESENT.search(u) or _DESIGNED.search(u) else 2


def _initiative_level(f: Facts, u: str) -> int:
    if re.search(r"\b(?:transformation|innovation)\s+(?:programme|program|roadmap|plan)\b", u) \
            and _WITH_CUSTOMER.search(u):
        return 5
    return 4


def _codev_level(f: Facts, u: str) -> int:
    if f.executive and re.search(r"vision|strateg", u):
        return 5
    return 4 if _DESIGNED.search(u) or _OUTCOME_WORDS.search(u) or _APPROVED.search(u) else 3


def _transformation_level(f: Facts, u: str) -> int:
    return 5 if _WITH_CUSTOMER.search(u) else 4


def _partnership_level(f: Facts, u: str) -> int:
    if f.executive and re.search(r"\bvision\b|strateg|long[- ]term|long\s+terme|pluriannu|"
                                 r"multi-?year", u):
        return 5
    return 3


def _exec_level(f: Facts, u: str) -> int:
    if _TRUSTED.search(u):
        return 5
    if _RELATION.search(u):
        return 4
    return 3


def _senior_level(f: Facts, u: str) -> int:
    if f.executive:
        return _exec_level(f, u)
    return 3 if _RELATION.search(u) else 2


def _buyin_level(f: Facts, u: str) -> int:
    if f.units >= 2 or _ACROSS_UNITS.search(u) or f.executive:
        return 4
    return 3


def _trusted_level(f: Facts, u: str) -> int:
    return 5 if f.executive or f.senior else 4


def _broker_level(f: Facts, u: str) -> int:
    return 5 if f.executive else 3


# --- the rules ------------------------------------------------------------------------

L, C, S, P, V, INF = (Trait.LEADER, Trait.CHALLENGER, Trait.SELLER, Trait.PLANNER,
                      Trait.VISIONARY, Trait.INFLUENCER)

RULES: tuple[Rule, ...] = (
    # Leader
    Rule("leader.team", L, _rx(
        rf"\b{LEAD_VERBS}\b[^.\n]{{0,60}}?\b{TEAM}\b",
        r"\bteam\s+lead(?:er)?\b|\bchef\s+d'equipe\b|\bresponsable\s+d'equipe\b|"
        r"\bmanager\s+d'equipe\b|\bteam\s+manager\b",
        r"\b(?:led|managed|coordinated|directed|supervised|encadre\w*|dirige\w*|manage\w*|"
        r"anime\w*|pilote\w*)\s+(?:a\s+|une\s+|des\s+)?(?:group\s+of\s+)?(?:\d+|[a-z]+)\s+"
        r"(?:direct\s+reports|people|persons|sellers|account\s+managers|kams|engineers|"
        r"consultants|sales\s+reps|collaborateurs|personnes|commerciaux|ingenieurs|vendeurs|"
        r"relationship\s+managers)\b",
    ), _team_level, {2: 0, 3: 0, 4: 0, 5: 0}),
    Rule("leader.virtual", L, _rx(
        r"\bvirtual\s+(?:account\s+)?teams?\b|\bequipes?\s+virtuelles?\b",
        r"\bwithout\s+(?:formal\s+|direct\s+|hierarchical\s+|line\s+)?(?:authority|reporting)",
        r"\bsans\s+(?:autorite|lien)\s+hierarchique",
        r"\bnon[- ]reporting\b|\bdotted[- ]line\b",
    ), _virtual_level, {4: 0, 5: 0}),
    Rule("leader.cross_functional", L, _rx(
        rf"\b{LEAD_VERBS}\b[^.\n]{{0,50}}?\b(?:cross[- ]functional|transverse\w*|"
        r"transversal\w*|pluridisciplinaire\w*|multi-?disciplinary|multi-?functional)\b",
        r"\b(?:account|bid|pursuit|tender|deal)\s+teams?\b[^.\n]{0,40}\b(?:led|lead|ran|"
        r"coordinated|orchestrated)\b",
    ), _const(3), {3: 0}),
    Rule("leader.bid_team", L, _rx(
        r"\b(?:coordinat\w*|assembl\w*|coordonn\w*|mobilis\w*)\s+(?:the\s+|a\s+|l'|la\s+|"
        r"les\s+)?(?:bid|tender|proposal|pre-?sales|presales|avant-?vente|reponse|offre)\w*",
        r"\b(?:coordination|animation|pilotage)\s+(?:de\s+|des\s+|d')?(?:l'|la\s+|les\s+)?"
        r"(?:equipes?\s+)?(?:d'offre|avant-?vente|reponses?\s+(?:aux|a\s+des)\s+appels)",
    ), _const(2), {2: 0}),
    Rule("leader.rhythm", L, _rx(
        r"\b(?:weekly|monthly|bi-?weekly|fortnightly|regular)\s+(?:account[- ])?team\s+"
        r"(?:meetings?|calls?|reviews?|stand-?ups?)",
        r"\breunions?\s+(?:d'equipe|de\s+l'equipe\s+de\s+compte)\s+(?:hebdomadaires?|"
        r"mensuelles?|regulieres?)",
        r"\b(?:shared\s+)?action\s+(?:tracker|log)\b|\bsuivi\s+(?:partage\s+)?des\s+actions\b",
    ), _const(3), {3: 1}),
    Rule("leader.delegation", L, _rx(
        r"\bdelegat(?:ed|ing|es|e)\b|\bdelegation\s+of\b",
        r"\bdelegation\s+(?:des?|d')\s*(?:taches|missions|responsabilites|dossiers|activites)",
        r"\bdelegu(?:er|ant|ais|ait|e)\s+(?:des|les|la|le|aux?)\s+(?:taches|missions|"
        r"responsabilites|dossiers|activites)",
    ), _const(3), {}),
    Rule("leader.meetings", L, _rx(
        r"\b(?:ran|run|runs|chaired|chair|facilitated|facilitate|led|hosted|organi[sz]ed|anime\w*|"
        r"animation|preside\w*)\s+(?:the\s+|a\s+|our\s+|les\s+|la\s+|des\s+|de\s+la\s+)?"
        r"(?:weekly|monthly|bi-?weekly|fortnightly|regular|daily|hebdomadaires?|mensuel\w*|"
        r"reguli\w*)?\s*(?:project|steering|account|team|deal|review|projet|pilotage|compte|"
        r"equipe)\s+(?:meetings?|calls?|committees?)",
        r"\b(?:anim\w*|presid\w*|organis\w*)\s+(?:les\s+|la\s+|des\s+)?(?:reunions?|comites?|"
        r"points?)\s+(?:hebdomadaires?\s+|mensuel\w*\s+)?(?:de\s+|d')(?:projet|pilotage|"
        r"suivi|l'equipe|compte)",
    ), _meeting_level, {2: 0, 3: 1}),
    Rule("leader.matrix", L, _rx(
        r"\bmatrix\s+(?:organi[sz]ation|management|environment|team)",
        r"\borganisation\s+matricielle\b|\bmanagement\s+(?:transverse|transversal|fonctionnel)",
    ), _const(3), {}),
    Rule("leader.resources", L, _rx(
        r"\b(?:secured|obtained|borrowed|negotiated|mobili[sz]ed|obtenu|negocie|mobilise)\s+"
        r"[^.\n]{0,40}\b(?:resources|people|experts|staff|fte|ressources|etp|specialists)\s+"
        r"(?:from|aupres|d'autres|des|de\s+plusieurs|across)",
    ), _const(4), {4: 1}),
    Rule("leader.promoted", L, _rx(
        r"\b(?:\d+|two|three|four|five|several|deux|trois|quatre|cinq|plusieurs)\s+(?:of\s+"
        r"(?:my|the)\s+)?(?:team\s+members|members|people|direct\s+reports|reports|"
        r"collaborateurs|membres|personnes)\s+[^.\n]{0,40}\b(?:promot\w+|promu\w*)",
        r"\b(?:promoted|developed)\s+(?:\d+|two|three|several)\s+(?:team\s+members|people|"
        r"members|reports)",
    ), _const(4), {4: 2}),
    Rule("leader.mentoring", L, _rx(
        r"\b(?:mentor\w*|coach(?:ed|ing|es)?|tutor\w*|tutorat|parrain\w*)\b",
        r"\b(?:trained|onboarded|formed|forme|developed|fait\s+progresser)\s+(?:\d+\s+|new\s+|"
        r"junior\s+|les\s+|des\s+|several\s+)?(?:kams?|account\s+managers|sellers|juniors?|"
        r"team\s+members|commerciaux|collaborateurs)",
    ), _mentor_level, {5: 2, 4: 2}),
    Rule("leader.operating_model", L, _rx(
        r"\b(?:designed|built|created|set\s+up|defined|established|launched|concu|construit|"
        r"cree|mis\s+en\s+place|defini|lance)\s+[^.\n]{0,50}\b(?:operating\s+model|"
        r"account[- ]team\s+(?:structure|organi[sz]ation|model)|global\s+account\s+"
        r"(?:organi[sz]ation|structure|teams?|programme|program)|kam\s+(?:organi[sz]ation|"
        r"programme|program)|mode\s+de\s+fonctionnement|organisation\s+(?:mondiale|des\s+"
        r"comptes|grands\s+comptes)|equipes?\s+de\s+comptes?)",
    ), _operating_model_level, {5: 1, 4: 0}),
    # Challenger
    Rule("challenger.alternative", C, _rx(
        r"\balternative\s+(?:approach|solution|proposal|offer|option|design)s?",
        r"\bcounter-?propos\w*|\bcontre-?propos\w*|\bvariantes?\b",
        r"\b(?:nouvelle|autre)\s+approche\b|\bapproche\s+alternative\b",
        r"\bproposed\s+(?:an?\s+)?(?:options?|variants?|alternatives?)\b",
    ), _const(2), {2: 0}),
    Rule("challenger.insight", C, _rx(r"\binsights?\b", r"\beclairages?\b"),
         _insight_level, {3: 0, 4: 0}),
    Rule("challenger.analysis", C, _rx(
        r"\b(?:analy[sz]\w*|audit\w*|stud(?:y|ied)|benchmark\w*|diagnos\w*|etude|modell?ed)\s+"
        r"(?:of\s+|de\s+|du\s+|des\s+)?(?:the\s+|their\s+|its\s+|la\s+|le\s+|les\s+)?"
        r"(?:customer'?s?\s+|client'?s?\s+)?[^.\n]{0,30}\b(?:costs?|processes|operations|"
        r"supply\s+chain|total\s+cost|tco|spend|couts?|processus|depenses|chaine\s+"
        r"logistique)\b",
    ), _executive_or_outcome(3), {3: 0, 4: 0}),
    Rule("challenger.pushback", C, _rx(
        r"\bpush(?:ed|ing)?\s+back\b",
        r"\b(?:resisted|refused|declined|rejected)\s+(?:a\s+|the\s+|their\s+)?(?:\d+\s?%\s+)?"
        r"(?:discount|price\s+cut|price\s+reduction|rebate)",
        r"\b(?:held|defended|protected|maintained)\s+(?:the\s+|our\s+)?(?:price|prices|pricing|"
        r"margin|margins|value)\b",
        r"\b(?:resist\w*|refus\w*)\s+(?:a\s+|une\s+|la\s+|aux\s+)?(?:demandes?\s+de\s+)?remises?",
        r"\b(?:defendu\w*|maintenu\w*|preserve\w*|tenu\w*)\s+(?:le\s+|la\s+|les\s+|nos\s+|notre\s+"
        r")?(?:prix|marges?|valeur|tarifs?)\b",
    ), _const(3), {3: 1}),
    Rule("challenger.business_case", C, _rx(
        r"\bbusiness\s+cases?\b|\bvalue\s+cases?\b|\bcas\s+d'affaires\b|\bdossiers?\s+de\s+"
        r"valeur\b",
    ), _business_case_level, {3: 2}),
    Rule("challenger.challenge", C, _rx(
        r"\bchalleng(?:ed|ing|e)\s+(?:the\s+|our\s+|their\s+|a\s+|an\s+)?(?:customer|client|"
        r"assumptions?|status\s+quo|incumbent|(?:internal\s+)?polic\w+|pricing|brief|"
        r"requirements?|specifications?|way|approach|management)",
        r"\bremis\w*\s+en\s+(?:cause|question)|\bremettre\s+en\s+(?:cause|question)",
        r"\bquestionn\w*\s+(?:les\s+)?(?:hypotheses|habitudes|pratiques|choix)",
        r"\bbouscul\w*",
    ), _challenge_level, {3: 0, 4: 2}),
    Rule("challenger.reframe", C, _rx(
        r"\breframe[ds]?\b|\breframing\b|\brecadr\w*",
        r"\bredefin\w*\s+(?:the\s+)?(?:customer'?s?\s+|client'?s?\s+)?(?:need|needs|"
        r"requirements?|scope|specifications?|problem|project)",
        r"\bredefini\w*\s+(?:le\s+|les\s+|la\s+)?(?:besoin|besoins|perimetre|cahier\s+des\s+"
        r"charges|exigences|probleme|projet)",
        r"\bfait\s+evoluer\s+(?:le\s+besoin|la\s+strategie|le\s+cahier\s+des\s+charges|la\s+"
        r"vision|le\s+projet)",
        r"\bchanged\s+(?:the\s+)?(?:customer|client)'?s?\s+(?:approach|strategy|specifications?|"
        r"decision|mind|requirements?|buying)",
    ), _const(4), {4: 0}),
    Rule("challenger.tender", C, _rx(
        r"\b(?:turned|converted|transformed|transforme\w*|converti\w*)\s+[^.\n]{0,40}\b(?:tender|"
        r"rfp|rfq|appel\s+d'offres)\b[^.\n]{0,60}\b(?:negotiated|single[- ]source|sole[- ]source|"
        r"gre\s+a\s+gre|negocie\w*|partnership|partenariat)",
    ), _tender_level, {4: 1}),
    Rule("challenger.convinced", C, _rx(
        r"\b(?:convinc\w*|persuad\w*)\s+(?:the\s+|our\s+)?(?:customer|client|board|management|"
        r"cfo|ceo|coo|executives?|buyers?|procurement|them|leadership)\w*\s+(?:to|that)\b",
        r"\bconvaincu\w*\s+(?:le\s+|la\s+|les\s+)?(?:client|direction|comite|dirigeants|"
        r"acheteurs|daf|dsi|pdg|dg)",
        r"\bamene\w*\s+(?:le\s+|la\s+)?(?:client|direction)\s+a\b",
    ), _executive_or_outcome(3), {3: 0, 4: 0}),
    Rule("challenger.exec_invited", C, _rx(
        r"\b(?:invited|asked|sollicit\w*|invite\w*|convie\w*)\s+[^.\n]{0,40}\b(?:strategy\s+"
        r"workshops?|strategic\s+(?:workshops?|sessions?|off-?sites?|reviews?)|executive\s+"
        r"committee|board\s+meetings?|comex|comites?\s+(?:executifs?|de\s+direction)|seminaires?\s+"
        r"strategiques?|ateliers?\s+strategiques?)",
    ), _const(5), {5: 0}),
    Rule("challenger.thought_leadership", C, _rx(
        r"\bthought\s+leadership\b",
        r"\b(?:authored|wrote|created|designed|developed|concu|redige|cree|developpe)\s+"
        r"[^.\n]{0,40}\b(?:insight|playbook|white\s?papers?|methodolog\w*|sales\s+(?:method|"
        r"methodology|playbook)|livre\s+blanc|methode|point\s+de\s+vue)\w*[^.\n]{0,60}\b(?:used|"
        r"adopted|rolled\s+out|across|deploy\w*|utilis\w*|adopt\w*|toute|ensemble)\b",
    ), _const(5), {5: 1}),
    # Seller
    Rule("seller.orders", S, _rx(
        r"\b(?:processed|handled|managed|entered|treated)\s+(?:customer\s+|incoming\s+|inbound\s+)?"
        r"(?:orders|order\s+entry|quotes|quotations|inbound\s+requests)",
        r"\bissued\s+quot\w*|\btraitement\s+des\s+commandes|\bsaisie\s+des\s+commandes|"
        r"\bemission\s+(?:de|des)\s+devis|\betabli\w*\s+(?:des\s+)?devis|\bgestion\s+des\s+"
        r"commandes",
    ), _const(1), {1: 0}),
    Rule("seller.deal", S, _rx(
        r"\b(?:won|win|wins|closed|closing|signed|secured|landed|booked|concluded|negotiated\s+and"
        r"\s+closed|remport\w*|sign\w*|gagn\w*|conclu\w*|decroch\w*|obtenu|closer)\s+"
        r"(?:[a-z0-9€$£.,'-]+\s+){0,6}?(?:contracts?|deals?|tenders?|agreements?|accounts?|"
        r"orders?|business|renewals?|contrats?|affaires?|appels?\s+d'offres|accords?|"
        r"marches?|commandes?|comptes?|rfps?)\b",
        r"\b(?:contrats?|accords?(?:-cadres?)?|affaires?|marches?)\s+(?:[a-z0-9€$£.,'-]+\s+){0,6}?"
        r"(?:signes?|remportes?|conclus?|gagnes?|decroches?)\b",
        r"\b(?:contracts?|deals?|agreements?)\s+(?:[a-z0-9€$£.,'-]+\s+){0,6}?(?:signed|won|"
        r"closed|secured)\b",
    ), _deal_level, {2: 0, 3: 1, 4: 1, 5: 0}),
    Rule("seller.target", S, _rx(
        r"\b(?:exceed\w*|surpass\w*|beat|over-?achiev\w*|outperform\w*|achiev\w*|reach\w*|met|"
        r"hit|deliver\w*|attain\w*)\s+(?:[a-z0-9%'-]+\s+){0,4}?(?:quotas?|targets?|plan|"
        r"objectives?|budget|goals?)\b",
        r"\b\d{2,4}(?:[.,]\d+)?\s?%\s+(?:of|above|over|vs\.?|versus|against)\s+"
        r"(?:[a-z]+\s+)?(?:quota|target|plan|budget|goal)",
        r"\b(?:quota|target)\s+(?:attainment|achievement)\b",
        r"\b(?:depass\w*|atteint\w*|realis\w*)\s+(?:[a-z0-9%'-]+\s+){0,3}?(?:objectifs?|quotas?|"
        r"budget)",
        r"\b\d{2,4}\s?%\s+(?:de\s+l'|des\s+|de\s+mes\s+|du\s+|de\s+mon\s+)(?:objectifs?|quota|budget)",
        r"\bobjectifs?\s+(?:atteints?|depasses?)|\batteinte\s+des\s+objectifs",
        r"\bx\s?\d(?:[.,]\d)?\s+(?:the\s+)?(?:quota|target)|\b\d(?:[.,]\d)?\s?x\s+(?:quota|target)",
    ), _target_level, {2: 1, 3: 0, 4: 0, 5: 1}),
    Rule("seller.top_performer", S, _rx(
        r"\bpresident'?s\s+club\b|\btop\s+(?:performer|seller|salesperson|sales\s+rep|producer|"
        r"\d+\s?%)",
        r"#\s?1\s+(?:sales|seller|rep|account\s+manager|kam)|\bnumber\s+one\s+(?:seller|sales)|"
        r"\branked\s+(?:first|1st|#\s?1|\d+(?:st|nd|rd|th)?\s+(?:out\s+)?of)",
        r"\bmeilleur\w*\s+(?:vendeu\w*|commercia\w*|performance|kam)|\bclub\s+des\s+meilleurs|"
        r"\bclasse\w*\s+(?:premier|1er)",
    ), _top_performer_level, {4: 0, 5: 1}),
    Rule("seller.growth", S, _rx(
        r"\b(?:grew|grown|grow|growing|increased|expanded|doubled|tripled|boosted|raised|drove|"
        r"developed)\s+(?:[a-z0-9€$£%.,'-]+\s+){0,4}?(?:revenue|revenues|sales|turnover|business|"
        r"account|accounts|share\s+of\s+wallet|wallet\s+share|market\s+share|bookings|margin|"
        r"arr|mrr|footprint|portfolio)\b",
        r"\b(?:revenue|sales|account|portfolio|bookings)\s+growth\b|\bshare\s+of\s+wallet\b|"
        r"\bwallet\s+share\b",
        r"\b(?:hausse|croissance|augment\w*|developpe\w*|double\w*|triple\w*|progression)\s+"
        r"(?:[a-z0-9€$£%.,'-]+\s+){0,4}?(?:du\s+|de\s+|le\s+|la\s+)?(?:chiffre\s+d'affaires|ca|"
        r"ventes|part\s+de\s+portefeuille|part\s+de\s+marche|marge|activite|compte|comptes|"
        r"portefeuille)\b",
        r"\bpart\s+de\s+portefeuille\b",
    ), _growth_level, {2: 0, 3: 2, 4: 2}),
    Rule("seller.pipeline", S, _rx(
        r"\bpipeline\b|\bpipe\s+commercial\b|\bportefeuille\s+d'affaires\b",
        r"\b(?:win|conversion|hit|close)\s+rates?\b|\btaux\s+de\s+(?:transformation|succes|"
        r"conversion|reussite|signature)\b",
    ), _pipeline_level, {3: 2}),
    Rule("seller.new_business", S, _rx(
        r"\bnew\s+(?:logos?|accounts?|customers?|clients?|business(?!\s+(?:lines?|units?|"
        r"models?)))\b|\bup-?sell\w*|"
        r"\bcross-?sell\w*",
        r"\bnouveaux\s+(?:clients|comptes)\b|\bconquete\b|\bvente\s+(?:additionnelle|croisee)|"
        r"\bnouvelles?\s+(?:affaires|divisions?|filiales)\b",
        r"\b(?:opened|entered|penetrated|ouvert\w*|penetre\w*)\s+(?:\d+\s+)?(?:new\s+|"
        r"nouveaux?\s+|nouvelles?\s+)?(?:buying\s+cent(?:re|er)s|divisions?|business\s+units|"
        r"countries|centres?\s+d'achats?|pays|filiales|doors)",
    ), _new_business_level, {2: 0, 3: 0, 4: 0}),
    Rule("seller.new_model", S, _rx(
        r"\boutcome-?based\b|\bperformance-?based\s+(?:pricing|contract|model)|"
        r"\bpay[- ]per[- ]use\b"
        r"|\bas[- ]a[- ]service\s+(?:model|offer)|\bnew\s+(?:commercial|business|pricing|revenue)"
        r"\s+models?|\bgain[- ]?shar\w*|\brisk[- ]?shar\w*",
        r"\bnouveaux?\s+modeles?\s+(?:commercial|economique|d'affaires|de\s+remuneration)\w*|"
        r"\bremuneration\s+(?:au\s+resultat|a\s+la\s+performance)|\bpartage\s+(?:des\s+gains|de\s+"
        r"la\s+valeur)",
    ), _new_model_level, {5: 2}),
    Rule("seller.supported", S, _rx(
        r"\b(?:with\s+(?:the\s+)?(?:support|help)\s+of\s+(?:my|a|the)\s+(?:manager|senior|"
        r"director))|\b(?:supported|coached)\s+by\s+(?:a\s+|my\s+)?(?:senior|manager)",
        r"\bavec\s+l'(?:appui|aide)\s+(?:de\s+mon|d'un|du)\s+(?:manager|commercial\s+senior|"
        r"directeur|responsable)",
    ), _const(2), {2: 0}),
    Rule("seller.irregular", S, _rx(
        r"\b(?:reached|met|hit|achieved)\s+(?:my\s+|the\s+)?(?:quota|target|targets)\s+in\s+"
        r"(?:some|one|two|\d)\b",
        r"\bobjectifs?\s+atteints?\s+(?:certaines\s+annees|en\s+\d{4}\s+seulement)",
    ), _const(2), {2: 1}),
    # Planner
    Rule("planner.account_plan", P, _rx(
        r"\baccount[\s-]+plans?\b|\baccount[\s-]+planning\b|\bstrategic\s+(?:account\s+)?plans?\b",
        r"\bplans?\s+(?:de\s+)?comptes?\b|\bplans?\s+grands\s+comptes\b|\bplans?\s+strategiques?\s+"
        r"(?:de\s+|des\s+)?comptes?\b|\bplans?\s+d'action\s+compte",
    ), _account_plan_level, {2: 0, 3: 0, 4: 0, 5: 0}),
    Rule("planner.reviews", P, _rx(
        r"\bquarterly\s+business\s+reviews?\b|\bqbrs?\b|\b(?:executive\s+|annual\s+|monthly\s+)?"
        r"business\s+reviews?\b|\bebrs?\b|\baccount\s+reviews?\b",
        r"\brevues?\s+(?:d'affaires|trimestrielles?|de\s+comptes?|business)\b",
    ), _const(3), {3: 2}),
    Rule("planner.forecast", P, _rx(
        r"\bforecast\w*", r"\bprevisions?\b|\bprevisionnel\w*",
    ), _forecast_level, {2: 1, 3: 1, 4: 2, 5: 2}),
    Rule("planner.risk", P, _rx(
        r"\brisk\s+(?:register|log|mitigation\s+plans?|matri(?:x|ces))\b|\bmitigation\s+plans?\b",
        r"\bregistres?\s+des\s+risques\b|\bplans?\s+de\s+(?:parade|mitigation|contingence)\b|"
        r"\bmatrice\s+des\s+risques\b",
    ), _const(4), {4: 2}),
    Rule("planner.scenario", P, _rx(
        r"\bscenario[- ]based\b|\bscenarios?\s+(?:planning|analysis|forecasts?)\b",
        r"\bpar\s+scenarios?\b|\bplusieurs\s+scenarios\b|\bscenarios?\s+(?:de\s+croissance|"
        r"previsionnels?)\b",
    ), _const(4), {4: 2}),
    Rule("planner.resources", P, _rx(
        r"\bresource\s+(?:plan\w*|allocation|requests?)\b|\bcapacity\s+planning\b|\bstaffing\s+"
        r"plans?\b|\bplanned\s+(?:the\s+)?resources\b",
        r"\bplan\s+de\s+charge\b|\ballocation\s+des\s+ressources\b|\bplanifi\w*\s+(?:les\s+|des\s+)?"
        r"ressources\b",
    ), _resources_level, {3: 0, 4: 1}),
    Rule("planner.milestones", P, _rx(
        r"\bmilestones?\b|\broadmaps?\b|\bgantt\b|\bokrs?\b|\baction\s+plans?\b",
        r"\bjalons?\b|\bfeuilles?\s+de\s+route\b|\bretro-?planning\b|\bplans?\s+d'actions?\b",
    ), _milestones_level, {2: 0, 3: 1}),
    Rule("planner.joint_plan", P, _rx(
        r"\bjoint\s+(?:business\s+|account\s+|growth\s+)?plans?\b|\bmutual\s+(?:success\s+)?plans?\b",
        r"\bplans?\s+d'affaires\s+communs?\b|\bplans?\s+(?:de\s+croissance\s+)?communs?\b|"
        r"\bplans?\s+conjoints?\b",
    ), _joint_plan_level, {4: 0, 5: 1}),
    Rule("planner.process_design", P, _rx(
        r"\b(?:designed|created|built|developed|introduced|implemented|defined|set\s+up)\s+"
        r"(?:[a-z-]+\s+){0,4}?(?:account[- ]planning|planning|forecasting)\s+(?:[a-z-]+\s+)?"
        r"(?:process|template|method\w*|framework|tool|standard)",
        r"\b(?:concu|cree|construit|developpe|mis\s+en\s+place|defini|instaure|conception|"
        r"creation|mise\s+en\s+place|definition|elaboration)\s+(?:[a-z'-]+\s+)"
        r"{0,4}?(?:processus|modele|methode|outil|canevas)\s+(?:[a-z'-]+\s+){0,2}?(?:de\s+)?"
        r"(?:planification|plans?\s+de\s+comptes?|previsions?)",
    ), _process_design_level, {4: 0, 5: 0}),
    # Visionary
    Rule("visionary.trends", V, _rx(
        r"\b(?:market|industry|sector|technology)\s+trends?\b|\bmarket\s+intelligence\b|"
        r"\bindustry\s+(?:news|reports|outlook)\b",
        r"\btendances?\s+(?:du\s+marche|du\s+secteur|sectorielles?|de\s+marche|"
        r"technologiques?)\b|\bveille\s+(?:strategique|marche|sectorielle|technologique)\b",
    ), _trend_level, {2: 1, 3: 2, 4: 2}),
    Rule("visionary.customer_strategy", V, _rx(
        r"\b(?:customer|client)'?s?\s+(?:strategy|strategies|strategic\s+(?:priorities|plans?|"
        r"goals|objectives|agenda)|roadmaps?|business\s+priorities)\b",
        r"\bstrategie\s+(?:du|de\s+nos|des|de\s+mes)\s+clients?\b|\bpriorites\s+strategiques\s+"
        r"(?:du|des|de\s+nos)\s+clients?\b|\benjeux\s+strategiques\s+(?:du|des)\s+clients?\b",
    ), _customer_strategy_level, {2: 0, 3: 1}),
    Rule("visionary.market_analysis", V, _rx(
        r"\bmarket\s+(?:analysis|analyses|study|studies|assessment|mapping|sizing)\b",
        r"\banalyses?\s+(?:de|du)\s+marche\b|\betudes?\s+de\s+marche\b",
    ), _market_analysis_level, {2: 1, 3: 2}),
    Rule("visionary.horizon", V, _rx(
        r"\b(?:3|4|5|three|four|five|ten|10)[- ](?:year|years)\s+(?:vision|strategy|roadmap|view|"
        r"outlook|horizon|plan)\b|\blong[- ]term\s+(?:vision|strategy|roadmap|view|strategic)\b",
        r"\b(?:vision|strategie|feuille\s+de\s+route)\s+(?:a|sur)\s+(?:3|4|5|trois|quatre|cinq|"
        r"dix)\s+ans\b|\bhorizon\s+20\d\d\b|\bvision\s+(?:a\s+)?(?:long|moyen)\s+terme\b",
    ), _const(3), {3: 0}),
    Rule("visionary.initiative", V, _rx(
        r"\b(?:originated|initiated|conceived|proposed|launched|created|designed|pioneered|"
        r"spearheaded|incubated|a\s+l'origine|initie\w*|lance\w*|concu\w*|propose\w*|porte\w*|"
        r"cree\w*|imagine\w*)\s+(?:[a-z'-]+\s+){0,4}?(?:strategic\s+initiatives?|initiatives?\s+"
        r"strategiques?|innovation\s+(?:programme|program|project|lab|initiative)s?|"
        r"(?:transformation|innovation)\s+roadmap|new\s+(?:services?|offers?|offerings?|"
        r"solutions?|business\s+models?)|nouve(?:au|lle|aux|lles)\s+(?:services?|offres?|"
        r"solutions?|modeles?))",
    ), _initiative_level, {4: 0, 5: 2}),
    Rule("visionary.codevelopment", V, _rx(
        r"\bco-?develop\w*|\bco-?creat\w*|\bco-?innovat\w*|\bjoint\s+(?:development|innovation)\b",
        r"\bco-?developpe\w*|\bcodevelopp\w*|\bco-?construi\w*|\bco-?constru\w*|\bco-?crea\w*",
    ), _codev_level, {3: 1, 4: 0, 5: 1}),
    Rule("visionary.transformation", V, _rx(
        r"\b(?:launched|led|initiated|drove|driving|spearheaded|lance\w*|pilote\w*|initie\w*|"
        r"porte\w*|conduit)\s+(?:[a-z'-]+\s+){0,4}?(?:transformation|innovation|digitali[sz]ation|"
        r"digital|decarboni[sz]ation|sustainability|developpement\s+durable|numerique|rse)\s+"
        r"(?:[a-z'-]+\s+){0,2}?(?:programmes?|programs?|initiatives?|projects?|projets?|plans?)",
    ), _transformation_level, {4: 0, 5: 2}),
    Rule("visionary.company_strategy", V, _rx(
        r"\b(?:contributed|shaped|influenced|informed|fed|contribue\w*|influence\w*|nourri\w*)\s+"
        r"(?:to\s+|a\s+)?(?:[a-z'-]+\s+){0,3}?(?:(?:our|the|company'?s?|group'?s?|corporate)\s+"
        r"(?:strategy|offer|offering|product\s+roadmap)|strategie\s+(?:de\s+l'entreprise|du\s+"
        r"groupe|de\s+la\s+societe)|offre\s+(?:de\s+l'entreprise|du\s+groupe)|roadmap\s+produit)",
        r"\b(?:created|launched|built|cree\w*|lance\w*)\s+(?:a\s+|un\s+|une\s+)?(?:new\s+business\s+"
        r"(?:line|unit)|nouve(?:au|lle)\s+(?:metier|activite|business\s+unit))",
    ), _const(5), {5: 0}),
    Rule("visionary.partnership", V, _rx(
        r"\bstrategic\s+partnerships?\b|\bpartnership\s+vision\b|\bpartenariats?\s+strategiques?\b|"
        r"\bvision\s+(?:de|du)\s+partenariat\b",
    ), _partnership_level, {3: 1, 5: 1}),
    # Influencer
    Rule("influencer.buyers", INF, _rx(
        r"\b(?:relationships?|contacts?|relations?|rapport)\s+(?:[a-z]+\s+){0,3}?(?:with\s+)?"
        r"(?:buyers|purchasing|procurement|users|end-?users|acheteurs|achats|utilisateurs)\b",
        r"\b(?:acheteurs|buyers)\s+(?:and|et)\s+(?:users|utilisateurs|prescripteurs)\b",
    ), _const(2), {2: 0}),
    Rule("influencer.manager_in", INF, _rx(
        r"\b(?:brought|involved|asked|invited)\s+(?:in\s+)?(?:my|our)\s+(?:manager|director|vp|"
        r"boss|sales\s+director)",
        r"\bfait\s+intervenir\s+(?:mon|notre|ma)\s+(?:manager|directeur|direction|responsable)",
    ), _const(2), {2: 1}),
    Rule("influencer.mapping", INF, _rx(
        r"\bstakeholder\s+(?:map\w*|analysis)\b|\brelationship\s+map\w*|\bpower\s+map\w*|"
        r"\binfluence\s+map\w*|\bbuying\s+(?:cent(?:re|er)|committee)s?\b|\bdecision[- ]making\s+"
        r"units?\b|\bdmu\b|\bchampions?\b",
        r"\bcartograph\w*\s+(?:des\s+)?(?:parties\s+prenantes|relations|decideurs|acteurs|"
        r"relationnelle|influence|centres?\s+d'achats?)|\bcentres?\s+d'achats?\b|\bcentres?\s+de\s+"
        r"decision\b|\bunite\s+de\s+decision\b|\bjeux?\s+d'influence\b|\bcarte\s+d'influence\b",
    ), _const(3), {3: 0}),
    Rule("influencer.senior_contacts", INF, _rx(
        r"\b(?:relationships?|contacts?|access|relations?|rapport|interlocuteurs?|network)\s+"
        r"[^.\n]{0,60}\b(?:senior\s+(?:management|executives?|leadership|managers|stakeholders)|"
        r"directors|heads\s+of|decision[- ]makers|cadres\s+dirigeants|directeurs|decideurs|"
        r"responsables)\b",
        r"\b(?:senior\s+(?:management|executives?|leadership|stakeholders)|decision[- ]makers|"
        r"cadres\s+dirigeants|decideurs)\b",
    ), _senior_level, {2: 0, 3: 1, 4: 0}),
    Rule("influencer.executives", INF, _rx(
        r"\bc-level\b|\bc-suite\b|\b(?:ceos?|cfos?|coos?|cios?|ctos?|cpos?|cmos?|cdos?|chros?)\b",
        r"\bexecutive\s+(?:committee|board|level|leadership)\b|\bboard\s+(?:level|members?|"
        r"meetings?)\b|\bcomex\b|\bcodir\b|\bcomites?\s+(?:de\s+direction|executifs?)\b|\bdirection\s+"
        r"generale\b|\b(?:pdg|daf|dsi|drh)\b|\bdirecteurs?\s+generaux\b|\bdirecteur\s+general\b|"
        r"\btop\s+management\b|\bdirigeants?\b",
    ), _exec_level, {3: 1, 4: 0, 5: 0}),
    Rule("influencer.sponsorship", INF, _rx(
        r"\bexecutive\s+sponsor\w*|\btop[- ]to[- ]top\b|\bexecutive\s+(?:meetings|briefings?|"
        r"alignment\s+meetings)\b|\bsponsorship\s+(?:programme|program)\b",
        r"\bsponsors?\s+(?:executifs?|de\s+direction)\b|\brencontres?\s+(?:entre\s+)?dirigeants\b|"
        r"\brencontres?\s+au\s+sommet\b",
        r"\b(?:organi[sz]\w*|set\s+up|arranged)\s+[^.\n]{0,40}\b(?:meetings?|rencontres?|"
        r"reunions?)\s+(?:between|entre)\b[^.\n]{0,60}\b(?:ceos?|pdg|dg|directeurs?\s+generaux|"
        r"directeur\s+general|dirigeants|executives|presidents?)\b",
    ), _const(4), {4: 1}),
    Rule("influencer.units_aligned", INF, _rx(
        r"\b(?:secured|obtained|gained|won|aligned|rallied|mobili[sz]ed|convinced|engaged|"
        r"obtenu|aligne|mobilise|rallie|federe|engage|obtention|alignement|mobilisation)\w*\s+"
        r"[^.\n]{0,60}\b(?:\d+|two|three|four|"
        r"five|several|multiple|deux|trois|quatre|cinq|plusieurs)\s+(?:other\s+)?(?:profit\s+"
        r"cent(?:re|er)s|business\s+units|bus|divisions|country\s+(?:heads|managers|"
        r"organi[sz]ations)|centres\s+de\s+profit|business\s+lines|entites|filiales|directions)",
    ), _const(4), {4: 2}),
    Rule("influencer.buy_in", INF, _rx(
        r"\b(?:secured|gained|won|obtained|built)\s+(?:[a-z]+\s+)?(?:buy-?in|support|sponsorship|"
        r"endorsement|commitment)\b",
        r"\b(?:obtenu|gagne|emporte)\s+(?:l'|le\s+)?(?:adhesion|appui|soutien|aval|engagement)\b",
    ), _buyin_level, {3: 2, 4: 2}),
    Rule("influencer.trusted", INF, _rx(
        r"\btrusted\s+advis[eo]r\b|\bconseill\w*\s+de\s+confiance\b",
        r"\b(?:sought|seek|seeks|asked)\s+(?:for\s+)?(?:my|his|her|their|\[pronoun\])\s+"
        r"(?:advice|counsel|views?)\b",
        r"\bsollicit\w*\s+(?:pour\s+)?(?:mon|son|leur|ses|mes)\s+(?:avis|conseils?)\b",
    ), _trusted_level, {4: 0, 5: 0}),
    Rule("influencer.broker", INF, _rx(
        r"\bbroker(?:ed|ing)?\b|\bmediat(?:ed|ing)\s+between\b",
        r"\b(?:obtenu|negocie)\s+[^.\n]{0,30}\baccords?\s+entre\b|\bintermediaire\s+(?:entre|"
        r"reconnu)\b|\baccords?\s+(?:[a-z'-]+\s+){0,2}?(?:negocie|obtenu|conclu)\w*\s+entre\b",
        r"\bagreements?\s+(?:[a-z-]+\s+){0,2}?(?:negotiated|reached|brokered)\s+between\b",
        r"\bchanged\s+(?:a\s+|the\s+)?(?:major\s+)?internal\s+(?:decision|investment|policy)|"
        r"\bfait\s+evoluer\s+(?:une\s+)?decision\s+interne",
    ), _broker_level, {3: 0, 5: 2}),
)


def rules_for(trait: Trait) -> list[Rule]:
    """Return the rules of one trait, in declaration order."""
    return [rule for rule in RULES if rule.trait == trait]
