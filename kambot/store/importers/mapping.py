"""Column mappings: how the columns of a CRM or ERP export become kambot fields.

A mapping is a small YAML file validated by :class:`Mapping`::

    entity: invoice_lines
    source: {delimiter: ",", decimal: "."}
    columns:
      external_id: {sequence_within: [InvoiceNo]}     # 536365-1, 536365-2 ...
      invoice: InvoiceNo
      account_external_id: {column: CustomerID, as_id: true}   # '16098.0' -> '16098'
      invoiced_on: {column: InvoiceDate, date_format: "%Y-%m-%d %H:%M:%S"}
      quantity: Quantity
      amount: {multiply: [Quantity, UnitPrice]}
      cancelled: {column: InvoiceNo, startswith: "C"}
    skip:
      - {column: StockCode, in: [POST, M, BANK CHARGES], reason: not a product}
      - {column: CustomerID, empty: true, reason: no customer id}
    create_missing_accounts: {country: Country}

A target field maps to a source column name, or to an expression: ``column``,
``constant``, ``concat`` (columns joined by ``separator``), ``multiply`` (product of
numeric columns) or ``sequence_within`` (a line number within a key, for files without
line ids), with modifiers ``map`` (strict value map), ``normalise`` (typo fixes, other
values kept), ``default``, ``date_format``, ``decimal``, ``scale``, ``as_id``,
``startswith``, ``when`` (take the value only when another column matches a condition),
``separator`` (for list fields) and ``optional`` (the column may be absent).

``skip`` (also accepted as ``filters``) lists rules that skip rows, each with a reason:
skipped rows are counted in the report by reason, they are not errors.

Without a mapping, a file is in kambot's *native* format: columns named like the domain
fields, list fields (``products``, ``industries``) separated by ``;``.

Presets for common exports live in ``presets/`` and are named by their file stem.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from kambot.errors import DataError
from kambot.store.importers.convert import (
    DecimalMode,
)
from kambot.store.importers.entities import ENTITY_ORDER, EntityDef, EntityName, entity

Scalar = str | int | float | bool


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Condition(_Strict):
    """A test on one column of the file: exactly one of the conditions is given."""

    column: str
    equals: str | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    empty: bool | None = None
    startswith: str | None = None
    matches: str | None = None

    @model_validator(mode="after")
    def _one_condition(self) -> Condition:
        conditions = [
            n for n in ("equals", "in_", "empty", "startswith", "matches") if getattr(self, n)
        ]
        if len(conditions) != 1:
            raise ValueError(
                f"condition on {self.column!r}: give exactly one of equals, in, empty, "
                "startswith, matches"
            )
        if self.matches is not None:
            try:
                re.compile(self.matches)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {self.matches!r}: {exc}") from exc
        return self


class FieldSpec(_Strict):
    """Where one target field's value comes from, and how it is transformed."""

    column: str | None = None
    constant: Scalar | None = None
    concat: list[str] | None = Field(default=None, min_length=1)
    multiply: list[str] | None = Field(default=None, min_length=2)
    sequence_within: list[str] | None = Field(default=None, min_length=1)

    separator: str | None = None
    map: dict[str, str | None] | None = None
    normalise: dict[str, str] | None = None
    default: Scalar | None = None
    date_format: str | list[str] | None = None
    decimal: DecimalMode | None = None
    scale: float | None = None
    as_id: bool = False
    startswith: str | None = None
    when: Condition | None = None
    optional: bool = False

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        sources = [
            name
            for name in ("column", "constant", "concat", "multiply", "sequence_within")
            if name in self.model_fields_set
        ]
        if len(sources) != 1:
            found = ", ".join(sources) or "none"
            raise ValueError(
                "give exactly one of column, constant, concat, multiply, sequence_within "
                f"(found: {found})"
            )
        if self.constant is not None and self.map is not None:
            raise ValueError("a constant needs no value map")
        return self

    @property
    def source_columns(self) -> tuple[str, ...]:
        """Return the file columns this spec reads."""
        if self.column is not None:
            return (self.column,)
        return tuple(self.concat or self.multiply or self.sequence_within or ())


