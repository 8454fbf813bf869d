"""Validation of imported rows: the header, each row's values, the known keys.

Values are validated with the domain model's own rules. Two validators apply them:
- :class:`ModelValidator` builds the pydantic model (every entity but the hot one);
- :class:`FastValidator` checks the same rules, read from the model's field
  definitions, without building a model: used for invoice lines, where a million rows
  must import in seconds. Its equivalence with the model is tested property-based, and
  it refuses to be used for a model that carries custom validators it cannot see.
  (:mod:`kambot.store.importers.fastpath` inlines the same checks for ordinary rows.)

Duplicate keys and references are checked across rows by the runner, against
:class:`KnownKeys` (the database plus what the import accepted so far).

Values reaching a validator were already converted by the mapping (numbers parsed,
dates parsed, text stripped); the validator checks presence, ranges, lengths, allowed
values and patterns, and fills defaults.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import Enum
from typing import Any

from pydantic import BaseModel, ValidationError

from kambot.store.importers.entities import EntityDef, EntityName, FieldDef
from kambot.store.importers.mapping import Mapping
from kambot.store.importers.report import ImportIssue, IssueCode

#: (field, reason, code) for one failed check.
FieldProblem = tuple[str, str, IssueCode]
RowResult = tuple[dict[str, Any] | None, list[FieldProblem]]


# --- header ----------------------------------------------------------------------------


def check_header(mapping: Mapping, header: list[str], header_row: int = 1) -> list[ImportIssue]:
    """Return one issue per column the mapping needs that the header lacks.

    Each issue names the missing column, the fields needing it, and the closest
    column found in the file (rapidfuzz), if any is close.
    """
    from rapidfuzz import fuzz, process

    present = [h for h in header if h]
    present_set = set(present)
    issues = []
    for column, needed_by in mapping.referenced_columns.items():
        if column in present_set:
            continue
        close = process.extractOne(column, present, scorer=fuzz.WRatio) if present else None
        tip = f"; did you mean {close[0]!r}?" if close and close[1] >= 70 else ""
        issues.append(
            ImportIssue(
                row=header_row,
                column=column,
                reason=f"missing column {column!r} (needed for {', '.join(needed_by)}){tip}",
                code="missing_column",
            )
        )
    return issues


def describe_missing_columns(issues: list[ImportIssue], header: list[str]) -> str:
    """Return one message listing the missing columns, the suggestions and the columns found."""
    found = ", ".join(repr(h) for h in header if h) or "none"
    reasons = "; ".join(i.reason for i in issues)
    return f"{reasons}; columns found: {found}"


# --- values ----------------------------------------------------------------------------

_PYDANTIC_CODES: dict[str, IssueCode] = {
    "missing": "missing_value",
    "greater_than": "out_of_range",
    "greater_than_equal": "out_of_range",
    "less_than": "out_of_range",
    "less_than_equal": "out_of_range",
    "enum": "not_allowed",
    "literal_error": "not_allowed",
    "string_pattern_mismatch": "not_allowed",
    "string_too_short": "invalid_length",
    "string_too_long": "invalid_length",
    "too_short": "invalid_length",
    "too_long": "invalid_length",
}


def _fill_defaults(fields: dict[str, FieldDef], values: dict[str, Any]) -> list[FieldProblem]:
    """Replace empty optional values by the field's default; report empty required ones."""
    problems: list[FieldProblem] = []
    for name, value in values.items():
        if value is None:
            fdef = fields[name]
            if fdef.required:
                problems.append((name, "missing value (this field is required)", "missing_value"))
            elif fdef.default is not None:
                default = fdef.default
                values[name] = list(default) if isinstance(default, list) else default
    return problems


class ModelValidator:
    """Validate a row by building the entity's pydantic model."""

    def __init__(self, target: EntityDef) -> None:
        """Bind the validator to an entity."""
        self.target = target
        self.model: type[BaseModel] = target.model

    def __call__(self, values: dict[str, Any]) -> RowResult:
        """Return the validated values (only the fields given) or the problems."""
        problems = _fill_defaults(self.target.fields, values)
        empty = {p[0] for p in problems}
        try:
            model = self.model.model_validate(
                {k: v for k, v in values.items() if k not in empty} if empty else values
            )
        except ValidationError as exc:
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else "?"
                if name in empty:
                    continue  # already reported as an empty required cell
                code = _PYDANTIC_CODES.get(err["type"], "invalid_value")
                missing = code == "missing_value"
                reason = "missing (this field is required)" if missing else str(err["msg"])
                problems.append((name, reason, code))
            return None, problems
        if problems:
            return None, problems
        out = {}
        for name in values:
            value = getattr(model, name)
            out[name] = value.value if isinstance(value, Enum) else value
        return out, []


def _range_reason(fdef: FieldDef) -> str:
    parts = []
    if fdef.ge is not None:
        parts.append(f">= {fdef.ge:g}")
    if fdef.gt is not None:
        parts.append(f"> {fdef.gt:g}")
    if fdef.le is not None:
        parts.append(f"<= {fdef.le:g}")
    if fdef.lt is not None:
        parts.append(f"< {fdef.lt:g}")
    return " and ".join(parts)


