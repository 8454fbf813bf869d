"""Every endpoint x every role x {own object, another scope's object, unknown id}.

The matrix is built from ``app.routes``: a route missing from :data:`RULES` (or from
:data:`PUBLIC`) fails the test with its name, so that routes added later are
classified before they ship. To classify a route, add one line to :data:`RULES`:
which roles may use it (403 for the others), what kind of object its path or body
addresses (404 when the caller may not see it, exactly like an unknown id), the
success status, and, if needed, a body or a ``prepare`` step creating a fresh object
(for routes that consume it, such as deletions).

Leaks: every answer a scoped caller (KAM, executive, HR) gets is searched for the
external id of every account outside their scope (the one they typed excepted); lists
must hold only what they may see.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import get_principal
from kambot.assistant.portfolio import PortfolioService, open_store
from kambot.config import Settings
from kambot.domain.identity import Role

from .conftest import api_settings, bearer, copy_demo, make_user

KAM, EXE, LEAD, ADMIN, HR = Role.KAM, Role.EXECUTIVE, Role.LEAD, Role.ADMIN, Role.HR
ALL = frozenset(Role)
ACCOUNT_READERS = frozenset({KAM, EXE, LEAD, ADMIN})
PORTFOLIO = frozenset({EXE, LEAD, ADMIN})
ONLY_HR = frozenset({HR})
ONLY_ADMIN = frozenset({ADMIN})
VARIANTS = ("own", "other", "unknown")

# Who sees which object, per variant. "own" is in the KAM's and the executive's scope;
# "other" is outside both; "unknown" does not exist.
SEES: dict[str, dict[str, frozenset[Role]]] = {
    "account": {"own": ACCOUNT_READERS, "other": frozenset({LEAD, ADMIN}),
                "unknown": frozenset()},
    "document": {"own": ACCOUNT_READERS, "other": frozenset({LEAD, ADMIN}),
                 "unknown": frozenset()},
    # Candidates have no scope among HR users: "other" is a second candidate.
    "candidate": {"own": ONLY_HR, "other": ONLY_HR, "unknown": frozenset()},
    "user": {"own": ONLY_ADMIN, "other": ONLY_ADMIN, "unknown": frozenset()},
    "key": {"own": ONLY_ADMIN, "other": ONLY_ADMIN, "unknown": frozenset()},
    # "own" is the executive's interview; "other" another executive's.
    "interview": {"own": frozenset({EXE, LEAD, ADMIN}), "other": frozenset({LEAD, ADMIN}),
                  "unknown": frozenset()},
    # "own" is the caller's own session (one per role); "other" another user's.
    "chat_session": {"own": ALL, "other": frozenset(), "unknown": frozenset()},
    # "own" and "other" are two models kambot answers as.
    "model": {"own": ALL, "other": ALL, "unknown": frozenset()},
}

CV = """Key account manager, industrial automation, 2016-2025.
Grew the Acme account from 1.2 M EUR to 3.4 M EUR in three years (+180%).
Led a team of 6 account managers across France and Germany.
Built the three-year account plan reviewed quarterly with the customer's COO.
Negotiated a five-year framework agreement worth 12 M EUR with procurement.
"""


@dataclass
class Ctx:
    """The objects of the matrix: ids per kind and variant, and helpers."""

    values: dict[str, dict[str, str]]
    settings: Settings
    service: PortfolioService
    counter: Iterator[int] = field(default_factory=itertools.count)
    sessions: dict[Role, str] = field(default_factory=dict)  # each role's own chat session

    def fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"


Body = Callable[[Ctx, str], dict[str, Any] | None]
Prepare = Callable[[Ctx, str], dict[str, str]]
Query = Callable[[Ctx, str], dict[str, Any]]


@dataclass(frozen=True)
class Rule:
    """How one route answers each role."""

    roles: frozenset[Role]
    obj: str | None = None  # what the path (or body) addresses; None: nothing by id
    ok: int = 200
    body: Body | None = None
    prepare: Prepare | None = None  # fresh path values for a route that consumes them
    leak_check: bool = True  # False where the role legitimately sees every account
    params: dict[str, Any] = field(default_factory=dict)
    query: Query | None = None  # query parameters naming the object, per variant


def _draft_body(ctx: Ctx, variant: str) -> dict[str, Any]:
    return {"kind": "account_strategy", "account": ctx.values["account"][variant],
            "lang": "en"}


def _ask_body(ctx: Ctx, variant: str) -> dict[str, Any]:
    return {"question": "How do we review the account plan?",
            "account": ctx.values["account"][variant]}


def _new_candidate(ctx: Ctx, variant: str) -> dict[str, str]:
    if variant == "unknown":
        return {"candidate_ref": "CAND-UNKNOWN"}
    ref = ctx.fresh("CAND-ERASE-")
    _assess(ctx, ref)
    return {"candidate_ref": ref}


def _new_user(ctx: Ctx, variant: str) -> dict[str, str]:
    if variant == "unknown":
        return {"username": "nobody-here"}
    name = ctx.fresh("matrix-user-")
    make_user(ctx.service.engine, name, "kam", [ctx.values["account"]["own"]])
    return {"username": name}


def _new_key(ctx: Ctx, variant: str) -> dict[str, str]:
    from kambot.auth.users import create_user, issue_key

    name = ctx.fresh("matrix-keys-")
    create_user(ctx.service.engine, name, "lead")
    key = issue_key(ctx.service.engine, name)
    return {"username": name, "key_id": key.key_id if variant != "unknown" else "0123456789ab"}


def _new_interview(ctx: Ctx, variant: str) -> dict[str, str]:
    if variant == "unknown":
        return {"interview_id": ctx.values["interview"]["unknown"]}
    return {"interview_id": _start_interview(ctx, variant)}


def _start_interview(ctx: Ctx, variant: str) -> str:
    """Start an interview: the executive's own ("own") or another executive's ("other")."""
    from kambot.assistant.interview import InterviewService
    from kambot.domain.identity import Principal

    service = InterviewService(ctx.settings, ctx.service.engine)
    if variant == "own":
        return str(service.start(Principal(user_id=None, username="m-executive", role=EXE),
                                 None, "en").id)
    return str(service.start(Principal(user_id=None, username="m-lead", role=LEAD),
                             "Another Executive", "en").id)


def _assess(ctx: Ctx, ref: str) -> None:
    from kambot.assistant.assessment.records import create_run
    from kambot.assistant.assessment.service import assess_text

    create_run(ctx.service.engine, assess_text(ctx.settings, CV, target="farmer", lang="en",
                                               candidate_ref=ref))


# One line per route: (method, path) -> rule.
RULES: dict[tuple[str, str], Rule] = {
    # Static text; model docstrings quote a made-up account id as an example.
    ("GET", "/openapi.json"): Rule(ALL, leak_check=False),
    ("GET", "/auth/me"): Rule(ALL),
    ("POST", "/auth/logout"): Rule(ALL, ok=204),
    ("GET", "/accounts"): Rule(ACCOUNT_READERS),
    ("GET", "/accounts/{account}"): Rule(ACCOUNT_READERS, obj="account"),
    ("GET", "/accounts/{account}/scenarios"): Rule(ACCOUNT_READERS, obj="account"),
    ("GET", "/segmentation"): Rule(PORTFOLIO, leak_check=False),
    ("GET", "/selection"): Rule(PORTFOLIO, leak_check=False),
    ("GET", "/tiers"): Rule(PORTFOLIO, leak_check=False, params={"accounts": True}),
    ("GET", "/kpis"): Rule(PORTFOLIO, leak_check=False),
    ("GET", "/scenarios"): Rule(PORTFOLIO, leak_check=False),
    ("POST", "/ask"): Rule(ALL, obj="account", body=_ask_body),
    ("POST", "/documents"): Rule(frozenset({KAM, LEAD, ADMIN}), obj="account",
                                 body=_draft_body),
    ("GET", "/documents"): Rule(ACCOUNT_READERS),
    ("GET", "/documents/{document_id}"): Rule(ACCOUNT_READERS, obj="document"),
    ("GET", "/documents/{document_id}/docx"): Rule(ACCOUNT_READERS, obj="document"),
    ("GET", "/documents/{document_id}/markdown"): Rule(ACCOUNT_READERS, obj="document"),
    ("POST", "/users"): Rule(ONLY_ADMIN, ok=201, body=lambda ctx, v: {
        "username": ctx.fresh("created-"), "role": "kam",
        "accounts": [ctx.values["account"]["own"]]}),
    ("GET", "/users"): Rule(ONLY_ADMIN),
    ("GET", "/users/{username}"): Rule(ONLY_ADMIN, obj="user"),
    ("POST", "/users/{username}/keys"): Rule(ONLY_ADMIN, obj="user", ok=201,
                                             body=lambda ctx, v: {"label": "matrix"}),
    ("DELETE", "/users/{username}/keys/{key_id}"): Rule(ONLY_ADMIN, obj="key", ok=204,
                                                        prepare=_new_key),
    ("DELETE", "/users/{username}"): Rule(ONLY_ADMIN, obj="user", prepare=_new_user),
    ("POST", "/assessments"): Rule(ONLY_HR, ok=201, body=lambda ctx, v: {
        "candidate_ref": ctx.fresh("CAND-NEW-"), "text": CV, "target": "hunter"}),
    ("GET", "/assessments"): Rule(ONLY_HR),
    ("GET", "/assessments/{candidate_ref}"): Rule(ONLY_HR, obj="candidate"),
    ("POST", "/assessments/{candidate_ref}/decision"): Rule(
        ONLY_HR, obj="candidate", body=lambda ctx, v: {"decision": "confirm"}),
    ("GET", "/assessments/{candidate_ref}/report.md"): Rule(ONLY_HR, obj="candidate"),
    ("GET", "/assessments/{candidate_ref}/report.docx"): Rule(ONLY_HR, obj="candidate"),
    ("GET", "/assessments/{candidate_ref}/explanation.md"): Rule(ONLY_HR, obj="candidate"),
    ("DELETE", "/candidates/{candidate_ref}"): Rule(ONLY_HR, obj="candidate",
                                                    prepare=_new_candidate),
    # The executive interviewed names themselves; a lead or admin runs it for them.
    ("POST", "/interviews"): Rule(PORTFOLIO, body=lambda ctx, v: {
        "executive": "m-executive", "lang": "en"}),
    ("GET", "/interviews"): Rule(PORTFOLIO),
    ("GET", "/interviews/synthesis"): Rule(PORTFOLIO),
    ("GET", "/interviews/synthesis.md"): Rule(PORTFOLIO),
    ("GET", "/interviews/{interview_id}"): Rule(PORTFOLIO, obj="interview"),
    ("GET", "/interviews/{interview_id}/turn"): Rule(PORTFOLIO, obj="interview"),
    # Each answer moves the interview on: a fresh one per call.
    ("POST", "/interviews/{interview_id}/answers"): Rule(
        PORTFOLIO, obj="interview", prepare=_new_interview,
        body=lambda ctx, v: {"text": "skip"}),
    ("POST", "/interviews/{interview_id}/pause"): Rule(PORTFOLIO, obj="interview"),
    ("POST", "/interviews/{interview_id}/resume"): Rule(PORTFOLIO, obj="interview"),
    # The evidence names key accounts across the portfolio.
    ("GET", "/programme/path"): Rule(PORTFOLIO, leak_check=False),
    ("GET", "/programme/next-step"): Rule(PORTFOLIO, leak_check=False),
    ("POST", "/feedback"): Rule(ALL, ok=201, body=lambda ctx, v: {
        "text": "The account plan template is too long to fill in.", "lang": "en"}),
    ("GET", "/feedback/themes"): Rule(frozenset({LEAD, ADMIN})),
    ("GET", "/feedback/review.md"): Rule(frozenset({LEAD, ADMIN})),
    ("GET", "/v1/models"): Rule(ALL),
    ("GET", "/v1/models/{model_id}"): Rule(ALL, obj="model"),
    ("POST", "/v1/chat/completions"): Rule(ALL, body=lambda ctx, v: {
        "model": "kambot-en",
        "messages": [{"role": "user", "content": "What makes a good account plan?"}]}),
    ("POST", "/chat/sessions"): Rule(ALL, ok=201, body=lambda ctx, v: {"lang": "en"}),
    ("GET", "/chat/sessions"): Rule(ALL),
    ("GET", "/chat/sessions/{session_id}"): Rule(ALL, obj="chat_session"),
    ("POST", "/chat/sessions/{session_id}/messages"): Rule(
        ALL, obj="chat_session",
        body=lambda ctx, v: {"content": "What makes a good account plan?"}),
    # HR may open methodology passages, not a document: 404 like an unknown id.
    ("GET", "/sources"): Rule(ALL, obj="document", query=lambda ctx, v: {
        "id": f"doc:{ctx.values['document'][v]}"}),
    ("POST", "/documents/{document_id}/sections/{section_id}/revise"): Rule(
        frozenset({KAM, LEAD, ADMIN}), obj="document", ok=201,
        body=lambda ctx, v: {"instruction": "Say it more briefly."}),
    ("GET", "/documents/{document_id}/versions"): Rule(ACCOUNT_READERS, obj="document"),
    ("GET", "/documents/{document_id}/compare"): Rule(
        ACCOUNT_READERS, obj="document",
        query=lambda ctx, v: {"with": ctx.values["document"][v]}),
    ("GET", "/documents/{document_id}/staleness"): Rule(ACCOUNT_READERS, obj="document"),
}
# Routes that answer without credentials, with what they answer.
PUBLIC: dict[tuple[str, str], int] = {
    ("GET", "/health"): 200,
    ("GET", "/"): 200,
    ("HEAD", "/"): 200,
    ("GET", "/static/{path:path}"): 404,  # the file asked for below does not exist
    ("HEAD", "/static/{path:path}"): 404,
    ("POST", "/auth/login"): 401,  # wrong credentials
}
PUBLIC_PATHS = {"/health", "/auth/login", "/"}
PLACEHOLDER = re.compile(r"{([a-z_]+)(?::[a-z]+)?}")


def _endpoints(app: Any) -> list[tuple[str, str, Any]]:
    """List (method, path, route) of every route, routers included (a mount is "*")."""
    found = []
    for context in iter_route_contexts(app.routes):
        path = str(context.path)
        for method in sorted(context.methods or ("*",)):
            found.append((method, path, context))
    return found


def _depends_on_principal(route: Any) -> bool:
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return False
    stack = list(dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call is get_principal:
            return True
        stack.extend(dep.dependencies)
    return False


def _is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path == "/static" or path.startswith("/static/")


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matrix(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from kambot.assistant.drafting import draft_document

    settings = api_settings(copy_demo(demo_template, tmp_path_factory.mktemp("m") / "data"))
    engine = open_store(settings)
    service = PortfolioService(settings, engine)
    accounts = service.analysis().portfolio.accounts
    ext = list(accounts.external_ids)
    own, own2, other = ext[0], ext[1], ext[2]
    keys = {
        KAM: make_user(engine, "m-kam", "kam", [own, own2]),
        EXE: make_user(engine, "m-executive", "executive", [own]),
        LEAD: make_user(engine, "m-lead", "lead"),
        ADMIN: make_user(engine, "m-admin", "admin"),
        HR: make_user(engine, "m-hr", "hr"),
    }
    other_key = make_user(engine, "m-other-user", "kam", [other])
    docs = {v: draft_document(settings, service, "account_strategy", a, "en")
            for v, a in (("own", own), ("other", other))}
    ids = _document_ids(service)
    ctx = Ctx(values={
        "section": {v: docs["own"].sections[0].key for v in VARIANTS},
        "model": {"own": "kambot", "other": "kambot-fr", "unknown": "no-such-model"},
        "interview": {"unknown": "987654"},
        "chat_session": {"other": "", "unknown": "987654"},
        "account": {"own": own, "other": other, "unknown": "C99999"},
        "document": {"own": str(ids[docs["own"].key]), "other": str(ids[docs["other"].key]),
                     "unknown": "987654"},
        "candidate": {"own": "CAND-OWN", "other": "CAND-OTHER", "unknown": "CAND-UNKNOWN"},
        "user": {"own": "m-kam", "other": "m-other-user", "unknown": "nobody-here"},
    }, settings=settings, service=service)
    _assess(ctx, "CAND-OWN")
    _assess(ctx, "CAND-OTHER")
    scopes = {KAM: {own, own2}, EXE: {own}, HR: set()}
    outside = {role: set(ext) - scope for role, scope in scopes.items()}
    ctx.values["interview"].update({v: _start_interview(ctx, v) for v in ("own", "other")})
    app = create_app(settings)
    with TestClient(app) as client:
        for role, key in (*keys.items(), (None, other_key)):
            created = client.post("/chat/sessions", headers=bearer(key), json={})
            assert created.status_code == 201, created.text
            if role is None:
                ctx.values["chat_session"]["other"] = str(created.json()["id"])
            else:
                ctx.sessions[role] = str(created.json()["id"])
        yield client, keys, ctx, outside
    engine.dispose()


def _document_ids(service: PortfolioService) -> dict[str, int]:
    from kambot.assistant.drafting.storage import list_documents

    return {d.key: d.id for d in list_documents(service.engine)}


# --- the tests ------------------------------------------------------------------------------


def test_every_route_is_classified() -> None:
    app = create_app(api_settings(Path("/nonexistent-kambot-data")))
    missing = [f"{m} {p}" for m, p, _r in _endpoints(app)
               if (m, p) not in RULES and (m, p) not in PUBLIC]
    assert not missing, ("routes missing from RULES/PUBLIC in tests/api/test_authz_matrix.py:\n"
                         + "\n".join(missing))
    stale = [f"{m} {p}" for (m, p) in RULES if (m, p) not in
             {(m2, p2) for m2, p2, _r in _endpoints(app)}]
    assert not stale, "RULES lists routes the app no longer has:\n" + "\n".join(stale)


def test_every_non_public_route_depends_on_the_principal() -> None:
    app = create_app(api_settings(Path("/nonexistent-kambot-data")))
    unguarded = []
    for method, path, route in _endpoints(app):
        if not _is_public(path) and not _depends_on_principal(route):
            unguarded.append(f"{method} {path}")
    assert not unguarded, "routes answering without PrincipalDep:\n" + "\n".join(unguarded)


def _url(path: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], path)


def _path_values(ctx: Ctx, rule: Rule, variant: str, role: Role) -> dict[str, str]:
    if rule.prepare is not None:
        return rule.prepare(ctx, variant)
    values = {"account": ctx.values["account"][variant],
              "document_id": ctx.values["document"][variant],
              "section_id": ctx.values["section"][variant],
              "candidate_ref": ctx.values["candidate"][variant],
              "username": ctx.values["user"][variant],
              "interview_id": ctx.values["interview"][variant],
              "model_id": ctx.values["model"][variant],
              "session_id": (ctx.sessions[role] if variant == "own"
                             else ctx.values["chat_session"][variant])}
    return values


def _call(client: TestClient, method: str, url: str, key: str | None,
          body: dict[str, Any] | None, params: dict[str, Any]) -> Any:
    headers = bearer(key) if key else {}
    return client.request(method, url, headers=headers, json=body, params=params)


@pytest.mark.parametrize(("method", "path"), sorted(RULES))
def test_nothing_answers_without_credentials(matrix: Any, method: str, path: str) -> None:
    client, _keys, ctx, _outside = matrix
    rule = RULES[(method, path)]
    values = {"account": "C99999", "document_id": "987654", "candidate_ref": "X",
              "username": "nobody-here", "key_id": "0123456789ab", "interview_id": "987654",
              "session_id": "987654", "model_id": "kambot", "section_id": "initiatives"}
    body = rule.body(ctx, "own") if rule.body else None
    params = {**rule.params, **(rule.query(ctx, "own") if rule.query else {})}
    response = _call(client, method, _url(path, values), None, body, params)
    assert response.status_code == 401, response.text
    error = response.json()["error"]
    # The OpenAI-compatible routes answer in OpenAI's error shape.
    code = error["code"] if path.startswith("/v1/") else error
    assert code == "authentication_required"


@pytest.mark.parametrize(("method", "path"), sorted(PUBLIC))
def test_public_routes_answer_without_credentials(matrix: Any, method: str,
                                                  path: str) -> None:
    client, _keys, _ctx, _outside = matrix
    url = _url(path, {"path": "no-such-file.js"})
    body = {"username": "nobody-here", "password": "wrong"} if method == "POST" else None
    response = client.request(method, url, json=body)
    assert response.status_code == PUBLIC[(method, path)], response.text


def _expected(rule: Rule, role: Role, variant: str) -> int:
    if role not in rule.roles:
        return 403
    if rule.obj is None:
        return rule.ok
    return rule.ok if role in SEES[rule.obj][variant] else 404


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize(("method", "path"), sorted(RULES))
def test_matrix(matrix: Any, method: str, path: str, role: Role) -> None:
    client, keys, ctx, outside = matrix
    rule = RULES[(method, path)]
    variants = VARIANTS if rule.obj is not None else ("own",)
    problems = []
    for variant in variants:
        values = _path_values(ctx, rule, variant, role)
        body = rule.body(ctx, variant) if rule.body else None
        query = rule.query(ctx, variant) if rule.query else {}
        response = _call(client, method, _url(path, values), keys[role], body,
                         {**rule.params, **query})
        want = _expected(rule, role, variant)
        if response.status_code != want:
            problems.append(f"{variant}: {response.status_code} != {want}: {response.text[:300]}")
            continue
        if role in outside and (rule.leak_check or role not in rule.roles):
            typed = (set(values.values()) | {str(v) for v in (body or {}).values()}
                     | {str(v) for v in query.values()})
            text = response.content.decode("utf-8", "replace")
            leaked = sorted(x for x in outside[role] - typed if x in text)
            if leaked:
                problems.append(f"{variant}: leaks {leaked[:5]}")
    assert not problems, f"{method} {path} as {role.value}:\n" + "\n".join(problems)


def test_out_of_scope_and_unknown_answer_the_same(matrix: Any) -> None:
    client, keys, ctx, _outside = matrix
    other, unknown = ctx.values["account"]["other"], ctx.values["account"]["unknown"]
    a = client.get(f"/accounts/{other}", headers=bearer(keys[KAM])).json()
    b = client.get(f"/accounts/{unknown}", headers=bearer(keys[KAM])).json()
    assert a["error"] == b["error"] == "not_found"
    assert a["message"].replace(other, "X") == b["message"].replace(unknown, "X")
    doc_other = ctx.values["document"]["other"]
    c = client.get(f"/documents/{doc_other}", headers=bearer(keys[KAM])).json()
    d = client.get("/documents/987654", headers=bearer(keys[KAM])).json()
    assert c["message"].replace(doc_other, "X") == d["message"].replace("987654", "X")
    assert c["hint"] == d["hint"]


def test_lists_hold_only_what_the_caller_may_see(matrix: Any) -> None:
    client, keys, ctx, _outside = matrix
    listed = client.get("/accounts", headers=bearer(keys[KAM]), params={"limit": 500}).json()
    assert {a["external_id"] for a in listed["items"]} <= {ctx.values["account"]["own"],
                                                            *_scope(client, keys[KAM])}
    assert listed["total"] == 2
    executive = client.get("/accounts", headers=bearer(keys[EXE]), params={"limit": 500}).json()
    assert [a["external_id"] for a in executive["items"]] == [ctx.values["account"]["own"]]
    lead = client.get("/accounts", headers=bearer(keys[LEAD]), params={"limit": 1}).json()
    assert lead["total"] > 100
    docs = client.get("/documents", headers=bearer(keys[KAM])).json()
    assert docs
    assert {d["account_external_id"] for d in docs} <= _scope(client, keys[KAM])
    every = client.get("/documents", headers=bearer(keys[ADMIN])).json()
    assert ctx.values["account"]["other"] in {d["account_external_id"] for d in every}
    filtered = client.get("/documents", headers=bearer(keys[KAM]),
                          params={"account": ctx.values["account"]["other"]}).json()
    assert filtered == []


def _scope(client: TestClient, key: str) -> set[str]:
    me = client.get("/auth/me", headers=bearer(key)).json()
    return {a["ref"] for a in me["accounts"]}


def test_programme_documents_are_for_the_portfolio_roles(matrix: Any) -> None:
    client, keys, _ctx, _outside = matrix
    drafted = client.post("/documents", headers=bearer(keys[LEAD]),
                          json={"kind": "sponsorship_plan", "lang": "en"})
    assert drafted.status_code == 200, drafted.text
    key = drafted.json()["kind"]
    for role, visible in ((KAM, False), (EXE, True), (LEAD, True), (ADMIN, True)):
        listed = client.get("/documents", headers=bearer(keys[role])).json()
        assert (key in {d["kind"] for d in listed}) is visible, role
    plan_id = next(d["id"] for d in client.get("/documents", headers=bearer(keys[LEAD])).json()
                   if d["kind"] == key)
    assert client.get(f"/documents/{plan_id}", headers=bearer(keys[KAM])).status_code == 404
    assert client.get(f"/documents/{plan_id}", headers=bearer(keys[EXE])).status_code == 200
    refused = client.post("/documents", headers=bearer(keys[KAM]),
                          json={"kind": "sponsorship_plan", "lang": "en"})
    assert refused.status_code == 403
