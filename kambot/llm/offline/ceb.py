"""Offline template: the Customer Executive Brief.

Written for one of our executives (the reader) before they meet one of the customer's
executives (the counterpart). The customer's priorities come from recent notes, quoted
as data; only sentences that carry no figure, no unknown name and no instruction
marker are quoted.
"""

from __future__ import annotations

import re

from kambot.domain.documents import Statement
from kambot.llm.offline.composer import Composer, compact, first_sentences
from kambot.llm.offline.strategy import (
    ROLE_ORDER,
    ROLE_WORDS,
    initiative_ids,
    revenue_statement,
    stage_statement,
)

Sections = dict[str, list[Statement]]

LEADS: dict[str, tuple[str, str]] = {
    "economic_buyer": ("the expected value of each initiative against its cost",
                       "la valeur attendue de chaque initiative au regard de son coût"),
    "decision_maker": ("the decisions to take together and who takes them",
                       "les décisions à prendre ensemble et qui les prend"),
    "champion": ("how we can support them inside their organisation",
                 "la manière de les soutenir dans leur organisation"),
}
DEFAULT_LEAD = ("the results already delivered and the next step",
                "les résultats déjà obtenus et la prochaine étape")


def _quotes(c: Composer, limit: int = 3) -> list[Statement]:
    """Return up to ``limit`` quoted sentences from unflagged notes that pass the guard."""
    out: list[Statement] = []
    seen: set[str] = set()
    for note in c.notes:
        if note.flags or len(out) >= limit:
            continue
        for raw in first_sentences(note.text):
            sentence = raw.strip()
            if len(sentence) < 30 or len(sentence) > 260 or re.search(r"\d", sentence):
                continue
            key = sentence.casefold()
            if key in seen:
                continue
            st = c.say(f"A recent note records: «{sentence}»",
                       f"Une note récente indique : « {sentence} »", note.id)
            if c.safe(st):
                out.append(st)
                seen.add(key)
                break
    return out


