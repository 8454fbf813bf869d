"""Protected attributes are masked before reading, and quotes still map back."""

from __future__ import annotations

from kambot.assistant.assessment.redact import redact
from kambot.assistant.assessment.text import TextView

CV = """Nadia Benali
Née le 12/03/1985 à Casablanca
Nationalité : marocaine · Mariée, deux enfants
nadia.benali@example.fr, +33 6 12 34 56 78, 12 rue des Lilas, 69003 Lyon
Photo : jointe
Directrice commerciale grands comptes
- Elle a dirigé une équipe de 12 personnes pendant 15 ans d'expérience.
- RQTH, congé maternité en 2019.
Languages: Arabic (native), English (fluent)
Mr. John Smith, Age: 52, he grew revenue. Skills: MS Excel, Ms Office.
"""


def _masked(text: str, name: str | None = None) -> tuple[str, dict[str, int]]:
    result = redact(TextView.identity(text), name)
    return result.view.text, result.counts


def test_protected_attributes_are_masked() -> None:
    text, counts = _masked(CV, "Nadia Benali")
    for secret in ("Nadia", "Benali", "1985", "Casablanca", "marocaine", "Mariée",
                   "deux enfants", "nadia.benali", "+33 6", "rue des Lilas", "69003",
                   "Elle", "RQTH", "maternité", "Arabic (native)", "John", "52", " he "):
        assert secret not in text, secret
    assert "Directeur commercial grands comptes" in text
    for category in ("name", "birth_date", "nationality", "family_status", "email", "phone",
                     "address", "photo", "pronoun", "gender_form", "health", "age", "title"):
        assert counts.get(category), category


def test_job_facts_are_kept() -> None:
    text, _ = _masked(CV, "Nadia Benali")
    assert "équipe de 12 personnes pendant 15 ans d'expérience" in text
    assert "MS Excel, Ms Office" in text
    assert "English (fluent)" in text


def test_quotes_map_back_to_the_original() -> None:
    result = redact(TextView.identity(CV), "Nadia Benali")
    view = result.view
    start = view.text.index("[pronoun] a dirigé")
    end = view.text.index("d'expérience.") + len("d'expérience.")
    o_start, o_end = view.to_original(start, end)
    assert CV[o_start:o_end] == "Elle a dirigé une équipe de 12 personnes pendant 15 ans " \
                                "d'expérience."


def test_header_name_is_masked_without_being_given() -> None:
    text, counts = _masked("Jean-Pierre Martin\nKey Account Manager\n- Led a team.")
    assert text.startswith("[name]\nKey Account Manager")
    assert counts == {"name": 1}


def test_job_title_header_is_not_a_name() -> None:
    text, counts = _masked("Senior Key Account Manager\n- Led a team of 4.")
    assert text.startswith("Senior Key Account Manager")
    assert "name" not in counts


def test_experience_years_and_sales_words_are_not_protected() -> None:
    sample = ("Single point of contact for 12 national accounts; 20 years of experience; "
              "engaged stakeholders; served 15000 customers, Visa Europe account.")
    text, counts = _masked(sample)
    assert text == sample, counts
