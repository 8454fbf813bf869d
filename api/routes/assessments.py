"""KAM profile assessments, for the HR role only (403 for every other role).

An assessment is a proposal until an HR user confirms or overrides it (an override
needs a reason); the reviewer recorded is the authenticated HR user. Candidates are
known by their HR reference, never by name. The audit trail names runs and candidates
by their internal ids, not by reference, so that erasing a person leaves no reference
of theirs behind.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from api.deps import HRDep, ServiceDep, SettingsDep, audit_object
from api.stored_answers import stored_answer
from kambot.assistant.assessment.records import RunSummary
from kambot.config import Settings
from kambot.domain.assessment import Assessment, AssessmentStatus, Lang, Trait
from kambot.errors import DataError, LimitExceededError, NotFoundError

router = APIRouter(tags=["assessments"])

CandidateRef = Annotated[str, Path(min_length=1, max_length=100,
                                   description="the person's HR reference (not a name)")]
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# The reader is picked by the file name; a name without a known suffix is read by the
# part's declared type.
SUFFIX_BY_TYPE = {"text/plain": ".txt", "text/markdown": ".md", "application/pdf": ".pdf",
                  DOCX_TYPE: ".docx"}
CV_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".docx", ".pdf")
TARGET_PATTERN = r"^[a-z_]{1,40}$"
NON_BLANK = r"\S"


class AssessmentText(BaseModel):
    """A CV given as text (the JSON form of POST /assessments)."""

    candidate_ref: str = Field(min_length=1, max_length=100, pattern=NON_BLANK,
                               description="the person's HR reference (not a name)")
    text: str = Field(min_length=1, max_length=2_000_000, pattern=NON_BLANK,
                      description="the CV's text")
    filename: str = Field(default="cv.txt", min_length=1, max_length=200)
    target: str = Field(default="farmer", pattern=TARGET_PATTERN,
                        description="hunter, farmer or project_director")
    lang: Lang | None = None
    notes: str | None = Field(default=None, max_length=200_000,
                              description="structured-interview notes")
    candidate_name: str | None = Field(default=None, max_length=200,
                                       description="only to mask the name; never stored")


_MULTIPART_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["file", "candidate_ref"],
    "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "the CV: txt, md, docx or pdf (by file name or part type)"},
        "candidate_ref": {"type": "string", "minLength": 1, "maxLength": 100,
                          "pattern": NON_BLANK},
        "target": {"type": "string", "pattern": TARGET_PATTERN, "default": "farmer"},
        "lang": {"type": "string", "enum": ["fr", "en"]},
        "notes": {"type": "string", "maxLength": 200_000},
        "candidate_name": {"type": "string", "maxLength": 200},
    },
}


class RunOut(BaseModel):
    """One logged assessment run."""

    run_id: int
    candidate_ref: str
    created_at: datetime
    target: str
    model: str
    status: AssessmentStatus
    fit_pct: float | None
    flags: int


class ConfirmDecision(BaseModel):
    """The reviewer confirms the proposal as it stands."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["confirm"]
    reason: str | None = Field(default=None, max_length=4000)


