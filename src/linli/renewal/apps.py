"""The renewal app: the renovation catalogue, projects, stages with gates and joint review."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def catalogue_menu() -> list[tuple[str, str]]:
    """The active catalogue items as the consultation menu (居民点单): ``(code, name)``."""
    from linli.renewal.models import CatalogueItem

    return list(CatalogueItem.objects.filter(active=True).values_list("code", "name"))


class RenewalConfig(AppConfig):
    name = "linli.renewal"
    label = "renewal"
    verbose_name = _("老旧小区改造")

    def ready(self) -> None:
        from linli.consultation.menu import register_menu_source
        from linli.renewal.audit import track_renewal
        from linli.renewal.scoping import register_rules

        register_rules()
        track_renewal()
        # Survey options stand for catalogue items: the survey builder offers them.
        register_menu_source(catalogue_menu)
