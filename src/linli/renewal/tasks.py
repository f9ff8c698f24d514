"""Celery tasks of the renewal app: thin wrappers that take primary keys (or nothing) and call
the services. With no broker configured they run eagerly."""

from __future__ import annotations
