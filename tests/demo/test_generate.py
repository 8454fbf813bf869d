"""The demo programme: reproducible, realistic, and valid against the domain models."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from kambot.demo.generate import (
    AS_OF,
    DEFAULT_SEED,
    FILES,
    build_demo,
    csv_columns,
    demo_programme,
    generate_demo,
    main,
)
from kambot.domain.programme import Programme

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "knowledge" / "demo"
LIST_FIELDS = {"products", "industries"}
# The metric names the core's matrix helper implements for the demo's criteria.
ATTRACTIVENESS_METRICS = {
    "potential", "segment_fit", "revenue_growth", "whitespace", "customer_revenue",
}
STRENGTH_METRICS = {"share_of_wallet", "relationship_stage", "satisfaction", "revenue_ttm",
                    "products_count", "margin_pct"}
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("demo")
    return out, generate_demo(out, seed=DEFAULT_SEED)


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def to_model_input(row: dict[str, str]) -> dict[str, Any]:
    """Apply the native format's rules: empty cell = missing, lists joined with ';'."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in LIST_FIELDS:
            out[key] = [v for v in value.split(";") if v]
        elif value != "":
            out[key] = value
    return out


@pytest.fixture(scope="module")
def tables(demo: tuple[Path, dict[str, int]]) -> dict[str, list[dict[str, str]]]:
    out, _ = demo
    return {name: read_rows(out / name)[1] for name, _ in FILES}


def ttm_revenue(tables: dict[str, list[dict[str, str]]]) -> dict[str, float]:
    revenue: dict[str, float] = {a["external_id"]: 0.0 for a in tables["accounts.csv"]}
    for line in tables["invoice_lines.csv"]:
        if line["cancelled"] == "false" and line["invoiced_on"] >= "2025-11-01":
            revenue[line["account_external_id"]] += float(line["amount"])
    return revenue


