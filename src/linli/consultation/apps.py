"""The consultation app: surveys, household visits, meetings and owner votes."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationConfig(AppConfig):
    name = "linli.consultation"
    label = "consultation"
    verbose_name = _("居民议事")

    def ready(self) -> None:
        from linli.consultation.audit import track_consultation
        from linli.consultation.scoping import register_rules

        register_rules()
        track_consultation()