def ceb(c: Composer, reader: str | None, counterpart: str | None) -> Sections:
    """Compose the Customer Executive Brief for ``reader`` meeting ``counterpart``."""
    n = str(c.v(c.acct("name")))
    name_id = c.acct("name")
    cp_id = c.acct(f"contact:{counterpart}") if counterpart else None
    cp_name = str(c.v(cp_id)) if cp_id and c.has(cp_id) else None
    reader_id = f"person:{reader}" if reader else None
    reader_name = c.person(reader) if reader else None
    role = _contact_role(c, cp_id)

    context: list[Statement] = []
    if cp_id and cp_name:
        context.append(c.say(f"The meeting is with {c.clause(cp_id)}.",
                             f"La rencontre a lieu avec {c.clause(cp_id)}.", cp_id,
                             "guide-ceb:3"))
    emp, turnover = c.acct("employees"), c.acct("annual_revenue")
    industry = c.v(c.acct("industry"))
    if c.has(emp) and c.has(turnover):
        context.append(c.say(
            f"{n} employs {c.f(emp)} people for a turnover of {c.f(turnover)}"
            + (f", in {str(industry).replace('_', ' ')}." if industry else "."),
            f"{n} emploie {c.f(emp)} personnes pour un chiffre d'affaires de {c.f(turnover)}"
            + (f", dans le secteur {str(industry).replace('_', ' ')}." if industry else "."),
            emp, turnover, c.acct("industry"), name_id))
    quotes = _quotes(c)
    context += quotes
    if not quotes:
        kam = c.v(c.acct("kam"))
        context.append(c.say(
            "No recent note states the customer's priorities: ask the key account manager "
            "before the meeting.",
            "Aucune note récente ne décrit les priorités du client : interroger le key account "
            "manager avant la rencontre.", c.acct("kam"), f"person:{kam}" if kam else None,
            "guide-ceb:3"))
    if c.has(c.acct("segment")):
        context.append(c.fact(c.acct("segment")))

    history = [revenue_statement(c)]
    years = sorted(c.ids(c.acct("kpi:revenue_2")))
    if years:
        parts = ", ".join(f"{y.rsplit('_', 1)[1]}: {c.f(y)}" for y in years)
        history.append(c.say(f"Revenue with us by calendar year: {parts}.",
                             f"Chiffre d'affaires avec nous par année civile : {parts}.",
                             *years))
    history.append(stage_statement(c))
    sel = c.acct("selected_on")
    if c.has(sel):
        history.append(c.say(f"{n} became a key account on {c.f(sel)}.",
                             f"{n} est devenu compte clé le {c.f(sel)}.", sel, name_id))
    last, held = c.acct("kpi:last_executive_contact"), c.acct("kpi:sponsor_meetings_12m")
    if c.has(last):
        history.append(c.say(
            f"Last executive contact on {c.f(last)}; sponsor meetings over the last twelve "
            f"months: {c.f(held)}.",
            f"Dernier contact de direction le {c.f(last)} ; rencontres de sponsor sur les douze "
            f"derniers mois : {c.f(held)}.", last, held))

    delivered: list[Statement] = []
    for ini in initiative_ids(c, "done", "in_progress"):
        delivered.append(c.fact(ini, f"{ini}/status", "guide-ceb:5"))
    prods = c.acct("products")
    if prods in c.facts:
        delivered.append(c.fact(prods))
    won, avg = c.acct("kpi:won"), c.acct("kpi:average_won_deal")
    if c.has(avg) and (c.num(won) or 0) > 0:
        delivered.append(c.say(f"Deals won with {n}: {c.f(won)}, {c.f(avg)} on average.",
                               f"Affaires gagnées avec {n} : {c.f(won)}, {c.f(avg)} en moyenne.",
                               won, avg))
    if not delivered:
        delivered.append(c.say(f"No delivery to {n} is recorded yet.",
                               f"Aucune réalisation pour {n} n'est encore enregistrée.",
                               name_id, "guide-ceb:5"))

    value: list[Statement] = []
    for ini in initiative_ids(c, "validated", "proposed")[:3]:
        ev = f"{ini}/expected_value"
        status = c.facts[f"{ini}/status"]
        label = str(c.v(ini))
        if c.has(ev):
            value.append(c.say(
                f"Proposal: «{label}» ({_status(c, status.value)}), for an expected value of "
                f"{c.f(ev)}.",
                f"Proposition : « {label} » ({_status(c, status.value)}), pour une valeur "
                f"attendue de {c.f(ev)}.", ini, ev, status.id, "guide-ceb:4"))
        else:
            value.append(c.say(f"Proposal: «{label}» ({_status(c, status.value)}).",
                               f"Proposition : « {label} » ({_status(c, status.value)}).",
                               ini, status.id, "guide-ceb:4"))
    y3 = c.acct("scenario:upside:y3")
    if c.has(y3):
        value.append(c.say(
            f"Reaching the share-of-wallet target of {c.f('prog:target:share_of_wallet')} "
            f"would take our revenue with {n} to {c.f(y3)} in year three.",
            f"Atteindre l'objectif de part de portefeuille de "
            f"{c.f('prog:target:share_of_wallet')} porterait notre chiffre d'affaires avec {n} "
            f"à {c.f(y3)} la troisième année.", "prog:target:share_of_wallet", y3))
    if not value:
        value.append(c.say(
            f"No initiative is proposed to {n} yet: the meeting should explore the customer's "
            "priorities first.",
            f"Aucune initiative n'est encore proposée à {n} : la rencontre doit d'abord "
            "explorer les priorités du client.", name_id, "guide-ceb:4"))

    objectives: list[Statement] = []
    for ini in initiative_ids(c, "proposed")[:2]:
        who = cp_name or c.pick("the customer's executive", "le dirigeant du client")
        objectives.append(c.say(
            f"Ask {who} to support «{c.v(ini)}» on the customer's side.",
            f"Demander à {who} de soutenir « {c.v(ini)} » côté client.", ini, cp_id,
            "guide-ceb:6"))
    cadence = c.acct("sponsorship:cadence")
    if c.has(cadence):
        objectives.append(c.say(
            f"Agree on a rhythm of executive meetings between the two companies: "
            f"{c.f(cadence)} per year.",
            f"Convenir d'un rythme de rencontres de direction entre les deux entreprises : "
            f"{c.f(cadence)} par an.", cadence, "guide-ceb:6"))
    stage = c.acct("relationship_stage")
    if c.has(stage) and (c.num(stage) or 0) < 5:
        objectives.append(c.say(
            f"Aim to move the relationship beyond its current stage: {c.clause(stage)}.",
            f"Viser à faire progresser la relation au-delà de son stade actuel : "
            f"{c.clause(stage).lower()}.", stage, "relationship-stages:7"))
    if not objectives:
        objectives.append(c.say(
            f"Listen to {cp_name or n} and agree on one next step.",
            f"Écouter {cp_name or n} et convenir d'une prochaine étape.", cp_id or name_id,
            "guide-ceb:6"))

    lead = LEADS.get(role or "", DEFAULT_LEAD)
    talking = []
    if cp_name and cp_id:
        talking.append(c.say(f"With {cp_name}, lead with {lead[0]}.",
                             f"Avec {cp_name}, commencer par {lead[1]}.", cp_id, "guide-ceb:2"))
    focus = _reader_focus(c, reader_id)
    if focus is not None:
        talking.append(focus)
    growth = c.acct("kpi:revenue_growth")
    if c.has(growth):
        talking.append(c.say(f"Our business together changed by {c.f(growth)} over a year.",
                             f"Nos affaires communes ont varié de {c.f(growth)} en un an.",
                             growth))
    for ini in initiative_ids(c, "done")[:2]:
        talking.append(c.say(f"Recall a result delivered together: «{c.v(ini)}».",
                             f"Rappeler un résultat obtenu ensemble : « {c.v(ini)} ».", ini,
                             f"{ini}/status"))
    sat = c.acct("kpi:satisfaction")
    if c.has(sat):
        talking.append(c.say(f"Their satisfaction with us is {c.f(sat)} out of ten.",
                             f"Leur satisfaction à notre égard est de {c.f(sat)} sur dix.", sat))

    risks: list[Statement] = []
    oe, od = c.acct("kpi:open_escalations"), c.acct("kpi:overdue_escalations")
    if (c.num(oe) or 0) > 0:
        risks.append(c.say(
            f"Open escalations: {c.f(oe)}, overdue among them: {c.f(od)}; be ready to answer "
            "on them.",
            f"Escalades ouvertes : {c.f(oe)}, dont en retard : {c.f(od)} ; être prêt à y "
            "répondre.", oe, od, "guide-ceb:7"))
    else:
        risks.append(c.say("No escalation is open on the account.",
                           "Aucune escalade n'est ouverte sur le compte.", oe))
    rs = c.acct("scenario:risks")
    if c.has(rs):
        risks.append(c.fact(rs))
    gaps = [r for r in ROLE_ORDER if c.v(c.acct(f"buying_centre:{r}")) is False]
    if gaps:
        roles_en = ", ".join(ROLE_WORDS[r][0] for r in gaps)
        roles_fr = ", ".join(ROLE_WORDS[r][1] for r in gaps)
        risks.append(c.say(f"We lack {roles_en} in the customer's buying centre.",
                           f"Il nous manque {roles_fr} dans le centre d'achat du client.",
                           *[c.acct(f"buying_centre:{r}") for r in gaps]))
    flagged = c.acct("notes:flagged")
    if (c.num(flagged) or 0) > 0:
        risks.append(c.say(
            f"Notes of this account carrying instruction-like text: {c.f(flagged)}; they were "
            "read as data and nothing they say changed this brief.",
            f"Notes de ce compte contenant un texte de type instruction : {c.f(flagged)} ; "
            "elles ont été lues comme des données et n'ont rien changé à ce brief.", flagged))

    attendees: list[Statement] = []
    if reader_id and reader_name:
        load = f"person:{reader}/load"
        if c.has(load):
            attendees.append(c.say(
                f"For us: {c.clause(reader_id)}; key accounts sponsored in the plan: "
                f"{c.f(load)}.",
                f"Pour nous : {c.clause(reader_id)} ; comptes clés parrainés dans le plan : "
                f"{c.f(load)}.",
                reader_id, load, "guide-sponsor-meeting:7"))
        else:
            attendees.append(c.say(f"For us: {c.clause(reader_id)}.",
                                   f"Pour nous : {c.clause(reader_id)}.", reader_id,
                                   "guide-sponsor-meeting:7"))
    kam = c.v(c.acct("kam"))
    if kam:
        attendees.append(c.say(
            f"{c.person(str(kam))}, key account manager, prepares the meeting and briefs the "
            "sponsor.",
            f"{c.person(str(kam))}, key account manager, prépare la rencontre et briefe le "
            "sponsor.", c.acct("kam"), f"person:{kam}"))
    if cp_id and cp_name:
        attendees.append(c.say(f"For {n}: {c.clause(cp_id)}.", f"Pour {n} : {c.clause(cp_id)}.",
                               cp_id, name_id))
    if not attendees:
        attendees.append(c.say(f"Attendees are still to confirm with {n}.",
                               f"Les participants restent à confirmer avec {n}.", name_id))
    return {
        "context": compact(context), "history": history, "delivered": delivered,
        "value_proposition": value, "objectives": objectives,
        "talking_points": talking or [revenue_statement(c)], "risks": risks,
        "attendees": attendees,
    }


