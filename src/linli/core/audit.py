"""The audit trail: who changed what, when, from where, with the values before and after.

Three pieces:

* **Context** — :func:`audit_context` says who is acting and through which door (a web or
  API request, the admin, the CLI, a background task, an import); the middleware, the
  ``linli`` command and the Celery signals open one. It lives in a :mod:`contextvars`
  variable, so nested contexts restore the outer one and threads do not mix.
* **Tracking** — :func:`track` registers a model: every ``save()`` and ``delete()`` of it,
  whichever code path makes it, writes an :class:`~linli.core.models.AuditEvent` with the
  changed fields (pre_save loads the stored row in one query to diff against). ``bulk_create``,
  ``bulk_update`` and ``QuerySet.update()`` send no signals: code that writes in bulk records
  its own events with :func:`record_many` (the registry importer does).
* **Recording** — :func:`record` and :func:`record_many` write events for anything else
  (reveals of personal data, exports, bulk loads).

Values are stored JSON-safe with personal data always masked (:mod:`.audit_values`).
"""

from __future__ import annotations

import datetime
import gc
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, models, router, transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from linli.core.audit_values import REDACTED, comparable, is_secret_name, json_value

if TYPE_CHECKING:
    from linli.core.models import AuditEvent

#: Longest stored ``object_repr`` and ``path`` (the model's column sizes).
REPR_LENGTH = 255
PATH_LENGTH = 500
#: Events per ``executemany`` when recording in bulk.
BATCH_SIZE = 2000


def new_request_id() -> str:
    return str(uuid.uuid4())


def valid_request_id(value: str | None) -> str | None:
    """``value`` as a canonical UUID string, or None when it is not a UUID."""
    if not value:
        return None
    try:
        return str(uuid.UUID(value.strip()))
    except (ValueError, AttributeError):
        return None


# --- Context -------------------------------------------------------------------------------


@dataclass
class AuditContext:
    """Who acts, through which door, as part of which request.

    ``actor`` is a user object; ``request`` a Django request whose ``user`` is read when an
    event is recorded (DRF authenticates inside the view, after the middleware ran, and sets
    the token user on the Django request). ``actor_id``/``actor_username`` serve where no user
    object is at hand (a task knows the actor from its message headers; the CLI knows an OS
    user). ``memo`` caches lookups (a stairwell's compound) for the length of the context.
    """

    source: str
    actor: Any = None
    actor_id: int | None = None
    actor_username: str = ""
    path: str = ""
    ip: str = ""
    request_id: str = field(default_factory=new_request_id)
    request: Any = None
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)

    def actor_identity(self) -> tuple[int | None, str]:
        """(user id, username) of the actor, as far as known."""
        user = self.actor
        if user is None and self.request is not None:
            user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user.pk, user.get_username()
        return self.actor_id, self.actor_username


_context: ContextVar[AuditContext | None] = ContextVar("linli_audit_context", default=None)
_suppressed: ContextVar[bool] = ContextVar("linli_audit_suppressed", default=False)


def current_context() -> AuditContext:
    """The context in force, or a fresh 'system' one (code running outside any door)."""
    from linli.core.models import AuditSource

    return _context.get() or AuditContext(source=AuditSource.SYSTEM)


def open_context(context: AuditContext) -> Token[AuditContext | None]:
    """Make ``context`` current until :func:`close_context` (for paired signals)."""
    return _context.set(context)


def close_context(token: Token[AuditContext | None]) -> None:
    _context.reset(token)


