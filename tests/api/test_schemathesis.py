"""Schemathesis runs every one of its checks against the OpenAPI schema: zero failures.

The schema is read from the app itself (``/openapi.json``, which needs credentials) and
every operation is exercised in process (ASGI) with generated valid and invalid data,
authenticated with an admin API key; the HR-only operations are exercised a second
time with an HR key, since an admin only ever gets 403 there. The checks include
``ignored_auth`` (each operation must refuse a request without credentials) and
``positive_data_acceptance`` / ``negative_data_rejection``. Examples per operation are
capped to keep the run short.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from api.app import create_app
from kambot.assistant.portfolio import open_store

from .conftest import api_settings, bearer, copy_demo, make_user

# Raise for a deeper local run: KAMBOT_FUZZ_EXAMPLES=100 pytest tests/api/test_schemathesis.py
MAX_EXAMPLES = int(os.environ.get("KAMBOT_FUZZ_EXAMPLES", "8"))
HR_PATHS = r"^/(assessments|candidates)"

load_all_checks()
ALL_CHECKS = list(CHECKS.get_all())

CV_LINES = [
    "Key account manager, industrial automation, 2016-2025.",
    "Grew the Acme account from 1.2 M EUR to 3.4 M EUR in three years (+180%).",
    "Led a team of 6 account managers across France and Germany.",
    "Built the three-year account plan reviewed quarterly with the customer's COO.",
]


def _pdf(lines: list[str]) -> bytes:
    """Return a one-page PDF whose text layer holds ``lines`` (built by hand)."""
    text = " ".join(f"({line.replace('(', '[').replace(')', ']')}) Tj 0 -14 Td"
                    for line in lines)
    stream = f"BT /F1 10 Tf 40 760 Td {text} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _docx(lines: list[str]) -> bytes:
    from docx import Document

    document = Document()
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _register_cv_formats() -> None:
    """Make valid uploads valid CVs: schemathesis sends these for each declared type."""
    variants = [CV_LINES, CV_LINES[:2], CV_LINES[1:]]
    text = [("\n".join(v) + "\n").encode() for v in variants]
    schemathesis.openapi.media_type("text/plain", st.sampled_from(text))
    schemathesis.openapi.media_type("text/markdown",
                                    st.sampled_from([b"# CV\n\n" + t for t in text]))
    schemathesis.openapi.media_type("application/pdf", st.sampled_from([_pdf(v)
                                                                        for v in variants]))
    schemathesis.openapi.media_type(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        st.sampled_from([_docx(v) for v in variants]))


@pytest.fixture(scope="module")
def fuzzed(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    data = copy_demo(demo_template, tmp_path_factory.mktemp("fuzz") / "data")
    settings = api_settings(data)
    engine = open_store(settings)
    keys = {"admin": make_user(engine, "fuzz-admin", "admin"),
            "hr": make_user(engine, "fuzz-hr", "hr")}
    engine.dispose()
    _register_cv_formats()
    app = create_app(settings)
    with TestClient(app):  # runs the lifespan; the schema is loaded through ASGI below
        yield app, keys


def _operations() -> list[tuple[str, str, str]]:
    """List (role, method, path) to fuzz, from the schema of an app with no data."""
    schema = create_app(api_settings(Path("/nonexistent-kambot-data"))).openapi()
    found = []
    for path, operations in sorted(schema["paths"].items()):
        for method in sorted(operations):
            found.append(("admin", method.upper(), path))
            if re.match(HR_PATHS, path):
                found.append(("hr", method.upper(), path))
    return found


@pytest.fixture(scope="module")
def schemas(fuzzed: Any) -> dict[str, Any]:
    app, keys = fuzzed
    return {role: schemathesis.openapi.from_asgi("/openapi.json", app, headers=bearer(key))
            for role, key in keys.items()}


def test_every_check_is_enabled() -> None:
    names = {getattr(c, "__name__", "") for c in ALL_CHECKS}
    assert {"not_a_server_error", "status_code_conformance", "response_schema_conformance",
            "ignored_auth", "negative_data_rejection", "positive_data_acceptance",
            "use_after_free"} <= names


@pytest.mark.parametrize(("role", "method", "path"), _operations())
def test_operation(fuzzed: Any, schemas: dict[str, Any], role: str, method: str,
                   path: str) -> None:
    _app, keys = fuzzed
    operation = schemas[role][path][method]
    strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                         operation.as_strategy(GenerationMode.NEGATIVE))

    # Derandomized: CI replays the same examples; KAMBOT_FUZZ_EXAMPLES explores afresh.
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
              derandomize="KAMBOT_FUZZ_EXAMPLES" not in os.environ,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case: Any) -> None:
        case.call_and_validate(headers=bearer(keys[role]), checks=ALL_CHECKS)

    run()
