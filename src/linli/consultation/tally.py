"""The vote-counting engine (pure: plain data in, plain data out, no ORM).

Civil Code Art. 278 and the SPC interpretation on building co-ownership (Arts 8–9):

* participation (quorum): owners holding at least ``participation_area`` of the exclusive
  area **and** at least ``participation_owners`` of the owners take part;
* approval: of the participants (or, for some local profiles, of the whole electorate), at
  least / more than ``approval_area`` by area **and** ``approval_owners`` by headcount vote yes;
* area is the registered area of each dwelling; headcount counts *voter keys*: one per
  dwelling, except that dwellings sharing an owner and all of the developer's unsold or
  undelivered dwellings each count once (the service builds the keys at the snapshot);
* abstentions take part but do not approve;
* every comparison is exact (``fractions.Fraction``); the decimal strings in ``as_json`` are
  for display (areas with 2 places, ratios with 4, rounded half-up).

Chinese law reads 以上 as including the figure itself (Civil Code Art. 1259): "2/3 以上" is
``>=``; 过半数 is strictly more than half.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from linli.core.errors import Invalid

YES, NO, ABSTAIN = "yes", "no", "abstain"
CHOICES = (YES, NO, ABSTAIN)
PARTICIPANTS, ELECTORATE = "participants", "electorate"

TWO_PLACES = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")


def parse_fraction(text: str) -> Fraction:
    """``"2/3"``, ``"0.8"``, ``"80%"``, ``"1"`` or ``"0"`` as an exact fraction in [0, 1]."""
    raw = str(text).strip()
    try:
        if raw.endswith("%"):
            value = Fraction(Decimal(raw[:-1].strip())) / 100
        elif "/" in raw:
            num, _, den = raw.partition("/")
            value = Fraction(int(num.strip()), int(den.strip()))
        else:
            value = Fraction(Decimal(raw))
    except (ValueError, ZeroDivisionError, ArithmeticError):
        raise Invalid(
            f"比例“{raw}”无法识别,请写成 2/3、0.8 或 80%",
            f"cannot read the ratio {raw!r}; write it as 2/3, 0.8 or 80%",
            "fraction",
        ) from None
    if not 0 <= value <= 1:
        raise Invalid(
            f"比例“{raw}”须在 0 到 1 之间",
            f"the ratio {raw!r} must lie between 0 and 1",
            "fraction",
        )
    return value


def fraction_text(value: Fraction) -> str:
    """``Fraction(2, 3)`` as ``"2/3"``, ``Fraction(1)`` as ``"1"``."""
    return str(value)


@dataclass(frozen=True)
class Rule:
    """The thresholds of a rule profile, as exact fractions."""

    participation_area: Fraction = Fraction(2, 3)
    participation_owners: Fraction = Fraction(2, 3)
    approval_area: Fraction = Fraction(1, 2)
    approval_owners: Fraction = Fraction(1, 2)
    approval_strict: bool = True
    approval_base: str = PARTICIPANTS
    no_objection: bool = False
    affected_consent: bool = False

    @classmethod
    def from_texts(cls, **kwargs: Any) -> Rule:
        """A rule from a profile's fields (fractions as text)."""
        fractions = (
            "participation_area",
            "participation_owners",
            "approval_area",
            "approval_owners",
        )
        values: dict[str, Any] = {
            k: parse_fraction(v) if k in fractions else v for k, v in kwargs.items()
        }
        return cls(**values)


ORDINARY = Rule()
MAJOR = Rule(approval_area=Fraction(3, 4), approval_owners=Fraction(3, 4), approval_strict=False)


@dataclass(frozen=True)
class ElectorRow:
    """One dwelling of the electorate."""

    dwelling: int
    area: Decimal
    voter_key: str
    affected: bool = False


@dataclass(frozen=True)
class Measure:
    """A part of a whole, by area and by headcount, with the exact ratios."""

    area: Decimal
    owners: int
    area_ratio: Fraction
    owners_ratio: Fraction
    met: bool


