"""The project's progress from its items' progress: a pure function, no ORM.

The project's percentage is the mean of its items' percentages weighted by their budgets (a
road worth 2 million counts for more than a parcel locker worth 50,000); when no item has a
budget, the plain mean; no items, 0. Rounded half up to 2 places, and 100 only when every item
is at 100: rounding must not open the completion gate while some work is still undone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

HUNDRED = Decimal(100)
ZERO = Decimal(0)
CENT = Decimal("0.01")
#: The highest percentage a project can show while an item is unfinished.
NEARLY_DONE = HUNDRED - CENT


@dataclass(frozen=True)
class ItemProgress:
    """One item's reported percentage (0-100, 2 places as stored) and its budget (yuan, ≥ 0).

    With 2-place percentages the rounded mean stays within the items' lowest and highest.
    """

    percent: Decimal
    budget: Decimal


def project_percent(items: Iterable[ItemProgress]) -> Decimal:
    """The budget-weighted mean of the items' percentages, 2 places (see the module)."""
    rows = list(items)
    if not rows:
        return ZERO.quantize(CENT)
    total_budget = sum((row.budget for row in rows), start=ZERO)
    if total_budget > 0:
        mean = sum((row.percent * row.budget for row in rows), start=ZERO) / total_budget
    else:
        mean = sum((row.percent for row in rows), start=ZERO) / len(rows)
    result = mean.quantize(CENT, rounding=ROUND_HALF_UP)
    if result >= HUNDRED and any(row.percent < HUNDRED for row in rows):
        return NEARLY_DONE
    return result
