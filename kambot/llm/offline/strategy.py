"""Offline templates: the account strategy along the six building blocks, and the
one-page Executive summary."""

from __future__ import annotations

from kambot.domain.documents import Statement
from kambot.llm.offline.composer import Composer, compact

Sections = dict[str, list[Statement]]
ROLE_ORDER = ("executive_sponsor", "decision_maker", "economic_buyer", "champion")
ROLE_WORDS = {
    "executive_sponsor": ("an executive-level contact", "un contact de niveau direction"),
    "decision_maker": ("a decision maker", "un décideur"),
    "economic_buyer": ("an economic buyer", "un acheteur économique"),
    "champion": ("a champion", "un champion"),
}


def _name(c: Composer) -> str:
    return str(c.v(c.acct("name")))


def revenue_statement(c: Composer) -> Statement:
    """Return revenue over twelve months against the year before, with growth."""
    n = _name(c)
    ttm, prev, growth = c.acct("kpi:revenue_ttm"), c.acct("kpi:revenue_previous_12m"), c.acct(
        "kpi:revenue_growth")
    if c.has(growth):
        return c.say(
            f"{n} brought {c.f(ttm)} of revenue over the last twelve months, against "
            f"{c.f(prev)} the year before: a change of {c.f(growth)}.",
            f"{n} a représenté {c.f(ttm)} de chiffre d'affaires sur les douze derniers mois, "
            f"contre {c.f(prev)} l'année précédente : une variation de {c.f(growth)}.",
            ttm, prev, growth, c.acct("name"))
    return c.say(
        f"{n} brought {c.f(ttm)} of revenue over the last twelve months; growth is not "
        "defined without revenue the year before.",
        f"{n} a représenté {c.f(ttm)} de chiffre d'affaires sur les douze derniers mois ; la "
        "croissance n'est pas définie faute de chiffre d'affaires l'année précédente.",
        ttm, c.acct("name"))


def wallet_statement(c: Composer) -> Statement:
    """Return share of wallet against potential and the programme's target."""
    sow, pot, target = c.acct("kpi:share_of_wallet"), c.acct("potential"), \
        "prog:target:share_of_wallet"
    if c.has(sow) and c.has(pot):
        return c.say(
            f"Our share of wallet is {c.f(sow)} of a three-year potential of {c.f(pot)} across "
            f"all suppliers; the programme targets {c.f(target)}.",
            f"Notre part de portefeuille est de {c.f(sow)} d'un potentiel de {c.f(pot)} sur "
            f"trois ans, tous fournisseurs confondus ; le programme vise {c.f(target)}.",
            sow, pot, target)
    return c.say(
        f"The share of wallet cannot be computed because the potential is not recorded; the "
        f"programme targets {c.f(target)}.",
        f"La part de portefeuille ne peut pas être calculée car le potentiel n'est pas "
        f"renseigné ; le programme vise {c.f(target)}.", target, pot)


def quadrant_statements(c: Composer) -> list[Statement]:
    """Return the quadrant with both scores, then the criteria that drove them."""
    q, a, s = c.acct("quadrant"), c.acct("score:attractiveness"), c.acct("score:strength")
    out = [c.say(
        f"{c.clause(q)}, with an attractiveness of {c.f(a)} and a relative strength of "
        f"{c.f(s)} on a scale of zero to one.",
        f"{c.clause(q)}, avec une attractivité de {c.f(a)} et une force relative de {c.f(s)} "
        "sur une échelle de zéro à un.",
        q, a, s, "portfolio-matrix:5")]
    criteria = sorted(c.ids(c.acct("criterion:")), key=lambda i: -(c.num(i) or 0.0))[:3]
    criteria = [i for i in criteria if (c.num(i) or 0.0) > 0]
    if criteria:
        parts = ", ".join(f"{c.facts[i].label} ({c.f(i)})" for i in criteria)
        out.append(c.say(f"The criteria that weigh most in this position are {parts}.",
                         f"Les critères qui pèsent le plus dans cette position sont {parts}.",
                         *criteria))
    return out


def stage_statement(c: Composer) -> Statement:
    """Return the relationship stage and satisfaction."""
    st, sat = c.acct("relationship_stage"), c.acct("kpi:satisfaction")
    text_en, text_fr = c.clause(st), c.clause(st)
    if c.has(sat):
        return c.say(f"{text_en}; satisfaction is {c.f(sat)} out of ten.",
                     f"{text_fr} ; la satisfaction est de {c.f(sat)} sur dix.",
                     st, sat, "relationship-stages:7")
    return c.say(f"{text_en}; satisfaction is not measured.",
                 f"{text_fr} ; la satisfaction n'est pas mesurée.", st, "relationship-stages:7")


