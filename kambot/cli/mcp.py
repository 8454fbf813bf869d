"""`kambot mcp`: serve kambot's read-only tools to AI desktops and IDE agents over MCP.

Registered on the main application by importing this module (see the end of
:mod:`kambot.cli`); only typer is imported at module top so that ``kambot --help``
stays fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kambot.cli import _ctx, app

DEFAULT_MCP_PORT = 8765


@app.command("mcp")
def mcp_command(
    transport: Annotated[
        str, typer.Option("--transport", "-t", help="stdio (the client starts kambot) or http.")
    ] = "stdio",
    host: Annotated[
        str, typer.Option("--host", help="Interface for http (default 127.0.0.1).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help=f"Port for http (default {DEFAULT_MCP_PORT}).")
    ] = DEFAULT_MCP_PORT,
    user: Annotated[
        str | None, typer.Option("--user", help="Act as this kambot user (their scope).")
    ] = None,
    api_key: Annotated[
        str | None,
        typer.Option("--api-key", envvar="KAMBOT_MCP_API_KEY",
                     help="Act as the owner of this API key (or set KAMBOT_MCP_API_KEY)."),
    ] = None,
) -> None:
    """Serve read-only MCP tools: methodology, account KPIs, segmentation, drafts, sponsors.

    Without --user or --api-key the server runs as the local operator, which is only
    allowed while no kambot user exists. Over http (endpoint /mcp), each client may
    also send 'Authorization: Bearer <API key>' and then acts as that key's user.
    """
    if transport not in ("stdio", "http"):
        raise typer.BadParameter("choose stdio or http", param_hint="--transport")
    from kambot.mcp_server.server import serve

    serve(_ctx.settings(), transport="http" if transport == "http" else "stdio", host=host,
          port=port, user=user, api_key=api_key)
