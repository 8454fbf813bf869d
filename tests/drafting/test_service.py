"""Drafting use cases on the demo store: versions, revisions, comparison, staleness."""

from __future__ import annotations

from pathlib import Path

import pytest
from drafting_support import DemoStore

from kambot.assistant.drafting import (
    check_staleness,
    compare_versions,
    draft_document,
    revise_section,
    stale_documents,
)
from kambot.assistant.drafting.storage import (
    get_document,
    list_documents,
    list_versions,
    load_document,
    save_document,
)
from kambot.config import PROJECT_ROOT
from kambot.domain.documents import Document
from kambot.errors import DataError, NotFoundError, StoreError
from kambot.llm.model_writer import ModelWriter
from kambot.llm.testing import ScriptedModel


def test_each_draft_is_a_new_stored_version(demo_store: DemoStore) -> None:
    s, svc = demo_store.settings, demo_store.service
    first = draft_document(s, svc, "executive_summary", "C10745", "fr")
    second = draft_document(s, svc, "executive_summary", "Morennova S.p.A.", "fr")
    assert first.key == second.key == "executive_summary/C10745/fr"
    assert second.version == first.version + 1
    assert load_document(svc.engine, first.key) == second
    assert load_document(svc.engine, first.key, first.version) == first
    versions = list_versions(svc.engine, first.key)
    assert [v.version for v in versions][-2:] == [first.version, second.version]
    assert get_document(svc.engine, versions[-1].id) == second
    latest = list_documents(svc.engine, kind="executive_summary", account="C10745",
                            language="fr")
    assert [d.version for d in latest] == [second.version]
    diff = compare_versions(first, second)
    assert not diff.changed and diff.sections[0].unchanged > 0
    with pytest.raises(NotFoundError):
        load_document(svc.engine, first.key, 999)


def test_revising_a_section_keeps_the_others_and_the_history(demo_store: DemoStore) -> None:
    s, svc = demo_store.settings, demo_store.service
    doc = draft_document(s, svc, "executive_summary", "C10993", "en")
    gap = next(c for st in doc.section("asks").statements  # type: ignore[union-attr]
               for c in st.citations if c.endswith("/gap"))
    answer = {"sections": [{"key": "asks", "statements": [
        {"text": "Before anything else, close the resource gaps of the profit centres.",
         "citations": [gap]}]}]}
    model = ScriptedModel([answer], name="scripted")
    revised = revise_section(doc, "asks", "Put the resource gaps first", settings=s,
                             service=svc, writer=ModelWriter(model, PROJECT_ROOT / "prompts"))
    assert "Put the resource gaps first" in model.last_user_message()
    assert revised.version == doc.version + 1 and revised.parent_version == doc.version
    assert revised.revised_sections == ["asks"] and revised.guard.passed
    assert revised.writer == "scripted"
    assert [st.text for st in revised.section("asks").statements] == [  # type: ignore[union-attr]
        "Before anything else, close the resource gaps of the profit centres."]
    for key in ("why_it_matters", "figures"):
        assert revised.section(key) == doc.section(key)
    diff = compare_versions(doc, revised)
    changed = {d.key for d in diff.sections if d.added or d.removed}
    assert changed == {"asks"} and diff.changed
    assert load_document(svc.engine, doc.key).version == revised.version


def test_an_unguarded_revision_is_repaired(demo_store: DemoStore) -> None:
    s, svc = demo_store.settings, demo_store.service
    doc = draft_document(s, svc, "account_strategy", "C11600", "fr", save=False)
    invented = {"sections": [{"key": "ownership", "statements": [
        {"text": "La satisfaction atteint 9,9 sur dix.",
         "citations": ["acct:C11600/kpi:satisfaction"]}]}]}
    writer = ModelWriter(ScriptedModel([invented, invented]), PROJECT_ROOT / "prompts")
    revised = revise_section(doc, "ownership", "Plus court", settings=s, service=svc,
                             writer=writer, save=False)
    assert revised.guard.passed and revised.guard.repaired_sections == ["ownership"]
    assert revised.section("ownership") == doc.section("ownership")
    assert "9,9" not in " ".join(st.text for st in revised.statements())


