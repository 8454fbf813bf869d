"""The rule-based router: tools, arguments, context, and clarifying rather than guessing."""

from __future__ import annotations

import pytest

from kambot.assistant.chat.router import (
    CLARIFY,
    DocumentRef,
    Person,
    RouteContext,
    correct_typos,
    route,
)
from kambot.assistant.chat.scope import AccountDirectory
from kambot.domain.identity import Principal, Role

ACCOUNTS = [(1, "C1", "Quenolac Mobilité SA"), (2, "C2", "Corivar SAS"),
            (3, "C3", "Sauemar Holding AG"), (4, "C4", "Sauemar Auto Components B.V."),
            (5, "C5", "Valovel Logistik Bremen AG")]
LEAD = Principal(user_id=1, username="lead", role=Role.LEAD)
KAM = Principal(user_id=2, username="kam", role=Role.KAM, account_ids=frozenset({1}))
PEOPLE = [Person("hvauclair", "Hélène Vauclair"), Person("mdelorme", "Marc Delorme")]


def ctx(principal: Principal = LEAD, **kwargs: object) -> RouteContext:
    ids, ext, names = zip(*ACCOUNTS, strict=True)
    directory = AccountDirectory.build(principal, list(ids), list(ext), list(names))
    return RouteContext(directory=directory, people=PEOPLE, **kwargs)  # type: ignore[arg-type]


def test_account_kpis_in_both_languages() -> None:
    for text in ("KPIs of Quenolac", "indicateurs de quenolac mobilite", "Quenolak figures"):
        decided = route(text, ctx())
        assert (decided.tool, decided.args) == ("kpis", {"account": "C1"}), text


def test_programme_level_figures_have_no_account() -> None:
    assert route("programme KPIs", ctx()).args == {"account": None}
    assert route("scénarios du programme", ctx()).tool == "scenarios"


def test_context_account_is_used_when_none_is_named() -> None:
    decided = route("and the scenarios?", ctx(account="C2"))
    assert (decided.tool, decided.args) == ("scenarios", {"account": "C2"})
    again = route("same for Valovel", ctx(account="C2", last_tool="scenarios"))
    assert (again.tool, again.args) == ("scenarios", {"account": "C5"})


def test_ambiguous_or_missing_account_asks() -> None:
    several = route("Sauemar KPIs", ctx())
    assert several.tool == CLARIFY and several.reason == "ambiguous_account"
    assert len(several.options) == 2
    missing = route("show me the KPIs", ctx())
    assert (missing.tool, missing.reason) == (CLARIFY, "account")


def test_an_account_outside_the_scope_is_an_unknown_name() -> None:
    hidden = route("KPIs of Valovel", ctx(KAM))
    unknown = route("KPIs of Zorbatron", ctx(KAM))
    assert hidden.tool == unknown.tool == CLARIFY
    assert hidden.reason == unknown.reason == "unknown_account"
    assert hidden.args == {"account": "Valovel"} and hidden.options == ()


def test_drafting_and_revising() -> None:
    draft = route("Rédige la stratégie de compte de Corivar", ctx())
    assert (draft.tool, draft.args) == ("draft_document",
                                        {"kind": "account_strategy", "account": "C2"})
    document = DocumentRef(kind="account_strategy", account="C2")
    revise = route("make initiative 2 more ambitious", ctx(document=document))
    assert revise.tool == "revise_section" and revise.args["section"] == "initiatives"
    cfo = route("add the decision we need from the CFO", ctx(document=document))
    assert cfo.args["section"] == "executive_actions"
    assert route("make initiative 2 more ambitious", ctx()).tool == CLARIFY


def test_language_requests_alone_or_with_a_request() -> None:
    alone = route("In English please", ctx())
    assert (alone.tool, alone.args) == ("set_language", {"lang": "en"})
    combined = route("KPIs of Corivar in English please", ctx())
    assert (combined.tool, combined.args, combined.lang) == ("kpis", {"account": "C2"}, "en")


def test_interviews_name_the_executive() -> None:
    decided = route("Commençons l'entretien avec Marc Delorme", ctx())
    assert (decided.tool, decided.args) == ("interview_start", {"executive": "mdelorme"})


@pytest.mark.parametrize("text", ["", "   ", "asdfgh", "do it", "update"])
def test_nothing_recognised_asks(text: str) -> None:
    assert route(text, ctx()).tool == CLARIFY


def test_typos_are_corrected_to_the_routers_words_only() -> None:
    assert correct_typos(["slection", "scenarois", "drfat", "scenarios"]) == [
        "selection", "scenario", "draft", "scenarios"]
    assert correct_typos(["quenolak"], keep=frozenset({"quenolak"})) == ["quenolak"]
    assert correct_typos(["banana"]) == ["banana"]
