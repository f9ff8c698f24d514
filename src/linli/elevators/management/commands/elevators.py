"""``linli elevators``: upkeep of the elevator retrofit cases.

* ``linli elevators demo [--if-empty]`` builds the four demo cases in 道南路70号院 over the
  registry demo and its accounts (``linli.elevators.demo``).
"""

from __future__ import annotations

from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.core.errors import Invalid


class Command(BaseCommand):
    help = "Elevator retrofit cases (加装电梯): demo."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        demo = sub.add_parser("demo", help="build the elevator demo cases (演示加装电梯项目)")
        demo.add_argument("--if-empty", action="store_true", help="do nothing when cases exist")

    def handle(self, *args: Any, **options: Any) -> None:
        self._demo(options["if_empty"])

    def _demo(self, if_empty: bool) -> None:
        from linli.elevators.demo import build_demo

        try:
            # build_demo prints its own summary line.
            build_demo(stdout=cast(IO[str], self.stdout), if_empty=if_empty)
        except Invalid as exc:
            raise CommandError(exc.message) from exc
