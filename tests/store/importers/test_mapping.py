"""Mappings: presets, validation of mapping files, expressions, native format."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kambot.errors import DataError
from kambot.store.importers.compiled import CompiledMapping
from kambot.store.importers.entities import entity
from kambot.store.importers.mapping import (
    Mapping,
    infer_entity,
    load_mapping,
    native_mapping,
    parse_mapping,
    preset_names,
)

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "mappings"


def convert(mapping: Mapping, raw: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """Compile a mapping for a one-row file and convert that row."""
    compiled = CompiledMapping(mapping, list(raw))
    row = compiled.row_of(raw)
    compiled.observe(row)
    return compiled.convert(row)


def test_every_preset_and_example_loads_and_validates() -> None:
    names = preset_names()
    assert {
        "salesforce_opportunities",
        "salesforce_accounts",
        "hubspot_companies",
        "hubspot_deals",
        "erp_invoice_lines",
    } <= set(names)
    entities = {name: load_mapping(name).entity for name in names}
    assert entities["hubspot_deals"] == "opportunities"
    assert entities["erp_invoice_lines"] == "invoice_lines"
    examples = sorted(EXAMPLES.glob("*.yaml"))
    assert {p.stem for p in examples} >= {
        "uci_online_retail_invoices",
        "maven_crm_accounts",
        "maven_crm_opportunities",
    }
    for path in examples:
        assert load_mapping(path).columns


def test_mapping_errors_say_what_and_where(tmp_path: Path) -> None:
    with pytest.raises(
        DataError, match=r"has no field 'acount_external_id'.*did you mean 'account_external_id'"
    ):
        parse_mapping("entity: opportunities\ncolumns: {external_id: a, acount_external_id: b}")
    with pytest.raises(DataError, match="no source for required field"):
        parse_mapping("entity: invoice_lines\ncolumns: {external_id: a}")
    with pytest.raises(DataError, match="exactly one of column, constant"):
        parse_mapping("entity: people\ncolumns: {key: {column: a, constant: b}, name: n, role: r}")
    with pytest.raises(DataError, match="entity"):
        parse_mapping("entity: customers\ncolumns: {a: b}")
    with pytest.raises(DataError, match="not valid YAML at line 3"):
        parse_mapping("entity: people\ncolumns: [a, {b\n")
    with pytest.raises(DataError, match="mapping not found"):
        load_mapping(tmp_path / "nope.yaml")
    with pytest.raises(DataError, match="rows have no account reference"):
        parse_mapping(
            "entity: accounts\ncolumns: {external_id: a, name: b}\ncreate_missing_accounts: true"
        )


def test_expressions_convert_a_row() -> None:
    mapping = parse_mapping(
        """
entity: invoice_lines
columns:
  external_id: {concat: [Inv, Line], separator: "-"}
  invoice: Inv
  account_external_id: {column: Cust, as_id: true}
  invoiced_on: {column: Date, date_format: "%d/%m/%Y"}
  product: {column: Code, normalise: {gtxpro: GTX Pro}}
  quantity: Qty
  amount: {multiply: [Qty, Price]}
  cancelled: {column: Inv, startswith: C}
"""
    )
    raw = {
        "Inv": "C536",
        "Line": "2",
        "Cust": "16098.0",
        "Date": "04/03/2011",
        "Code": "GTXPro",
        "Qty": "-2",
        "Price": "0,85",
    }
    values, errors = convert(mapping, raw)
    assert errors == []
    assert values == {
        "external_id": "C536-2",
        "invoice": "C536",
        "account_external_id": "16098",
        "invoiced_on": date(2011, 3, 4),
        "product": "GTX Pro",
        "quantity": -2.0,
        "amount": pytest.approx(-1.7),
        "cancelled": True,
    }


def test_conversion_errors_name_the_source_column() -> None:
    mapping = parse_mapping(
        "entity: invoice_lines\ncolumns: {external_id: Id, invoice: Inv, account_external_id: C,"
        " invoiced_on: D, amount: {multiply: [Qty, UnitPrice]}}"
    )
    _, errors = convert(
        mapping,
        {"Id": "1", "Inv": "1", "C": "a", "D": "2011-01-01", "Qty": "2", "UnitPrice": "abc"},
    )
    assert [(e.field, e.column, e.value) for e in errors] == [("amount", "UnitPrice", "abc")]
    assert "'abc' is not a number" in errors[0].reason


def test_value_map_is_strict_normalise_is_lenient() -> None:
    mapping = parse_mapping(
        """
