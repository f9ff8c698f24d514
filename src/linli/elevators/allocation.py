"""The cost-sharing engine for a retrofitted elevator (pure: plain data in, plain data out).

Rules:

* every dwelling served by the elevator (one stairwell, or several adjacent stairwells sharing
  one elevator: one pool) gets a *coefficient* from its floor **for cost purposes** (which can
  differ from its storey when the elevator stops at half-landings). Floors count from 1;
* presets: ``"equal"`` (all 1); ``"area"`` (Civil Code Art. 283, the fallback when nothing is
  agreed: coefficient 1 and area weighting forced on, so shares follow exclusive area);
  ``"half_step"`` (1 + 0.5 × (floor − 1)); or a custom table floor → coefficient (keys may be
  the strings ``"1"``, ``"2"`` … of a JSON object). A custom table must cover every floor a
  dwelling has;
* weight = coefficient × (area if area weighting else 1); exempt / opted-out dwellings weigh 0;
* construction share = residents' total × weight / total weight, in yuan with exactly 2
  decimals. **The shares always add up to the residents' total to the fen**: exact shares are
  computed with ``Fraction``, each is floored to the fen, and the fen left over are handed out
  one each by *largest remainder*, ties broken by higher floor first, then smaller dwelling id.
  The same rule rounds compensation;
* compensation: named dwellings receive fixed amounts, funded by every non-exempt dwelling that
  receives none, in proportion to their construction shares (computed from the exact shares,
  i.e. their weights, so the fen rounding of one does not leak into the other and a fully
  subsidised elevator can still compensate); the paid amounts add up to the total received;
* net = construction share + compensation paid − compensation received.

Every refusal is an :class:`~linli.core.errors.Invalid` in Chinese and English naming the
dwelling, floor or field at fault.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from fractions import Fraction
from typing import Any

from linli.core.errors import Invalid

FEN = Decimal("0.01")
EQUAL, AREA, HALF_STEP = "equal", "area", "half_step"
PRESETS = (EQUAL, AREA, HALF_STEP)
PRESET_LABELS = {
    EQUAL: "平均分摊",
    AREA: "按专有面积分摊（民法典第283条）",
    HALF_STEP: "1 + 0.5 ×（楼层 − 1）",
}

Coefficients = str | Mapping[int, Decimal] | Mapping[str, Decimal] | Mapping[Any, Any]
Compensation = Mapping[int, Decimal] | Sequence[tuple[int, Decimal]]


# --- numbers ---------------------------------------------------------------------------------


def to_decimal(value: object, *, field_zh: str, field_en: str) -> Decimal:
    """A finite ``Decimal`` from a Decimal, an int or a decimal string; floats are refused
    because they cannot hold fen exactly."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int) and not isinstance(value, bool):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            result = Decimal("NaN")
    else:
        raise Invalid(
            f"{field_zh}须为十进制数，收到 {value!r}",
            f"{field_en} must be a decimal number, got {value!r}",
            "not_a_number",
        )
    if not result.is_finite():
        raise Invalid(
            f"{field_zh}不是有效数字：{value!r}",
            f"{field_en} is not a valid number: {value!r}",
            "not_a_number",
        )
    return result


def to_money(value: object, *, field_zh: str, field_en: str) -> Decimal:
    """A non-negative amount in yuan with at most 2 decimals, returned with exactly 2."""
    amount = to_decimal(value, field_zh=field_zh, field_en=field_en)
    if amount < 0:
        raise Invalid(
            f"{field_zh}不能为负数：{amount}",
            f"{field_en} cannot be negative: {amount}",
            "negative_amount",
        )
    if amount != amount.quantize(FEN, rounding=ROUND_HALF_UP):
        raise Invalid(
            f"{field_zh}须精确到分（最多两位小数）：{amount}",
            f"{field_en} must be in whole fen (at most 2 decimals): {amount}",
            "sub_fen",
        )
    return amount.quantize(FEN)


def _fen(amount: Decimal) -> int:
    return int(amount * 100)


def _yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(FEN)


# --- inputs and results ----------------------------------------------------------------------


