"""The generated fast path is only a shortcut: it agrees with the general path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kambot.store.importers.compiled import CompiledMapping
from kambot.store.importers.entities import entity
from kambot.store.importers.fastpath import compile_fast_row, compile_prelude
from kambot.store.importers.mapping import load_mapping, parse_mapping
from kambot.store.importers.validate import row_validator

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "mappings"
HEADER = [
    "InvoiceNo",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "UnitPrice",
    "CustomerID",
    "Country",
]

_cells = {
    "InvoiceNo": st.sampled_from(["536365", "C536379", " 536366", "", "  ", "A1"]),
    "StockCode": st.sampled_from(["85123A", "POST", "M", "", "22633 "]),
    "Description": st.text(max_size=5),
    "Quantity": st.sampled_from(["6", "-2", "1,5", "abc", "", "1e2", "nan", "1_0", " 3 "]),
    "InvoiceDate": st.sampled_from(
        ["2010-12-01 08:26:00", "2011-01-05 10:00:00", "01/02/2011", "", "2011-02-30 10:00:00"]
    ),
    "UnitPrice": st.sampled_from(["2.55", "0", "-1.5", "", "x", "inf", "3,5"]),
    "CustomerID": st.sampled_from(["17850.0", "12583", "", "  ", "17850.5"]),
    "Country": st.sampled_from(["France", "", "United Kingdom"]),
}


def _general(compiled: CompiledMapping, row: list[Any]) -> dict[str, Any] | None:
    values, errors = compiled.convert(row)
    clean, problems = row_validator(compiled.entity)(values)
    return None if errors or problems else clean


def test_uci_fast_rows_agree_with_the_general_path() -> None:
    # One compiled mapping for all examples: the caches and line counters carry over,
    # as they do over the rows of one file; the reference sees the same rows in order.
    mapping = load_mapping(EXAMPLES / "uci_online_retail_invoices.yaml")
    compiled = CompiledMapping(mapping, HEADER)
    reference = CompiledMapping(mapping, HEADER)
    fast = compile_fast_row(compiled, entity("invoice_lines"))
    prelude = compile_prelude(compiled)
    assert fast is not None and prelude is not None

    @settings(max_examples=250, deadline=None)
    @given(st.lists(st.fixed_dictionaries(_cells), min_size=1, max_size=12))
    def agree(rows: list[dict[str, str]]) -> None:
        _check_rows(rows, compiled, reference, fast, prelude)

    agree()


def _check_rows(
    rows: list[dict[str, str]],
    compiled: CompiledMapping,
    reference: CompiledMapping,
    fast: Any,
    prelude: Any,
) -> None:
    for raw in rows:
        row = [raw[h] for h in HEADER]
        skipped = prelude(row)
        reference.observe(row)
        assert skipped == reference.skip_reason(row)
        if skipped:
            continue
        expected = _general(reference, row)
        first = fast(row)
        general = _general(compiled, row)  # fills the caches, as the importer does
        second = fast(row)
        assert general == expected
        for got in (first, second):
            assert got is None or got == expected, (row, got, expected)
        ordinary = all(raw[h] == raw[h].strip() for h in ("InvoiceNo", "Quantity", "UnitPrice"))
        if expected is not None and ordinary:
            assert second == expected  # once cached, an ordinary row takes the fast path


def test_constraints_and_defaults_fall_back_to_the_general_path() -> None:
    mapping = parse_mapping(
        """
entity: invoice_lines
columns:
  external_id: Id
  invoice: Inv
  account_external_id: Acct
  invoiced_on: Day
  product: {column: Code, map: {a: A, b: B}}
  quantity: Qty
  amount: Amount
  cancelled: {column: Flag}
"""
    )
    header = ["Id", "Inv", "Acct", "Day", "Code", "Qty", "Amount", "Flag"]
    compiled = CompiledMapping(mapping, header)
    fast = compile_fast_row(compiled, entity("invoice_lines"))
    assert fast is not None
    row = ["1", "I1", "A", "2011-01-01", "a", "2", "10.5", "yes"]
    expected = _general(compiled, row)
    assert expected is not None and expected["product"] == "A" and expected["cancelled"] is True
    assert fast(row) == expected
    assert fast(["1", "I1", "A", "2011-01-01", "a", "", "10.5", "no"]) is None  # default 0.0
    assert fast(["", "I1", "A", "2011-01-01", "a", "1", "10.5", "no"]) is None  # required
    assert fast(["1", "I1", "A", "2011-01-01", "zz", "1", "10.5", "no"]) is None  # not mapped


def test_other_entities_have_no_fast_row() -> None:
    compiled = CompiledMapping(
        load_mapping(EXAMPLES / "maven_crm_accounts.yaml"),
        ["account", "sector", "revenue", "employees", "office_location", "subsidiary_of"],
    )
    assert compile_fast_row(compiled, entity("accounts")) is None