entity: opportunities
columns:
  external_id: id
  account_external_id: acct
  stage: {column: deal_stage, map: {Won: won, Lost: lost, Engaging: open, Prospecting: open}}
  product: product
  probability: {column: p, scale: 0.01}
  closed_on: {column: close, when: {column: deal_stage, in: [Won, Lost]}}
normalise:
  product: {GTXPro: GTX Pro}
"""
    )
    row = {
        "id": "1",
        "acct": "A",
        "deal_stage": "engaging",
        "product": "MG Special",
        "p": "40",
        "close": "2017-03-01",
    }
    values, errors = convert(mapping, row)
    assert not errors
    assert values["stage"] == "open" and values["product"] == "MG Special"
    assert values["probability"] == pytest.approx(0.4)
    assert values["closed_on"] is None  # an open deal's date is only expected
    values, _ = convert(mapping, {**row, "deal_stage": "Won"})
    assert values["closed_on"] == date(2017, 3, 1)
    _, errors = convert(mapping, {**row, "deal_stage": "Negotiation"})
    assert errors[0].column == "deal_stage"
    assert "'Negotiation' is not a value the mapping knows for stage" in errors[0].reason


def test_sequence_counts_every_row_including_skipped_ones() -> None:
    mapping = parse_mapping(
        """
entity: invoice_lines
columns:
  external_id: {sequence_within: [Inv]}
  invoice: Inv
  account_external_id: C
  invoiced_on: D
  amount: A
skip:
  - {column: Code, in: [POST], reason: not a product}
"""
    )
    compiled = CompiledMapping(mapping, ["Inv", "C", "D", "A", "Code"])
    ids = []
    for code in ("X", "POST", "Y"):
        row = ["536365", "1", "2011-01-01", "1", code]
        compiled.observe(row)
        if compiled.skip_reason(row) is None:
            ids.append(compiled.convert(row)[0]["external_id"])
    assert ids == ["536365-1", "536365-3"]


def test_constant_and_default() -> None:
    mapping = parse_mapping(
        "entity: people\ncolumns: {key: k, name: {column: n, default: Unknown}, "
        "role: {constant: kam}, industries: {column: ind, separator: '|'}}"
    )
    values, _ = convert(mapping, {"k": "x", "n": " ", "ind": "a| b ||c"})
    assert values == {"key": "x", "name": "Unknown", "role": "kam", "industries": ["a", "b", "c"]}


def test_native_mapping_refuses_unknown_columns_with_suggestions() -> None:
    with pytest.raises(DataError, match="'industy' \\(did you mean 'industry'\\?\\)"):
        native_mapping(entity("accounts"), ["external_id", "name", "industy"])
    mapping = native_mapping(entity("accounts"), ["id", "external_id", "name", "products"])
    values, _ = convert(mapping, {"id": "9", "external_id": "A", "name": "Acme", "products": "x;y"})
    assert values == {"external_id": "A", "name": "Acme", "products": ["x", "y"]}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["external_id", "name", "industry"], "accounts"),
        (["key", "name", "role"], "people"),
        (
            ["external_id", "invoice", "account_external_id", "invoiced_on", "amount"],
            "invoice_lines",
        ),
        (["external_id", "account_external_id", "name", "role", "level"], "contacts"),
        (["external_id", "account_external_id", "stage", "value"], "opportunities"),
        (["external_id", "account_external_id", "occurred_on", "text"], "activities"),
        (["external_id", "account_external_id", "title", "status"], "initiatives"),
    ],
)
def test_entity_is_inferred_from_a_native_header(header: list[str], expected: str) -> None:
    assert infer_entity(header).name == expected


def test_entity_inference_failure_lists_the_options() -> None:
    with pytest.raises(DataError, match="cannot tell which entity") as info:
        infer_entity(["InvoiceNo", "StockCode"])
    assert "--entity" in str(info.value)


def test_filters_is_another_name_for_skip() -> None:
    base = "entity: people\ncolumns: {key: k, name: n, role: r}\n"
    rule = ": [{column: k, empty: true, reason: no key}]"
    as_filters = parse_mapping(base + "filters" + rule).skip
    assert as_filters == parse_mapping(base + "skip" + rule).skip
    assert as_filters[0].reason == "no key"