class SkipRule(Condition):
    """Skip rows whose ``column`` matches; they are counted, with ``reason``, not rejected."""

    reason: str = Field(min_length=1)


class SourceOptions(_Strict):
    """How to read the file: all optional, detected when absent."""

    encoding: str | None = None
    delimiter: str | None = Field(default=None, min_length=1, max_length=1)
    sheet: str | None = None
    decimal: DecimalMode = "auto"
    date_format: str | list[str] | None = None


ColumnSpec = str | FieldSpec


class Mapping(_Strict):
    """A column mapping for one entity (see the module docstring for the format)."""

    entity: EntityName
    description: str | None = None
    source: SourceOptions = SourceOptions()
    columns: dict[str, ColumnSpec] = Field(min_length=1)
    normalise: dict[str, dict[str, str]] = Field(default_factory=dict)
    skip: list[SkipRule] = Field(
        default_factory=list, validation_alias=AliasChoices("skip", "filters")
    )
    create_missing_accounts: dict[str, ColumnSpec] | None = None

    @field_validator("create_missing_accounts", mode="before")
    @classmethod
    def _true_means_defaults(cls, value: Any) -> Any:
        if value is True:
            return {}
        if value is False:
            return None
        return value

    @model_validator(mode="after")
    def _fits_entity(self) -> Mapping:
        target = entity(self.entity)
        _check_targets(self.columns, target, "columns")
        missing = [f for f in target.required if f not in self.columns]
        if missing:
            raise ValueError(
                f"columns: no source for required field(s) {', '.join(missing)} of {self.entity}"
            )
        for name in self.normalise:
            if name not in self.columns:
                raise ValueError(f"normalise: {name!r} is not a mapped field")
        if self.create_missing_accounts is not None:
            if "account_external_id" not in target.fields:
                raise ValueError(
                    f"create_missing_accounts: {self.entity} rows have no account reference"
                )
            accounts = entity("accounts")
            _check_targets(self.create_missing_accounts, accounts, "create_missing_accounts")
            if "external_id" in self.create_missing_accounts:
                raise ValueError(
                    "create_missing_accounts: external_id is the row's account_external_id"
                )
        return self

    @property
    def referenced_columns(self) -> dict[str, list[str]]:
        """Return each file column the mapping reads and the fields that need it."""
        needed: dict[str, list[str]] = {}
        specs = dict(self.columns)
        for name, spec in (self.create_missing_accounts or {}).items():
            specs[f"account.{name}"] = spec
        for name, spec in specs.items():
            full = as_spec(spec)
            if full.optional:
                continue
            for col in full.source_columns:
                needed.setdefault(col, []).append(name)
            if full.when is not None:
                needed.setdefault(full.when.column, []).append(f"{name} (when)")
        for rule in self.skip:
            needed.setdefault(rule.column, []).append(f"skip ({rule.reason})")
        return needed


def _check_targets(specs: dict[str, ColumnSpec], target: EntityDef, where: str) -> None:
    from rapidfuzz import process

    for name, spec in specs.items():
        fdef = target.fields.get(name)
        if fdef is None:
            close = process.extractOne(name, list(target.fields))
            hint = f" (did you mean {close[0]!r}?)" if close and close[1] >= 70 else ""
            raise ValueError(f"{where}: {target.name} has no field {name!r}{hint}")
        full = as_spec(spec)
        if full.multiply is not None and fdef.kind not in ("float", "int"):
            raise ValueError(f"{where}.{name}: multiply needs a numeric field")
        if full.startswith is not None and fdef.kind != "bool":
            raise ValueError(f"{where}.{name}: startswith gives true/false: a yes/no field")
        if full.date_format is not None and fdef.kind != "date":
            raise ValueError(f"{where}.{name}: date_format applies to date fields only")
        if full.scale is not None and fdef.kind not in ("float", "int"):
            raise ValueError(f"{where}.{name}: scale applies to numeric fields only")


def as_spec(spec: ColumnSpec) -> FieldSpec:
    """Return a column spec in its full form (a bare string names a column)."""
    return FieldSpec(column=spec) if isinstance(spec, str) else spec


# --- loading ---------------------------------------------------------------------------

PRESETS_PACKAGE = "kambot.store.importers.presets"