def buying_centre_statements(c: Composer, limit: int = 6) -> list[Statement]:
    """Return one statement per key contact, then the uncovered roles."""
    out = []
    contacts = c.ids(c.acct("contact:"))[:limit]
    if contacts:
        out += [c.say(f"Buying centre: {c.clause(i)}.", f"Centre d'achat : {c.clause(i)}.", i,
                      "account-strategy:4") for i in contacts]
    else:
        out.append(c.say("No customer contact is recorded: the buying centre is still to map.",
                         "Aucun contact client n'est enregistré : le centre d'achat reste à "
                         "cartographier.", c.acct("contacts"), "account-strategy:4"))
    gaps = [r for r in ROLE_ORDER if c.v(c.acct(f"buying_centre:{r}")) is False]
    if gaps:
        roles_en = ", ".join(ROLE_WORDS[r][0] for r in gaps)
        roles_fr = ", ".join(ROLE_WORDS[r][1] for r in gaps)
        out.append(c.say(f"Gaps in the buying centre: nobody recorded as {roles_en}.",
                         f"Lacunes du centre d'achat : personne n'est identifié comme "
                         f"{roles_fr}.",
                         *[c.acct(f"buying_centre:{r}") for r in gaps]))
    else:
        out.append(c.say("The four buying-centre roles the programme tracks are covered.",
                         "Les quatre rôles du centre d'achat suivis par le programme sont "
                         "couverts.", *[c.acct(f"buying_centre:{r}") for r in ROLE_ORDER]))
    return out


def initiative_ids(c: Composer, *statuses: str) -> list[str]:
    """Return the ids of the account's initiatives with one of the statuses (all if none)."""
    base = c.acct("initiative:")
    out = []
    for i in c.ids(base):
        if "/" in i[len(base):]:
            continue
        if not statuses or c.v(f"{i}/status") in statuses:
            out.append(i)
    return out


def decision_statement(c: Composer, ini: str) -> Statement | None:
    """Return the decision an initiative needs from our executives."""
    code = ini.rsplit(":", 1)[1]
    status = c.v(f"{ini}/status")
    req, com = f"{ini}/resources_requested", f"{ini}/resources_committed"
    if status == "proposed":
        if c.has(req):
            return c.say(
                f"Decision asked of our executives: validate initiative {code} and the "
                f"{c.f(req)} resources it requests.",
                f"Décision demandée à nos dirigeants : valider l'initiative {code} et les "
                f"{c.f(req)} ressources qu'elle demande.", ini, req, "account-strategy:7")
        return c.say(f"Decision asked of our executives: validate initiative {code}.",
                     f"Décision demandée à nos dirigeants : valider l'initiative {code}.",
                     ini, "account-strategy:7")
    if status in ("validated", "in_progress") and c.has(req):
        committed = c.num(com) or 0.0
        requested = c.num(req) or 0.0
        if committed < requested:
            shown = com if c.has(com) else None
            got_en = f"{c.f(com)} committed" if shown else "nothing committed yet"
            got_fr = f"{c.f(com)} engagées" if shown else "rien d'engagé à ce jour"
            return c.say(
                f"Decision asked of our executives: staff initiative {code} fully ({got_en} "
                f"of {c.f(req)} requested).",
                f"Décision demandée à nos dirigeants : doter pleinement l'initiative {code} "
                f"({got_fr} sur {c.f(req)} demandées).", ini, req, shown)
    return None


