"""Candidate and staff assessment against a KAM target profile (issue 6).

Public entry points (imported lazily so that ``import kambot.assistant.assessment``
stays cheap for the CLI):

- :func:`assess_file` / :func:`assess_text`: assess a CV and/or interview notes;
- :func:`decide`: a human confirms or overrides a proposal;
- :func:`get_run`, :func:`list_runs`, :func:`export_explanation`: read the records;
- :func:`erase_candidate`, :func:`purge`: erasure and retention;
- :func:`fairness_check`: counterfactual pairs and the four-fifths rule;
- :func:`load_rubric`: the rubric, archetype presets and question bank.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "assess_file": "service",
    "assess_text": "service",
    "assess_documents": "service",
    "resolve_target": "service",
    "decide": "records",
    "create_run": "records",
    "get_run": "records",
    "list_runs": "records",
    "list_decisions": "records",
    "export_explanation": "records",
    "explanation_markdown": "records",
    "erase_candidate": "records",
    "purge": "records",
    "fairness_check": "fairness",
    "counterfactuals": "fairness",
    "load_rubric": "rubric",
}

__all__ = [  # noqa: RUF022 - grouped by module like _EXPORTS
    "assess_file",
    "assess_text",
    "assess_documents",
    "resolve_target",
    "decide",
    "create_run",
    "get_run",
    "list_runs",
    "list_decisions",
    "export_explanation",
    "explanation_markdown",
    "erase_candidate",
    "purge",
    "fairness_check",
    "counterfactuals",
    "load_rubric",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{module}"), name)