@dataclass(frozen=True)
class Tally:
    """The count of one vote under one rule."""

    rule: Rule
    electorate_area: Decimal
    electorate_owners: int
    participation: Measure
    approval: Measure
    counts: Mapping[str, int]
    objections: int
    missing_consents: tuple[int, ...] = field(default=())

    @property
    def objection_met(self) -> bool:
        return not self.rule.no_objection or self.objections == 0

    @property
    def consent_met(self) -> bool:
        return not self.rule.affected_consent or not self.missing_consents

    @property
    def passed(self) -> bool:
        return (
            self.participation.met and self.approval.met and self.objection_met and self.consent_met
        )

    def as_json(self) -> dict[str, Any]:
        """The API's tally shape: decimal strings, 2 places for areas, 4 for ratios."""
        rule = self.rule
        participation = _rule_text(rule.participation_area, rule.participation_owners)
        approval = _rule_text(rule.approval_area, rule.approval_owners)
        return {
            "electorate": {"area": _area(self.electorate_area), "owners": self.electorate_owners},
            "participation": _measure_json(self.participation),
            "approval": _measure_json(self.approval),
            "ballots": dict(self.counts),
            "objection": {
                "required": rule.no_objection,
                "objections": self.objections,
                "met": self.objection_met,
            },
            "consent": {
                "required": rule.affected_consent,
                "missing_dwellings": list(self.missing_consents),
                "met": self.consent_met,
            },
            "rule": {
                "participation": participation,
                "approval": approval,
                "approval_strict": rule.approval_strict,
                "approval_base": rule.approval_base,
                "no_objection": rule.no_objection,
                "affected_consent": rule.affected_consent,
            },
            "passed": self.passed,
        }


def _rule_text(area: Fraction, owners: Fraction) -> str:
    if area == owners:
        return fraction_text(area)
    return f"{fraction_text(area)} (area) / {fraction_text(owners)} (owners)"


def _area(value: Decimal) -> str:
    return str(value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP))


def ratio_text(value: Fraction) -> str:
    """An exact ratio shown with 4 decimal places, rounded half-up."""
    shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        FOUR_PLACES, rounding=ROUND_HALF_UP
    )
    return str(shown)


def _measure_json(measure: Measure) -> dict[str, Any]:
    return {
        "area": _area(measure.area),
        "area_ratio": ratio_text(measure.area_ratio),
        "owners": measure.owners,
        "owners_ratio": ratio_text(measure.owners_ratio),
        "met": measure.met,
    }


def _ratio(part: Fraction | Decimal | int, whole: Fraction | Decimal | int) -> Fraction:
    if not whole:
        return Fraction(0)
    return Fraction(part) / Fraction(whole)


def _at_least(ratio: Fraction, threshold: Fraction, strict: bool = False) -> bool:
    return ratio > threshold if strict else ratio >= threshold


def voter_choices(electors: Iterable[ElectorRow], ballots: Mapping[int, str]) -> dict[str, str]:
    """Each participating voter key's choice; refuses a key that voted two ways."""
    chosen: dict[str, str] = {}
    for elector in electors:
        choice = ballots.get(elector.dwelling)
        if choice is None:
            continue
        previous = chosen.setdefault(elector.voter_key, choice)
        if previous != choice:
            raise Invalid(
                f"同一业主({elector.voter_key})在不同房屋上的意见不一致",
                f"the owner {elector.voter_key} voted differently on different dwellings",
                "conflicting_ballots",
            )
    return chosen


