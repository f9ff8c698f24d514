from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "linli.registry"
    label = "registry"

    def ready(self) -> None:
        from linli.registry.audit import track_registry
        from linli.registry.scoping import register_rules

        register_rules()
        track_registry()
