"""load_portfolio builds the core's frames exactly, on both databases, with a snapshot."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import numpy as np
import pytest
from sqlalchemy.engine import Engine

from kambot.core.frames import NO_DATE, PortfolioFrame, month_index
from kambot.errors import StoreError
from kambot.store import portfolio
from kambot.store.db import open_engine, transaction
from kambot.store.portfolio import load_portfolio, refresh_portfolio_snapshot
from kambot.store.writer import upsert_rows

NAN = float("nan")


def _ord(day: date) -> int:
    return day.toordinal()


def _fill(engine: Engine) -> None:
    lines = [
        ("L1", "ACME", date(2024, 1, 10), 100.0),
        ("L2", "ACME", date(2024, 1, 25), 20.0),
        ("L3", "GLOBEX", date(2024, 2, 29), 7.0),
        ("L4", "ACME-DE", date(2024, 3, 31), -3.0),
    ]
    with transaction(engine, write=True) as conn:
        upsert_rows(
            conn,
            "invoice_lines",
            [
                {
                    "external_id": e,
                    "invoice": "F",
                    "account_external_id": a,
                    "invoiced_on": d,
                    "amount": v,
                }
                for e, a, d, v in lines
            ],
        )
        upsert_rows(
            conn,
            "opportunities",
            [
                {
                    "external_id": "O1",
                    "account_external_id": "GLOBEX",
                    "stage": "won",
                    "value": 50.0,
                    "probability": 1.0,
                    "created_on": date(2024, 1, 2),
                    "closed_on": date(2024, 4, 2),
                },
                {
                    "external_id": "O2",
                    "account_external_id": "ACME",
                    "stage": "open",
                    "value": None,
                    "probability": None,
                    "created_on": None,
                    "closed_on": date(2030, 1, 1),
                },
                {
                    "external_id": "O3",
                    "account_external_id": "ACME",
                    "stage": "lost",
                    "value": 5.0,
                    "probability": 0.0,
                    "created_on": date(2023, 5, 5),
                    "closed_on": None,
                },
            ],
        )
        upsert_rows(
            conn,
            "contacts",
            [
                {
                    "external_id": "C1",
                    "account_external_id": "ACME",
                    "name": "A",
                    "role": "champion",
                    "level": "vp",
                    "last_contact": date(2024, 2, 1),
                },
                {
                    "external_id": "C2",
                    "account_external_id": "GLOBEX",
                    "name": "B",
                    "role": "other",
                    "level": "c_level",
                    "last_contact": None,
                },
            ],
        )
        upsert_rows(
            conn,
            "activities",
            [
                {
                    "external_id": "A1",
                    "account_external_id": "ACME-DE",
                    "kind": "escalation",
                    "occurred_on": date(2024, 3, 1),
                    "resolved_on": date(2024, 3, 8),
                },
                {
                    "external_id": "A2",
                    "account_external_id": "ACME",
                    "kind": "sponsor_meeting",
                    "occurred_on": date(2024, 3, 2),
                    "resolved_on": None,
                },
            ],
        )
        upsert_rows(
            conn,
            "initiatives",
            [
                {
                    "external_id": "I1",
                    "account_external_id": "ACME",
                    "title": "T",
                    "status": "in_progress",
                    "expected_value": 9.0,
                    "resources_requested": 2.0,
                    "resources_committed": None,
                },
            ],
        )


def _ids(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT external_id, id FROM accounts").all())  # type: ignore[arg-type]


def _rows(frame: Any, accounts: list[str], columns: list[str]) -> list[tuple[Any, ...]]:
    """Frame rows as sortable tuples with the account's external id (row order is free)."""
    values = [getattr(frame, c) for c in columns]
    out = []
    for i in range(frame.account_idx.size):
        row = [accounts[frame.account_idx[i]]]
        for v in values:
            item = v[i].item()
            row.append(None if isinstance(item, float) and np.isnan(item) else item)
        out.append(tuple(row))
    return sorted(out, key=repr)