@dataclass(frozen=True)
class DwellingInput:
    """One dwelling in the pool: ``floor`` is its floor for cost purposes (from 1)."""

    id: int
    floor: int
    area: Decimal
    stairwell: int | None = None


@dataclass(frozen=True)
class Share:
    """One dwelling's line of the bill."""

    dwelling: int
    floor: int
    coefficient: Decimal
    weight: Decimal
    construction_share: Decimal
    compensation_paid: Decimal
    compensation_received: Decimal
    net: Decimal

    def as_json(self) -> dict[str, Any]:
        return {
            "dwelling": self.dwelling,
            "floor": self.floor,
            "coefficient": str(self.coefficient),
            "weight": str(self.weight),
            "construction_share": f"{self.construction_share:.2f}",
            "compensation_paid": f"{self.compensation_paid:.2f}",
            "compensation_received": f"{self.compensation_received:.2f}",
            "net": f"{self.net:.2f}",
        }


@dataclass(frozen=True)
class Allocation:
    """The whole pool's result; ``shares`` keep the order of the input dwellings."""

    residents_total: Decimal
    total_weight: Decimal
    shares: tuple[Share, ...]

    def share_of(self, dwelling: int) -> Share:
        for share in self.shares:
            if share.dwelling == dwelling:
                return share
        raise KeyError(dwelling)

    def as_json(self) -> dict[str, Any]:
        return {
            "residents_total": f"{self.residents_total:.2f}",
            "total_weight": str(self.total_weight),
            "shares": [share.as_json() for share in self.shares],
        }


# --- the engine ------------------------------------------------------------------------------


def largest_remainder(
    total_fen: int, weights: Sequence[Fraction], keys: Sequence[tuple[int, int]]
) -> list[int]:
    """Split ``total_fen`` (an integer) in proportion to ``weights`` so the parts add up exactly.

    Each part is first floored; the fen left over go one each to the largest remainders, ties
    broken by ``keys`` = ``(floor, dwelling id)``: higher floor first, then smaller id. Parts
    of weight 0 never receive a fen. All weights zero → all parts zero (the caller refuses a
    positive total in that case).
    """
    whole = sum(weights, Fraction(0))
    if whole == 0:
        return [0] * len(weights)
    exact = [Fraction(total_fen) * w / whole for w in weights]
    parts = [math.floor(q) for q in exact]
    left = total_fen - sum(parts)
    order = sorted(
        range(len(weights)),
        key=lambda i: (-(exact[i] - parts[i]), -keys[i][0], keys[i][1]),
    )
    for i in order[:left]:
        parts[i] += 1
    return parts


def coefficient_table(coefficients: Coefficients) -> tuple[str | None, dict[int, Decimal]]:
    """``(preset name or None, custom table)`` after checking names, keys and values."""
    if isinstance(coefficients, str):
        if coefficients not in PRESETS:
            raise Invalid(
                f"未知的系数方案“{coefficients}”，可选：{'、'.join(PRESETS)}或按楼层自定义",
                f"unknown coefficient preset {coefficients!r}; "
                f"use one of {', '.join(PRESETS)} or a table by floor",
                "unknown_preset",
            )
        return coefficients, {}
    if not isinstance(coefficients, Mapping):
        raise Invalid(
            "系数须为方案名称或“楼层 → 系数”对照表",
            "coefficients must be a preset name or a table floor → coefficient",
            "bad_coefficients",
        )
    table: dict[int, Decimal] = {}
    for key, raw in coefficients.items():
        floor = _floor_key(key)
        if floor in table:
            raise Invalid(
                f"系数表中第{floor}层出现两次",
                f"floor {floor} appears twice in the coefficient table",
                "duplicate_floor",
            )
        value = to_decimal(
            raw, field_zh=f"第{floor}层的系数", field_en=f"coefficient of floor {floor}"
        )
        if value < 0:
            raise Invalid(
                f"第{floor}层的系数不能为负数：{value}",
                f"coefficient of floor {floor} cannot be negative: {value}",
                "negative_coefficient",
            )
        table[floor] = value
    return None, table


