"""Celery tasks of the consultation app: thin wrappers over the services. With no broker
configured they run eagerly."""

from __future__ import annotations

import datetime

from celery import shared_task

from linli.consultation.services.votes import advance_votes as advance


@shared_task(name="linli.consultation.tasks.advance_votes")
def advance_votes(now: str | None = None) -> dict[str, int]:
    """Open, close and finalise the votes that are due (Celery beat, every few minutes).
    ``now`` (ISO-8601 with offset) replays a run as of that moment."""
    moment = datetime.datetime.fromisoformat(now) if now else None
    return advance(now=moment)