class OverrideDecision(BaseModel):
    """The reviewer departs from the proposal: a written reason is required."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["override"]
    reason: str = Field(min_length=1, max_length=4000, pattern=NON_BLANK,
                        description="why the panel departs from the proposal")
    levels: dict[Trait, Annotated[int, Field(ge=1, le=5)] | None] | None = Field(
        default=None, description="the levels the reviewer sets (None: not enough evidence)")


DecisionRequest = Annotated[ConfirmDecision | OverrideDecision, Field(discriminator="decision")]


class DecisionOut(BaseModel):
    """The decision recorded."""

    candidate_ref: str
    run_id: int
    decision: str
    reviewer: str
    reason: str | None
    levels: dict[str, int | None]
    at: datetime


class ErasureOut(BaseModel):
    """What erasing a person removed."""

    runs_deleted: int
    decisions_deleted: int
    vacuumed: bool


def _max_bytes(settings: Settings) -> int:
    return min(settings.max_upload_bytes, settings.max_import_bytes)


def _assess(settings: Settings, engine: Any, name: str, data: bytes | None, text: str | None,
            *, candidate_ref: str, target: str, lang: Lang | None, notes: str | None,
            candidate_name: str | None) -> Assessment:
    """Run the same assessment as `kambot assess run`, from bytes or text, and log it."""
    from kambot.assistant.assessment.extract_model import model_from_settings
    from kambot.assistant.assessment.intake import read_document, text_document
    from kambot.assistant.assessment.records import create_run
    from kambot.assistant.assessment.rubric import load_rubric
    from kambot.assistant.assessment.service import assess_documents
    from kambot.domain.assessment import SourceKind

    ref = candidate_ref.strip()
    if not ref:
        raise DataError("a candidate reference is needed",
                        hint="pass the HR reference of the person, not their name")
    limit = _max_bytes(settings)
    documents = [read_document(name, data, limit, SourceKind.CV) if data is not None
                 else text_document(text or "", name=name, kind=SourceKind.CV, max_bytes=limit)]
    if notes and notes.strip():
        documents.append(text_document(notes, name="interview notes",
                                       kind=SourceKind.INTERVIEW, max_bytes=limit))
    bundle = load_rubric(settings.knowledge_dir)
    if target not in bundle.archetypes:
        # A reference to a profile that does not exist, like an unknown id.
        raise NotFoundError(f"unknown target profile {target!r}",
                            hint=f"use one of: {', '.join(sorted(bundle.archetypes))}")
    assessment = assess_documents(bundle, documents, target=target, lang=lang or settings.lang,
                                  candidate_ref=ref, candidate_name=candidate_name,
                                  model=model_from_settings(settings))
    run_id = create_run(engine, assessment)
    return assessment.model_copy(update={"run_id": run_id})


async def _json_body(request: Request) -> AssessmentText:
    raw = await request.body()
    try:
        return AssessmentText.model_validate_json(raw)
    except ValidationError as exc:
        # Without the input: it may be bytes that are not text, which JSON cannot carry.
        raise RequestValidationError(exc.errors(include_url=False, include_input=False)) from None


def _cv_name(filename: str, content_type: str | None) -> str:
    """Return a file name whose suffix picks the right reader.

    Raises:
        UnsupportedMediaTypeError: neither the name nor the part's type is a CV format.
    """
    from pathlib import PurePath

    from kambot.errors import UnsupportedMediaTypeError

    name = PurePath(filename.replace("\\", "/")).name or "cv"
    if PurePath(name).suffix.lower() in CV_SUFFIXES:
        return name
    declared = (content_type or "").split(";", 1)[0].strip().lower()
    if declared in SUFFIX_BY_TYPE:
        return f"{PurePath(name).stem or 'cv'}{SUFFIX_BY_TYPE[declared]}"
    raise UnsupportedMediaTypeError(
        f"{name}: not a CV format (type {declared or 'unknown'!r})",
        hint="upload a .txt, .md, .docx or .pdf file")


def _form_text(form: Any, key: str, limit: int) -> str | None:
    value = form.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise DataError(f"the form field {key!r} must be text", hint="send it as a plain field")
    if len(value) > limit:
        raise DataError(f"the form field {key!r} is too long",
                        hint=f"keep it under {limit:,} characters")
    return value


@router.post(
    "/assessments", response_model=Assessment, status_code=201,
    responses={415: {"description": "The file is not a CV format (txt, md, docx, pdf)"}},
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": AssessmentText.model_json_schema()},
        "multipart/form-data": {"schema": _MULTIPART_SCHEMA, "encoding": {
            "file": {"contentType": ", ".join(SUFFIX_BY_TYPE)}}},
    }}},
)
async def create(request: Request, principal: HRDep, settings: SettingsDep,
                 service: ServiceDep) -> Assessment:
    """Assess a CV (a file upload, or text in JSON) against a target profile; log the run.

    The result is a proposal until an HR user confirms or overrides it.
    """
    audit_object(request, "candidate", None, action="assess")
    content_type = request.headers.get("content-type", "")
    data: bytes | None = None
    text: str | None = None
    if content_type.startswith("multipart/form-data"):
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise DataError("the form needs a `file` part with the CV",
                                hint="send the CV as a file field named `file`")
            data = await upload.read(settings.max_upload_bytes + 1)
            if len(data) > settings.max_upload_bytes:
                raise LimitExceededError(
                    f"the file is over the upload limit of {settings.max_upload_bytes:,} bytes",
                    hint="send a smaller file, or raise KAMBOT_MAX_UPLOAD_BYTES",
                    limit=settings.max_upload_bytes)
            name = _cv_name(upload.filename or "cv", upload.content_type)
            ref = _form_text(form, "candidate_ref", 100) or ""
            target = _form_text(form, "target", 40) or "farmer"
            lang_raw = _form_text(form, "lang", 2)
            notes = _form_text(form, "notes", 200_000)
            candidate_name = _form_text(form, "candidate_name", 200)
        if lang_raw not in (None, "fr", "en"):
            raise DataError(f"unknown language {lang_raw!r}", hint="use fr or en")
        lang: Lang | None = "fr" if lang_raw == "fr" else "en" if lang_raw == "en" else None
    elif content_type.startswith("application/json"):
        body = await _json_body(request)
        name, text, ref, target, lang = (body.filename, body.text, body.candidate_ref,
                                         body.target, body.lang)
        notes, candidate_name = body.notes, body.candidate_name
    else:
        raise DataError(f"unsupported content type {content_type or 'none'!r}",
                        hint="send multipart/form-data (file + candidate_ref) or JSON "
                        "{candidate_ref, text}")
    result = await run_in_threadpool(
        _assess, settings, service.engine, name, data, text, candidate_ref=ref, target=target,
        lang=lang, notes=notes, candidate_name=candidate_name)
    audit_object(request, "candidate", f"run:{result.run_id}", action="assess")
    return result


def _run_out(run: RunSummary) -> RunOut:
    return RunOut(run_id=run.run_id, candidate_ref=run.candidate_ref, created_at=run.created_at,
                  target=run.target, model=run.model, status=run.status, fit_pct=run.fit_pct,
                  flags=run.flags)


@stored_answer
@router.get("/assessments", response_model=list[RunOut])
def list_(request: Request, principal: HRDep, service: ServiceDep,
          candidate_ref: Annotated[str | None, Query(max_length=100)] = None,
          limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[RunOut]:
    """List logged assessment runs, newest first (optionally of one candidate)."""
    from kambot.assistant.assessment.records import list_runs

    audit_object(request, "candidate", None, action="list")
    return [_run_out(r) for r in list_runs(service.engine, candidate_ref=candidate_ref,
                                           limit=limit)]


def _latest(request: Request, engine: Any, candidate_ref: str) -> Assessment:
    from kambot.assistant.assessment.records import get_run, list_runs

    audit_object(request, "candidate", None)
    runs = list_runs(engine, candidate_ref=candidate_ref, limit=1)
    if not runs:
        raise NotFoundError(f"no assessment of candidate {candidate_ref!r}",
                            hint="list the assessments with GET /assessments")
    audit_object(request, "candidate", f"run:{runs[0].run_id}")
    return get_run(engine, runs[0].run_id)


def _trait_names(settings: Settings, lang: Lang) -> dict[Trait, str]:
    from kambot.assistant.assessment.rubric import load_rubric

    bundle = load_rubric(settings.knowledge_dir)
    return {Trait(t.key): t.name.get(lang) for t in bundle.rubric.traits}


@stored_answer
@router.get("/assessments/{candidate_ref}", response_model=Assessment)
def get(request: Request, candidate_ref: CandidateRef, principal: HRDep,
        service: ServiceDep) -> Assessment:
    """Return a candidate's latest assessment, with its evidence and decision."""
    return _latest(request, service.engine, candidate_ref)