def tally(electors: Iterable[ElectorRow], ballots: Mapping[int, str], rule: Rule) -> Tally:
    """Count ``ballots`` (dwelling id -> choice) over ``electors`` under ``rule``."""
    rows = list(electors)
    known = {row.dwelling for row in rows}
    for dwelling, choice in ballots.items():
        if dwelling not in known:
            raise Invalid(
                f"房屋 {dwelling} 不在本次表决范围内",
                f"dwelling {dwelling} is not in this vote's electorate",
                "not_elector",
            )
        if choice not in CHOICES:
            raise Invalid(
                f"意见“{choice}”无效(应为 yes、no 或 abstain)",
                f"invalid choice {choice!r} (expected yes, no or abstain)",
                "choice",
            )
    choices = voter_choices(rows, ballots)

    electorate_area = sum((row.area for row in rows), Decimal(0))
    electorate_owners = len({row.voter_key for row in rows})

    voted = [row for row in rows if row.dwelling in ballots]
    part_area = sum((row.area for row in voted), Decimal(0))
    part_owners = len(choices)
    part_area_ratio = _ratio(part_area, electorate_area)
    part_owners_ratio = _ratio(part_owners, electorate_owners)
    participation = Measure(
        area=part_area,
        owners=part_owners,
        area_ratio=part_area_ratio,
        owners_ratio=part_owners_ratio,
        met=(
            electorate_owners > 0
            and _at_least(part_area_ratio, rule.participation_area)
            and _at_least(part_owners_ratio, rule.participation_owners)
        ),
    )

    yes_area = sum((row.area for row in voted if ballots[row.dwelling] == YES), Decimal(0))
    yes_owners = sum(1 for choice in choices.values() if choice == YES)
    if rule.approval_base == ELECTORATE:
        area_base: Decimal = electorate_area
        owners_base = electorate_owners
    else:
        area_base, owners_base = part_area, part_owners
    yes_area_ratio = _ratio(yes_area, area_base)
    yes_owners_ratio = _ratio(yes_owners, owners_base)
    approval = Measure(
        area=yes_area,
        owners=yes_owners,
        area_ratio=yes_area_ratio,
        owners_ratio=yes_owners_ratio,
        met=(
            owners_base > 0
            and _at_least(yes_area_ratio, rule.approval_area, rule.approval_strict)
            and _at_least(yes_owners_ratio, rule.approval_owners, rule.approval_strict)
        ),
    )

    counts = {choice: 0 for choice in CHOICES}
    for choice in ballots.values():
        counts[choice] += 1
    missing = tuple(
        sorted(row.dwelling for row in rows if row.affected and ballots.get(row.dwelling) != YES)
    )
    return Tally(
        rule=rule,
        electorate_area=electorate_area,
        electorate_owners=electorate_owners,
        participation=participation,
        approval=approval,
        counts=counts,
        objections=counts[NO],
        missing_consents=missing,
    )


@dataclass(frozen=True)
class DwellingOwners:
    """A dwelling at the snapshot: its registered owners, and whether the developer holds it
    (unsold, sold but undelivered, or owned by an owner of kind developer)."""

    dwelling: int
    owner_ids: tuple[int, ...]
    developer: bool = False


DEVELOPER_KEY = "developer"


def voter_keys(dwellings: Iterable[DwellingOwners]) -> dict[int, str]:
    """Who counts as one owner, per dwelling (SPC interpretation on co-ownership, Art. 9).

    One exclusive part counts as one owner; all of the developer's unsold or undelivered
    parts count as one together; one buyer holding several parts counts as one. Dwellings
    that share any owner (a co-owner of one who also owns another) are therefore one key:
    the connected groups of the dwelling–owner graph. A dwelling with no registered owner is
    its own key. Keys are stable: ``"owner:<smallest owner id>"``, ``"developer"`` or
    ``"dwelling:<id>"``.
    """
    rows = list(dwellings)
    parent: dict[int, int] = {}

    def find(owner: int) -> int:
        parent.setdefault(owner, owner)
        while parent[owner] != owner:
            parent[owner] = parent[parent[owner]]
            owner = parent[owner]
        return owner

    for row in rows:
        if row.developer or not row.owner_ids:
            continue
        first = find(row.owner_ids[0])
        for other in row.owner_ids[1:]:
            root = find(other)
            if root != first:
                low, high = sorted((first, root))
                parent[high] = low
                first = low
    keys: dict[int, str] = {}
    for row in rows:
        if row.developer:
            keys[row.dwelling] = DEVELOPER_KEY
        elif not row.owner_ids:
            keys[row.dwelling] = f"dwelling:{row.dwelling}"
        else:
            keys[row.dwelling] = f"owner:{find(row.owner_ids[0])}"
    return keys