def test_revising_an_unknown_section_is_refused(demo_store: DemoStore) -> None:
    doc = draft_document(demo_store.settings, demo_store.service, "ceb", "C10175", "en",
                         save=False)
    with pytest.raises(DataError, match="not a section"):
        revise_section(doc, "appendix", "x", settings=demo_store.settings,
                       service=demo_store.service)


def _write_initiative(path: Path, status: str, committed: str) -> Path:
    header = ("external_id,account_external_id,title,status,expected_value,profit_centre,"
              "resources_requested,resources_committed,decided_on\n")
    row = (f"IN-0007,C10175,Group frame agreement with service-level commitments,{status},"
           f"510000,Process Automation FR,105,{committed},\n")
    path.write_text(header + row, encoding="utf-8")
    return path


def test_a_document_goes_stale_when_its_facts_change(demo_store: DemoStore,
                                                     tmp_path: Path) -> None:
    from kambot.store.importers.runner import import_file

    s, svc = demo_store.settings, demo_store.service
    doc = draft_document(s, svc, "account_strategy", "C10175", "en")
    assert check_staleness(s, svc, doc).stale is False
    assert doc.inputs["acct:C10175/initiative:IN-0007/status"].value == "proposed"
    import_file(svc.engine, s, _write_initiative(tmp_path / "initiatives.csv", "validated", "60"))
    try:
        stale = check_staleness(s, svc, doc)
        assert stale.stale
        changed = {c.id: c for c in stale.changes}
        status = changed["acct:C10175/initiative:IN-0007/status"]
        assert (status.change, status.before, status.after, status.cited) == (
            "changed", "proposed", "validated", True)
        assert changed["acct:C10175/initiative:IN-0007/resources_committed"].after == "60"
        assert stale.cited_changes and stale.changes[0].cited
        flagged = {summary.key: st for summary, st in stale_documents(s, svc)}
        assert doc.key in flagged and flagged[doc.key].cited_changes
        redrafted = draft_document(s, svc, "account_strategy", "C10175", "en")
        assert check_staleness(s, svc, redrafted).stale is False
        assert redrafted.input_fingerprint != doc.input_fingerprint
    finally:
        import_file(svc.engine, s, _write_initiative(tmp_path / "back.csv", "proposed", ""))
    assert check_staleness(s, svc, doc).stale is False
    # The latest stored version was drafted from the changed data: it is now the stale one.
    after_restore = {summary.key: st for summary, st in stale_documents(s, svc)}
    back = {c.id: c for c in after_restore[doc.key].changes}
    assert (back["acct:C10175/initiative:IN-0007/status"].before,
            back["acct:C10175/initiative:IN-0007/status"].after) == ("validated", "proposed")


def test_drafting_errors_name_the_problem(demo_store: DemoStore) -> None:
    s, svc = demo_store.settings, demo_store.service
    with pytest.raises(NotFoundError, match="unknown account"):
        draft_document(s, svc, "account_strategy", "No Such Customer", "en")
    with pytest.raises(DataError, match="whole programme"):
        draft_document(s, svc, "programme_review", "C10175", "en")
    with pytest.raises(DataError, match="one account"):
        draft_document(s, svc, "ceb", None, "en")


def test_saving_without_the_documents_table_says_how_to_fix_it(
        demo_store: DemoStore, tmp_path: Path) -> None:
    import sqlalchemy as sa

    doc = draft_document(demo_store.settings, demo_store.service, "sponsorship_plan", None,
                         "en", save=False)
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(StoreError, match="generated_documents") as err:
        save_document(engine, doc)
    assert "migrations" in str(err.value)
    with pytest.raises(StoreError):
        list_documents(engine)


def test_stored_documents_round_trip_exactly(demo_store: DemoStore) -> None:
    doc = draft_document(demo_store.settings, demo_store.service, "sponsorship_plan", None,
                         "fr")
    again = load_document(demo_store.service.engine, doc.key, doc.version)
    assert again == doc and isinstance(again, Document)
    assert again.guard.passed and again.sources and again.inputs
