"""The path file and the pure checkpoint rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from kambot.assistant.coaching.path import load_path
from kambot.assistant.coaching.service import methodology_chunks
from kambot.config import Settings
from kambot.core.programme_path import (
    CHECKPOINTS,
    KeyAccountState,
    PathState,
    evaluate_path,
    next_checkpoint,
)
from kambot.errors import ConfigError

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]


def test_the_path_cites_only_passages_that_exist() -> None:
    path = load_path(SETTINGS.knowledge_dir)
    assert tuple(c.id for c in path.checkpoints) == CHECKPOINTS
    chunks = methodology_chunks(SETTINGS)
    cited = path.cited()
    assert len(cited) >= 30
    assert [c for c in cited if c not in chunks] == []
    steps = [c.step for c in path.checkpoints]
    assert steps[0] == 1 and path.complete.step > max(steps)
    for c in (*path.checkpoints, path.complete):
        assert c.title["en"] != c.title["fr"] and c.how["fr"] and c.why["en"]


def test_a_path_file_out_of_order_is_refused(tmp_path: Path) -> None:
    text = (SETTINGS.knowledge_dir / "programme_path.yaml").read_text(encoding="utf-8")
    (tmp_path / "programme_path.yaml").write_text(
        text.replace("id: listening", "id: listen"), encoding="utf-8")
    with pytest.raises(ConfigError, match="in this order"):
        load_path(tmp_path)
    with pytest.raises(ConfigError, match="missing"):
        load_path(tmp_path / "nowhere")


def key(x: str, **kw: object) -> KeyAccountState:
    return KeyAccountState(external_id=x, name=f"Account {x}", **kw)  # type: ignore[arg-type]


def test_rules_on_a_snapshot() -> None:
    full = dict(sponsor="e1", sponsor_is_executive=True, kam="k1", kam_is_kam=True,
                plan_validated=True, has_potential=True, revenue_12m=True)
    state = PathState(programme_defined=True, executives=(("e1", "Ana"),), kams=1,
                      objectives=1, objectives_with_measure=1, segments=1,
                      criteria_attractiveness=1, criteria_strength=1, capacity_min=1,
                      capacity_max=3, key_accounts=(key("A", **full), key("B", **full)),
                      sponsor_limits={"e1": 2}, kam_limits={"k1": 1},
                      interviewed_names=frozenset({"Ana"}))
    results = {r.id: r for r in evaluate_path(state)}
    assert results["sponsors_assigned"].done
    # k1 carries two accounts for a limit of one.
    assert not results["casting_done"].done and results["casting_done"].missing == ("k1",)
    assert next_checkpoint(list(results.values())).id == "casting_done"  # type: ignore[union-attr]
    too_many = PathState(capacity_min=1, capacity_max=1,
                         key_accounts=(key("A"), key("B")))
    assert not {r.id: r for r in evaluate_path(too_many)}["accounts_selected"].done
    assert not {r.id: r for r in evaluate_path(PathState())}["sponsors_assigned"].done