def preset_names() -> list[str]:
    """Return the names of the shipped presets (file stems), sorted."""
    folder = resources.files(PRESETS_PACKAGE)
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_mapping(source: Path | str) -> Mapping:
    """Load a mapping from a YAML file, or a shipped preset by name.

    Args:
        source: a path to a ``.yaml`` file, or a preset name such as
            ``salesforce_opportunities`` (see :func:`preset_names`).

    Raises:
        DataError: the file is missing, is not YAML, or does not validate; the message
            names each problem and where it is.
    """
    if isinstance(source, str) and source in preset_names():
        resource = resources.files(PRESETS_PACKAGE) / f"{source}.yaml"
        return parse_mapping(resource.read_text(encoding="utf-8"), f"preset {source}")
    path = Path(source)
    if not path.is_file():
        raise DataError(
            f"mapping not found: {source}",
            hint=f"give a YAML file or a preset name: {', '.join(preset_names())}",
        )
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"mapping {path.name} is not UTF-8 text (byte offset {exc.start})",
            hint="save the mapping file as UTF-8",
        ) from None
    return parse_mapping(text, path.name)


def parse_mapping(text: str, name: str = "mapping") -> Mapping:
    """Validate mapping YAML text.

    Raises:
        DataError: the text is not YAML or does not describe a valid mapping.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise DataError(f"{name} is not valid YAML{where}: {exc}") from None
    if not isinstance(data, dict):
        raise DataError(f"{name} must be a YAML mapping with entity: and columns:")
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'mapping'}: {e['msg']}" for e in exc.errors()
        )
        raise DataError(
            f"{name} is not a valid mapping: {problems}",
            hint=f"entity must be one of {', '.join(ENTITY_ORDER)}; see the presets for examples",
        ) from None


def native_mapping(target: EntityDef, header: list[str]) -> Mapping:
    """Build the mapping of the native format: each header column that names a field.

    Unknown columns are refused (a misspelt column would silently lose data) except
    ``id``, which belongs to the database and is ignored.

    Raises:
        DataError: a column is not a field of the entity, or a required field has no
            column (the message suggests the closest names).
    """
    from rapidfuzz import process

    unknown = [h for h in header if h and h not in target.fields and h != "id"]
    if unknown:
        details = []
        for name in unknown:
            close = process.extractOne(name, list(target.fields))
            tip = f" (did you mean {close[0]!r}?)" if close and close[1] >= 70 else ""
            details.append(f"{name!r}{tip}")
        raise DataError(
            f"column(s) {', '.join(details)} are not fields of {target.name}",
            hint=f"rename them, or import with a mapping; {target.name} fields: "
            f"{', '.join(target.fields)}",
            columns=unknown,
        )
    columns: dict[str, ColumnSpec] = {}
    for name in header:
        if name in target.fields:
            fdef = target.fields[name]
            columns[name] = FieldSpec(column=name, separator=";") if fdef.kind == "list" else name
    for name in target.required:
        columns.setdefault(name, name)  # reported as a missing column by the header check
    return Mapping(entity=target.name, columns=columns)


def infer_entity(header: list[str]) -> EntityDef:
    """Guess the entity of a native-format file from its header.

    Among the entities whose required fields are all present, the one with the fewest
    unknown columns wins, then the one covering most columns, then the smallest.

    Raises:
        DataError: no entity fits, or two fit equally well.
    """
    present = {h for h in header if h and h != "id"}
    scored: list[tuple[int, int, int, EntityName]] = []
    for name in ENTITY_ORDER:
        target = entity(name)
        if not set(target.required) <= present:
            continue
        fields = set(target.fields)
        scored.append((-len(present - fields), len(present & fields), -len(fields), name))
    scored.sort(reverse=True)
    if not scored or (len(scored) > 1 and scored[0][:3] == scored[1][:3]):
        options = ", ".join(s[3] for s in scored) if scored else "none"
        raise DataError(
            f"cannot tell which entity this file holds from its columns "
            f"({', '.join(header)}); candidates: {options}",
            hint=f"name it with --entity ({', '.join(ENTITY_ORDER)}) or use a mapping",
        )
    return entity(scored[0][3])
