"""The MCP server: kambot's read-only tools for AI desktops and IDE agents (``kambot mcp``).

An edge, like the CLI and the API: it may use anything in ``kambot``. The toolset
(:class:`~kambot.mcp_server.tools.KambotTools`) and the principal rules
(:mod:`kambot.mcp_server.principal`) import no ``mcp``; :mod:`kambot.mcp_server.server`
does, so import it only when serving.

- ``KambotTools(settings, service=None)``: ``ask_methodology``, ``list_accounts``,
  ``account_kpis``, ``segmentation``, ``draft_document`` (never saved),
  ``sponsorship_plan``; each takes the principal first and applies the API's rules.
- ``resolve_principal(engine, user=None, api_key=None) -> Principal``.
- ``build_server(tools, principal) -> MCPServer``; ``serve(settings, transport=...,
  host=..., port=..., user=..., api_key=...)``.
"""
