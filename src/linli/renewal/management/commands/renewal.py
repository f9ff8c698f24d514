"""``linli renewal``: maintenance of the renovation catalogue and joint-review rules.

* ``linli renewal seed-catalogue`` adds the seeded catalogue items, indicators and tags that
  are missing (the migration already did this once; edited rows are left alone).
* ``linli renewal seed-review-rules [--workdays N]`` adds the default joint-review rules for
  the departments and utilities that exist (run it after ``linli demo build``, or after
  entering the organisations); it prints which departments it found and which are missing.
* ``linli renewal demo [--seed N] [--as-of YYYY-MM-DD] [--if-empty | --reset]`` builds the
  demo renovation projects over the registry demo (see ``docs/demo.md``).
* ``linli renewal supervise [--date YYYY-MM-DD]`` runs the supervision check (督办: lights and
  supervision items) now, as the daily Celery beat job does; ``--date`` checks as of that day.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from linli.core.errors import Invalid
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
        demo = sub.add_parser("demo", help="build the demo renovation projects (演示改造项目)")
        demo.add_argument("--seed", type=int, default=None, help="random seed (default 410303)")
        demo.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            default=None,
            help="the day the demo stands on (YYYY-MM-DD; default today)",
        )
        demo_mode = demo.add_mutually_exclusive_group()
        demo_mode.add_argument(
            "--if-empty", action="store_true", help="do nothing when projects exist"
        )
        demo_mode.add_argument(
            "--reset", action="store_true", help="delete every renovation project first"
        )
        supervise = sub.add_parser("supervise", help="run the supervision check (督办检查)")
        supervise.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="check as of this day (YYYY-MM-DD; default today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "demo":
            self._demo(options)
            return
        if options["action"] == "supervise":
            from linli.renewal.services.supervision import run_supervision_check

            self.stdout.write(
                f"督办检查 (supervision check) {run_supervision_check(today=options['date'])}"
            )
            return
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

    def _demo(self, options: dict[str, Any]) -> None:
        from linli.renewal import demo

        if options["if_empty"] and demo.projects_exist():
            self.stdout.write("已有改造项目,跳过 (projects exist; nothing to do)")
            return
        try:
            summary = demo.build(
                seed=options["seed"] if options["seed"] is not None else demo.DEFAULT_SEED,
                as_of=options["as_of"],
                reset=options["reset"],
            )
        except Invalid as exc:
            raise CommandError(exc.message) from exc
        stages = ", ".join(f"{k} {v}" for k, v in summary.by_stage.items())
        self.stdout.write(
            f"演示改造项目 (demo projects): {summary.projects} ({stages}); "
            f"组团连片 clustered {summary.clustered}; "
            f"已移交小区 compounds handed over {summary.handed_over_compounds}; "
            f"{summary.seconds:.1f} s"
        )
