"""MCP clients list and call kambot's tools: in process, over stdio and over HTTP."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from gateway_support import GatewayEnv, gateway_settings, run_uvicorn
from mcp import Client, StdioServerParameters

from kambot.domain.identity import Principal, Role
from kambot.mcp_server.principal import principal_for_key
from kambot.mcp_server.server import build_server
from kambot.mcp_server.tools import KambotTools

ROOT = Path(__file__).resolve().parents[2]
TOOLS = {"ask_methodology", "list_accounts", "account_kpis", "segmentation", "draft_document",
         "sponsorship_plan"}


@pytest.fixture(scope="module")
def tools(gateway: GatewayEnv) -> Iterator[KambotTools]:
    toolset = KambotTools(gateway.settings)
    yield toolset
    toolset.service.engine.dispose()


def _principal(gateway: GatewayEnv, tools: KambotTools, role: str) -> Principal:
    return principal_for_key(tools.service.engine, gateway.keys[role])


def _with_client(server: Any, body: Callable[[Client], Awaitable[None]]) -> None:
    async def main() -> None:
        async with Client(server) as client:
            await body(client)

    anyio.run(main)


def _text(result: Any) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


def _name_of(tools: KambotTools, external_id: str) -> str:
    analysis = tools.service.analysis()
    return str(analysis.portfolio.accounts.names[analysis.index_of(external_id)])


def test_tools_are_listed_read_only_in_process(gateway: GatewayEnv, tools: KambotTools) -> None:
    async def body(client: Client) -> None:
        listed = (await client.list_tools()).tools
        assert {t.name for t in listed} == TOOLS
        for tool in listed:
            assert tool.annotations is not None and tool.annotations.read_only_hint
            assert tool.description and tool.output_schema

    _with_client(build_server(tools, _principal(gateway, tools, "kam")), body)


def test_kam_reads_own_account_and_nothing_of_another(gateway: GatewayEnv,
                                                      tools: KambotTools) -> None:
    from kambot.auth.audit import list_access

    other_name = _name_of(tools, gateway.other)

    async def body(client: Client) -> None:
        own = await client.call_tool("account_kpis", {"account": gateway.own})
        assert not own.is_error
        assert own.structured_content["kpis"]["external_id"] == gateway.own
        listed = await client.call_tool("list_accounts", {})
        assert [a["external_id"] for a in listed.structured_content["accounts"]] == [gateway.own]
        errors = {}
        for ref in (gateway.other, other_name, "ZZ-NOPE-1"):
            result = await client.call_tool("account_kpis", {"account": ref})
            assert result.is_error and result.structured_content is None
            errors[ref] = _text(result).replace(ref, "<ref>")
            assert other_name not in errors[ref]
        # Out of scope reads exactly like unknown: same message, nothing to tell them apart.
        assert errors[gateway.other] == errors["ZZ-NOPE-1"] == errors[other_name]
        assert "unknown account" in errors["ZZ-NOPE-1"]
        asked = await client.call_tool("ask_methodology", {"question": "What was agreed?",
                                                           "account": gateway.other})
        assert asked.is_error and "unknown account" in _text(asked)
        denied = await client.call_tool("segmentation", {})
        assert denied.is_error and "may not read portfolio-wide" in _text(denied)
        plan = await client.call_tool("sponsorship_plan", {})
        assert plan.is_error

    _with_client(build_server(tools, _principal(gateway, tools, "kam")), body)
    audit = list_access(tools.service.engine, username="gw-kam", limit=50)
    outcomes = {(e.path, e.object_id, e.outcome) for e in audit if e.method == "MCP"}
    assert ("mcp:account_kpis", gateway.other, "not_found") in outcomes
    assert ("mcp:account_kpis", gateway.own, "ok") in outcomes


def test_hr_sees_no_account_but_may_ask_the_methodology(gateway: GatewayEnv,
                                                       tools: KambotTools) -> None:
    async def body(client: Client) -> None:
        refused = await client.call_tool("account_kpis", {"account": gateway.own})
        assert refused.is_error and "sees no customer account" in _text(refused)
        asked = await client.call_tool(
            "ask_methodology", {"question": "How should key accounts be selected?"})
        assert not asked.is_error
        answer = asked.structured_content
        assert not answer["abstained"] and answer["citations"]
        for citation in answer["citations"]:
            assert f"[{citation['id']}]" in answer["answer"]
            assert citation["kind"] == "methodology"

    _with_client(build_server(tools, _principal(gateway, tools, "hr")), body)


def test_portfolio_tools_for_an_executive(gateway: GatewayEnv, tools: KambotTools) -> None:
    analysis = tools.service.analysis()

    async def body(client: Client) -> None:
        seg = await client.call_tool("segmentation", {})
        assert not seg.is_error
        ranks = [s["rank"] for s in seg.structured_content["segments"]]
        assert ranks == sorted(ranks) and ranks[0] == 1
        assert sum(seg.structured_content["quadrants"].values()) == len(
            analysis.portfolio.accounts)
        plan = await client.call_tool("sponsorship_plan", {})
        assert not plan.is_error
        content = plan.structured_content
        assigned = {a["external_id"] for a in content["assignments"]}
        key_accounts = {x for x, k in zip(analysis.portfolio.accounts.external_ids,
                                          analysis.key_mask(), strict=True) if k}
        assert assigned == key_accounts
        for load in content["loads"]:
            assert load["load"] == len(load["accounts"]) <= load["capacity"]
        # Executives read but do not draft (the API's rule).
        draft = await client.call_tool("draft_document", {"kind": "sponsorship_plan"})
        assert draft.is_error and "may not draft" in _text(draft)

    _with_client(build_server(tools, _principal(gateway, tools, "executive")), body)


def test_a_draft_is_returned_and_never_stored(gateway: GatewayEnv, tools: KambotTools) -> None:
    def stored() -> int:
        with tools.service.engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT COUNT(*) FROM generated_documents")
                       .scalar_one())

    before = stored()

    async def body(client: Client) -> None:
        draft = await client.call_tool("draft_document", {"kind": "account_strategy",
                                                          "account": gateway.own})
        assert not draft.is_error, _text(draft)
        doc = draft.structured_content
        assert doc["account"] == gateway.own and doc["saved"] is False
        assert doc["guard_passed"] and doc["markdown"].startswith("# ")
        assert doc["citations"] and {c["kind"] for c in doc["citations"]} & {"fact"}
        other = await client.call_tool("draft_document", {"kind": "ceb",
                                                          "account": gateway.other})
        assert other.is_error and "unknown account" in _text(other)

    _with_client(build_server(tools, _principal(gateway, tools, "kam")), body)
    assert stored() == before


def _stdio(gateway: GatewayEnv, *args: str, key: str | None = None) -> StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMBOT_")}
    env.update({"KAMBOT_DATA_DIR": str(gateway.data), "KAMBOT_LANG": "en"})
    if key is not None:
        env["KAMBOT_MCP_API_KEY"] = key
    return StdioServerParameters(command=sys.executable, args=["-m", "kambot", "mcp", *args],
                                 env=env, cwd=str(ROOT))


@pytest.mark.slow
def test_stdio_server_lists_and_calls_tools_for_the_key_owner(gateway: GatewayEnv,
                                                              tools: KambotTools) -> None:
    other_name = _name_of(tools, gateway.other)

    async def body(client: Client) -> None:
        assert {t.name for t in (await client.list_tools()).tools} == TOOLS
        own = await client.call_tool("account_kpis", {"account": gateway.own})
        assert not own.is_error
        assert own.structured_content["kpis"]["external_id"] == gateway.own
        assert json.loads(_text(own))["kpis"]["external_id"] == gateway.own
        other = await client.call_tool("account_kpis", {"account": gateway.other})
        assert other.is_error and "unknown account" in _text(other)
        assert other_name not in _text(other)

    _with_client(_stdio(gateway, key=gateway.keys["kam"]), body)


def test_http_server_runs_each_request_for_its_key(gateway: GatewayEnv,
                                                   tools: KambotTools) -> None:
    import httpx2
    from mcp.client.streamable_http import streamable_http_client

    server = build_server(tools, None)  # users exist: every request brings its key
    app = server.streamable_http_app(streamable_http_path="/mcp", host="127.0.0.1")

    async def call(url: str, key: str | None, account: str) -> Any:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        async with httpx2.AsyncClient(headers=headers, timeout=60) as http, \
                Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
            return await client.call_tool("account_kpis", {"account": account})

    for url in run_uvicorn(app):
        kam = anyio.run(call, url, gateway.keys["kam"], gateway.own)
        assert not kam.is_error and kam.structured_content["kpis"]["external_id"] == gateway.own
        scoped = anyio.run(call, url, gateway.keys["kam"], gateway.other)
        assert scoped.is_error and "unknown account" in _text(scoped)
        lead = anyio.run(call, url, gateway.keys["lead"], gateway.other)
        assert not lead.is_error
        anonymous = anyio.run(call, url, None, gateway.own)
        assert anonymous.is_error and "needs credentials" in _text(anonymous)
        wrong = anyio.run(call, url, "kb_" + "0" * 12 + "_" + "y" * 32, gateway.own)
        assert wrong.is_error and "unknown or revoked API key" in _text(wrong)


def test_operator_principal_only_without_users(tmp_path: Path, gateway: GatewayEnv,
                                               tools: KambotTools) -> None:
    from kambot.assistant.portfolio import open_store
    from kambot.errors import AuthenticationError, ConfigError, NotFoundError
    from kambot.mcp_server.principal import resolve_principal
    from kambot.mcp_server.server import is_loopback

    empty = open_store(gateway_settings(tmp_path / "empty"))
    try:
        assert resolve_principal(empty).username == "operator"
    finally:
        empty.dispose()
    engine = tools.service.engine
    with pytest.raises(ConfigError, match="needs to know whom it acts for"):
        resolve_principal(engine)
    with pytest.raises(ConfigError):
        resolve_principal(engine, user="gw-kam", api_key=gateway.keys["kam"])
    with pytest.raises(AuthenticationError):
        resolve_principal(engine, api_key="kb_" + "1" * 12 + "_" + "z" * 32)
    with pytest.raises(NotFoundError):
        resolve_principal(engine, user="nobody-here")
    analysis = tools.service.analysis()
    own_id = int(analysis.portfolio.accounts.ids[analysis.index_of(gateway.own)])
    kam = resolve_principal(engine, user="gw-kam")
    assert kam.role == Role.KAM and kam.account_ids == frozenset({own_id})
    assert resolve_principal(engine, api_key=gateway.keys["lead"]).role == Role.LEAD
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")


def test_cli_refuses_to_expose_a_fixed_user_on_a_network_interface(gateway: GatewayEnv) -> None:
    from typer.testing import CliRunner

    from kambot.cli import app
    from kambot.errors import ConfigError

    runner = CliRunner()
    result = runner.invoke(app, ["--data-dir", str(gateway.data), "mcp", "--transport", "http",
                                 "--host", "0.0.0.0", "--user", "gw-kam"])
    assert isinstance(result.exception, ConfigError)
    assert "act as that user" in result.exception.message
    result = runner.invoke(app, ["--data-dir", str(gateway.data), "mcp"])
    assert isinstance(result.exception, ConfigError)
    result = runner.invoke(app, ["mcp", "--transport", "carrier-pigeon"])
    assert result.exit_code == 2


def test_calls_are_rate_limited_per_key_and_failed_keys_together(gateway: GatewayEnv) -> None:
    from kambot.errors import AuthenticationError, RateLimitedError
    from kambot.mcp_server.server import Gateway

    limited = KambotTools(gateway.settings.model_copy(update={"rate_limit_per_minute": 2}))
    try:
        lane = Gateway(limited, None)
        kam = {"authorization": f"Bearer {gateway.keys['kam']}"}
        lead = {"authorization": f"Bearer {gateway.keys['lead']}"}
        assert lane.principal_for(kam).role == Role.KAM
        assert lane.principal_for(kam).role == Role.KAM
        with pytest.raises(RateLimitedError, match="2 per minute"):
            lane.principal_for(kam)
        assert lane.principal_for(lead).role == Role.LEAD  # another key, its own bucket

        wrong = {"authorization": "Bearer kb_000000000000_wrongwrongwrongwrongwrongwrongwrong1"}
        for _attempt in range(2):
            with pytest.raises(AuthenticationError):
                lane.principal_for(wrong)
        with pytest.raises(RateLimitedError):  # refused before another argon2 check
            lane.principal_for(wrong)
    finally:
        limited.service.engine.dispose()
