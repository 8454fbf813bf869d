"""Service tiers (gold / silver / bronze) from the programme's ordered tier rules.

Rules are tried in order and the first one that matches an account gives its tier; an
account no rule matches is bronze, so every account gets exactly one tier. A rule
matches when every condition set on it holds:

- ``scope``: ``country:XX`` or ``bu:NAME`` (case-insensitive label match) restricts the
  rule to one country or business unit, so tiers can differ per country or BU;
- ``key_account``: the account is (True) or is not (False) a key account;
- ``quadrants``: the account's matrix quadrant is one of those listed;
- ``min_revenue_ttm`` / ``min_potential``: at least that much (an unknown potential
  never meets a minimum).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from kambot.core.frames import AccountFrame, FloatArray, IntArray
from kambot.core.grouping import BoolArray
from kambot.core.matrix import QUADRANTS
from kambot.domain.analysis import Tier, TierAssignment, TierSummary
from kambot.domain.programme import TierRule
from kambot.errors import DataError

TIERS: tuple[Tier, ...] = (Tier.GOLD, Tier.SILVER, Tier.BRONZE)
DEFAULT_TIER = TIERS.index(Tier.BRONZE)
SCOPES = {"country": "country", "bu": "business_unit"}


@dataclass(frozen=True)
class TierTable:
    """Tier of every account (index into :data:`TIERS`) and the rule that set it."""

    tier: IntArray
    rule: IntArray  # index into ``rules``, -1 = default bronze
    rules: tuple[TierRule, ...]
    notes: list[str] = field(default_factory=list)

    def assignment(self, i: int, account_id: int, external_id: str, name: str) -> TierAssignment:
        """Return the pydantic view of account ``i``'s tier."""
        r = int(self.rule[i])
        tier = TIERS[int(self.tier[i])]
        if r < 0:
            return TierAssignment(
                account_id=account_id,
                external_id=external_id,
                name=name,
                tier=tier,
                rule_index=None,
                rule_label=None,
                reason="no rule matched: bronze by default",
            )
        rule = self.rules[r]
        return TierAssignment(
            account_id=account_id,
            external_id=external_id,
            name=name,
            tier=tier,
            rule_index=r,
            rule_label=rule.label,
            reason=f"rule {r + 1} matched first: {describe_rule(rule)}",
        )

    def counts(self) -> dict[str, int]:
        """Return the number of accounts per tier."""
        c = np.bincount(self.tier, minlength=len(TIERS))
        return {t.value: int(c[k]) for k, t in enumerate(TIERS)}


def describe_rule(rule: TierRule) -> str:
    """Return the conditions of a rule as a short sentence."""
    parts: list[str] = []
    if rule.scope:
        parts.append(f"scope {rule.scope}")
    if rule.key_account is not None:
        parts.append("key account" if rule.key_account else "not a key account")
    if rule.quadrants:
        parts.append(f"quadrant in {', '.join(rule.quadrants)}")
    if rule.min_revenue_ttm is not None:
        parts.append(f"TTM revenue >= {rule.min_revenue_ttm:,.0f}")
    if rule.min_potential is not None:
        parts.append(f"potential >= {rule.min_potential:,.0f}")
    condition = " and ".join(parts) or "any account"
    return f"{condition} -> {rule.tier}"


def scope_mask(scope: str, accounts: AccountFrame) -> BoolArray:
    """Return which accounts a ``country:XX`` or ``bu:NAME`` scope covers.

    Raises:
        DataError: when the scope has no known prefix or no value.
    """
    prefix, sep, value = scope.partition(":")
    prefix = prefix.strip().casefold()
    value = value.strip().casefold()
    if not sep or prefix not in SCOPES or not value:
        raise DataError(
            f"tier rule scope {scope!r} is not understood",
            hint="write country:XX (e.g. country:FR) or bu:NAME (e.g. bu:Industrial)",
        )
    if SCOPES[prefix] == "country":
        labels, codes = accounts.country_labels, accounts.country
    else:
        labels, codes = accounts.business_unit_labels, accounts.business_unit
    hits = [k for k, lbl in enumerate(labels) if lbl.strip().casefold() == value]
    return np.isin(codes, np.array(hits, dtype=np.int64))


