"""Row validation: the fast path applies exactly the domain model's rules."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kambot.domain.programme import Capacity
from kambot.store.importers.entities import ENTITY_ORDER, EntityDef, FieldDef, entities, entity
from kambot.store.importers.mapping import parse_mapping
from kambot.store.importers.validate import (
    FastValidator,
    ModelValidator,
    check_header,
    describe_missing_columns,
    row_validator,
)

_TEXT = st.text(alphabet="abcXYZ _-é1", min_size=1, max_size=12).map(str.strip).filter(bool)


def _value(fdef: FieldDef) -> st.SearchStrategy[Any]:
    """Values of the Python type the mapping produces for a field, edges included."""
    if fdef.kind == "str":
        if fdef.pattern:
            return st.sampled_from(["kam", "executive", "hr", "KAM", "boss", "kam2"])
        if fdef.max_length:
            return _TEXT | st.text(
                alphabet="ab", min_size=fdef.max_length - 2, max_size=fdef.max_length + 2
            )
        return _TEXT
    if fdef.kind == "enum":
        return st.sampled_from([*fdef.choices, "bogus"])
    if fdef.kind == "int":
        return st.integers(-3, 7) | st.integers(-(10**6), 10**6)
    if fdef.kind == "float":
        edges = [b for b in (fdef.ge, fdef.le) if b is not None]
        return st.floats(-150, 150, allow_nan=False) | st.sampled_from(
            [*edges, *(e - 1e-9 for e in edges), *(e + 1e-9 for e in edges), 0.0]
        )
    if fdef.kind == "date":
        return st.dates()
    if fdef.kind == "bool":
        return st.booleans()
    return st.lists(_TEXT, max_size=3)


@st.composite
def _rows(draw: st.DrawFn, target: EntityDef) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name, fdef in target.fields.items():
        choice = draw(st.sampled_from(["value", "value", "value", "none", "absent"]))
        if choice == "value":
            row[name] = draw(_value(fdef))
        elif choice == "none":
            row[name] = None
    return row


@pytest.mark.parametrize("name", ENTITY_ORDER)
def test_fast_validator_agrees_with_the_model(name: str) -> None:
    target = entity(name)
    fast, model = FastValidator(target), ModelValidator(target)

    @settings(max_examples=120, deadline=None)
    @given(_rows(target))
    def agree(row: dict[str, Any]) -> None:
        fast_out, fast_problems = fast(dict(row))
        model_out, model_problems = model(dict(row))
        assert (fast_out is None) == (model_out is None), (row, fast_problems, model_problems)
        assert {p[0] for p in fast_problems} == {p[0] for p in model_problems}
        assert {p[2] for p in fast_problems} == {p[2] for p in model_problems}
        if fast_out is not None:
            assert fast_out == model_out

    agree()


def test_invoice_lines_use_the_fast_path_and_others_the_model() -> None:
    assert isinstance(row_validator(entity("invoice_lines")), FastValidator)
    assert isinstance(row_validator(entity("accounts")), ModelValidator)


def test_fast_validator_refuses_a_model_with_custom_validators() -> None:
    fake = EntityDef("people", Capacity, "max_key_accounts")
    with pytest.raises(ValueError, match="custom validators"):
        FastValidator(fake)


def test_problems_read_well() -> None:
    check = ModelValidator(entity("opportunities"))
    out, problems = check({"external_id": "1", "account_external_id": None, "probability": 1.5})
    assert out is None
    assert (
        "account_external_id",
        "missing value (this field is required)",
        "missing_value",
    ) in problems
    assert ("probability", "Input should be less than or equal to 1", "out_of_range") in problems
    fast = FastValidator(entity("accounts"))
    _, problems = fast({"external_id": "a", "name": "b", "margin_pct": 120.0})
    assert problems == [("margin_pct", "120 must be >= -100 and <= 100", "out_of_range")]


def test_defaults_fill_empty_optional_cells() -> None:
    out, _ = ModelValidator(entity("accounts"))(
        {"external_id": "a", "name": "b", "is_key_account": None, "products": None}
    )
    assert out == {"external_id": "a", "name": "b", "is_key_account": False, "products": []}


def test_missing_columns_are_listed_with_suggestions() -> None:
    mapping = parse_mapping(
        "entity: invoice_lines\ncolumns: {external_id: Id, invoice: InvoiceNo, "
        "account_external_id: CustomerID, invoiced_on: InvoiceDate, "
        "amount: {multiply: [Quantity, UnitPrice]}}"
    )
    header = ["Id", "InvoiceNo", "Customer ID", "InvoiceDate", "Quantity", "Unit Price"]
    issues = check_header(mapping, header)
    assert [(i.row, i.column, i.code) for i in issues] == [
        (1, "CustomerID", "missing_column"),
        (1, "UnitPrice", "missing_column"),
    ]
    message = describe_missing_columns(issues, header)
    assert "missing column 'CustomerID' (needed for account_external_id)" in message
    assert "did you mean 'Customer ID'?" in message
    assert "did you mean 'Unit Price'?" in message
    assert "columns found: 'Id', 'InvoiceNo'" in message


def test_every_entity_field_has_a_converter() -> None:
    kinds = {f.kind for e in entities().values() for f in e.fields.values()}
    assert kinds <= {"str", "int", "float", "date", "bool", "enum", "list"}
