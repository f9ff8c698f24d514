"""Template tags of core: ``{% load linli_core %}``."""

from __future__ import annotations

from django import template
from django.db import models
from django.urls import reverse

register = template.Library()


@register.simple_tag
def history_url(obj: models.Model) -> str:
    """The history page of ``obj``: ``<a href="{% history_url object %}">``."""
    opts = obj._meta
    return reverse(
        "core:history",
        kwargs={"app_label": opts.app_label, "model": opts.model_name, "pk": obj.pk},
    )
