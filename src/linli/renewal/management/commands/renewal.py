"""``linli renewal``: maintenance of the renovation catalogue and joint-review rules.

* ``linli renewal seed-catalogue`` adds the seeded catalogue items, indicators and tags that
  are missing (the migration already did this once; edited rows are left alone).
* ``linli renewal seed-review-rules [--workdays N]`` adds the default joint-review rules for
  the departments and utilities that exist (run it after ``linli demo build``, or after
  entering the organisations); it prints which departments it found and which are missing.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from linli.renewal.seed import seed_catalogue, seed_review_rules


class Command(BaseCommand):
    help = "Seed the renovation catalogue and the default joint-review rules (改造内容与联审规则)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("seed-catalogue", help="add missing catalogue items, indicators and tags")
        rules = sub.add_parser("seed-review-rules", help="add default joint-review rules")
        rules.add_argument(
            "--workdays", type=int, default=5, help="time limit of new rules (working days)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            if options["action"] == "seed-catalogue":
                counts = seed_catalogue(apps)
                self.stdout.write(
                    "新增 (created): 产出指标 indicators {indicators}, 标签 tags {tags}, "
                    "改造内容 items {items}".format(**counts)
                )
                return
            result = seed_review_rules(apps, workdays=options["workdays"])
        for key, name in sorted((result.found or {}).items()):
            self.stdout.write(f"  {key}: {name}")
        for key in result.missing or []:
            self.stdout.write(f"  {key}: 未找到 (not found)")
        self.stdout.write(f"新增联审规则 (review rules created): {result.created}")