def strategy(c: Composer) -> Sections:
    """Compose the account strategy."""
    name = c.acct("name")
    n = _name(c)
    sections: Sections = {}

    situation = compact([c.method("account-strategy:2"), revenue_statement(c),
                         wallet_statement(c)])
    margin, margin_ttm = c.acct("kpi:margin_pct"), c.acct("kpi:margin_ttm")
    if c.has(margin) and c.has(margin_ttm):
        situation.append(c.say(
            f"The margin rate is {c.f(margin)}, that is {c.f(margin_ttm)} over twelve months.",
            f"Le taux de marge est de {c.f(margin)}, soit {c.f(margin_ttm)} sur douze mois.",
            margin, margin_ttm))
    if c.has(c.acct("segment")):
        situation.append(c.fact(c.acct("segment")))
    situation += quadrant_statements(c)
    situation.append(stage_statement(c))
    situation += buying_centre_statements(c)
    sections["situation"] = situation

    initiatives = compact([c.method("account-strategy:6")])
    active = initiative_ids(c, "proposed", "validated", "in_progress", "done")
    for ini in active:
        initiatives.append(c.fact(ini, f"{ini}/status", f"{ini}/expected_value"))
        initiatives += compact([decision_statement(c, ini)])
    dropped = initiative_ids(c, "dropped")
    if dropped:
        codes = ", ".join(i.rsplit(":", 1)[1] for i in dropped)
        initiatives.append(c.say(f"Dropped and kept for the record: {codes}.",
                                 f"Abandonnées, conservées pour mémoire : {codes}.",
                                 *dropped, *[f"{i}/status" for i in dropped]))
    if not active:
        initiatives.append(c.say(
            f"No strategic initiative is recorded for {n} yet: defining the few initiatives "
            "the account strategy rests on is the next step.",
            f"Aucune initiative stratégique n'est encore enregistrée pour {n} : définir les "
            "quelques initiatives sur lesquelles repose la stratégie est la prochaine étape.",
            name, "account-strategy:6"))
    sections["initiatives"] = initiatives

    alignment = compact([c.method("internal-alignment:2")])
    centres = [i for i in c.ids(c.acct("alignment:")) if i.count("/") == 1]
    for centre in centres:
        req, com, gap = f"{centre}/requested", f"{centre}/committed", f"{centre}/gap"
        label = str(c.v(centre))
        alignment.append(c.say(
            f"{label}: {c.f(req)} resources requested, {c.f(com)} committed, {c.f(gap)} "
            "still to commit.",
            f"{label} : {c.f(req)} ressources demandées, {c.f(com)} engagées, {c.f(gap)} "
            "restant à engager.", centre, req, com, gap))
    req_t, com_t = c.acct("kpi:resources_requested"), c.acct("kpi:resources_committed")
    if centres:
        alignment.append(c.say(
            f"Across profit centres, {c.f(com_t)} of the {c.f(req_t)} resources requested "
            "are committed.",
            f"Tous centres de profit confondus, {c.f(com_t)} des {c.f(req_t)} ressources "
            "demandées sont engagées.", req_t, com_t))
    else:
        alignment.append(c.say(
            f"No resource has been requested from a profit centre for {n} yet.",
            f"Aucune ressource n'a encore été demandée à un centre de profit pour {n}.",
            name, req_t))
    sections["alignment"] = alignment

    team = compact([c.method("account-team:1")])
    kam_key = c.v(c.acct("kam"))
    team.append(c.fact(c.acct("kam"), f"person:{kam_key}" if kam_key else None))
    sponsor_key = c.v(c.acct("sponsor"))
    team.append(c.fact(c.acct("sponsor"), f"person:{sponsor_key}" if sponsor_key else None))
    contacts = c.acct("contacts")
    if c.has(contacts):
        team.append(c.say(
            f"Customer contacts the team works with: {c.f(contacts)}.",
            f"Contacts client avec lesquels l'équipe travaille : {c.f(contacts)}.", contacts))
    cadence = c.acct("sponsorship:cadence")
    tier = c.acct("tier")
    if c.has(cadence):
        team.append(c.say(
            f"As a {str(c.v(tier)).title()} account, {n} plans sponsor meetings at a rhythm of "
            f"{c.f(cadence)} per year; the account team meets on a regular cadence between "
            "them.",
            f"Compte {str(c.v(tier)).title()}, {n} prévoit des rencontres de sponsor au rythme "
            f"de {c.f(cadence)} par an ; l'équipe de compte se réunit à rythme régulier entre "
            "elles.",
            tier, cadence, "account-team:5"))
    sections["account_team"] = team

    kpis = compact([c.method("tools-data-kpis:5")])
    op, opn, wp = c.acct("kpi:open_pipeline"), c.acct("kpi:open_opportunities"), c.acct(
        "kpi:weighted_pipeline")
    kpis.append(c.say(
        f"Open pipeline: {c.f(op)} across {c.f(opn)} opportunities, {c.f(wp)} once weighted "
        "by probability.",
        f"Pipeline ouvert : {c.f(op)} sur {c.f(opn)} opportunités, {c.f(wp)} une fois pondéré "
        "par la probabilité.", op, opn, wp))
    wr, won, lost = c.acct("kpi:win_rate"), c.acct("kpi:won"), c.acct("kpi:lost")
    if c.has(wr):
        kpis.append(c.say(f"Win rate: {c.f(wr)} ({c.f(won)} won, {c.f(lost)} lost).",
                          f"Taux de transformation : {c.f(wr)} ({c.f(won)} gagnées, "
                          f"{c.f(lost)} perdues).", wr, won, lost))
    kpis += scenario_statements(c)
    risks = c.acct("scenario:risks")
    if risks in c.facts:
        kpis.append(c.fact(risks))
    sections["kpis_scenarios"] = kpis

    own = compact([c.method("customer-ownership:5"), c.fact(tier)])
    oe, od, tgt = c.acct("kpi:open_escalations"), c.acct("kpi:overdue_escalations"), \
        "prog:target:escalation_days"
    own.append(c.say(
        f"Escalation path: open escalations, {c.f(oe)}; beyond the resolution target of "
        f"{c.f(tgt)}, {c.f(od)}.",
        f"Circuit d'escalade : escalades ouvertes, {c.f(oe)} ; au-delà du délai cible de "
        f"résolution de {c.f(tgt)}, {c.f(od)}.", oe, od, tgt, "customer-ownership:3"))
    sat = c.acct("kpi:satisfaction")
    if c.has(sat):
        own.append(c.say(f"Satisfaction stands at {c.f(sat)} out of ten.",
                         f"La satisfaction s'établit à {c.f(sat)} sur dix.", sat))
    own.append(c.say(
        f"Service rules follow the {str(c.v(tier)).title()} tier: priority in customer service "
        "and operations when capacity is short, in line with the tier's definition.",
        f"Les règles de service suivent le niveau {str(c.v(tier)).title()} : priorité au "
        "service client et aux opérations quand la capacité manque, selon la définition du "
        "niveau.", tier, "customer-ownership:5"))
    sections["ownership"] = own

    sections["executive_actions"] = executive_actions(c)
    return sections


