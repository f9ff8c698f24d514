"""Linli 邻里: renovation and after-care of old residential compounds."""

from linli.celery import app as celery_app

__all__ = ["celery_app"]
