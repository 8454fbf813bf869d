""""What should I do next?" at each checkpoint of the path, from real data states."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from interview_support import (
    CRITERIA,
    HR,
    KAM,
    LEAD,
    OBJECTIVES,
    SEGMENTS,
    answer_all,
    build_store,
    programme,
    save,
    upsert,
)
from sqlalchemy.engine import Engine

from kambot.assistant.coaching import next_step, path_status
from kambot.assistant.coaching.service import methodology_chunks
from kambot.assistant.feedback import record_feedback
from kambot.assistant.interview import InterviewService
from kambot.config import Settings
from kambot.core.programme_path import CHECKPOINTS
from kambot.errors import PermissionDeniedError

Step = Callable[[Settings, Engine], None]


def define(settings: Settings, engine: Engine) -> None:
    save(engine, programme(objectives=[], segments=[], criteria=[]))


def objectives(settings: Settings, engine: Engine) -> None:
    save(engine, programme(objectives=list(OBJECTIVES), segments=[], criteria=[]))


def interviews(settings: Settings, engine: Engine) -> None:
    service = InterviewService(settings, engine)
    for name in ("Hélène Vauclair", "Marc Delorme", "Sabine Kessler"):
        assert answer_all(service, LEAD, service.start(LEAD, name, "en"), {}).last.done


def segments(settings: Settings, engine: Engine) -> None:
    save(engine, programme())


def select(settings: Settings, engine: Engine) -> None:
    upsert(engine, "accounts", [{"external_id": x, "name": n, "is_key_account": True}
                                for x, n in (("C1", "Quenolac Mobilité SA"),
                                             ("C2", "Morennova S.p.A."),
                                             ("C3", "Orsanova Maschinenbau GmbH & Co. KG"))])


def sponsors(settings: Settings, engine: Engine) -> None:
    upsert(engine, "accounts", [{"external_id": "C1", "name": "Quenolac Mobilité SA",
                                 "sponsor": "hvauclair"},
                                {"external_id": "C2", "name": "Morennova S.p.A.",
                                 "sponsor": "hvauclair"},
                                {"external_id": "C3", "name": "Orsanova Maschinenbau GmbH & "
                                 "Co. KG", "sponsor": "skessler"}])


def plans(settings: Settings, engine: Engine) -> None:
    upsert(engine, "accounts", [{"external_id": x, "name": n, "plan_validated_on": "2026-03-01"}
                                for x, n in (("C1", "Quenolac Mobilité SA"),
                                             ("C2", "Morennova S.p.A."),
                                             ("C3", "Orsanova Maschinenbau GmbH & Co. KG"))])


def baselines(settings: Settings, engine: Engine) -> None:
    upsert(engine, "accounts", [{"external_id": x, "name": n, "potential": 2_000_000.0}
                                for x, n in (("C1", "Quenolac Mobilité SA"),
                                             ("C2", "Morennova S.p.A."),
                                             ("C3", "Orsanova Maschinenbau GmbH & Co. KG"))])
    upsert(engine, "invoice_lines", [
        {"external_id": f"L{i}", "invoice": f"INV{i}", "account_external_id": x,
         "invoiced_on": date(2026, m, 15), "amount": 10_000.0}
        for i, (x, m) in enumerate([("C1", 1), ("C2", 2), ("C3", 3), ("C4", 3)])])


def casting(settings: Settings, engine: Engine) -> None:
    upsert(engine, "accounts", [{"external_id": "C1", "name": "Quenolac Mobilité SA",
                                 "owner_kam": "alefevre"},
                                {"external_id": "C2", "name": "Morennova S.p.A.",
                                 "owner_kam": "alefevre"},
                                {"external_id": "C3", "name": "Orsanova Maschinenbau GmbH & "
                                 "Co. KG", "owner_kam": "kvogel"}])


def listening(settings: Settings, engine: Engine) -> None:
    record_feedback(engine, KAM, "Nobody told us what changes for the country teams.",
                    knowledge_dir=settings.knowledge_dir)


STEPS: list[Step] = [define, objectives, interviews, segments, select, sponsors, plans,
                     baselines, casting, listening]
EXPECTED = [*CHECKPOINTS, "complete"]


@pytest.mark.parametrize("reached", range(len(EXPECTED)), ids=EXPECTED)
def test_what_next_at_each_checkpoint(settings: Settings, reached: int) -> None:
    engine = build_store(settings, with_programme=False)
    try:
        for step in STEPS[:reached]:
            step(settings, engine)
        chunks = methodology_chunks(settings)
        for lang in ("en", "fr"):
            advice = next_step(settings, engine, lang)  # type: ignore[arg-type]
            assert advice.checkpoint == EXPECTED[reached]
            assert advice.done == reached and advice.total == len(CHECKPOINTS)
            assert advice.citations and all(c in chunks for c in advice.citations)
            assert all(c.startswith(f"{lang}/") for c in advice.citations)
            assert advice.title in advice.text and advice.evidence in advice.text
            assert all(f"[{c}]" in advice.text for c in advice.citations)
        status = path_status(settings, engine, "en")
        assert [s.id for s in status] == list(CHECKPOINTS)
        assert [s.done for s in status] == [i < reached for i in range(len(CHECKPOINTS))]
    finally:
        engine.dispose()


def test_evidence_names_what_is_missing(settings: Settings) -> None:
    engine = build_store(settings)
    try:
        select(settings, engine)
        upsert(engine, "accounts", [{"external_id": "C1", "name": "Quenolac Mobilité SA",
                                     "sponsor": "mdelorme"}])
        status = {s.id: s for s in path_status(settings, engine, "en")}
        sponsors_ = status["sponsors_assigned"]
        assert not sponsors_.done and sponsors_.counts["with_sponsor"] == 1
        assert "Morennova S.p.A." in sponsors_.missing
        assert "1 of 3 key account(s) have an executive sponsor" in sponsors_.evidence
        interviews_ = status["alignment_interviews"]
        assert interviews_.missing == ["Hélène Vauclair", "Marc Delorme", "Sabine Kessler"]
        fr = {s.id: s for s in path_status(settings, engine, "fr")}
        assert fr["alignment_interviews"].evidence.startswith("0 dirigeant(s) sur 3")
        assert fr["alignment_interviews"].title == "Interviewer chaque membre du comité de " \
            "direction"
        # An executive over their limit blocks the checkpoint even when all are sponsored.
        save(engine, programme(objectives=list(OBJECTIVES), segments=list(SEGMENTS),
                               criteria=list(CRITERIA)))
        upsert(engine, "accounts", [{"external_id": x, "name": n, "sponsor": "mdelorme"}
                                    for x, n in (("C1", "Quenolac Mobilité SA"),
                                                 ("C2", "Morennova S.p.A."),
                                                 ("C3", "Orsanova Maschinenbau GmbH & Co. KG"))])
        over = {s.id: s for s in path_status(settings, engine, "en")}["sponsors_assigned"]
        assert not over.done and over.counts["over_limit"] == 1 and "mdelorme" in over.missing
    finally:
        engine.dispose()


def test_roles_that_may_not_see_the_path(settings: Settings) -> None:
    engine = build_store(settings)
    try:
        for who in (KAM, HR):
            with pytest.raises(PermissionDeniedError):
                next_step(settings, engine, "en", principal=who)
            with pytest.raises(PermissionDeniedError):
                path_status(settings, engine, "en", principal=who)
        assert next_step(settings, engine, "en", principal=LEAD).checkpoint == \
            "alignment_interviews"
    finally:
        engine.dispose()
