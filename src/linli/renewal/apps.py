"""The renewal app: the renovation catalogue, projects, stages with gates and joint review."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RenewalConfig(AppConfig):
    name = "linli.renewal"
    label = "renewal"
    verbose_name = _("老旧小区改造")

    def ready(self) -> None:
        from linli.renewal.audit import track_renewal
        from linli.renewal.scoping import register_rules

        register_rules()
        track_renewal()