def _compile_check(fdef: FieldDef) -> Callable[[Any], FieldProblem | None] | None:
    """Return a check of one field's constraints, or None when it has none."""
    checks: list[Callable[[Any], FieldProblem | None]] = []
    name = fdef.name
    if any(b is not None for b in (fdef.ge, fdef.gt, fdef.le, fdef.lt)):
        ge, gt, le, lt = fdef.ge, fdef.gt, fdef.le, fdef.lt
        reason = f"must be {_range_reason(fdef)}"

        def in_range(v: Any) -> FieldProblem | None:
            if v is None:
                return None
            if (
                (ge is not None and v < ge)
                or (gt is not None and v <= gt)
                or (le is not None and v > le)
                or (lt is not None and v >= lt)
            ):
                return name, f"{v:g} {reason}", "out_of_range"
            return None

        checks.append(in_range)
    if fdef.min_length is not None or fdef.max_length is not None:
        lo, hi = fdef.min_length, fdef.max_length

        def length(v: Any) -> FieldProblem | None:
            if v is None:
                return None
            if lo is not None and len(v) < lo:
                return name, f"must have at least {lo} character(s)", "invalid_length"
            if hi is not None and len(v) > hi:
                return name, f"is {len(v)} characters long, over {hi}", "invalid_length"
            return None

        checks.append(length)
    if fdef.choices:
        allowed = frozenset(fdef.choices)
        shown = ", ".join(fdef.choices)

        def choice(v: Any) -> FieldProblem | None:
            if v is None or v in allowed:
                return None
            return name, f"{v!r} is not one of: {shown}", "not_allowed"

        checks.append(choice)
    if fdef.pattern is not None:
        pattern = re.compile(fdef.pattern)

        def matches(v: Any) -> FieldProblem | None:
            if v is None or pattern.search(v):
                return None
            return name, f"{v!r} does not match {fdef.pattern}", "not_allowed"

        checks.append(matches)
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]

    def all_checks(v: Any) -> FieldProblem | None:
        for check in checks:
            problem = check(v)
            if problem is not None:
                return problem
        return None

    return all_checks


def has_custom_validators(model: type[BaseModel]) -> bool:
    """Tell whether a model has validators beyond its field types and constraints."""
    decorators = model.__pydantic_decorators__
    return bool(
        decorators.field_validators
        or decorators.model_validators
        or decorators.validators
        or decorators.root_validators
    )


class FastValidator:
    """Apply a model's field rules without building the model (for the hot path).

    The rules come from the model's field definitions (required, ``ge``/``le``,
    lengths, enum values, patterns); values must already have their Python types,
    which the mapping guarantees.
    """

    def __init__(self, target: EntityDef) -> None:
        """Compile the checks of every field of an entity.

        Raises:
            ValueError: the model has custom validators this class cannot apply.
        """
        if has_custom_validators(target.model):
            raise ValueError(f"{target.model.__name__} has custom validators: use ModelValidator")
        self.target = target
        self.fields = target.fields
        self.required = frozenset(target.required)
        self.checks = [
            (name, check)
            for name, fdef in target.fields.items()
            if (check := _compile_check(fdef)) is not None
        ]

    def __call__(self, values: dict[str, Any]) -> RowResult:
        """Return the validated values (only the fields given) or the problems."""
        problems: list[FieldProblem] = []
        if None in values.values():
            problems = _fill_defaults(self.fields, values)
        if not self.required <= values.keys():
            problems.extend(
                (name, "missing (this field is required)", "missing_value")
                for name in self.target.required
                if name not in values
            )
        get = values.get
        for name, check in self.checks:
            value = get(name)
            if value is not None:
                problem = check(value)
                if problem is not None:
                    problems.append(problem)
        return (None, problems) if problems else (values, problems)


#: Entities validated with :class:`FastValidator` (high-volume files).
FAST_ENTITIES: frozenset[EntityName] = frozenset({"invoice_lines"})


def row_validator(target: EntityDef) -> Callable[[dict[str, Any]], RowResult]:
    """Return the validator for an entity: fast for invoice lines, the model otherwise."""
    if target.name in FAST_ENTITIES and not has_custom_validators(target.model):
        return FastValidator(target)
    return ModelValidator(target)


# --- across rows -----------------------------------------------------------------------


class KnownKeys:
    """Keys of accounts and people known to an import: in the database or accepted."""

    def __init__(self, loader: Callable[[EntityName], set[str]]) -> None:
        """Load each entity's keys lazily with ``loader`` (a database query)."""
        self._loader = loader
        self._keys: dict[EntityName, set[str]] = {}

    def keys(self, target: EntityName) -> set[str]:
        """Return the keys known for an entity (loaded on first use)."""
        found = self._keys.get(target)
        if found is None:
            found = self._keys[target] = self._loader(target)
        return found

    def add(self, target: EntityName, key: str) -> None:
        """Record a key accepted by this import."""
        self.keys(target).add(key)
