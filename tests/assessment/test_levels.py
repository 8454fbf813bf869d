"""Offline levels against the labels of the fictitious CVs in fixtures/."""

from __future__ import annotations

from kambot.assistant.assessment.intake import read_path
from kambot.assistant.assessment.redact import find_spans
from kambot.assistant.assessment.service import assess_documents
from kambot.assistant.assessment.text import TextView
from kambot.domain.assessment import Assessment, SourceKind

from .conftest import CVS, Case

LIMIT = 5_000_000


def assess_case(bundle, case: Case, target: str = "farmer") -> Assessment:
    documents = [read_path(case.path, LIMIT)]
    if case.interview:
        documents.append(read_path(CVS / case.interview, LIMIT, SourceKind.INTERVIEW))
    return assess_documents(bundle, documents, target=target, lang=case.lang,  # type: ignore[arg-type]
                            candidate_ref=case.stem, candidate_name=case.name)


def test_levels_match_labels(bundle, cases: list[Case]) -> None:
    judgements = exact = 0
    problems: list[str] = []
    for case in cases:
        levels = assess_case(bundle, case).levels()
        for trait, label in case.labels.items():
            got = levels[trait]  # type: ignore[index]
            judgements += 1
            exact += got == label
            if label is None and got is not None:
                problems.append(f"{case.file} {trait}: expected not enough evidence, got {got}")
            elif label is not None and (got is None or abs(got - label) > 1):
                problems.append(f"{case.file} {trait}: expected {label}, got {got}")
    assert judgements >= 80
    assert not problems, problems
    assert exact / judgements >= 0.8, f"{exact}/{judgements}"


def test_held_out_cases_also_reach_the_bar(bundle, cases: list[Case]) -> None:
    held = [c for c in cases if c.holdout]
    assert held
    pairs = [(assess_case(bundle, c).levels()[t], label)  # type: ignore[index]
             for c in held for t, label in c.labels.items()]
    exact = sum(got == label for got, label in pairs)
    assert exact / len(pairs) >= 0.8
    assert all((got is None) == (label is None) for got, label in pairs)


def test_evidence_quotes_stand_verbatim_in_the_source(bundle, cases: list[Case]) -> None:
    for case in cases:
        assessment = assess_case(bundle, case)
        texts = {SourceKind.CV: case.path.read_text(encoding="utf-8")}
        if case.interview:
            texts[SourceKind.INTERVIEW] = (CVS / case.interview).read_text(encoding="utf-8")
        for item in assessment.evidence:
            full = texts[item.source]
            original = full[item.start:item.end]
            masked = [s for s in find_spans(full, case.name)
                      if s[0] < item.end and s[1] > item.start]
            if not masked:
                assert original == item.quote, (case.file, item.quote)
            else:
                # Masked spans are replaced; everything between them is verbatim.
                view = TextView.identity(full).apply([(a, b, r) for a, b, r, _ in masked])
                assert item.quote in view.text, (case.file, item.quote)
                at = view.text.index(item.quote)
                assert view.to_original(at, at + len(item.quote)) == (item.start, item.end)
            assert item.line == full.count("\n", 0, item.start) + 1


def test_protected_attributes_never_reach_the_evidence(bundle, cases: list[Case]) -> None:
    for case in cases:
        assessment = assess_case(bundle, case)
        for part in case.name.split():
            for item in assessment.evidence:
                assert part not in item.quote, (case.file, item.quote)
    farmer = next(c for c in cases if c.file == "fr_farmer_attributs.txt")
    result = assess_case(bundle, farmer)
    assert {"birth_date", "nationality", "family_status", "photo", "name"} <= set(
        result.redactions)
    quotes = " ".join(e.quote for e in result.evidence)
    for secret in ("Casablanca", "marocaine", "deux enfants", "Conseillère"):
        assert secret not in quotes
