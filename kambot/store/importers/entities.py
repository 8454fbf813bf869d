"""What can be imported: one entry per entity, derived from the domain models.

The importers never hard-code a field list: names, types, defaults and constraints are
read from the pydantic models in :mod:`kambot.domain`, so a field added there is
importable at once (in the native format) and validated with the model's own rules.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cache
from typing import Any, Literal

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from kambot.domain.accounts import Account, Activity, Contact, Initiative, InvoiceLine, Opportunity
from kambot.domain.programme import Person

EntityName = Literal[
    "people", "accounts", "contacts", "opportunities", "invoice_lines", "activities", "initiatives"
]

#: Dependency order: an entity only refers to entities before it.
ENTITY_ORDER: tuple[EntityName, ...] = (
    "people",
    "accounts",
    "contacts",
    "opportunities",
    "invoice_lines",
    "activities",
    "initiatives",
)

Kind = Literal["str", "int", "float", "date", "bool", "enum", "list"]


@dataclass(frozen=True)
class FieldDef:
    """One importable field of an entity, as the domain model defines it."""

    name: str
    kind: Kind
    required: bool
    default: Any = None
    choices: tuple[str, ...] = ()
    ge: float | None = None
    gt: float | None = None
    le: float | None = None
    lt: float | None = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None


@dataclass(frozen=True)
class Reference:
    """A field holding the key of another entity (checked before anything is written)."""

    field: str
    target: EntityName


@dataclass(frozen=True)
class EntityDef:
    """An importable entity: its model, its natural key and the references it holds."""

    name: EntityName
    model: type[BaseModel]
    key: str
    references: tuple[Reference, ...] = ()
    text_fields: tuple[str, ...] = ()
    fields: dict[str, FieldDef] = field(default_factory=dict)

    @property
    def required(self) -> tuple[str, ...]:
        """Return the fields a row must have a value for."""
        return tuple(f.name for f in self.fields.values() if f.required)


# Fields of a model that an import never sets: the database id belongs to the database.
_NOT_IMPORTED = {"id"}


def _unwrap_optional(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _field_def(name: str, info: FieldInfo) -> FieldDef:
    annotation = _unwrap_optional(info.annotation)
    choices: tuple[str, ...] = ()
    kind: Kind
    if typing.get_origin(annotation) is list:
        kind = "list"
    elif isinstance(annotation, type) and issubclass(annotation, Enum):
        kind = "enum"
        choices = tuple(str(m.value) for m in annotation)
    elif annotation is bool:
        kind = "bool"
    elif annotation is int:
        kind = "int"
    elif annotation is float:
        kind = "float"
    elif annotation is date:
        kind = "date"
    elif annotation is str:
        kind = "str"
    else:  # a new field type needs a converter here before it can be imported
        raise TypeError(f"field {name!r} has a type the importers do not handle: {annotation!r}")
    ge = gt = le = lt = None
    min_length = max_length = None
    pattern = None
    for meta in info.metadata:
        if isinstance(meta, Ge):
            ge = float(meta.ge)  # type: ignore[arg-type]
        elif isinstance(meta, Gt):
            gt = float(meta.gt)  # type: ignore[arg-type]
        elif isinstance(meta, Le):
            le = float(meta.le)  # type: ignore[arg-type]
        elif isinstance(meta, Lt):
            lt = float(meta.lt)  # type: ignore[arg-type]
        elif isinstance(meta, MinLen):
            min_length = meta.min_length
        elif isinstance(meta, MaxLen):
            max_length = meta.max_length
        elif hasattr(meta, "pattern") and isinstance(meta.pattern, str):
            pattern = meta.pattern
    required = info.is_required()
    default = None if required else info.get_default(call_default_factory=True)
    if isinstance(default, Enum):
        default = default.value
    return FieldDef(
        name=name,
        kind=kind,
        required=required,
        default=default,
        choices=choices,
        ge=ge,
        gt=gt,
        le=le,
        lt=lt,
        min_length=min_length,
        max_length=max_length,
        pattern=pattern,
    )


def _define(
    name: EntityName,
    model: type[BaseModel],
    key: str,
    references: tuple[Reference, ...] = (),
    text_fields: tuple[str, ...] = (),
) -> EntityDef:
    fields = {
        n: _field_def(n, info) for n, info in model.model_fields.items() if n not in _NOT_IMPORTED
    }
    return EntityDef(name, model, key, references, text_fields, fields)


@cache
def entities() -> dict[EntityName, EntityDef]:
    """Return every importable entity, keyed by name, in dependency order."""
    account_ref = (Reference("account_external_id", "accounts"),)
    defs = [
        _define("people", Person, "key"),
        _define(
            "accounts",
            Account,
            "external_id",
            (
                Reference("parent_external_id", "accounts"),
                Reference("owner_kam", "people"),
                Reference("sponsor", "people"),
            ),
        ),
        _define("contacts", Contact, "external_id", account_ref),
        _define("opportunities", Opportunity, "external_id", account_ref),
        _define("invoice_lines", InvoiceLine, "external_id", account_ref),
        _define("activities", Activity, "external_id", account_ref, ("subject", "text")),
        _define("initiatives", Initiative, "external_id", account_ref),
    ]
    return {d.name: d for d in defs}


def entity(name: str) -> EntityDef:
    """Return the definition of one entity, or raise a DataError naming the valid ones."""
    from kambot.errors import DataError

    found = entities().get(name)  # type: ignore[call-overload]
    if found is None:
        raise DataError(
            f"unknown entity {name!r}",
            hint=f"use one of: {', '.join(ENTITY_ORDER)}",
        )
    return found  # type: ignore[no-any-return]