def scenario_statements(c: Composer) -> list[Statement]:
    """Return one statement per scenario with its three years and total."""
    out = []
    names = {"base": ("Base", "Central"), "upside": ("Upside", "Haut"),
             "downside": ("Downside", "Bas")}
    for key, (en, fr) in names.items():
        ys = [c.acct(f"scenario:{key}:y{k}") for k in (1, 2, 3)]
        total = c.acct(f"scenario:{key}:total")
        if not all(c.has(y) for y in ys):
            continue
        out.append(c.say(
            f"{en} scenario: {c.f(ys[0])}, {c.f(ys[1])} and {c.f(ys[2])} in years one to three, "
            f"{c.f(total)} in total.",
            f"Scénario {fr.lower()} : {c.f(ys[0])}, {c.f(ys[1])} et {c.f(ys[2])} pour les "
            f"années un à trois, {c.f(total)} au total.", *ys, total))
    if out:
        out.append(c.say(
            f"The upside scenario applies the programme's share-of-wallet target of "
            f"{c.f('prog:target:share_of_wallet')} to the potential not yet captured.",
            f"Le scénario haut applique l'objectif de part de portefeuille du programme, "
            f"{c.f('prog:target:share_of_wallet')}, au potentiel non encore capté.",
            "prog:target:share_of_wallet", c.acct("scenario:upside:total")))
    return out


def executive_actions(c: Composer) -> list[Statement]:
    """Return the sponsor, the meetings and the CEB to prepare."""
    out = compact([c.method("executive-action:4")])
    plan = c.acct("sponsorship")
    proposed = c.v(plan)
    if plan in c.facts:
        out.append(c.fact(plan, f"person:{proposed}" if proposed else None))
    held, cadence = c.acct("kpi:sponsor_meetings_12m"), c.acct("sponsorship:cadence")
    if c.has(cadence):
        out.append(c.say(
            f"Sponsor meetings over the last twelve months: {c.f(held)}, for {c.f(cadence)} "
            "planned per year.",
            f"Rencontres de sponsor sur les douze derniers mois : {c.f(held)}, pour "
            f"{c.f(cadence)} prévues par an.", held, cadence, "executive-sponsorship:4"))
    last, days = c.acct("kpi:last_executive_contact"), c.acct("kpi:days_since_executive_contact")
    if c.has(last) and c.has(days):
        out.append(c.say(f"Last executive contact: {c.f(last)}, {c.f(days)} ago.",
                         f"Dernier contact de direction : {c.f(last)}, il y a {c.f(days)}.",
                         last, days))
    else:
        out.append(c.say("No executive contact is recorded with the customer.",
                         "Aucun contact de direction n'est enregistré avec le client.",
                         c.acct("kpi:last_executive_contact")))
    who = c.person(str(proposed)) if proposed else None
    if who:
        out.append(c.say(
            f"Prepare a Customer Executive Brief for {who}'s next meeting with the customer's "
            "executives.",
            f"Préparer un Customer Executive Brief pour la prochaine rencontre de {who} avec "
            "les dirigeants du client.", plan, f"person:{proposed}", "executive-action:5"))
    return out