def assert_same(a: PortfolioFrame, b: PortfolioFrame) -> None:
    assert a.as_of == b.as_of
    for part in ("accounts", "revenue", "opportunities", "contacts", "activities", "initiatives"):
        x, y = getattr(a, part), getattr(b, part)
        for f in dataclasses.fields(x):
            left, right = getattr(x, f.name), getattr(y, f.name)
            if isinstance(left, np.ndarray):
                assert left.dtype == right.dtype, (part, f.name)
                np.testing.assert_array_equal(left, right, err_msg=f"{part}.{f.name}")
            else:
                assert left == right, (part, f.name)


def test_frames_match_hand_made_data(seeded: Engine) -> None:
    _fill(seeded)
    pf = load_portfolio(seeded)
    ids = _ids(seeded)
    acc = pf.accounts
    order = sorted(ids, key=ids.__getitem__)
    assert acc.external_ids == order
    np.testing.assert_array_equal(acc.ids, sorted(ids.values()))
    assert acc.ids.dtype == np.int64
    pos = {ext: i for i, ext in enumerate(order)}
    a, d, g = pos["ACME"], pos["ACME-DE"], pos["GLOBEX"]

    assert acc.names[a] == "Acme Corporation"
    assert acc.parent_idx[d] == a and acc.parent_idx[a] == -1 and acc.parent_idx[g] == -1
    assert acc.segment_labels == ["discrete", "process"]
    assert [acc.segment[i] for i in (a, d, g)] == [1, -1, 0]
    assert acc.industry_labels == ["automotive", "chemicals"]
    assert [acc.industry[i] for i in (a, d, g)] == [1, 1, 0]
    assert acc.country_labels == ["DE", "FR"] and acc.business_unit_labels == []
    assert set(acc.business_unit.tolist()) == {-1}
    np.testing.assert_array_equal(acc.employees[[a, d, g]], [1200, NAN, 300])
    np.testing.assert_array_equal(acc.potential[[a, d, g]], [5e6, NAN, 8e5])
    np.testing.assert_array_equal(acc.products_count[[a, d, g]], [2, 0, 1])
    assert acc.people_labels == ["alice", "bob"]
    assert [acc.kam[i] for i in (a, d, g)] == [0, 0, -1]
    assert [acc.sponsor[i] for i in (a, d, g)] == [1, -1, -1]
    assert acc.is_key_account.dtype == np.bool_
    assert acc.is_key_account.tolist() == [i == a for i in range(3)]
    assert [acc.selected_on[i] for i in (a, d, g)] == [_ord(date(2024, 1, 15)), NO_DATE, NO_DATE]
    assert set(acc.plan_validated_on.tolist()) == {NO_DATE}

    assert _rows(pf.revenue, order, ["month", "amount"]) == sorted(
        [
            ("ACME", month_index(date(2024, 1, 1)), 120.0),
            ("GLOBEX", month_index(date(2024, 2, 1)), 7.0),
            ("ACME-DE", month_index(date(2024, 3, 1)), -3.0),
        ],
        key=repr,
    )
    assert _rows(
        pf.opportunities, order, ["stage", "value", "probability", "created_on", "closed_on"]
    ) == sorted(
        [
            ("GLOBEX", 1, 50.0, 1.0, _ord(date(2024, 1, 2)), _ord(date(2024, 4, 2))),
            ("ACME", 0, None, None, NO_DATE, _ord(date(2030, 1, 1))),
            ("ACME", 2, 5.0, 0.0, _ord(date(2023, 5, 5)), NO_DATE),
        ],
        key=repr,
    )
    assert _rows(pf.contacts, order, ["role", "level", "last_contact"]) == sorted(
        [("ACME", 2, 1, _ord(date(2024, 2, 1))), ("GLOBEX", 6, 0, NO_DATE)], key=repr
    )
    assert _rows(pf.activities, order, ["kind", "occurred_on", "resolved_on"]) == sorted(
        [
            ("ACME-DE", 5, _ord(date(2024, 3, 1)), _ord(date(2024, 3, 8))),
            ("ACME", 2, _ord(date(2024, 3, 2)), NO_DATE),
        ],
        key=repr,
    )
    assert _rows(
        pf.initiatives,
        order,
        ["status", "expected_value", "resources_requested", "resources_committed"],
    ) == [("ACME", 2, 9.0, 2.0, None)]
    for frame in (pf.revenue, pf.opportunities, pf.contacts, pf.activities):
        assert frame.account_idx.dtype == np.int64

    # Latest data date: O1 closed (won) on 2024-04-02; the open O2's 2030 date is ignored.
    assert pf.as_of == date(2024, 4, 2)
    assert load_portfolio(seeded, as_of=date(2024, 1, 1)).as_of == date(2024, 1, 1)