@contextmanager
def audit_context(
    *,
    source: str,
    actor: Any = None,
    actor_id: int | None = None,
    actor_username: str | None = None,
    path: str = "",
    ip: str = "",
    request_id: str | None = None,
    request: Any = None,
) -> Iterator[AuditContext]:
    """Record the changes made inside the block as made by ``actor`` through ``source``."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id = actor.pk if actor_id is None else actor_id
        actor_username = actor.get_username() if actor_username is None else actor_username
    context = AuditContext(
        source=source,
        actor=actor,
        actor_id=actor_id,
        actor_username=actor_username or "",
        path=path[:PATH_LENGTH],
        ip=ip,
        request_id=valid_request_id(request_id) or new_request_id(),
        request=request,
    )
    token = open_context(context)
    try:
        yield context
    finally:
        close_context(token)


@contextmanager
def nested_context(**changes: Any) -> Iterator[AuditContext]:
    """The current context with some fields replaced (e.g. ``source="import"``), same request id."""
    context = replace(current_context(), memo={}, **changes)
    token = open_context(context)
    try:
        yield context
    finally:
        close_context(token)


@contextmanager
def suppressed() -> Iterator[None]:
    """Inside the block, tracked models record nothing by themselves.

    For code that records its own, summarised events for the same writes (the importer's
    :func:`record_many`, the demo's bulk event); never a way to make changes unaudited.
    """
    token = _suppressed.set(True)
    try:
        yield
    finally:
        _suppressed.reset(token)


def memo(key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per context for ``key`` (no caching outside a context)."""
    context = _context.get()
    if context is None:
        return compute()
    if key not in context.memo:
        context.memo[key] = compute()
    return context.memo[key]


# --- Tracking ------------------------------------------------------------------------------

Locator = Callable[[Any], "int | None"]


@dataclass(frozen=True)
class Tracking:
    """How one model is audited: which fields, which are secret, how to find its compound."""

    model: type[models.Model]
    fields: tuple[models.Field, ...]
    redact: frozenset[str]
    locate: Locator | None

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


_tracked: dict[type[models.Model], Tracking] = {}


def tracked_models() -> list[type[models.Model]]:
    return list(_tracked)


def tracking_for(model: type[models.Model]) -> Tracking | None:
    return _tracked.get(model)


def _audited_fields(model: type[models.Model], exclude: Iterable[str]) -> tuple[models.Field, ...]:
    skipped = set(exclude)
    fields = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in skipped or f.attname in skipped or is_secret_name(f.name):
            continue
        # Timestamps kept by Django change on every save; the event has its own time.
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        fields.append(f)
    return tuple(fields)


def track(
    model: type[models.Model],
    *,
    locate: Locator | None = None,
    exclude: Iterable[str] = (),
    redact: Iterable[str] = (),
) -> None:
    """Audit every save and delete of ``model``.

    ``locate(obj)`` returns the id of the compound the object belongs to (for scoping the
    trail), or None. ``exclude`` names fields never recorded; ``redact`` names secrets whose
    change is recorded as ``"***"`` (a password change is worth knowing, its hash is not).
    """
    _tracked[model] = Tracking(
        model=model,
        fields=_audited_fields(model, exclude),
        redact=frozenset(redact),
        locate=locate,
    )
    uid = f"linli-audit-{model._meta.label_lower}"
    pre_save.connect(_before_save, sender=model, dispatch_uid=uid)
    post_save.connect(_after_save, sender=model, dispatch_uid=uid)
    pre_delete.connect(_before_delete, sender=model, dispatch_uid=uid)
    post_delete.connect(_after_delete, sender=model, dispatch_uid=uid)


def untrack(model: type[models.Model]) -> None:
    """Stop auditing ``model`` (tests that register throwaway models use it)."""
    _tracked.pop(model, None)
    uid = f"linli-audit-{model._meta.label_lower}"
    for signal in (pre_save, post_save, pre_delete, post_delete):
        signal.disconnect(sender=model, dispatch_uid=uid)


def _value(tracking: Tracking, f: models.Field, value: Any) -> Any:
    if f.name in tracking.redact:
        return REDACTED if value not in (None, "") else value
    return json_value(f.name, value)


def _selected(tracking: Tracking, update_fields: Iterable[str] | None) -> tuple[models.Field, ...]:
    if update_fields is None:
        return tracking.fields
    names = set(update_fields)
    return tuple(f for f in tracking.fields if f.name in names or f.attname in names)


def _before_save(
    sender: type[models.Model], instance: models.Model, using: str, update_fields: Any, **kw: Any
) -> None:
    tracking = _tracked.get(sender)
    if tracking is None or _suppressed.get():
        return
    names = [f.attname for f in _selected(tracking, update_fields)]
    before = None
    if instance.pk is not None and names:
        before = sender._base_manager.using(using).filter(pk=instance.pk).values(*names).first()
    instance.__dict__["_audit_before"] = before


def _after_save(
    sender: type[models.Model],
    instance: models.Model,
    created: bool,
    update_fields: Any,
    **kw: Any,
) -> None:
    tracking = _tracked.get(sender)
    before = instance.__dict__.pop("_audit_before", None)
    if tracking is None or _suppressed.get():
        return
    from linli.core.models import AuditAction

    fields = _selected(tracking, update_fields)
    if created:
        changes = {
            f.name: [None, _value(tracking, f, getattr(instance, f.attname))] for f in fields
        }
        record(action=AuditAction.CREATE, obj=instance, changes=changes)
        return
    changes = {}
    for f in fields:  # none when only untracked fields were saved (a sign-in's last_login)
        old = before[f.attname] if before is not None else None
        new = getattr(instance, f.attname)
        if before is None or comparable(f, old) != comparable(f, new):
            changes[f.name] = [_value(tracking, f, old), _value(tracking, f, new)]
    if changes:
        record(action=AuditAction.UPDATE, obj=instance, changes=changes)


def _before_delete(sender: type[models.Model], instance: models.Model, **kw: Any) -> None:
    # Locate while every parent still exists (a cascade deletes them right after).
    tracking = _tracked.get(sender)
    if tracking is None or _suppressed.get():
        return
    instance.__dict__["_audit_compound"] = _locate(tracking, instance)
    instance.__dict__["_audit_repr"] = _repr(instance)


def _after_delete(sender: type[models.Model], instance: models.Model, **kw: Any) -> None:
    tracking = _tracked.get(sender)
    if tracking is None or _suppressed.get():
        return
    from linli.core.models import AuditAction

    changes = {
        f.name: [_value(tracking, f, getattr(instance, f.attname)), None] for f in tracking.fields
    }
    record(
        action=AuditAction.DELETE,
        obj=instance,
        object_repr=instance.__dict__.pop("_audit_repr", ""),
        changes=changes,
        compound_id=instance.__dict__.pop("_audit_compound", None),
    )


def _locate(tracking: Tracking | None, obj: models.Model) -> int | None:
    if tracking is None or tracking.locate is None:
        return None
    return tracking.locate(obj)


def _repr(obj: models.Model) -> str:
    return str(obj)[:REPR_LENGTH]


# --- Recording -----------------------------------------------------------------------------


def _base_fields(context: AuditContext) -> dict[str, Any]:
    """The columns every event of ``context`` shares."""
    actor_id, actor_username = context.actor_identity()
    return {
        "actor_id": actor_id,
        "actor_username": actor_username[:150],
        "source": context.source,
        "path": context.path[:PATH_LENGTH],
        "ip": context.ip or None,
        "request_id": context.request_id,
    }


def make_event(
    *,
    action: str,
    obj: models.Model | None = None,
    model_label: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    compound_id: int | None = None,
) -> AuditEvent:
    """An unsaved event in the current context; ``obj`` fills in which object and where."""
    from linli.core.models import AuditEvent

    if obj is not None:
        model_label = model_label or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or _repr(obj)
        if compound_id is None:
            compound_id = _locate(_tracked.get(type(obj)), obj)
    return AuditEvent(
        action=action,
        model_label=model_label,
        object_id=str(object_id),
        object_repr=object_repr[:REPR_LENGTH],
        compound_id=compound_id,
        changes=changes or {},
        **_base_fields(current_context()),
    )


class PendingEvent(NamedTuple):
    """An event not stored yet, for :func:`record_many`: a plain tuple in the table's column
    order (thousands are built per import; a model instance costs ten times as much)."""

    occurred_at: datetime.datetime
    actor_id: int | None
    actor_username: str
    source: str
    action: str
    path: str
    ip: str | None
    request_id: str
    model_label: str
    object_id: str
    object_repr: str
    compound_id: int | None
    changes: dict[str, Any]


def event_builder() -> Callable[..., PendingEvent]:
    """A function building pending events in the current context, for thousands of rows: the
    actor and request are resolved once, and the events share one time (one transaction)."""
    base = _base_fields(current_context())
    head = (
        timezone.now(),
        base["actor_id"],
        base["actor_username"],
        base["source"],
    )
    path, ip, request_id = base["path"], base["ip"], base["request_id"]

    def build(
        *,
        action: str,
        model_label: str,
        object_id: Any,
        object_repr: str,
        changes: dict[str, Any] | None,
        compound_id: int | None,
    ) -> PendingEvent:
        return PendingEvent(
            *head,
            action,
            path,
            ip,
            request_id,
            model_label,
            str(object_id),
            object_repr[:REPR_LENGTH],
            compound_id,
            changes or {},
        )

    return build


def record(
    *,
    action: str,
    obj: models.Model | None = None,
    model_label: str = "",
    object_id: str = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    compound_id: int | None = None,
) -> AuditEvent:
    """Write one event now (inside the caller's transaction: a rollback removes it too)."""
    event = make_event(
        action=action,
        obj=obj,
        model_label=model_label,
        object_id=object_id,
        object_repr=object_repr,
        changes=changes,
        compound_id=compound_id,
    )
    event.save()
    return event


@contextmanager
def _collection_paused() -> Iterator[None]:
    """Python's cycle collector paused while hundreds of thousands of small, acyclic objects
    (events, their changes) are built: otherwise it runs a full collection over every live
    object again and again, which measured at two thirds of the time of recording an import."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def record_many(events: Iterable[PendingEvent]) -> int:
    """Insert events built with :func:`event_builder` in bulk; returns how many.

    One prepared INSERT run with ``executemany``: ``bulk_create`` spends most of its time
    preparing each field of each model instance, four times as long as the insert itself,
    which an import of 100,000 dwellings (300,000 events) cannot afford.
    """
    from linli.core.models import AuditEvent

    using = router.db_for_write(AuditEvent)
    connection = connections[using]
    fields = [f for f in AuditEvent._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(AuditEvent._meta.db_table),
        ", ".join(quote(f.attname) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    if PendingEvent._fields != tuple(f.attname for f in fields):  # pragma: no cover
        raise ImproperlyConfigured("PendingEvent must list AuditEvent's columns in order")
    # Text and integer columns go as they are; the others (time, address, JSON) through the
    # field's own preparation for this database, once per distinct value where the events of a
    # batch share one (their time, the client's address).
    prepared = [
        (i, partial(f.get_db_prep_save, connection=connection), not isinstance(f, models.JSONField))
        for i, f in enumerate(fields)
        if not isinstance(f, models.CharField | models.IntegerField)
    ]
    last: dict[int, tuple[Any, Any]] = {}
    count = 0
    batch: list[list[Any]] = []
    with (
        transaction.atomic(using=using, savepoint=False),
        connection.cursor() as cursor,
        _collection_paused(),
    ):
        for event in events:
            row = list(event)
            for i, prep, shared in prepared:
                value = row[i]
                if shared:
                    seen = last.get(i)
                    if seen is None or seen[0] is not value:
                        seen = last[i] = (value, prep(value))
                    row[i] = seen[1]
                else:
                    row[i] = prep(value)
            batch.append(row)
            if len(batch) == BATCH_SIZE:
                cursor.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
