"""``linli report weekly|monthly|quarterly|annual --period P --format docx|xlsx --out FILE
[--user USERNAME]``: issue a report now (synchronously), store it as issued, write FILE.

Without ``--user`` the report is the operator's, district-wide (every project); with it, the
report holds that user's scope and is listed among that user's reports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.renewal.models import ReportFormat, ReportKind, ReportStatus
from linli.renewal.reports.services import issue_now


class Command(BaseCommand):
    help = "Issue a report (周报告/月通报/季度观摩/年度考评) as .docx or .xlsx."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ReportKind.values)
        parser.add_argument(
            "--period", required=True, help="2026-W47, 2026-11, 2026-Q4 or 2026 (by kind)"
        )
        parser.add_argument("--format", choices=ReportFormat.values, default=ReportFormat.DOCX)
        parser.add_argument("--out", required=True, type=Path, help="file to write")
        parser.add_argument("--user", help="make the report for this user's scope")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["user"]:
            try:
                user = get_user_model().objects.get_by_natural_key(options["user"])
            except get_user_model().DoesNotExist as error:
                raise CommandError(f"用户不存在 (no such user): {options['user']}") from error
        try:
            report = issue_now(
                kind=options["kind"], period=options["period"], format=options["format"], by=user
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        if report.status != ReportStatus.DONE:
            raise CommandError(f"报告生成失败 (report failed): {report.error}")
        out: Path = options["out"]
        with report.file.open("rb") as stored:
            out.write_bytes(stored.read())
        self.stdout.write(
            f"{report} #{report.pk}: {out} ({out.stat().st_size} bytes, sha256 {report.sha256})"
        )
