"""``linli demo build|accounts``: the Xigong demo registry and the demo log-ins.

* ``linli demo build [--seed N] [--compounds N] [--if-empty | --reset]`` generates the
  deterministic demo (see ``docs/demo.md``). Without ``--reset`` it refuses to write into a
  registry that already holds data; with ``--if-empty`` it quietly does nothing then.
* ``linli demo accounts`` creates or updates the demo users with the password from
  ``settings.LINLI_DEMO_PASSWORD`` and prints their usernames.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.core.errors import Invalid
from linli.registry.demo import DEFAULT_SEED, FULL_COMPOUNDS, build, registry_is_empty


class Command(BaseCommand):
    help = "Build the Xigong demo registry, or create the demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build_parser = sub.add_parser("build", help="generate the demo registry")
        build_parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="random seed (default 410303)"
        )
        build_parser.add_argument(
            "--compounds",
            type=int,
            default=FULL_COMPOUNDS,
            help="number of compounds; smaller demos scale every target (default 537)",
        )
        mode = build_parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--if-empty", action="store_true", help="do nothing if the registry holds data"
        )
        mode.add_argument("--reset", action="store_true", help="delete every registry row first")
        sub.add_parser("accounts", help="create or update the demo users")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "accounts":
            self._accounts()
        else:
            self._build(options)

    def _build(self, options: dict[str, Any]) -> None:
        if options["if_empty"] and not registry_is_empty():
            if options["verbosity"] > 1:
                self.stdout.write("登记库已有数据,跳过 (registry holds data, skipped)")
            return
        try:
            summary = build(
                seed=options["seed"], compounds=options["compounds"], reset=options["reset"]
            )
        except Invalid as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"西工区演示数据已生成 (Xigong demo built): seed {options['seed']}\n"
                f"  小区 compounds: {summary.compounds}\n"
                f"  片区 zones: {summary.zones}\n"
                f"  已改造 renovated: {summary.renovated}\n"
                f"  已改造小区住户 households in renovated: {summary.households_renovated}\n"
                f"  已改造小区居民 people in renovated: {summary.people_renovated}\n"
                f"  房屋 dwellings: {summary.dwellings}, 业主 owners: {summary.owners}, "
                f"居民 residents: {summary.residents}\n"
                f"  用时 elapsed: {summary.seconds:.1f} s"
            )
        )

    def _accounts(self) -> None:
        # Imported here: accounts sits above registry in the import order; this command is
        # wiring, like the Makefile that runs both steps.
        from linli.accounts.demo import ensure_demo_accounts

        password = settings.LINLI_DEMO_PASSWORD
        try:
            usernames = ensure_demo_accounts(password=password)
        except Invalid as exc:
            raise CommandError(exc.message) from exc
        for username in usernames:
            self.stdout.write(username)
