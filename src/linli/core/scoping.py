"""Jurisdiction scoping: the one place that decides which rows a user may see or change.

Every queryset that reaches a user — pages, API, admin, exports, reports, map layers,
dashboard aggregates — is filtered here. Apps declare a *rule* per model (a function from a
:class:`Scope` to a ``Q``) with :func:`register`; the accounts app installs the *resolver*
that turns a user (and optionally a permission) into a :class:`Scope`. ``core`` imports no
business app: both sides plug in at start-up.

Objects outside the scope are simply not in the queryset, so detail lookups answer 404 and
their existence does not leak.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Scope:
    """The jurisdictions a user holds for one purpose (seeing, or one kind of change).

    ``everything`` is the district-wide superuser view; otherwise each set holds primary keys
    of the places, organisations or dwellings the user's role assignments are bound to.
    """

    everything: bool = False
    district_ids: frozenset[int] = field(default_factory=frozenset)
    zone_ids: frozenset[int] = field(default_factory=frozenset)
    subdistrict_ids: frozenset[int] = field(default_factory=frozenset)
    community_ids: frozenset[int] = field(default_factory=frozenset)
    compound_ids: frozenset[int] = field(default_factory=frozenset)
    organisation_ids: frozenset[int] = field(default_factory=frozenset)
    project_ids: frozenset[int] = field(default_factory=frozenset)
    dwelling_ids: frozenset[int] = field(default_factory=frozenset)
    user_id: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.everything and not any(
            getattr(self, f.name) for f in fields(self) if f.name.endswith("_ids")
        )

    def union(self, other: Scope) -> Scope:
        if self.everything or other.everything:
            return replace(EVERYTHING, user_id=self.user_id or other.user_id)
        merged = {
            f.name: getattr(self, f.name) | getattr(other, f.name)
            for f in fields(self)
            if f.name.endswith("_ids")
        }
        return Scope(user_id=self.user_id or other.user_id, **merged)


EVERYTHING = Scope(everything=True)
NOTHING = Scope()

Rule = Callable[[Scope], Q]
Resolver = Callable[[Any, "str | None"], Scope]

_rules: dict[type[models.Model], Rule] = {}
_resolver: Resolver | None = None

#: A ``Q`` that matches no row (``pk IN ()``), for rules whose scope holds nothing relevant.
MATCH_NONE = Q(pk__in=[])


def register(model: type[models.Model], rule: Rule) -> None:
    """Declare how ``model`` rows are filtered for a scope."""
    _rules[model] = rule


def registered_models() -> list[type[models.Model]]:
    return list(_rules)


def rule_for(model: type[models.Model]) -> Rule:
    try:
        return _rules[model]
    except KeyError:
        raise ImproperlyConfigured(
            f"No scope rule registered for {model._meta.label}: every model that reaches a "
            "user must declare one with linli.core.scoping.register()"
        ) from None


def set_resolver(resolver: Resolver) -> None:
    """Install the function that turns (user, permission) into a Scope (accounts does this)."""
    global _resolver
    _resolver = resolver


def scope_for(user: Any, permission: str | None = None) -> Scope:
    """The scope in which ``user`` may see rows (``permission=None``) or use ``permission``.

    Anonymous users get nothing, superusers everything. Results are cached on the user object
    for the length of a request.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return replace(EVERYTHING, user_id=user.pk)
    cache: dict[str | None, Scope] = user.__dict__.setdefault("_linli_scopes", {})
    if permission not in cache:
        if _resolver is None:
            raise ImproperlyConfigured("No scope resolver installed (linli.accounts not loaded?)")
        cache[permission] = _resolver(user, permission)
    return cache[permission]


def clear_cached_scopes(user: Any) -> None:
    """Forget the scopes (and the role assignments behind them) cached on ``user``."""
    for key in [k for k in user.__dict__ if k.startswith("_linli_")]:
        del user.__dict__[key]


def filter_for_scope(queryset: QuerySet[M], scope: Scope) -> QuerySet[M]:
    """``queryset`` narrowed to the rows ``scope`` covers."""
    rule = rule_for(queryset.model)
    if scope.everything:
        return queryset
    if scope.is_empty and scope.user_id is None:
        return queryset.none()
    # A signed-in user without jurisdictions still runs the rule: some rows belong to the
    # user rather than to a place (their own uploads, their own role assignments).
    return queryset.filter(rule(scope))


def scoped(
    model_or_queryset: type[M] | QuerySet[M] | models.Manager[M],
    user: Any,
    permission: str | None = None,
) -> QuerySet[M]:
    """The rows of a model (or a queryset) that ``user`` may see, or use ``permission`` on."""
    if isinstance(model_or_queryset, QuerySet):
        queryset = model_or_queryset
    elif isinstance(model_or_queryset, models.Manager):
        queryset = model_or_queryset.all()
    else:
        queryset = model_or_queryset._default_manager.all()
    return filter_for_scope(queryset, scope_for(user, permission))


def get_scoped_or_404(
    model_or_queryset: type[M] | QuerySet[M] | models.Manager[M],
    user: Any,
    permission: str | None = None,
    **lookup: Any,
) -> M:
    """One row the user may see; 404 (never 403) when it is outside the scope."""
    queryset = scoped(model_or_queryset, user, permission)
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise Http404
    return obj


def is_in_scope(obj: models.Model, user: Any, permission: str | None = None) -> bool:
    return scoped(type(obj), user, permission).filter(pk=obj.pk).exists()


def any_of(*terms: tuple[str, Iterable[int]]) -> Q:
    """OR of ``lookup__in=ids`` terms, skipping empty id sets (no pointless joins).

    ``any_of(("pk", {1, 2}), ("zone_id", set()))`` gives ``Q(pk__in={1, 2})``; with every set
    empty it matches nothing.
    """
    q = Q()
    matched = False
    for lookup, ids in terms:
        ids = list(ids)
        if ids:
            q |= Q(**{f"{lookup}__in": sorted(ids)})
            matched = True
    return q if matched else MATCH_NONE