def _floor_key(key: object) -> int:
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    if isinstance(key, str):
        try:
            return int(key.strip())
        except ValueError:
            pass
    raise Invalid(
        f"系数表的楼层须为整数，收到 {key!r}",
        f"floors in the coefficient table must be whole numbers, got {key!r}",
        "bad_floor",
    )


def _coefficient(
    preset: str | None, table: Mapping[int, Decimal], floor: int, dwelling: int
) -> Decimal:
    if preset in (EQUAL, AREA):
        return Decimal(1)
    if preset == HALF_STEP:
        return Decimal(1) + Decimal("0.5") * (floor - 1)
    if floor not in table:
        raise Invalid(
            f"系数表没有第{floor}层（房屋 {dwelling} 在该层）",
            f"unknown floor {floor}: the coefficient table has no entry for it (dwelling {dwelling})",
            "unknown_floor",
        )
    return table[floor]


def _check_dwellings(dwellings: Sequence[DwellingInput]) -> dict[int, Decimal]:
    """Areas by dwelling id, after refusing duplicates, floors below 1 and negative areas."""
    areas: dict[int, Decimal] = {}
    for d in dwellings:
        if d.id in areas:
            raise Invalid(
                f"房屋 {d.id} 重复出现",
                f"dwelling {d.id} is listed twice",
                "duplicate_dwelling",
            )
        if d.floor < 1:
            raise Invalid(
                f"房屋 {d.id} 的计费楼层须为1或以上，收到 {d.floor}",
                f"dwelling {d.id}: the floor for cost purposes must be 1 or above, got {d.floor}",
                "bad_floor",
            )
        area = to_decimal(
            d.area, field_zh=f"房屋 {d.id} 的面积", field_en=f"area of dwelling {d.id}"
        )
        if area < 0:
            raise Invalid(
                f"房屋 {d.id} 的面积不能为负数：{area}",
                f"area of dwelling {d.id} cannot be negative: {area}",
                "negative_area",
            )
        areas[d.id] = area
    return areas


def _check_known(ids: Iterable[int], known: Mapping[int, object], *, zh: str, en: str) -> None:
    for dwelling in ids:
        if dwelling not in known:
            raise Invalid(
                f"{zh}的房屋 {dwelling} 不在本电梯的分摊范围内",
                f"{en} dwelling {dwelling} is not among the dwellings sharing this elevator",
                "unknown_dwelling",
            )


def _compensation_amounts(compensation: Compensation) -> dict[int, Decimal]:
    pairs = list(compensation.items()) if isinstance(compensation, Mapping) else list(compensation)
    amounts: dict[int, Decimal] = {}
    for dwelling, raw in pairs:
        if dwelling in amounts:
            raise Invalid(
                f"房屋 {dwelling} 的补偿重复列出",
                f"compensation for dwelling {dwelling} is listed twice",
                "duplicate_compensation",
            )
        amounts[dwelling] = to_money(
            raw,
            field_zh=f"房屋 {dwelling} 的补偿",
            field_en=f"compensation for dwelling {dwelling}",
        )
    return amounts


def allocate(
    *,
    dwellings: Sequence[DwellingInput],
    residents_total: Decimal,
    coefficients: Coefficients,
    area_weighted: bool = False,
    exempt: Collection[int] = (),
    compensation: Compensation = (),
) -> Allocation:
    """Share ``residents_total`` (the cost left after subsidies) among ``dwellings``.

    See the module docstring for the rules; the construction shares add up to
    ``residents_total`` and the compensation paid to the compensation received, to the fen.
    """
    return _allocate(
        dwellings=dwellings,
        total=residents_total,
        coefficients=coefficients,
        area_weighted=area_weighted,
        exempt=exempt,
        compensation=compensation,
        total_zh="居民分摊总额",
        total_en="residents' total",
    )


