"""Abstract model bases shared by business apps (core owns no concrete models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Timestamped(models.Model):
    """Adds creation and last-change times."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True
