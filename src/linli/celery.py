"""Celery application: Redis broker when REDIS_URL is set, eager in-process otherwise.

Tasks carry the audit context of whoever queued them: ``before_task_publish`` puts the actor
and request id in the message headers, and the worker runs the task inside a ``task`` audit
context made from them. Eagerly run tasks (no broker) publish nothing; they inherit the
context they run in.
"""

from __future__ import annotations

import os
from typing import Any

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")

app = Celery("linli")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

#: Message header carrying the queuing side's audit context.
AUDIT_HEADER = "linli_audit"

#: Open audit contexts of running tasks, by task id (closed in task_postrun).
_open: dict[str, Any] = {}


@before_task_publish.connect(dispatch_uid="linli-audit-publish")
def add_audit_headers(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """Put the current actor and request id in the task message."""
    from linli.core.audit import current_context

    if headers is None:
        return
    context = current_context()
    actor_id, actor_username = context.actor_identity()
    headers[AUDIT_HEADER] = {
        "actor_id": actor_id,
        "actor_username": actor_username,
        "request_id": context.request_id,
    }


def _queued_by(task: Any) -> dict[str, Any] | None:
    request = getattr(task, "request", None)
    meta = getattr(request, AUDIT_HEADER, None)
    if meta is None:
        meta = (getattr(request, "headers", None) or {}).get(AUDIT_HEADER)
    return meta if isinstance(meta, dict) else None


@task_prerun.connect(dispatch_uid="linli-audit-prerun")
def open_task_context(task_id: str, task: Any, **kwargs: Any) -> None:
    """Run the task in a ``task`` audit context: the queuing actor and request id."""
    from linli.core.audit import AuditContext, current_context, open_context, valid_request_id
    from linli.core.models import AuditSource

    meta = _queued_by(task)
    if meta is not None:
        actor_id, actor_username = meta.get("actor_id"), meta.get("actor_username") or ""
        request_id = valid_request_id(meta.get("request_id"))
    else:  # eager: the context the task was called in
        outer = current_context()
        actor_id, actor_username = outer.actor_identity()
        request_id = outer.request_id
    context = AuditContext(
        source=AuditSource.TASK,
        actor_id=actor_id,
        actor_username=actor_username,
        path=f"task {task.name}",
    )
    if request_id:
        context.request_id = request_id
    _open[task_id] = open_context(context)


@task_postrun.connect(dispatch_uid="linli-audit-postrun")
def close_task_context(task_id: str, **kwargs: Any) -> None:
    from linli.core.audit import close_context

    token = _open.pop(task_id, None)
    if token is not None:
        close_context(token)
