"""Offline templates for programme documents: the sponsorship plan and the review pack."""

from __future__ import annotations

from kambot.domain.documents import Statement
from kambot.llm.offline.composer import Composer, compact

Sections = dict[str, list[Statement]]
TIERS = ("gold", "silver", "bronze")


def _accounts(c: Composer) -> list[str]:
    """Return the external ids of the accounts with a sponsorship fact, in plan order."""
    return [i.split("/", 1)[0][len("acct:"):] for i in c.facts
            if i.startswith("acct:") and i.endswith("/sponsorship")]


def sponsorship(c: Composer) -> Sections:
    """Compose the sponsorship plan."""
    accounts = _accounts(c)
    principles = compact([c.method("executive-sponsorship:3")])
    principles.append(c.say(
        "Each executive sponsors no more key accounts than the limit of their profile; a "
        "current sponsor keeps the account while within that limit; otherwise industry "
        "affinity, earlier meetings with the customer and the lightest load decide, in that "
        "order, Gold accounts first.",
        "Chaque dirigeant parraine au plus le nombre de comptes clés fixé dans son profil ; un "
        "sponsor actuel garde son compte tant qu'il reste dans cette limite ; sinon "
        "l'affinité sectorielle, les rencontres passées avec le client puis la charge la plus "
        "légère décident, dans cet ordre, les comptes Gold d'abord.",
        "executive-sponsorship:3"))
    principles.append(c.say(
        f"Sponsoring capacity: {c.f('prog:sponsorship:capacity')} accounts for "
        f"{c.f('prog:sponsorship:accounts')} key accounts to cover.",
        f"Capacité de parrainage : {c.f('prog:sponsorship:capacity')} comptes pour "
        f"{c.f('prog:sponsorship:accounts')} comptes clés à couvrir.",
        "prog:sponsorship:capacity", "prog:sponsorship:accounts"))

    assignments = []
    for x in accounts:
        sp = c.acct("sponsorship", x)
        key = c.v(sp)
        assignments.append(c.fact(sp, c.acct("tier", x), f"person:{key}" if key else None))

    loads = [c.fact(i, i.rsplit("/", 1)[0]) for i in c.ids("person:", suffix="/load")]
    if not loads:
        loads.append(c.say("No executive-committee member is recorded in the programme.",
                           "Aucun membre du comité de direction n'est enregistré dans le "
                           "programme.", "prog:sponsorship:capacity"))

    cadence = []
    for tier in TIERS:
        cid = f"prog:cadence:{tier}"
        tier_accounts = [x for x in accounts if c.v(c.acct("tier", x)) == tier]
        if cid not in c.facts:
            continue
        if tier_accounts:
            cadence.append(c.say(
                f"Sponsor meetings per year for each {tier.title()} key account: {c.f(cid)}.",
                f"Rencontres de sponsor par an pour chaque compte clé {tier.title()} : "
                f"{c.f(cid)}.", cid, *[c.acct("tier", x) for x in tier_accounts],
                "executive-sponsorship:4"))
    if not cadence:
        cadence.append(c.fact("prog:cadence:gold", "executive-sponsorship:4"))

    gaps: list[Statement] = []
    unassigned = [x for x in accounts if c.v(c.acct("sponsorship", x)) is None]
    gaps.append(c.say(
        f"Key accounts left without a sponsor: {c.f('prog:sponsorship:unassigned')}.",
        f"Comptes clés sans sponsor : {c.f('prog:sponsorship:unassigned')}.",
        "prog:sponsorship:unassigned"))
    gaps += [c.fact(c.acct("sponsorship", x)) for x in unassigned]
    gaps.append(c.say(f"Sponsor changes proposed: {c.f('prog:sponsorship:changed')}.",
                      f"Changements de sponsor proposés : {c.f('prog:sponsorship:changed')}.",
                      "prog:sponsorship:changed"))
    for x in accounts:
        sp, prev = c.acct("sponsorship", x), c.acct("sponsorship:previous", x)
        new, old = c.v(sp), c.v(prev)
        if new is not None and new != old:
            before = c.person(str(old)) if old else None
            after = c.person(str(new))
            acct_name = str(c.v(c.acct("name", x)))
            if before:
                gaps.append(c.say(f"{acct_name}: {before} hands over to {after}.",
                                  f"{acct_name} : {before} passe le relais à {after}.",
                                  sp, prev, c.acct("name", x), f"person:{new}", f"person:{old}"))
            else:
                gaps.append(c.say(f"{acct_name} gains a sponsor: {after}.",
                                  f"{acct_name} reçoit un sponsor : {after}.",
                                  sp, prev, c.acct("name", x), f"person:{new}"))
    if "prog:sponsorship:idle" in c.facts:
        gaps.append(c.fact("prog:sponsorship:idle"))
    gaps += compact([c.method("executive-sponsorship:6")])
    return {"principles": principles, "assignments": assignments or [
        c.say("The programme has no key account to sponsor yet.",
              "Le programme n'a pas encore de compte clé à parrainer.",
              "prog:sponsorship:accounts")],
        "loads": loads, "cadence": cadence, "gaps": gaps}


