"""Supervision (督办) as pure rules: the red / yellow / green light of a project's schedule and
the level of the responsibility chain an overdue milestone is assigned to. No ORM here; the
service in ``services/supervision.py`` loads the facts and stores the results.
The rules are documented in docs/renewal.md#supervision."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Light(models.TextChoices):
    """The traffic light of a project's schedule."""

    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")


class ChainLevel(models.TextChoices):
    """The four levels of responsibility, from the bottom up."""

    COMMUNITY = "community", _("社区")
    SUBDISTRICT = "subdistrict", _("街道办事处")
    ZONE_LEAD = "zone_lead", _("片区分包领导")
    DISTRICT = "district", _("区百城办")