def test_same_seed_gives_the_same_bytes(demo: tuple[Path, dict[str, int]],
                                        tmp_path: Path) -> None:
    first, _ = demo
    generate_demo(tmp_path, seed=DEFAULT_SEED)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_another_seed_gives_other_data_through_the_command_line(
        demo: tuple[Path, dict[str, int]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    first, _ = demo
    assert main(["--seed", "8", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "accounts.csv" in printed and "rows" in printed
    assert (first / "accounts.csv").read_bytes() != (tmp_path / "accounts.csv").read_bytes()
    header, rows = read_rows(tmp_path / "accounts.csv")
    assert header == csv_columns(FILES[1][1]) and 300 <= len(rows) <= 400


def test_help_describes_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "--seed" in text and "--out" in text


def test_committed_demo_matches_the_generator(demo: tuple[Path, dict[str, int]]) -> None:
    generated, _ = demo
    for path in sorted(generated.iterdir()):
        committed = COMMITTED / path.name
        assert committed.is_file(), f"{committed} is missing: run python -m kambot.demo.generate"
        assert committed.read_bytes() == path.read_bytes(), (
            f"{committed} differs from the generator's output: run python -m kambot.demo.generate"
        )


def test_sizes_stay_small_enough_for_a_quick_import(demo: tuple[Path, dict[str, int]]) -> None:
    out, counts = demo
    assert [name for name, _ in FILES] == list(counts)
    for name, n in counts.items():
        assert len(read_rows(out / name)[1]) == n, name
    assert 300 <= counts["accounts.csv"] <= 400
    assert 20_000 <= counts["invoice_lines.csv"] < 60_000
    total = sum((out / name).stat().st_size for name in counts)
    assert total < 8 * 1024 * 1024


@pytest.mark.parametrize(("name", "model"), FILES)
def test_every_row_validates_against_its_domain_model(
        demo: tuple[Path, dict[str, int]], name: str, model: type[BaseModel]) -> None:
    out, _ = demo
    header, rows = read_rows(out / name)
    assert header == csv_columns(model)
    assert rows
    for i, row in enumerate(rows):
        try:
            model.model_validate(to_model_input(row))
        except ValueError as exc:  # pragma: no cover - the message is the point
            pytest.fail(f"{name} row {i + 2} does not validate: {exc}")


def test_every_reference_resolves(tables: dict[str, list[dict[str, str]]]) -> None:
    accounts = {a["external_id"]: a for a in tables["accounts.csv"]}
    assert len(accounts) == len(tables["accounts.csv"])
    people = {p["key"]: p for p in tables["people.csv"]}
    for name in ("contacts.csv", "opportunities.csv", "invoice_lines.csv", "activities.csv",
                 "initiatives.csv"):
        ids = [r["external_id"] for r in tables[name]]
        assert len(ids) == len(set(ids)), f"duplicate external_id in {name}"
        missing = {r["account_external_id"] for r in tables[name]} - accounts.keys()
        assert not missing, f"{name} references unknown accounts {sorted(missing)[:5]}"
    for acc in accounts.values():
        parent = acc["parent_external_id"]
        if parent:
            assert parent in accounts and parent != acc["external_id"]
            assert accounts[parent]["parent_external_id"] == "", "groups are one level deep"
        if acc["owner_kam"]:
            assert people[acc["owner_kam"]]["role"] == "kam"
        if acc["sponsor"]:
            assert people[acc["sponsor"]]["role"] == "executive"


def test_revenue_follows_a_pareto_curve(tables: dict[str, list[dict[str, str]]]) -> None:
    revenue = sorted(ttm_revenue(tables).values(), reverse=True)
    top = sum(revenue[: round(0.2 * len(revenue))]) / sum(revenue)
    assert 0.72 <= top <= 0.85
    assert revenue[0] < 0.15 * sum(revenue), "no single account dominates"


def test_invoices_cover_four_years_of_months(tables: dict[str, list[dict[str, str]]]) -> None:
    lines = tables["invoice_lines.csv"]
    months = {r["invoiced_on"][:7] for r in lines}
    assert len(months) == 48 and min(months) == "2022-11" and max(months) == "2026-10"
    assert max(r["invoiced_on"] for r in lines) <= AS_OF.isoformat()
    assert any(r["cancelled"] == "true" for r in lines)
    assert any(float(r["amount"]) < 0 for r in lines), "credit notes exist"


def test_groups_have_two_to_five_subsidiaries(tables: dict[str, list[dict[str, str]]]) -> None:
    children = Counter(a["parent_external_id"] for a in tables["accounts.csv"]
                       if a["parent_external_id"])
    assert 8 <= len(children) <= 12
    assert all(2 <= n <= 5 for n in children.values())


def test_missing_data_is_there_on_purpose(tables: dict[str, list[dict[str, str]]]) -> None:
    accounts = tables["accounts.csv"]
    no_potential = [a for a in accounts if a["potential"] == ""]
    assert len(no_potential) >= 20
    assert all(a["potential_source"] == "unknown" for a in no_potential)
    assert all(a["potential_method"] for a in accounts if a["potential_source"] == "estimated")
    assert sum(a["satisfaction"] == "" for a in accounts) >= 20
    assert sum(a["annual_revenue"] == "" for a in accounts) >= 5
    with_contacts = {c["account_external_id"] for c in tables["contacts.csv"]}
    assert sum(a["external_id"] not in with_contacts for a in accounts) >= 10
    roles: dict[str, set[str]] = {}
    for c in tables["contacts.csv"]:
        roles.setdefault(c["account_external_id"], set()).add(c["role"])
    key = [a["external_id"] for a in accounts if a["is_key_account"] == "true"]
    assert any("decision_maker" not in roles.get(k, set()) for k in key)
    assert any("champion" not in roles.get(k, set()) for k in key)
    opportunities = tables["opportunities.csv"]
    assert any(o["stage"] == "open" and o["probability"] == "" for o in opportunities)
    assert any(o["value"] == "" for o in opportunities)


def test_some_large_customers_buy_little_from_us(tables: dict[str, list[dict[str, str]]]) -> None:
    revenue = ttm_revenue(tables)
    potentials = sorted(float(a["potential"]) for a in tables["accounts.csv"] if a["potential"])
    top_quartile = potentials[3 * len(potentials) // 4]
    picks = [a for a in tables["accounts.csv"]
             if a["potential"] and float(a["potential"]) >= top_quartile and a["segment"]
             and 0 < revenue[a["external_id"]] < 0.08 * float(a["potential"]) / 3]
    assert 5 <= len(picks) <= 15


def test_key_accounts_make_programme_kpis_meaningful(
        tables: dict[str, list[dict[str, str]]]) -> None:
    programme = demo_programme()
    key = [a for a in tables["accounts.csv"] if a["is_key_account"] == "true"]
    assert 10 <= len(key) <= programme.capacity.effective_max
    assert all(a["selected_on"] and a["owner_kam"] for a in key)
    validated = [a for a in key if a["plan_validated_on"]]
    assert 0 < len(validated) < len(key)
    assert all(a["plan_validated_on"] > a["selected_on"] for a in validated)
    assert any(not a["sponsor"] for a in key)
    limits = {p.key: p.max_accounts for p in programme.people}
    for role in ("owner_kam", "sponsor"):
        load = Counter(a[role] for a in key if a[role])
        assert all(n <= (limits[k] or n) for k, n in load.items()), (role, load)
    assert all(a["owner_kam"] == "" for a in tables["accounts.csv"]
               if a["is_key_account"] == "false" and not a["parent_external_id"])


def test_activities_carry_notes_escalations_and_hostile_text(
        demo: tuple[Path, dict[str, int]], tables: dict[str, list[dict[str, str]]]) -> None:
    acts = tables["activities.csv"]
    kinds = Counter(a["kind"] for a in acts)
    assert set(kinds) == {"meeting", "executive_meeting", "sponsor_meeting", "call", "note",
                          "escalation"}
    escalations = [a for a in acts if a["kind"] == "escalation"]
    assert any(a["resolved_on"] == "" for a in escalations)
    assert all(a["resolved_on"] >= a["occurred_on"] for a in escalations if a["resolved_on"])
    assert any(a["resolved_on"] == "" for a in acts if a["kind"] == "escalation")
    texts = [a["text"] for a in acts]
    assert sum(" avec " in t for t in texts) > 100 and sum(" with " in t for t in texts) > 100
    injected = [a for a in acts if "instructions" in a["text"].lower()
                and ("ignore" in a["text"].lower())]
    assert len(injected) >= 2
    assert any("précédentes" in a["text"] for a in injected)
    hidden = [a for a in acts if any(z in a["text"] for z in ZERO_WIDTH)]
    assert len(hidden) == 1
    readme = (demo[0] / "README.md").read_text(encoding="utf-8")
    for act in [*injected, *hidden]:
        assert act["external_id"] in readme


def test_initiatives_cover_every_status(tables: dict[str, list[dict[str, str]]]) -> None:
    initiatives = tables["initiatives.csv"]
    assert {i["status"] for i in initiatives} == {"proposed", "validated", "in_progress", "done",
                                                  "dropped"}
    for i in initiatives:
        assert i["profit_centre"] and i["resources_requested"]
        if i["status"] == "proposed":
            assert i["decided_on"] == "" and i["resources_committed"] == ""
        else:
            assert i["decided_on"]
        if i["resources_committed"]:
            assert float(i["resources_committed"]) <= float(i["resources_requested"])


def test_names_and_addresses_are_fictitious(tables: dict[str, list[dict[str, str]]]) -> None:
    emails = [r["email"] for name in ("contacts.csv", "people.csv") for r in tables[name]
              if r["email"]]
    assert emails and all(e.endswith(".example") for e in emails)
    names = [a["name"] for a in tables["accounts.csv"]]
    assert len(names) == len(set(names))


def test_programme_yaml_validates_and_matches_people(
        demo: tuple[Path, dict[str, int]], tables: dict[str, list[dict[str, str]]]) -> None:
    out, _ = demo
    programme = Programme.model_validate(
        yaml.safe_load((out / "programme.yaml").read_text(encoding="utf-8")))
    assert programme == demo_programme()
    assert programme.currency == "EUR" and programme.objectives
    assert 4 <= len(programme.segments) <= 6
    attractiveness = {c.key for c in programme.criteria if c.axis == "attractiveness"}
    strength = {c.key for c in programme.criteria if c.axis == "strength"}
    assert attractiveness == ATTRACTIVENESS_METRICS and strength == STRENGTH_METRICS
    kams = [p for p in programme.people if p.role == "kam"]
    assert len(kams) == 6 and programme.capacity.kams == 6
    assert 20 <= programme.capacity.max_key_accounts <= 25
    assert programme.capacity.accounts_per_kam == 4
    assert 6 <= sum(p.role == "executive" for p in programme.people) <= 7
    assert sum(p.role == "programme_lead" for p in programme.people) == 1
    assert sum(p.role == "hr" for p in programme.people) == 1
    assert [p.key for p in programme.people] == [r["key"] for r in tables["people.csv"]]
    assert any((r.scope or "").startswith("country:") for r in programme.tier_rules)
    assert {r.tier for r in programme.tier_rules} == {"gold", "silver", "bronze"}
    assert programme.tier_rules[-1].model_dump(exclude={"tier", "label"}, exclude_none=True) == {}
    industries = {a["industry"] for a in tables["accounts.csv"]}
    for segment in programme.segments:
        assert set(segment.industries) <= industries
    segment_keys = {s.key for s in programme.segments}
    assert {a["segment"] for a in tables["accounts.csv"] if a["segment"]} <= segment_keys


def test_programme_criteria_are_metrics_the_core_knows() -> None:
    matrix = pytest.importorskip("kambot.core.matrix")
    unknown = {c.key for c in demo_programme().criteria} - set(matrix.METRICS)
    assert not unknown, f"the core has no metric {sorted(unknown)}"


def test_build_demo_returns_the_same_objects_it_writes() -> None:
    data = build_demo(DEFAULT_SEED)
    assert len(data.accounts) == len({a.external_id for a in data.accounts})
    assert min(line.invoiced_on for line in data.invoice_lines) >= date(2022, 11, 1)
    assert set(data.rows()) == {name for name, _ in FILES}
