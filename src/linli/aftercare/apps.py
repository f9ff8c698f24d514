"""The after-care app's configuration."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AftercareConfig(AppConfig):
    name = "linli.aftercare"
    label = "aftercare"
    verbose_name = _("智慧物业")

    def ready(self) -> None:
        from linli.aftercare.audit import track_aftercare
        from linli.aftercare.scoping import register_rules

        register_rules()
        track_aftercare()
