"""``linli aftercare``: upkeep of the compounds' assets.

* ``linli aftercare overdue [--date YYYY-MM-DD] [--compound CODE]`` lists the schedules overdue
  on that day (default: today in Asia/Shanghai), most overdue first, with Chinese column heads.
  It only reports: the exit status is 0 whether or not anything is overdue.
"""

from __future__ import annotations

import argparse
import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(
            f"日期“{text}”无法识别,请用 YYYY-MM-DD 格式 (cannot read {text!r}; use YYYY-MM-DD)"
        ) from exc


#: Column heads of the overdue list.
HEADS = ("小区", "设施设备", "位置", "使用单位", "计划", "下次到期", "逾期天数")


class Command(BaseCommand):
    help = "After-care upkeep (设施维保): list the overdue maintenance and inspection schedules."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        overdue = sub.add_parser("overdue", help="list overdue schedules (逾期维保计划)")
        overdue.add_argument(
            "--date",
            type=_day,
            default=None,
            help="as of this day (YYYY-MM-DD; default today in Asia/Shanghai)",
        )
        overdue.add_argument("--compound", default=None, help="only this compound (its code)")

    def handle(self, *args: Any, **options: Any) -> None:
        self._overdue(options["date"], options["compound"])

    def _overdue(self, day: datetime.date | None, compound_code: str | None) -> None:
        from linli.aftercare.models import Schedule
        from linli.aftercare.selectors import local_today
        from linli.registry.models import Compound

        today = day or local_today()
        schedules = Schedule.objects.overdue(today).select_related("asset__compound")
        if compound_code:
            compound = Compound.objects.filter(code=compound_code).first()
            if compound is None:
                raise CommandError(
                    f"没有编号为 {compound_code} 的小区 (no compound with code {compound_code})"
                )
            schedules = schedules.filter(asset__compound=compound)
        rows = [
            (
                s.asset.compound.name,
                s.asset.name,
                s.asset.location or "—",
                s.asset.responsible_unit,
                str(s.get_kind_display()),
                s.next_due_on.isoformat(),
                str(s.days_overdue(today)),
            )
            for s in schedules.order_by("next_due_on", "asset__compound__name", "pk")
        ]
        if not rows:
            self.stdout.write(
                f"{today.isoformat()} 无逾期维保计划 (no schedule overdue on {today.isoformat()})"
            )
            return
        self.stdout.write("\t".join(HEADS))
        for row in rows:
            self.stdout.write("\t".join(row))
        self.stdout.write(
            f"共 {len(rows)} 项逾期(截至 {today.isoformat()})"
            f" ({len(rows)} schedules overdue on {today.isoformat()})"
        )