def test_empty_database(engine: Engine) -> None:
    pf = load_portfolio(engine)
    assert len(pf.accounts) == 0 and pf.as_of == date.today()
    assert pf.opportunities.stage.shape == (0,) and pf.accounts.people_labels == []


def test_future_data_dates_are_capped_at_today(seeded: Engine) -> None:
    with transaction(seeded, write=True) as conn:
        upsert_rows(
            conn,
            "invoice_lines",
            [
                {
                    "external_id": "F1",
                    "invoice": "F",
                    "account_external_id": "ACME",
                    "invoiced_on": date(2999, 1, 1),
                    "amount": 1.0,
                }
            ],
        )
    assert load_portfolio(seeded).as_of == date.today()


def test_snapshot_is_reused_and_dropped_by_any_change(sqlite_engine: Engine) -> None:
    engine = sqlite_engine
    with transaction(engine, write=True) as conn:
        upsert_rows(conn, "people", [{"key": "k", "name": "K", "role": "kam"}])
        upsert_rows(conn, "accounts", [{"external_id": "A", "name": "A", "owner_kam": "k"}])
    first = load_portfolio(engine)

    def stored() -> int:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("SELECT COUNT(*) FROM portfolio_snapshot").scalar_one())

    assert stored() == 1
    assert_same(load_portfolio(engine), first)
    assert_same(load_portfolio(engine, use_snapshot=False), first)

    with transaction(engine, write=True) as conn:
        upsert_rows(
            conn, "opportunities", [{"external_id": "O", "account_external_id": "A", "value": 3.0}]
        )
    assert stored() == 0
    second = load_portfolio(engine)
    assert second.opportunities.value.tolist() == [3.0]
    assert stored() == 1

    # An update that changes nothing keeps the snapshot; a real change drops it.
    with transaction(engine, write=True) as conn:
        upsert_rows(
            conn, "opportunities", [{"external_id": "O", "account_external_id": "A", "value": 3.0}]
        )
    assert stored() == 1
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql("UPDATE people SET name = 'Kay'")
    assert stored() == 0
    assert refresh_portfolio_snapshot(engine) is True
    assert stored() == 1


def test_snapshot_is_not_stored_when_data_changed_meanwhile(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        with conn.begin():
            raw = portfolio._build(conn)
            version = portfolio._data_version(conn)
        with transaction(sqlite_engine, write=True) as other:
            upsert_rows(other, "accounts", [{"external_id": "LATE", "name": "Late"}])
        assert portfolio._store_snapshot(conn, raw, version) is False
    assert load_portfolio(sqlite_engine).accounts.external_ids == ["LATE"]


def test_snapshot_round_trip_keeps_dtypes(seeded: Engine) -> None:
    _fill(seeded)
    with seeded.connect() as conn, conn.begin():
        raw = portfolio._build(conn)
    decoded = portfolio._decode(portfolio._encode(raw))
    assert decoded.texts == raw.texts and decoded.data_as_of == raw.data_as_of
    assert_same(portfolio._assemble(decoded, None), portfolio._assemble(raw, None))


def test_uninitialised_database_is_a_store_error(settings: Any) -> None:
    engine = open_engine(settings)
    try:
        with pytest.raises(StoreError, match="cannot read the portfolio") as caught:
            load_portfolio(engine)
        assert "kambot init" in (caught.value.hint or "")
    finally:
        engine.dispose()