@router.post("/assessments/{candidate_ref}/decision", response_model=DecisionOut)
def decision(request: Request, candidate_ref: CandidateRef, body: DecisionRequest,
             principal: HRDep, service: ServiceDep) -> DecisionOut:
    """Confirm the latest proposal, or override it with levels and a written reason."""
    from kambot.assistant.assessment.records import decide

    latest = _latest(request, service.engine, candidate_ref)
    assert latest.run_id is not None  # runs loaded from the store carry their id
    made = decide(service.engine, latest.run_id,
                  decision="confirmed" if body.decision == "confirm" else "overridden",
                  reviewer=principal.username, reason=body.reason,
                  levels=dict(body.levels) if isinstance(body, OverrideDecision)
                  and body.levels else None)
    audit_object(request, "candidate", f"run:{latest.run_id}", action=f"decide_{body.decision}")
    return DecisionOut(candidate_ref=latest.candidate_ref, run_id=latest.run_id,
                       decision=made.kind.value, reviewer=made.reviewer, reason=made.reason,
                       levels={k.value: v for k, v in made.levels.items()}, at=made.at)


LangQuery = Annotated[Lang | None, Query(description="report language (the run's by default)")]


@stored_answer
@router.get("/assessments/{candidate_ref}/report.md", response_class=Response,
            responses={200: {"description": "The HR report (Markdown)",
                             "content": {"text/markdown": {"schema": {"type": "string"}}}}})