def review(c: Composer) -> Sections:
    """Compose the programme review pack."""
    kpis = compact([c.method("kpis-per-block:2")])
    if c.has("prog:kpi:key_revenue_share"):
        kpis.append(c.say(
            f"The {c.f('prog:kpi:key_accounts')} key accounts bring "
            f"{c.f('prog:kpi:key_revenue_share')} of revenue over the last twelve months.",
            f"Les {c.f('prog:kpi:key_accounts')} comptes clés apportent "
            f"{c.f('prog:kpi:key_revenue_share')} du chiffre d'affaires des douze derniers "
            "mois.", "prog:kpi:key_accounts", "prog:kpi:key_revenue_share"))
    if c.has("prog:kpi:key_growth") and c.has("prog:kpi:rest_growth"):
        kpis.append(c.say(
            f"Key accounts grew by {c.f('prog:kpi:key_growth')} against "
            f"{c.f('prog:kpi:rest_growth')} for the other accounts, a gap of "
            f"{c.f('prog:kpi:growth_gap')}.",
            f"Les comptes clés ont progressé de {c.f('prog:kpi:key_growth')} contre "
            f"{c.f('prog:kpi:rest_growth')} pour les autres comptes, soit un écart de "
            f"{c.f('prog:kpi:growth_gap')}.",
            "prog:kpi:key_growth", "prog:kpi:rest_growth", "prog:kpi:growth_gap"))
    for key in ("share_validated_plan", "share_with_sponsor", "share_full_coverage",
                "ramp_up_median_days", "initiatives_validated_share"):
        fid = f"prog:kpi:{key}"
        if c.has(fid):
            kpis.append(c.fact(fid))

    maturity = compact([c.method("kpis-per-block:7")])
    maturity.append(c.fact("prog:maturity:phase"))
    phase = str(c.v("prog:maturity:phase") or "A")
    following = chr(ord(phase[0]) + 1) if phase[0] < "D" else None
    unmet = [i for i in c.ids(f"prog:maturity:{following}:") if c.v(i) is False] \
        if following else []
    maturity += [c.fact(i) for i in unmet[:5]]
    if not unmet:
        maturity.append(c.say("Every measured maturity criterion of the next phase is met.",
                              "Tous les critères de maturité mesurés de la phase suivante sont "
                              "atteints.", "prog:maturity:phase"))

    selection = compact([c.method("segmentation:4")])
    selection.append(c.say(
        f"The selection proposes {c.f('prog:selection:proposed')} key accounts for a capacity "
        f"of {c.f('prog:selection:capacity')}.",
        f"La sélection propose {c.f('prog:selection:proposed')} comptes clés pour une "
        f"capacité de {c.f('prog:selection:capacity')}.",
        "prog:selection:proposed", "prog:selection:capacity"))
    selection += [c.fact("prog:selection:entering"), c.fact("prog:selection:leaving")]

    spons = compact([c.method("executive-sponsorship:6")])
    for fid in ("prog:kpi:share_with_sponsor", "prog:kpi:sponsor_meetings_ratio"):
        if c.has(fid):
            spons.append(c.fact(fid))
    spons.append(c.say(
        f"Sponsorship plan: key accounts without a sponsor, "
        f"{c.f('prog:sponsorship:unassigned')}; sponsor changes proposed, "
        f"{c.f('prog:sponsorship:changed')}.",
        f"Plan de sponsorship : comptes clés sans sponsor, "
        f"{c.f('prog:sponsorship:unassigned')} ; changements de sponsor proposés, "
        f"{c.f('prog:sponsorship:changed')}.",
        "prog:sponsorship:unassigned", "prog:sponsorship:changed"))

    risks = compact([c.method("after-launch:7")])
    risks.append(c.say(
        f"Escalations on key accounts: {c.f('prog:kpi:open_escalations')} open, "
        f"{c.f('prog:kpi:overdue_escalations')} overdue.",
        f"Escalades sur les comptes clés : {c.f('prog:kpi:open_escalations')} ouvertes, "
        f"{c.f('prog:kpi:overdue_escalations')} en retard.",
        "prog:kpi:open_escalations", "prog:kpi:overdue_escalations"))
    risks.append(c.fact("prog:kpi:kams_overloaded"))
    if (c.num("prog:kpi:unassigned_key_accounts") or 0) > 0:
        risks.append(c.fact("prog:kpi:unassigned_key_accounts"))
    if c.has("prog:kpi:resources_commitment_ratio"):
        risks.append(c.fact("prog:kpi:resources_commitment_ratio"))
    if c.has("prog:scenario:downside:total"):
        risks.append(c.say(
            f"Three-year revenue of the key accounts: {c.f('prog:scenario:base:total')} in the "
            f"base scenario, {c.f('prog:scenario:downside:total')} in the downside scenario.",
            f"Chiffre d'affaires des comptes clés sur trois ans : "
            f"{c.f('prog:scenario:base:total')} dans le scénario central, "
            f"{c.f('prog:scenario:downside:total')} dans le scénario bas.",
            "prog:scenario:base:total", "prog:scenario:downside:total"))

    decisions = compact([c.method("executive-interviews:6")])
    decisions.append(c.say(
        f"Validate the key-account list: accounts to add, {c.f('prog:selection:entering')}; "
        f"accounts to reconsider, {c.f('prog:selection:leaving')}.",
        f"Valider la liste des comptes clés : comptes à ajouter, "
        f"{c.f('prog:selection:entering')} ; comptes à reconsidérer, "
        f"{c.f('prog:selection:leaving')}.",
        "prog:selection:entering", "prog:selection:leaving"))
    decisions.append(c.say(
        f"Validate the sponsorship plan; sponsor changes it proposes: "
        f"{c.f('prog:sponsorship:changed')}.",
        f"Valider le plan de sponsorship ; changements de sponsor proposés : "
        f"{c.f('prog:sponsorship:changed')}.",
        "prog:sponsorship:changed"))
    if c.has("prog:kpi:resources_commitment_ratio"):
        decisions.append(c.say(
            f"Arbitrate resources: profit centres have committed "
            f"{c.f('prog:kpi:resources_commitment_ratio')} of what key accounts requested.",
            f"Arbitrer les ressources : les centres de profit ont engagé "
            f"{c.f('prog:kpi:resources_commitment_ratio')} de ce que les comptes clés ont "
            "demandé.", "prog:kpi:resources_commitment_ratio"))
    return {"kpis": kpis, "maturity": maturity, "selection": selection, "sponsorship": spons,
            "risks": risks, "decisions": decisions}
