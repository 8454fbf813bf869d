"""Fuzzy matching of account names said in interviews."""

from __future__ import annotations

from kambot.assistant.interview.accounts import AccountMatcher, AccountRef, core_name

ACCOUNTS = [
    AccountRef("C1", "Quenolac Mobilité SA", is_key_account=True),
    AccountRef("C2", "Morennova S.p.A."),
    AccountRef("C3", "Orsanova Maschinenbau GmbH & Co. KG"),
    AccountRef("C5", "Sauemar Holding AG"),
    AccountRef("C6", "Sauemar Auto Components Nederland B.V.", is_key_account=True,
               top_level=False),
    AccountRef("C8", "Groupe Calveline"),
]


def test_core_names_drop_legal_forms() -> None:
    assert core_name("Orsanova Maschinenbau GmbH & Co. KG") == "orsanova maschinenbau"
    assert core_name("Morennova S.p.A.") == "morennova"
    assert core_name("Groupe Calveline") == "calveline"


def test_typos_partial_names_and_groups() -> None:
    m = AccountMatcher(ACCOUNTS)
    found = m.find("I'd sponsor Quenolak and Morenova, maybe orsanova maschinenbau too, "
                   "and Sauemar.")
    assert [(f.external_id, f.mentioned) for f in found] == [
        ("C1", "Quenolak"), ("C2", "Morenova"), ("C3", "orsanova maschinenbau"),
        ("C6", "Sauemar")]  # the key account of the group wins
    assert found[0].score < 100 and found[2].score == 100
    assert m.match("calveline").external_id == "C8"  # type: ignore[union-attr]
    assert m.match("the Orsanova plant").external_id == "C3"  # type: ignore[union-attr]


def test_no_account_in_ordinary_words() -> None:
    m = AccountMatcher(ACCOUNTS)
    assert m.find("We need to grow with our customers and serve them better every "
                  "quarter; morning meetings are fine.") == []
    assert m.match("nobody") is None
    assert AccountMatcher([]).find("Quenolac") == []
