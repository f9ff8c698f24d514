"""Which departments must sign off a project: a pure function of its items and the rules.

A rule applies to one catalogue item, to every item of a category, or to every project. A
department named by several matching rules reviews once, with the longest time limit among
them (it reviews everything at once and needs the time the hardest part needs), and the
reasons list every item or rule that brought it in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ItemFact:
    """A catalogue item in the project."""

    item_id: int
    name: str
    category: str


@dataclass(frozen=True)
class RuleFact:
    """A joint-review rule: ``applies_to`` is "item", "category" or "all"."""

    department_id: int
    workdays: int
    applies_to: str
    item_id: int | None = None
    category: str = ""
    label: str = ""


@dataclass
class Requirement:
    """One department's sign-off the project needs: the time limit and why."""

    department_id: int
    workdays: int
    reasons: list[str] = field(default_factory=list)


def required_reviews(items: Iterable[ItemFact], rules: Iterable[RuleFact]) -> list[Requirement]:
    """The sign-offs a project with ``items`` needs under ``rules``, by department id."""
    items = list(items)
    item_ids = {i.item_id: i for i in items}
    categories: dict[str, list[ItemFact]] = {}
    for item in items:
        categories.setdefault(item.category, []).append(item)
    found: dict[int, Requirement] = {}
    for rule in rules:
        if rule.applies_to == "all":
            reasons = [rule.label]
        elif rule.applies_to == "item" and rule.item_id in item_ids:
            reasons = [item_ids[rule.item_id].name]
        elif rule.applies_to == "category" and rule.category in categories:
            reasons = [i.name for i in categories[rule.category]]
        else:
            continue
        requirement = found.setdefault(
            rule.department_id, Requirement(rule.department_id, rule.workdays)
        )
        requirement.workdays = max(requirement.workdays, rule.workdays)
        for reason in reasons:
            if reason not in requirement.reasons:
                requirement.reasons.append(reason)
    return sorted(found.values(), key=lambda r: r.department_id)
