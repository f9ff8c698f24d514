"""Government subsidies for a retrofitted elevator, as data per city (pure, no ORM).

Three kinds of rule:

* ``fixed``: a fixed amount per elevator;
* ``percent``: a percentage of the total cost, optionally capped;
* ``storeys``: an amount by the building's storeys, read from a table: the entry for the
  highest key not above the building's storeys; a building lower than the smallest key gets 0.

A subsidy is applied once per elevator (an elevator shared by adjacent stairwells gets one),
never exceeds the total cost, and is in yuan with 2 decimals (rounded half up). The residents'
total is what remains.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from linli.core.errors import Invalid
from linli.elevators.allocation import FEN, to_decimal, to_money

FIXED, PERCENT, STOREYS = "fixed", "percent", "storeys"
KINDS = (FIXED, PERCENT, STOREYS)
KIND_LABELS = {FIXED: "每台定额补贴", PERCENT: "按总造价比例补贴", STOREYS: "按楼层数补贴"}


@dataclass(frozen=True)
class SubsidyRule:
    """One city's subsidy rule; checked when built."""

    kind: str
    amount: Decimal | None = None
    percent: Decimal | None = None
    cap: Decimal | None = None
    by_storeys: Mapping[int, Decimal] | None = field(default=None, hash=False)
    city: str = ""

    def __post_init__(self) -> None:
        where_zh = f"（{self.city}）" if self.city else ""
        where_en = f" ({self.city})" if self.city else ""
        if self.kind not in KINDS:
            raise Invalid(
                f"未知的补贴方式“{self.kind}”{where_zh}，可选：{'、'.join(KINDS)}",
                f"unknown subsidy kind {self.kind!r}{where_en}; use one of {', '.join(KINDS)}",
                "unknown_subsidy_kind",
            )
        if self.kind == FIXED:
            if self.amount is None:
                raise Invalid(
                    f"定额补贴须填写每台补贴金额{where_zh}",
                    f"a fixed subsidy needs its amount per elevator{where_en}",
                    "missing_amount",
                )
            self._set(
                "amount", to_money(self.amount, field_zh="补贴金额", field_en="subsidy amount")
            )
        if self.kind == PERCENT:
            if self.percent is None:
                raise Invalid(
                    f"比例补贴须填写百分比{where_zh}",
                    f"a percentage subsidy needs its percentage{where_en}",
                    "missing_percent",
                )
            percent = to_decimal(self.percent, field_zh="补贴比例", field_en="subsidy percentage")
            if not 0 <= percent <= 100:
                raise Invalid(
                    f"补贴比例须在0到100之间，收到 {percent}{where_zh}",
                    f"the subsidy percentage must be between 0 and 100, got {percent}{where_en}",
                    "bad_percent",
                )
            self._set("percent", percent)
            if self.cap is not None:
                self._set("cap", to_money(self.cap, field_zh="补贴上限", field_en="subsidy cap"))
        if self.kind == STOREYS:
            if not self.by_storeys:
                raise Invalid(
                    f"按楼层数补贴须提供“楼层数 → 金额”对照表{where_zh}",
                    f"a subsidy by storeys needs its table storeys → amount{where_en}",
                    "missing_table",
                )
            self._set("by_storeys", _storeys_table(self.by_storeys))

    def _set(self, name: str, value: object) -> None:
        # Frozen: the checked, normalised value replaces the raw one once, at construction.
        object.__setattr__(self, name, value)


def _storeys_table(raw: Mapping[int, Decimal]) -> dict[int, Decimal]:
    table: dict[int, Decimal] = {}
    for key, value in raw.items():
        try:
            storeys = int(str(key).strip()) if not isinstance(key, bool) else -1
        except ValueError:
            storeys = -1
        if storeys < 1:
            raise Invalid(
                f"补贴表的楼层数须为正整数，收到 {key!r}",
                f"storeys in the subsidy table must be positive whole numbers, got {key!r}",
                "bad_storeys",
            )
        table[storeys] = to_money(
            value,
            field_zh=f"{storeys}层及以上的补贴金额",
            field_en=f"subsidy for {storeys} storeys and more",
        )
    return dict(sorted(table.items()))


def subsidy_for(rule: SubsidyRule, *, total_cost: Decimal, storeys: int) -> Decimal:
    """The subsidy for one elevator of ``total_cost`` in a building of ``storeys`` storeys."""
    cost = to_money(total_cost, field_zh="总造价", field_en="total cost")
    if isinstance(storeys, bool) or not isinstance(storeys, int) or storeys < 1:
        raise Invalid(
            f"楼层数须为正整数，收到 {storeys!r}",
            f"storeys must be a positive whole number, got {storeys!r}",
            "bad_storeys",
        )
    raw = Decimal(0)
    if rule.kind == FIXED:
        assert rule.amount is not None
        raw = rule.amount
    elif rule.kind == PERCENT:
        assert rule.percent is not None
        raw = cost * rule.percent / 100
        if rule.cap is not None:
            raw = min(raw, rule.cap)
    elif rule.kind == STOREYS:
        assert rule.by_storeys is not None
        below = [key for key in rule.by_storeys if key <= storeys]
        raw = rule.by_storeys[max(below)] if below else Decimal(0)
    return min(raw.quantize(FEN, rounding=ROUND_HALF_UP), cost)


def residents_total(total_cost: Decimal, subsidy: Decimal) -> Decimal:
    """What the residents share: the total cost less the subsidy (never below zero)."""
    cost = to_money(total_cost, field_zh="总造价", field_en="total cost")
    grant = to_money(subsidy, field_zh="补贴", field_en="subsidy")
    if grant > cost:
        raise Invalid(
            f"补贴 {grant} 超过总造价 {cost}",
            f"the subsidy of {grant} exceeds the total cost of {cost}",
            "subsidy_above_cost",
        )
    return cost - grant
