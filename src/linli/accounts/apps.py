from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "linli.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from linli.accounts.middleware import start_session_clocks
        from linli.accounts.scopes import register_rules, resolve_scope
        from linli.core.scoping import set_resolver

        set_resolver(resolve_scope)
        register_rules()

        from linli.accounts.audit import track_accounts

        track_accounts()
        # Django's own sign-in hook (as django-axes uses it): every login path starts the clocks.
        user_logged_in.connect(start_session_clocks, dispatch_uid="linli_session_clocks")
