"""Subsidy rules (city policy, as data): created and changed by the district office only.

A rule is checked by the pure engine (``rule.as_rule()``) before it is stored, so a rule that
could not compute a subsidy (a fixed rule without its amount, a percentage above 100, a storeys
table with a bad key) never reaches a case. Cases keep the subsidy computed when their plan was
last changed; editing a rule does not rewrite them.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from linli.core.errors import Invalid
from linli.elevators.models import SubsidyRule

#: Sentinel for "leave as it is" in :func:`update_subsidy_rule`.
KEEP: Any = object()

#: The fields a caller may set, in the order they are applied.
FIELDS = ("city", "name", "basis", "kind", "amount", "percent", "cap", "by_storeys", "active")


def _require(by: Any, permission: str, zh: str, en: str) -> None:
    # Subsidy rules are district-wide reference data: the role grant decides (the district
    # office holds elevators.*); ``by=None`` is the system itself (migrations, demo data).
    if by is not None and not by.has_perm(permission):
        raise PermissionDenied(f"{zh} ({en})")


def _check(rule: SubsidyRule) -> None:
    """The engine's checks first (bilingual, naming the rule broken), then the model's."""
    rule.city = (rule.city or "").strip()
    rule.name = (rule.name or "").strip()
    rule.basis = (rule.basis or "").strip()
    if not rule.city:
        raise Invalid("请填写城市", "the rule needs its city", "city")
    if not rule.name:
        raise Invalid("请填写规则名称", "the rule needs a name", "name")
    if rule.by_storeys is not None and not isinstance(rule.by_storeys, Mapping):
        raise Invalid(
            "按楼层补贴表须为“楼层数 → 金额”对照表",
            "by_storeys must be a table storeys → amount",
            "by_storeys",
        )
    try:
        engine_rule = rule.as_rule()
    except (ValueError, TypeError) as exc:
        if isinstance(exc, Invalid):
            raise
        raise Invalid(
            "按楼层补贴表的楼层数须为整数、金额须为数字",
            "by_storeys needs whole-number storeys and decimal amounts",
            "by_storeys",
        ) from exc
    if engine_rule.by_storeys is not None:
        # Stored the way the engine reads it back: string keys, 2-decimal amounts.
        rule.by_storeys = {
            str(k): f"{Decimal(v):.2f}" for k, v in sorted(engine_rule.by_storeys.items())
        }
    rule.full_clean()


def create_subsidy_rule(
    *,
    by: Any,
    city: str,
    name: str,
    kind: str,
    basis: str = "",
    amount: Decimal | None = None,
    percent: Decimal | None = None,
    cap: Decimal | None = None,
    by_storeys: Mapping[Any, Any] | None = None,
    active: bool = True,
) -> SubsidyRule:
    """A new subsidy rule, checked by the engine."""
    _require(
        by,
        "elevators.add_subsidyrule",
        "仅区百城办可以登记加装电梯补贴规则",
        "only the district office may add subsidy rules",
    )
    rule = SubsidyRule(
        city=city,
        name=name,
        basis=basis,
        kind=kind,
        amount=amount,
        percent=percent,
        cap=cap,
        by_storeys=by_storeys,
        active=active,
    )
    with transaction.atomic():
        _check(rule)
        rule.save()
    return rule


def update_subsidy_rule(rule: SubsidyRule, *, by: Any, **changes: Any) -> SubsidyRule:
    """Change some fields of a rule (the others keep their value); checked by the engine."""
    _require(
        by,
        "elevators.change_subsidyrule",
        f"仅区百城办可以修改加装电梯补贴规则“{rule}”",
        f"only the district office may change the subsidy rule {rule}",
    )
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise TypeError(f"unknown subsidy rule fields: {', '.join(unknown)}")
    with transaction.atomic():
        locked = SubsidyRule.objects.select_for_update().get(pk=rule.pk)
        for name in FIELDS:
            value = changes.get(name, KEEP)
            if value is not KEEP:
                setattr(locked, name, value)
        _check(locked)
        locked.save()
    for f in SubsidyRule._meta.concrete_fields:
        setattr(rule, f.attname, getattr(locked, f.attname))
    return rule
