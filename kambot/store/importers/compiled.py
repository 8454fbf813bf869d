"""A mapping compiled against a file's header: rows (lists of cells) to field values.

Compilation happens once per file. Each target field becomes one closure reading cells
by position; the common cases (a plain text, number or date column, a product of two
columns, a prefix test) get a specialised closure with the conversion inlined, and fall
back to the general path only for cells the fast path does not cover (blank cells,
decimal commas, errors). That is what lets a million invoice lines import in seconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from kambot.store.importers.convert import (
    ConversionError,
    DateParser,
    DecimalMode,
    is_empty,
    normalise_id,
    parse_bool,
    parse_int,
    parse_number,
    to_text,
)
from kambot.store.importers.entities import FieldDef, entity
from kambot.store.importers.mapping import Condition, FieldSpec, Mapping, SkipRule, as_spec

Row = Sequence[Any]
Getter = Callable[[Row], Any]

_CACHE_LIMIT = 100_000


class FieldConversionError(ConversionError):
    """A value could not be converted; carries the source column and the raw value."""

    def __init__(self, reason: str, column: str | None, value: Any) -> None:
        """Keep what the issue report needs; ``field`` is set by the compiled mapping."""
        super().__init__(reason)
        self.reason = reason
        self.column = column
        self.value = value
        self.field = ""


@dataclass(frozen=True)
class CompiledField:
    """A target field with the function computing it from a row."""

    name: str
    columns: tuple[str, ...]
    compute: Getter
    #: How the fast path reads the field: ("text", pos), ("id", pos, cache),
    #: ("float", pos), ("product", pos, pos), ("startswith", pos, prefix),
    #: ("date", pos, cache), ("sequence", sequence), or ("call",) for the rest.
    shape: tuple[Any, ...] = ("call",)

    @property
    def label(self) -> str:
        """Return the source column(s) named in issues."""
        return ", ".join(self.columns) if self.columns else f"(mapping: {self.name})"


@dataclass(frozen=True)
class CompiledSkip:
    """A compiled skip rule: the column position and the test of its cell.

    ``values`` (an ``in`` / ``equals`` rule) and ``empty`` let the generated prelude
    test text cells inline.
    """

    position: int
    test: Callable[[Any], bool]
    reason: str
    values: frozenset[str | None] | None = None
    empty: bool = False


class CompiledMapping:
    """A mapping bound to a file's header and ready to convert rows fast.

    Rows are sequences of cells in header order (the header's width).
    """

    def __init__(
        self, mapping: Mapping, header: Sequence[str], *, comma_hint: bool = False
    ) -> None:
        """Compile every field and rule once, so that a row costs a few calls.

        Args:
            mapping: the validated mapping.
            header: the file's column names, in order.
            comma_hint: the file uses ``;`` as delimiter: ambiguous ``1,234`` reads 1.234.
        """
        self.mapping = mapping
        self.header = list(header)
        self.entity = entity(mapping.entity)
        self.comma_hint = comma_hint
        self.index = {name: i for i, name in enumerate(self.header) if name}
        self.sequences: list[_Sequence] = []
        self.fields = [
            self._field(self.entity.fields[name], as_spec(spec))
            for name, spec in mapping.columns.items()
        ]
        self.by_name = {f.name: f for f in self.fields}
        self._computes = [(f.name, f.compute) for f in self.fields]
        self.skips = [self._skip(rule) for rule in mapping.skip]
        self.account_fields: list[CompiledField] | None = None
        if mapping.create_missing_accounts is not None:
            accounts = entity("accounts")
            self.account_fields = [
                self._field(accounts.fields[name], as_spec(spec))
                for name, spec in mapping.create_missing_accounts.items()
            ]

    # -- rows ---------------------------------------------------------------------------

    def row_of(self, raw: dict[str, Any]) -> list[Any]:
        """Return a dict row (column -> cell) as a list in header order."""
        return [raw.get(name) for name in self.header]

    def observe(self, row: Row) -> None:
        """Show every row, skipped or not, to the fields numbering rows."""
        for sequence in self.sequences:
            sequence.observe(row)

    def skip_reason(self, row: Row) -> str | None:
        """Return why a row is skipped by a mapping rule, or None when it is kept."""
        for rule in self.skips:
            if rule.test(row[rule.position]):
                return rule.reason
        return None

    def convert(self, row: Row) -> tuple[dict[str, Any], list[FieldConversionError]]:
        """Compute every mapped field of a row; failures are collected, not raised."""
        try:
            # One comprehension for the usual row that converts cleanly; the loop below
            # redoes a failing row field by field to report every problem in it.
            return {name: compute(row) for name, compute in self._computes}, []
        except FieldConversionError:
            pass
        values: dict[str, Any] = {}
        errors: list[FieldConversionError] = []
        for f in self.fields:
            try:
                values[f.name] = f.compute(row)
            except FieldConversionError as exc:
                exc.field = f.name
                errors.append(exc)
        return values, errors

    def account_values(
        self, row: Row, external_id: str
    ) -> tuple[dict[str, Any], list[FieldConversionError]]:
        """Compute the fields of an account created for an unknown reference.

        The name defaults to the id; every created account carries the same fields,
        as the store requires of one batch.
        """
        values: dict[str, Any] = {"external_id": external_id, "name": external_id}
        errors: list[FieldConversionError] = []
        for f in self.account_fields or ():
            try:
                value = f.compute(row)
            except FieldConversionError as exc:
                exc.field = f"account.{f.name}"
                errors.append(exc)
                continue
            if value is not None or f.name != "name":
                values[f.name] = value
        return values, errors

    # -- issues -------------------------------------------------------------------------

    def column_of(self, field: str) -> str | None:
        """Return the source column label of a target field (for issues)."""
        found = self.by_name.get(field)
        return found.label if found is not None else None

    def source_value(self, field: str, row: Row, converted: Any) -> str | None:
        """Return the value to show in an issue: the cell when one column feeds the field."""
        found = self.by_name.get(field)
        if found is not None and len(found.columns) == 1:
            position = self.index.get(found.columns[0])
            if position is not None:
                return to_text(row[position])
        return to_text(converted)

    # -- compiling ----------------------------------------------------------------------

    def _getter(self, column: str) -> Getter:
        position = self.index.get(column)
        if position is None:  # an optional column absent from the file
            return lambda row: None
        return itemgetter(position)

    def _skip(self, rule: SkipRule) -> CompiledSkip:
        values: frozenset[str | None] | None = None
        if rule.in_ is not None:
            values = frozenset(v.strip() or None for v in rule.in_)
        elif rule.equals is not None:
            values = frozenset({rule.equals.strip() or None})
        return CompiledSkip(
            self.index[rule.column], _condition(rule), rule.reason, values, bool(rule.empty)
        )

    def _field(self, fdef: FieldDef, spec: FieldSpec) -> CompiledField:
        columns = spec.source_columns
        label = ", ".join(columns) if columns else f"(mapping: {fdef.name})"
        decimal: DecimalMode = spec.decimal or self.mapping.source.decimal
        read = self._source(spec, decimal)
        parser = None
        if fdef.kind == "date":
            fmt = spec.date_format or self.mapping.source.date_format
            parser = DateParser((fmt,) if isinstance(fmt, str) else tuple(fmt or ()))
        typed = _typed(
            fdef,
            spec,
            self.mapping,
            decimal,
            comma_hint=self.comma_hint,
            label=label,
            parser=parser,
        )
        general = _general(read, _text_steps(fdef, spec, self.mapping, label), typed, spec.default)
        if spec.when is not None:
            when_get = self._getter(spec.when.column)
            when_test = _condition(spec.when)
            unconditional = general

            def general(row: Row) -> Any:
                return unconditional(row) if when_test(when_get(row)) else None

        if isinstance(read, _Sequence) and _plain(fdef, spec, self.mapping):
            return CompiledField(fdef.name, columns, read, ("sequence", read))
        fast = self._fast(fdef, spec, decimal, general, parser)
        if fast is None:
            return CompiledField(fdef.name, columns, general)
        return CompiledField(fdef.name, columns, fast[0], fast[1])

    def _source(self, spec: FieldSpec, decimal: DecimalMode) -> Getter:
        if spec.column is not None:
            return self._getter(spec.column)
        if "constant" in spec.model_fields_set:
            constant = spec.constant
            return lambda row: constant
        if spec.concat is not None:
            parts = [self._getter(c) for c in spec.concat]
            sep = " " if spec.separator is None else spec.separator

            def concat(row: Row) -> str | None:
                texts = [t for t in (to_text(get(row)) for get in parts) if t is not None]
                return sep.join(texts) if texts else None

            return concat
        if spec.multiply is not None:
            factors = [(c, self._getter(c)) for c in spec.multiply]
            comma_hint = self.comma_hint

            def multiply(row: Row) -> float | None:
                product = 1.0
                for column, get in factors:
                    cell = get(row)
                    if is_empty(cell):
                        return None
                    try:
                        product *= parse_number(cell, decimal, comma_hint=comma_hint)
                    except ConversionError as exc:
                        raise FieldConversionError(str(exc), column, cell) from None
                return product

            return multiply
        keys = spec.sequence_within or []
        sequence = _Sequence(
            [self._getter(c) for c in keys],
            "-" if spec.separator is None else spec.separator,
            self.index.get(keys[0]) if len(keys) == 1 else None,
        )
        self.sequences.append(sequence)
        return sequence

    def _fast(
        self,
        fdef: FieldDef,
        spec: FieldSpec,
        decimal: DecimalMode,
        general: Getter,
        parser: DateParser | None,
    ) -> tuple[Getter, tuple[Any, ...]] | None:
        """Return a specialised closure and its shape for the common cases, or None."""
        if spec.as_id and fdef.kind == "str" and spec.column is not None:
            position = self.index.get(spec.column)
            if position is not None and spec.when is None and spec.default is None:
                cache: dict[Any, Any] = {}  # ids repeat on every line of a customer
                return _fast_id(position, cache, general), ("id", position, cache)
        if not _plain(fdef, spec, self.mapping):
            return None
        if spec.multiply is not None and len(spec.multiply) == 2 and spec.scale is None:
            i, j = (self.index.get(c) for c in spec.multiply)
            if i is None or j is None or decimal == "," or fdef.kind != "float":
                return None
            return _fast_product(i, j, general), ("product", i, j)
        if spec.column is None:
            return None
        position = self.index.get(spec.column)
        if position is None:
            return None
        if spec.startswith is not None:
            prefix = spec.startswith
            return _fast_startswith(position, prefix, general), ("startswith", position, prefix)
        if fdef.kind == "str":
            return _fast_text(position, general), ("text", position)
        if fdef.kind == "float" and spec.scale is None and decimal != ",":
            return _fast_float(position, general), ("float", position)
        if parser is not None:
            return _fast_date(position, parser.cache, general), ("date", position, parser.cache)
        return None


# --- fast paths: each falls back to ``general`` for anything unusual -----------------------


def _plain(fdef: FieldDef, spec: FieldSpec, mapping: Mapping) -> bool:
    """Tell whether a field is read as is: no default, condition, map or fix."""
    return (
        spec.default is None
        and spec.when is None
        and spec.map is None
        and not spec.as_id
        and not spec.normalise
        and not mapping.normalise.get(fdef.name)
        and fdef.kind in ("str", "float", "date", "bool", "int", "enum")
    )


def _fast_text(i: int, general: Getter) -> Getter:
    def text(row: Row) -> Any:
        v = row[i]
        if v.__class__ is str:
            return v.strip() or None
        return general(row)

    return text


def _fast_id(i: int, cache: dict[Any, Any], general: Getter) -> Getter:
    def ident(row: Row) -> Any:
        v = row[i]
        found = cache.get(v)
        if found is not None:
            return found
        result = general(row)
        if result is not None:
            if len(cache) >= _CACHE_LIMIT:
                cache.clear()
            cache[v] = result
        return result

    return ident


def _fast_float(i: int, general: Getter) -> Getter:
    def number(row: Row) -> Any:
        v = row[i]
        if v.__class__ is str and "," not in v and "_" not in v:
            try:
                x = float(v)
            except ValueError:
                return general(row)
            if x - x == 0:  # finite: inf - inf and nan - nan are nan
                return x
        return general(row)

    return number


def _fast_product(i: int, j: int, general: Getter) -> Getter:
    def product(row: Row) -> Any:
        a, b = row[i], row[j]
        if (
            a.__class__ is str
            and b.__class__ is str
            and "," not in a
            and "," not in b
            and "_" not in a
            and "_" not in b
        ):
            try:
                x = float(a) * float(b)
            except ValueError:
                return general(row)
            if x - x == 0:
                return x
        return general(row)

    return product


def _fast_startswith(i: int, prefix: str, general: Getter) -> Getter:
    def starts(row: Row) -> Any:
        v = row[i]
        if v.__class__ is str and v and not v[0].isspace():
            return v.startswith(prefix)
        return general(row)

    return starts


def _fast_date(i: int, cache: dict[str, Any], general: Getter) -> Getter:
    def when(row: Row) -> Any:
        found = cache.get(row[i])
        return found if found is not None else general(row)

    return when


# --- the general path ------------------------------------------------------------------


def _general(
    read: Getter,
    steps: list[Callable[[Any], Any]],
    typed: Callable[[Any], Any],
    default: Any,
) -> Getter:
    def compute(row: Row) -> Any:
        value = read(row)
        if value is None or (value.__class__ is str and not value.strip()):
            if default is None:
                return None
            value = default
        for step in steps:
            value = step(value)
            if value is None:
                return None
        return typed(value)

    return compute


class _Sequence:
    """Number rows within a key, counting every row of the file (skipped ones too).

    Counting skipped rows keeps the ids stable when the skip rules change, so that a
    re-import updates lines instead of duplicating them.
    """

    def __init__(
        self, keys: list[Getter], separator: str, single_position: int | None = None
    ) -> None:
        self.keys = keys
        self.separator = separator
        self.single_position = single_position  # the key column, when there is one
        self.counters: dict[Any, int] = {}
        self.current: str | None = None

    def observe(self, row: Row) -> None:
        if len(self.keys) == 1:
            cell = self.keys[0](row)
            key: Any = cell.strip() if cell.__class__ is str else normalise_id(cell)
            if not key:
                self.current = None
                return
            number = self.counters.get(key, 0) + 1
            self.counters[key] = number
            self.current = f"{key}{self.separator}{number}"
            return
        parts = tuple(normalise_id(get(row)) for get in self.keys)
        if all(p is None for p in parts):
            self.current = None
            return
        number = self.counters.get(parts, 0) + 1
        self.counters[parts] = number
        sep = self.separator
        self.current = sep.join(p or "" for p in parts) + f"{sep}{number}"

    def __call__(self, row: Row) -> str | None:
        return self.current


def _condition(rule: Condition) -> Callable[[Any], bool]:
    def text(v: Any) -> str | None:
        return (v.strip() or None) if v.__class__ is str else to_text(v)

    if rule.empty:
        return is_empty
    if rule.equals is not None:
        wanted = rule.equals.strip()
        return lambda v: text(v) == wanted
    if rule.in_ is not None:
        values = frozenset(v.strip() for v in rule.in_)
        return lambda v: text(v) in values
    if rule.startswith is not None:
        prefix = rule.startswith
        return lambda v: (text(v) or "").startswith(prefix)
    pattern = re.compile(rule.matches or "")
    return lambda v: pattern.fullmatch(text(v) or "") is not None


def _lookup(table: dict[str, Any]) -> dict[str, Any]:
    return {k.strip().casefold(): v for k, v in table.items()}


def _text_steps(
    fdef: FieldDef, spec: FieldSpec, mapping: Mapping, label: str
) -> list[Callable[[Any], Any]]:
    steps: list[Callable[[Any], Any]] = []
    if spec.startswith is not None:
        prefix = spec.startswith
        steps.append(lambda v: (to_text(v) or "").startswith(prefix))
        return steps
    if spec.as_id:
        steps.append(normalise_id)
    fixes = {**(mapping.normalise.get(fdef.name) or {}), **(spec.normalise or {})}
    if fixes and fdef.kind != "list":
        table = _lookup(fixes)

        def fix(v: Any) -> Any:
            text = to_text(v)
            if text is None:
                return None
            return table.get(text.casefold(), text)

        steps.append(fix)
    if spec.map is not None:
        known = _lookup(spec.map)
        shown = ", ".join(spec.map)

        def value_map(v: Any) -> Any:
            text = to_text(v)
            if text is None:
                return None
            key = text.casefold()
            if key not in known:
                raise FieldConversionError(
                    f"{text!r} is not a value the mapping knows for {fdef.name} (known: {shown})",
                    label,
                    v,
                )
            return known[key]

        steps.append(value_map)
    return steps


def _typed(
    fdef: FieldDef,
    spec: FieldSpec,
    mapping: Mapping,
    decimal: DecimalMode,
    *,
    comma_hint: bool,
    label: str,
    parser: DateParser | None,
) -> Callable[[Any], Any]:
    kind = fdef.kind

    def fail(exc: ConversionError, value: Any) -> FieldConversionError:
        return FieldConversionError(str(exc), label, value)

    if kind == "float":
        scale = spec.scale

        def to_float(v: Any) -> float:
            try:
                number = parse_number(v, decimal, comma_hint=comma_hint)
            except ConversionError as exc:
                raise fail(exc, v) from None
            return number * scale if scale is not None else number

        return to_float
    if kind == "int":
        int_scale = spec.scale

        def to_int(v: Any) -> int:
            try:
                if int_scale is not None:
                    number = parse_number(v, decimal, comma_hint=comma_hint) * int_scale
                    if not number.is_integer():
                        raise ConversionError(f"{to_text(v)!r} is not a whole number")
                    return int(number)
                return parse_int(v, decimal, comma_hint=comma_hint)
            except ConversionError as exc:
                raise fail(exc, v) from None

        return to_int
    if kind == "date":
        assert parser is not None
        parse_date = parser

        def to_date(v: Any) -> Any:
            try:
                return parse_date(v)
            except ConversionError as exc:
                raise fail(exc, v) from None

        return to_date
    if kind == "bool":

        def to_bool(v: Any) -> bool:
            try:
                return parse_bool(v)
            except ConversionError as exc:
                raise fail(exc, v) from None

        return to_bool
    if kind == "list":
        sep = spec.separator or ";"
        fixes = _lookup({**(mapping.normalise.get(fdef.name) or {}), **(spec.normalise or {})})

        def to_list(v: Any) -> list[str]:
            if isinstance(v, list):
                items = [to_text(x) for x in v]
            else:
                items = [x.strip() for x in (to_text(v) or "").split(sep)]
            return [fixes.get(x.casefold(), x) for x in items if x]

        return to_list
    return to_text