def assign_tiers(
    accounts: AccountFrame,
    rules: Sequence[TierRule],
    key_account: BoolArray,
    quadrant: IntArray,
    revenue_ttm: FloatArray,
) -> TierTable:
    """Give every account exactly one tier: the first matching rule, else bronze.

    Args:
        accounts: the account frame (country, business unit, potential).
        rules: the ordered tier rules.
        key_account: which accounts are key accounts.
        quadrant: matrix quadrant code per account (index into ``QUADRANTS``).
        revenue_ttm: TTM revenue per account.

    Raises:
        DataError: for a rule with an unknown scope prefix or quadrant name.
    """
    n = len(accounts)
    tier = np.full(n, DEFAULT_TIER, dtype=np.int64)
    rule_of = np.full(n, -1, dtype=np.int64)
    unassigned = np.ones(n, dtype=np.bool_)
    notes: list[str] = []
    names = [q.value for q in QUADRANTS]
    for r, rule in enumerate(rules):
        match = unassigned.copy()
        if rule.scope:
            in_scope = scope_mask(rule.scope, accounts)
            if not in_scope.any():
                notes.append(f"rule {r + 1} ({rule.scope}) matches no account of the portfolio")
            match &= in_scope
        if rule.key_account is not None:
            match &= key_account if rule.key_account else ~key_account
        if rule.quadrants is not None:
            bad = [q for q in rule.quadrants if q not in names]
            if bad:
                raise DataError(
                    f"tier rule {r + 1} names unknown quadrant(s): {', '.join(bad)}",
                    hint=f"quadrants are {', '.join(names)}",
                )
            codes = np.array([names.index(q) for q in rule.quadrants], dtype=np.int64)
            match &= np.isin(quadrant, codes)
        if rule.min_revenue_ttm is not None:
            match &= revenue_ttm >= rule.min_revenue_ttm
        if rule.min_potential is not None:
            match &= np.nan_to_num(accounts.potential, nan=-np.inf) >= rule.min_potential
        tier[match] = TIERS.index(Tier(rule.tier))
        rule_of[match] = r
        unassigned &= ~match
    if not rules:
        notes.append("the programme has no tier rules: every account is bronze")
    return TierTable(tier=tier, rule=rule_of, rules=tuple(rules), notes=notes)


def summarise_tiers(
    tiers: TierTable, accounts: AccountFrame, by: str | None = None
) -> list[TierSummary]:
    """Count accounts per tier, overall (``by=None``) or per ``country`` or ``bu``.

    Raises:
        DataError: when ``by`` is not None, ``country`` or ``bu``.
    """
    n_t = len(TIERS)
    if by is None:
        c = tiers.counts()
        return [TierSummary(scope="all", gold=c["gold"], silver=c["silver"], bronze=c["bronze"])]
    if by not in SCOPES:
        raise DataError(f"cannot summarise tiers by {by!r}", hint="use country or bu")
    if SCOPES[by] == "country":
        labels, codes = accounts.country_labels, accounts.country
    else:
        labels, codes = accounts.business_unit_labels, accounts.business_unit
    groups = np.where(codes >= 0, codes, len(labels))  # missing label -> last group
    flat = groups * n_t + tiers.tier
    counts = np.bincount(flat, minlength=(len(labels) + 1) * n_t).reshape(-1, n_t)
    out: list[TierSummary] = []
    for g, label in enumerate([*labels, "(none)"]):
        row = counts[g]
        if row.sum() == 0:
            continue
        out.append(
            TierSummary(
                scope=f"{by}:{label}", gold=int(row[0]), silver=int(row[1]), bronze=int(row[2])
            )
        )
    out.sort(key=lambda s: s.scope)
    return out
