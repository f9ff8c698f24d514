from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "linli.accounts"
    label = "accounts"

    def ready(self) -> None:
        from linli.accounts.scopes import resolve_scope
        from linli.core.scoping import set_resolver

        set_resolver(resolve_scope)
