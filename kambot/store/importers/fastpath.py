"""One straight-line function per mapping: a clean row to a validated dict, or None.

For high-volume entities (invoice lines), the per-field closures and the validator
still cost a dozen Python calls per row. This module writes, for a compiled mapping,
the source of a single function that reads the cells by position, converts them with
the conversions inlined, checks the domain model's constraints (read from the model's
field definitions) and returns the row's values. Whenever a row is anything but
ordinary (a blank cell, a decimal comma, a value not yet in a cache, a constraint not
met, a conversion error), the function returns None and the caller takes the general
path, which produces the same values or the precise issues. The generated function is
therefore only ever a shortcut: tests check that both paths agree.

Only positions, field names (identifiers of the domain model) and numbers are written
into the generated source; every other value (prefixes, caches, patterns, allowed
values) is passed in the function's namespace, never as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from kambot.store.importers.compiled import CompiledMapping, FieldConversionError
from kambot.store.importers.entities import EntityDef, FieldDef
from kambot.store.importers.validate import FAST_ENTITIES, has_custom_validators

FastRow = Callable[[Sequence[Any]], dict[str, Any] | None]

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def compile_fast_row(compiled: CompiledMapping, target: EntityDef) -> FastRow | None:
    """Return the fast row function of a compiled mapping, or None when not applicable.

    Applies to the entities of ``FAST_ENTITIES`` whose model has no custom validator.
    """
    if target.name not in FAST_ENTITIES or has_custom_validators(target.model):
        return None
    namespace: dict[str, Any] = {"FieldConversionError": FieldConversionError}
    body: list[str] = []
    names: list[str] = []
    for k, field in enumerate(compiled.fields):
        fdef = target.fields[field.name]
        if not _IDENTIFIER.match(field.name):  # pragma: no cover - model field names
            return None
        var = f"v{k}"
        body.extend(_read(var, k, field.shape, field.compute, namespace))
        body.extend(_presence(var, fdef))
        body.extend(_checks(var, k, fdef, namespace))
        names.append(field.name)
    missing = [name for name in target.required if name not in names]
    if missing:  # the mapping leaves a required field out: the general path reports it
        return None
    result = ", ".join(f"{name!r}: v{k}" for k, name in enumerate(names))
    source = "def fast_row(cells):\n" + "".join(f"    {line}\n" for line in body)
    source += f"    return {{{result}}}\n"
    exec(compile(source, f"<fast row: {target.name}>", "exec"), namespace)
    function: FastRow = namespace["fast_row"]
    return function


def _read(var: str, k: int, shape: tuple[Any, ...], compute: Any, ns: dict[str, Any]) -> list[str]:
    kind = shape[0]
    if kind == "text":
        return [
            f"c = cells[{int(shape[1])}]",
            "if c.__class__ is not str: return None",
            f"{var} = c.strip() or None",
        ]
    if kind in ("id", "date"):
        ns[f"cache{k}"] = shape[2]
        return [f"{var} = cache{k}.get(cells[{int(shape[1])}])", f"if {var} is None: return None"]
    if kind == "float":
        return [
            f"c = cells[{int(shape[1])}]",
            'if c.__class__ is not str or "," in c or "_" in c: return None',
            "try:",
            f"    {var} = float(c)",
            "except ValueError:",
            "    return None",
            f"if {var} - {var} != 0: return None",
        ]
    if kind == "product":
        return [
            f"a = cells[{int(shape[1])}]",
            f"b = cells[{int(shape[2])}]",
            "if a.__class__ is not str or b.__class__ is not str: return None",
            'if "," in a or "," in b or "_" in a or "_" in b: return None',
            "try:",
            f"    {var} = float(a) * float(b)",
            "except ValueError:",
            "    return None",
            f"if {var} - {var} != 0: return None",
        ]
    if kind == "startswith":
        ns[f"prefix{k}"] = shape[2]
        return [
            f"c = cells[{int(shape[1])}]",
            "if c.__class__ is not str or not c or c[0].isspace(): return None",
            f"{var} = c.startswith(prefix{k})",
        ]
    if kind == "sequence":
        ns[f"seq{k}"] = shape[1]
        return [f"{var} = seq{k}.current", f"if {var} is None: return None"]
    ns[f"compute{k}"] = compute
    return [
        "try:",
        f"    {var} = compute{k}(cells)",
        "except FieldConversionError:",
        "    return None",
    ]


def _presence(var: str, fdef: FieldDef) -> list[str]:
    # An empty cell is fine only for an optional field whose default is None; anything
    # else (a required field, a default to fill) is left to the general path.
    if fdef.required or fdef.default is not None:
        return [f"if {var} is None: return None"]
    return []


def _checks(var: str, k: int, fdef: FieldDef, ns: dict[str, Any]) -> list[str]:
    tests: list[str] = []
    if fdef.min_length is not None:
        tests.append(f"len({var}) < {int(fdef.min_length)}")
    if fdef.max_length is not None:
        tests.append(f"len({var}) > {int(fdef.max_length)}")
    for bound, op in ((fdef.ge, "<"), (fdef.gt, "<="), (fdef.le, ">"), (fdef.lt, ">=")):
        if bound is not None:
            tests.append(f"{var} {op} {float(bound)!r}")
    if fdef.choices:
        ns[f"choices{k}"] = frozenset(fdef.choices)
        tests.append(f"{var} not in choices{k}")
    if fdef.pattern is not None:
        ns[f"pattern{k}"] = re.compile(fdef.pattern)
        tests.append(f"pattern{k}.search({var}) is None")
    if not tests:
        return []
    condition = " or ".join(tests)
    if fdef.required or fdef.default is not None:
        return [f"if {condition}: return None"]
    return [f"if {var} is not None and ({condition}): return None"]


Prelude = Callable[[Sequence[Any]], str | None]


def compile_prelude(compiled: CompiledMapping) -> Prelude | None:
    """Return one function numbering a row (``sequence_within``) and testing skip rules.

    It returns the skip reason of the first rule that matches, or None. Every row goes
    through it, skipped or not, so that line numbers within a key stay stable. None is
    returned when the mapping has neither sequences nor skip rules.
    """
    if not compiled.sequences and not compiled.skips:
        return None
    namespace: dict[str, Any] = {}
    body: list[str] = []
    for k, sequence in enumerate(compiled.sequences):
        namespace[f"seq{k}"] = sequence
        position = sequence.single_position
        if position is None:
            body.append(f"seq{k}.observe(cells)")
            continue
        namespace[f"counters{k}"] = sequence.counters
        namespace[f"sep{k}"] = sequence.separator
        body += [
            f"c = cells[{int(position)}]",
            "if c.__class__ is str:",
            "    c = c.strip()",
            "    if c:",
            f"        n = counters{k}.get(c, 0) + 1",
            f"        counters{k}[c] = n",
            f"        seq{k}.current = c + sep{k} + str(n)",
            "    else:",
            f"        seq{k}.current = None",
            "else:",
            f"    seq{k}.observe(cells)",
        ]
    for k, rule in enumerate(compiled.skips):
        namespace[f"test{k}"] = rule.test
        namespace[f"reason{k}"] = rule.reason
        body.append(f"c = cells[{int(rule.position)}]")
        if rule.values is not None:
            namespace[f"values{k}"] = rule.values
            body += [
                "if c.__class__ is str:",
                f"    if (c.strip() or None) in values{k}: return reason{k}",
                f"elif test{k}(c): return reason{k}",
            ]
        elif rule.empty:
            body += [
                "if c.__class__ is str:",
                f"    if not c.strip(): return reason{k}",
                f"elif test{k}(c): return reason{k}",
            ]
        else:
            body.append(f"if test{k}(c): return reason{k}")
    source = "def prelude(cells):\n" + "".join(f"    {line}\n" for line in body)
    source += "    return None\n"
    exec(compile(source, "<row prelude>", "exec"), namespace)
    function: Prelude = namespace["prelude"]
    return function