def report_markdown(request: Request, candidate_ref: CandidateRef, principal: HRDep,
                    settings: SettingsDep, service: ServiceDep,
                    lang: LangQuery = None) -> Response:
    """Download the HR report of a candidate's latest assessment, in Markdown."""
    from kambot.exports.assessment_report import assessment_markdown

    latest = _latest(request, service.engine, candidate_ref)
    shown = lang or latest.lang
    text = assessment_markdown(latest, lang=shown, trait_names=_trait_names(settings, shown))
    return Response(text, media_type="text/markdown; charset=utf-8")


@stored_answer
@router.get("/assessments/{candidate_ref}/report.docx", response_class=Response,
            responses={200: {"description": "The HR report (Word)",
                             "content": {DOCX_TYPE: {"schema": {"type": "string",
                                                                "format": "binary"}}}}})
def report_docx(request: Request, candidate_ref: CandidateRef, principal: HRDep,
                settings: SettingsDep, service: ServiceDep, lang: LangQuery = None) -> Response:
    """Download the HR report of a candidate's latest assessment, as a Word document."""
    from kambot.exports.assessment_report import assessment_docx

    latest = _latest(request, service.engine, candidate_ref)
    shown = lang or latest.lang
    data = assessment_docx(latest, lang=shown, trait_names=_trait_names(settings, shown))
    return Response(data, media_type=DOCX_TYPE, headers={
        "Content-Disposition": f'attachment; filename="assessment-run-{latest.run_id}.docx"'})


@stored_answer
@router.get("/assessments/{candidate_ref}/explanation.md", response_class=Response,
            responses={200: {"description": "The explanation for the person assessed",
                             "content": {"text/markdown": {"schema": {"type": "string"}}}}})
def explanation(request: Request, candidate_ref: CandidateRef, principal: HRDep,
                settings: SettingsDep, service: ServiceDep, lang: LangQuery = None) -> Response:
    """Download the explanation owed to the person assessed (their latest assessment)."""
    from kambot.assistant.assessment.records import explanation_markdown

    latest = _latest(request, service.engine, candidate_ref)
    shown = lang or latest.lang
    text = explanation_markdown(latest, lang=shown, trait_names=_trait_names(settings, shown))
    return Response(text, media_type="text/markdown; charset=utf-8")


@router.delete("/candidates/{candidate_ref}", response_model=ErasureOut)
def erase(request: Request, candidate_ref: CandidateRef, principal: HRDep,
          service: ServiceDep) -> ErasureOut:
    """Erase a person: their runs, evidence and decisions (the database is compacted)."""
    from kambot.assistant.assessment.records import erase_candidate

    audit_object(request, "candidate", None, action="erase")
    report = erase_candidate(service.engine, candidate_ref, actor=principal.username)
    audit_object(request, "candidate", f"candidate:{report.candidate_id}", action="erase")
    return ErasureOut(runs_deleted=report.runs_deleted,
                      decisions_deleted=report.decisions_deleted, vacuumed=report.vacuumed)