def summary(c: Composer) -> Sections:
    """Compose the one-page Executive summary."""
    n = _name(c)
    tier, q, seg = c.acct("tier"), c.acct("quadrant"), c.acct("segment")
    why = [c.say(
        f"{n} is a {str(c.v(tier)).title()} key account. {c.text(q)}",
        f"{n} est un compte clé {str(c.v(tier)).title()}. {c.text(q)}",
        tier, q, c.acct("name"), "executive-summary-guide:3")]
    if c.has(seg):
        why.append(c.fact(seg))
    why.append(wallet_statement(c))
    sel = c.acct("selection")
    if sel in c.facts:
        why.append(c.fact(sel))

    figures = [revenue_statement(c)]
    margin = c.acct("kpi:margin_pct")
    if c.has(margin):
        figures.append(c.say(f"Margin rate: {c.f(margin)}.", f"Taux de marge : {c.f(margin)}.",
                             margin, "executive-summary-guide:4"))
    wp, op = c.acct("kpi:weighted_pipeline"), c.acct("kpi:open_pipeline")
    figures.append(c.say(f"Pipeline: {c.f(op)} open, {c.f(wp)} weighted.",
                         f"Pipeline : {c.f(op)} ouvert, {c.f(wp)} pondéré.", op, wp))
    base, up = c.acct("scenario:base:total"), c.acct("scenario:upside:total")
    if c.has(base) and c.has(up):
        figures.append(c.say(
            f"Three-year revenue: {c.f(base)} in the base scenario, {c.f(up)} if we reach the "
            "share-of-wallet target.",
            f"Chiffre d'affaires sur trois ans : {c.f(base)} dans le scénario central, "
            f"{c.f(up)} si nous atteignons l'objectif de part de portefeuille.", base, up))
    figures.append(stage_statement(c))

    asks: list[Statement] = []
    for ini in initiative_ids(c, "proposed")[:3]:
        code = ini.rsplit(":", 1)[1]
        ev = f"{ini}/expected_value"
        if c.has(ev):
            asks.append(c.say(
                f"Validate initiative {code} «{c.v(ini)}», expected value {c.f(ev)}.",
                f"Valider l'initiative {code} « {c.v(ini)} », valeur attendue {c.f(ev)}.",
                ini, ev, "executive-summary-guide:5"))
        else:
            asks.append(c.say(f"Validate initiative {code} «{c.v(ini)}».",
                              f"Valider l'initiative {code} « {c.v(ini)} ».", ini,
                              "executive-summary-guide:5"))
    for centre in [i for i in c.ids(c.acct("alignment:")) if i.count("/") == 1]:
        gap = f"{centre}/gap"
        if (c.num(gap) or 0.0) > 0:
            asks.append(c.say(
                f"Ask {c.v(centre)} to commit the {c.f(gap)} resources still missing.",
                f"Demander à {c.v(centre)} d'engager les {c.f(gap)} ressources qui manquent "
                "encore.", centre, gap))
    plan, cadence = c.acct("sponsorship"), c.acct("sponsorship:cadence")
    who = c.person(str(c.v(plan))) if c.has(plan) else None
    if who and c.has(cadence):
        asks.append(c.say(f"{who}: hold {c.f(cadence)} sponsor meetings a year with {n}.",
                          f"{who} : tenir {c.f(cadence)} rencontres de sponsor par an avec {n}.",
                          plan, cadence, f"person:{c.v(plan)}"))
    elif c.has(plan) is False and plan in c.facts:
        asks.append(c.fact(plan))
    if not asks:
        asks.append(c.say("No decision is pending on this account.",
                          "Aucune décision n'est en attente sur ce compte.", c.acct("name"),
                          "executive-summary-guide:5"))
    return {"why_it_matters": why, "figures": figures, "asks": asks}
