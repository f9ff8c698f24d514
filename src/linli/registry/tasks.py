"""Celery tasks of the registry: thin wrappers that take primary keys and call services."""

from __future__ import annotations

from celery import shared_task

from linli.registry import services


@shared_task
def apply_registry_upload(upload_id: int) -> str:
    """Import a confirmed registry workbook upload; returns its final status."""
    return services.apply_registry_upload(upload_id=upload_id).status
