"""Account lookups through the principal's directory: in scope, out of scope, fuzzy."""

from __future__ import annotations

import pytest

from kambot.assistant.chat.scope import AccountDirectory, unknown_account
from kambot.domain.identity import Principal, Role
from kambot.errors import NotFoundError

ACCOUNTS = [
    (1, "C1", "Quenolac Mobilité SA"),
    (2, "C2", "Quendolac Mécanique Reims SA"),
    (3, "C3", "Berenlis Group S.A."),
    (4, "C4", "Berenlis Pharma Deutschland GmbH"),
    (5, "C5", "Berenlis Pharma UK Ltd"),
    (6, "C6", "Corivar SAS"),
    (7, "C7", "Valovel Logistik Bremen AG"),
]
LEAD = Principal(user_id=1, username="lead", role=Role.LEAD)
KAM = Principal(user_id=2, username="kam", role=Role.KAM, account_ids=frozenset({1, 6}))


def directory(principal: Principal) -> AccountDirectory:
    ids, ext, names = zip(*ACCOUNTS, strict=True)
    return AccountDirectory.build(principal, list(ids), list(ext), list(names))


@pytest.mark.parametrize("ref, expected", [
    ("C1", "C1"), ("c6", "C6"), ("6", "C6"), ("Quenolac Mobilité SA", "C1"),
    ("quenolac mobilite", "C1"), ("Quenolak", "C1"), ("Corrivar", "C6"),
    ("Berenlis Pharma Deutschland", "C4"), ("Berenlis Group", "C3"),
])
def test_resolves_names_ids_and_typos(ref: str, expected: str) -> None:
    assert directory(LEAD).resolve(ref).external_id == expected


def test_several_matches_are_listed_not_guessed() -> None:
    with pytest.raises(NotFoundError, match="several") as caught:
        directory(LEAD).resolve("Berenlis")
    assert "C3" in (caught.value.hint or "") and "C5" in (caught.value.hint or "")
    with pytest.raises(NotFoundError, match="several"):
        directory(LEAD).resolve("Berenlis Pharma")


def test_out_of_scope_answers_like_unknown() -> None:
    kam = directory(KAM)
    assert [e.external_id for e in kam.entries] == ["C1", "C6"]
    with pytest.raises(NotFoundError) as hidden:
        kam.resolve("Valovel Logistik Bremen AG")
    with pytest.raises(NotFoundError) as missing:
        kam.resolve("Nonexistent Holding AG")
    assert hidden.value.message == "unknown account 'Valovel Logistik Bremen AG'"
    assert missing.value.message == "unknown account 'Nonexistent Holding AG'"
    # Same hint shape, and never a name from outside the scope.
    assert "Valovel" not in (hidden.value.hint or "")
    for ref in ("C7", "7", "Berenlis"):
        with pytest.raises(NotFoundError, match="unknown account"):
            kam.resolve(ref)


def test_suggestions_come_from_the_scope_only() -> None:
    assert directory(KAM).suggest("Valovel Logistik") == []
    assert directory(LEAD).suggest("Valovel Logistik") == ["Valovel Logistik Bremen AG (C7)"]
    assert unknown_account("x", []).hint == unknown_account("y", []).hint


def test_find_in_free_text() -> None:
    lead = directory(LEAD)
    found = lead.find("How is Quenolac doing compared with corivar?")
    assert [m.account.external_id for m in found if m.account] == ["C1", "C6"]
    ambiguous = lead.find("Berenlis KPIs")
    assert ambiguous[0].ambiguous and len(ambiguous[0].candidates) == 3
    # Words of a sentence are not taken for names; a one-edit typo of a long name is.
    assert lead.find("show me the figures please") == []
    assert lead.find("kpis for Valovell")[0].account.external_id == "C7"  # type: ignore[union-attr]
    assert directory(KAM).find("kpis for Valovel") == []