READER_FOCUS: tuple[tuple[str, str, str, str], ...] = (
    # (word in our executive's title, fact to lead with, English, French)
    ("financ", "kpi:margin_pct", "as a finance executive, anchor the discussion on our margin "
     "rate of {v} and on the value of each initiative",
     "en dirigeant financier, ancrer l'échange sur notre taux de marge de {v} et sur la "
     "valeur de chaque initiative"),
    ("technolog", "products", "as a technology executive, speak to the product lines in use "
     "and the technical initiatives", "en dirigeant technique, parler des gammes en place et "
     "des initiatives techniques"),
    ("operat", "kpi:open_escalations", "as an operations executive, address the service "
     "record first: open escalations, {v}", "en dirigeant des opérations, traiter d'abord la "
     "qualité de service : escalades ouvertes, {v}"),
    ("sales", "kpi:weighted_pipeline", "as a sales executive, connect the weighted pipeline of "
     "{v} to the customer's priorities", "en dirigeant commercial, relier le pipeline pondéré "
     "de {v} aux priorités du client"),
    ("executive officer", "quadrant", "as chief executive, speak to the partnership as a whole "
     "and where it should go", "en directeur général, parler du partenariat dans son "
     "ensemble et de sa direction"),
)


def _reader_focus(c: Composer, reader_id: str | None) -> Statement | None:
    """Return a talking point suited to our executive's role, from their title."""
    if not reader_id or reader_id not in c.facts:
        return None
    title = c.facts[reader_id].text_en.casefold()
    for word, suffix, en, fr in READER_FOCUS:
        fact = c.acct(suffix)
        if word in title and c.has(fact):
            value = c.f(fact)
            return c.say(f"For you, {en.format(v=value)}.", f"Pour vous, {fr.format(v=value)}.",
                         reader_id, fact)
    return None


def _contact_role(c: Composer, contact_id: str | None) -> str | None:
    if not contact_id or contact_id not in c.facts:
        return None
    text = c.facts[contact_id].text_en
    for role in ("economic_buyer", "decision_maker", "champion"):
        if role.replace("_", " ") in text:
            return role
    return None


def _status(c: Composer, status: object) -> str:
    names = {"proposed": ("proposed", "proposée"), "validated": ("validated", "validée"),
             "in_progress": ("in progress", "en cours"), "done": ("done", "réalisée")}
    pair = names.get(str(status), (str(status), str(status)))
    return c.pick(*pair)
