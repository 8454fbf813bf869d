"""The model seam stays light: nothing imports LangChain or OpenAI until a model is used."""

from __future__ import annotations

import subprocess
import sys

from kambot.config import PROJECT_ROOT

CODE = """
import sys
import kambot.assistant.drafting, kambot.llm.factory, kambot.llm.grounded
import kambot.llm.model_writer, kambot.llm.testing, kambot.exports.markdown, kambot.exports.docx
heavy = sorted(m for m in sys.modules if m.split('.')[0] in
               ('openai', 'langchain_openai', 'langchain_core', 'docx', 'chromadb', 'fastapi'))
print(','.join(heavy))
"""


def test_drafting_modules_import_no_model_client() -> None:
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                            cwd=PROJECT_ROOT, check=True, timeout=120)
    assert result.stdout.strip() == ""


def test_only_the_adapter_imports_the_model_clients() -> None:
    offenders = []
    for path in sorted((PROJECT_ROOT / "kambot" / "llm").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if path.name != "openai_model.py" and any(
                f"{kw} {lib}" in text for kw in ("import", "from")
                for lib in ("openai", "langchain_openai", "langchain_core")):
            offenders.append(path.name)
    assert offenders == []