def running_costs(
    *,
    dwellings: Sequence[DwellingInput],
    annual_total: Decimal,
    coefficients: Coefficients,
    area_weighted: bool = False,
    exempt: Collection[int] = (),
) -> Allocation:
    """A year's running costs (maintenance + electricity + inspection) shared by the same
    engine, with the construction table or a separately agreed one; no compensation."""
    return _allocate(
        dwellings=dwellings,
        total=annual_total,
        coefficients=coefficients,
        area_weighted=area_weighted,
        exempt=exempt,
        compensation=(),
        total_zh="年度运行费用总额",
        total_en="annual running costs",
    )


def _allocate(
    *,
    dwellings: Sequence[DwellingInput],
    total: Decimal,
    coefficients: Coefficients,
    area_weighted: bool,
    exempt: Collection[int],
    compensation: Compensation,
    total_zh: str,
    total_en: str,
) -> Allocation:
    total = to_money(total, field_zh=total_zh, field_en=total_en)
    areas = _check_dwellings(dwellings)
    preset, table = coefficient_table(coefficients)
    if preset == AREA:
        area_weighted = True
    exempt_ids = set(exempt)
    _check_known(sorted(exempt_ids), areas, zh="免缴", en="exempt")
    received = _compensation_amounts(compensation)
    _check_known(received, areas, zh="获补偿", en="compensated")

    # Weights are exact: a Decimal product needs at most the sum of both operands' digits.
    wide = Context(prec=200)
    coefficient: dict[int, Decimal] = {}
    weight: dict[int, Decimal] = {}
    for d in dwellings:
        coefficient[d.id] = _coefficient(preset, table, d.floor, d.id)
        if d.id in exempt_ids:
            weight[d.id] = Decimal(0)
        elif area_weighted:
            with localcontext(wide):
                weight[d.id] = coefficient[d.id] * areas[d.id]
        else:
            weight[d.id] = coefficient[d.id]
    with localcontext(wide):
        total_weight = sum(weight.values(), Decimal(0))
    if total > 0 and total_weight == 0:
        raise Invalid(
            f"所有房屋的分摊权重均为零（系数全为零或全部免缴），无法分摊{total_zh} {total}",
            f"every dwelling weighs zero (all coefficients zero or everyone exempt): "
            f"the {total_en} of {total} cannot be shared",
            "zero_weights",
        )

    keys = [(d.floor, d.id) for d in dwellings]
    construction = largest_remainder(_fen(total), [Fraction(weight[d.id]) for d in dwellings], keys)

    comp_total = sum(received.values(), Decimal(0))
    funder_weights = [
        Fraction(weight[d.id]) if d.id not in received and d.id not in exempt_ids else Fraction(0)
        for d in dwellings
    ]
    if comp_total > 0 and sum(funder_weights) == 0:
        raise Invalid(
            f"补偿合计 {comp_total} 无人承担：除免缴和获补偿的房屋外，没有需分摊的房屋",
            f"no one is left to fund the compensation of {comp_total}: every dwelling "
            "that shares the cost is exempt or itself compensated",
            "no_funders",
        )
    paid = largest_remainder(_fen(comp_total), funder_weights, keys)

    shares = []
    for i, d in enumerate(dwellings):
        share = _yuan(construction[i])
        pays = _yuan(paid[i])
        gets = received.get(d.id, Decimal(0)).quantize(FEN)
        shares.append(
            Share(
                dwelling=d.id,
                floor=d.floor,
                coefficient=coefficient[d.id],
                weight=weight[d.id],
                construction_share=share,
                compensation_paid=pays,
                compensation_received=gets,
                net=share + pays - gets,
            )
        )
    return Allocation(residents_total=total, total_weight=total_weight, shares=tuple(shares))


def provident_fund_limit(
    construction_share: Decimal, personal_cap: Decimal | None = None
) -> Decimal:
    """The most an owner may withdraw from the housing provident fund for the elevator.

    At most the owner's own construction share (never running costs, nor compensation paid
    to neighbours, which is a transfer between owners), and at most ``personal_cap`` when the
    fund centre sets one for this owner (e.g. their balance or a city ceiling).
    """
    share = to_money(construction_share, field_zh="建设费分摊额", field_en="construction share")
    if personal_cap is None:
        return share
    cap = to_money(personal_cap, field_zh="公积金提取上限", field_en="provident fund cap")
    return min(share, cap)
