"""The elevator retrofit app's configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElevatorsConfig(AppConfig):
    name = "linli.elevators"
    label = "elevators"
    verbose_name = _("加装电梯")

    def ready(self) -> None:
        from linli.elevators.audit import track_elevators
        from linli.elevators.scoping import register_rules

        register_rules()
        track_elevators()
