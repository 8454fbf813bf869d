"""The dependency direction of ARCHITECTURE.md, enforced by walking every import."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# What each package may import from kambot/api (besides itself).
ALLOWED: dict[str, set[str]] = {
    "kambot.errors": set(),
    "kambot.i18n": set(),
    "kambot.config": {"kambot.errors"},
    "kambot.domain": {"kambot.errors"},
    "kambot.core": {"kambot.errors", "kambot.domain"},
    "kambot.demo": {"kambot.errors", "kambot.domain", "kambot.core"},
    "kambot.store": {"kambot.errors", "kambot.config", "kambot.domain", "kambot.core"},
    # Retrieval reads account documents from the source of truth, so it may use the store.
    "kambot.retrieval": {
        "kambot.errors", "kambot.config", "kambot.domain", "kambot.core", "kambot.store",
    },
    "kambot.llm": {"kambot.errors", "kambot.config", "kambot.domain", "kambot.core"},
    "kambot.exports": {"kambot.errors", "kambot.config", "kambot.domain", "kambot.core"},
    # Identity: users, API keys, sessions and the audit log, kept in the store.
    "kambot.auth": {"kambot.errors", "kambot.config", "kambot.domain", "kambot.store"},
    "kambot.assistant": {
        "kambot.errors", "kambot.config", "kambot.domain", "kambot.core", "kambot.store",
        "kambot.retrieval", "kambot.llm", "kambot.exports", "kambot.demo",
    },
    "kambot.cli": {"kambot"},
    # The MCP server is an edge, like the CLI and the API.
    "kambot.mcp_server": {"kambot"},
    "kambot.__main__": {"kambot"},
    "kambot.__init__": set(),
    "api": {"kambot", "api"},
}
HEAVY = {"sqlalchemy", "chromadb", "openai", "fastapi", "langchain", "langchain_openai",
         "langchain_core", "langchain_chroma", "bm25s", "pandas", "uvicorn", "starlette"}


def _package_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] == "api":
        return "api"
    if len(parts) == 1:
        return "kambot.__init__"
    return ".".join(parts[:2])


def _modules() -> list[tuple[str, Path]]:
    found = []
    for top in ("kambot", "api"):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found.append((".".join(parts), path))
    return found


def _imports(path: Path, *, top_level_only: bool = False) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    names: list[str] = []
    for node in nodes:
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _allowed(package: str, target: str) -> bool:
    if target == "kambot":  # `from kambot import x` names x's package, checked on its own
        return True
    tpkg = _package_of(target)
    if tpkg == package or (package == "api" and tpkg == "api"):
        return True
    return any(
        tpkg == a or tpkg.startswith(a + ".") or (a == "kambot" and tpkg.startswith("kambot"))
        for a in ALLOWED[package]
    )


def test_layers_only_import_inward() -> None:
    problems = []
    for module, path in _modules():
        package = _package_of(module)
        assert package in ALLOWED, f"{module}: no layering rule for package {package}"
        for target in _imports(path):
            if target.split(".")[0] in ("kambot", "api", "evals") and not _allowed(package, target):
                problems.append(f"{module} imports {target}")
    assert not problems, "layering violations:\n" + "\n".join(problems)


def test_core_and_domain_stay_pure() -> None:
    problems = []
    for module, path in _modules():
        if _package_of(module) in ("kambot.core", "kambot.domain"):
            for target in _imports(path):
                if target.split(".")[0] in HEAVY:
                    problems.append(f"{module} imports {target}")
    assert not problems, "\n".join(problems)


def test_heavy_libraries_are_imported_lazily_outside_the_store_and_api() -> None:
    # Module-level heavy imports are allowed only where every caller needs them anyway.
    may_import_at_top = {"kambot.store", "api"}
    # Adapters whose only job is to wrap one heavy library; they are imported lazily.
    adapters = {"kambot.retrieval.chroma_ef", "kambot.llm.openai_model"}
    problems = []
    for module, path in _modules():
        if _package_of(module) in may_import_at_top or module in adapters:
            continue
        for target in _imports(path, top_level_only=True):
            if target.split(".")[0] in HEAVY:
                problems.append(f"{module} imports {target} at module level")
    assert not problems, "\n".join(problems)
