"""``linli registry``: import, export and template of the registry workbook.

* ``linli registry import FILE.xlsx [--dry-run]`` prints a table of what was (or would be)
  created, updated, left unchanged and removed per sheet; on errors it prints each one as
  ``sheet!CELL: 中文 (English)``, writes nothing and exits with status 1.
* ``linli registry export FILE.xlsx [--compound CODE ...] [--with-personal-data]`` writes the
  registry (or some compounds) in the same format; ID and phone numbers are masked unless
  ``--with-personal-data`` (docs/personal-data.md).
* ``linli registry template FILE.xlsx`` writes the blank template.
* ``linli registry schema`` prints the column reference of ``docs/registry-workbook.md``.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.registry.audit import record_export
from linli.registry.exporter import export_registry_workbook, write_template
from linli.registry.models import Compound
from linli.registry.services import ImportResult, import_registry_workbook
from linli.registry.workbook import OWNERSHIPS, markdown_reference

#: Field changes printed after the table (all are counted).
CHANGES_SHOWN = 20


def _width(text: str) -> int:
    """Terminal columns of ``text`` (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool = False) -> str:
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space


class Command(BaseCommand):
    help = "Import, export or write a blank template of the registry workbook (登记簿工作簿)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="import a workbook (all or nothing)")
        load.add_argument("file", help="the .xlsx workbook")
        load.add_argument(
            "--dry-run", action="store_true", help="check and show what would change, write nothing"
        )
        dump = sub.add_parser("export", help="export the registry to a workbook")
        dump.add_argument("file", help="the .xlsx file to write")
        dump.add_argument(
            "--compound",
            action="extend",
            nargs="+",
            default=[],
            metavar="CODE",
            help="only these compounds (by 小区编码)",
        )
        dump.add_argument(
            "--with-personal-data",
            action="store_true",
            help="write ID and phone numbers in full (default: masked)",
        )
        blank = sub.add_parser("template", help="write the blank template")
        blank.add_argument("file", help="the .xlsx file to write")
        sub.add_parser("schema", help="print the column reference (Markdown)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "import":
            self._import(Path(options["file"]), dry_run=options["dry_run"])
        elif action == "export":
            self._export(
                Path(options["file"]),
                options["compound"],
                include_personal_data=options["with_personal_data"],
            )
        elif action == "template":
            write_template(options["file"])
            self.stdout.write(f"已写入空白模板 (blank template written): {options['file']}")
        else:
            self.stdout.write(markdown_reference(), ending="")

    def _import(self, path: Path, *, dry_run: bool) -> None:
        if not path.is_file():
            raise CommandError(f"文件不存在 (no such file): {path}")
        result = import_registry_workbook(path=path, dry_run=dry_run)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error.format())
            if result.hidden_error_count:
                self.stderr.write(
                    f"另有 {result.hidden_error_count} 个错误未列出 "
                    f"({result.hidden_error_count} more errors not listed)"
                )
            raise CommandError(
                f"导入失败:共 {result.error_count} 个错误,数据库未作修改 "
                f"(import failed: {result.error_count} errors, nothing was written)",
                returncode=1,
            )
        self._print_summary(result)
        if dry_run:
            self.stdout.write("试运行,未写入数据库 (dry run: nothing was written)")
        else:
            self.stdout.write(self.style.SUCCESS("导入完成 (import complete)"))

    def _print_summary(self, result: ImportResult) -> None:
        heads = ["工作表 Sheet", "新增 Created", "更新 Updated", "未变 Unchanged", "移除 Removed"]
        widths = [max(_width(h), 8) for h in heads]
        self.stdout.write("  ".join(_pad(h, w) for h, w in zip(heads, widths, strict=True)))
        for name, counts in result.summary.items():
            cells = [name, counts.created, counts.updated, counts.unchanged, counts.removed]
            self.stdout.write(
                "  ".join(
                    _pad(str(c), w, right=i > 0)
                    for i, (c, w) in enumerate(zip(cells, widths, strict=True))
                )
            )
        owners = result.summary.get(OWNERSHIPS.name)
        if owners is not None:
            self.stdout.write(
                f"业主信息 (owner records): 新增 created {owners.owners_created}, "
                f"更新 updated {owners.owners_updated}"
            )
        for change in result.changes[:CHANGES_SHOWN]:
            self.stdout.write(f"  {change.format()}")
        more = result.change_count - min(len(result.changes), CHANGES_SHOWN)
        if more > 0:
            self.stdout.write(f"  … 另有 {more} 处修改 ({more} more changes)")

    def _export(self, path: Path, codes: list[str], *, include_personal_data: bool) -> None:
        compounds = None
        if codes:
            compounds = Compound.objects.filter(code__in=codes)
            missing = sorted(set(codes) - set(compounds.values_list("code", flat=True)))
            if missing:
                raise CommandError(
                    f"小区编码不存在 (no such compound): {', '.join(missing)}", returncode=1
                )
        dwellings = export_registry_workbook(
            path, compounds=compounds, include_personal_data=include_personal_data
        )
        record_export(
            compounds=compounds if compounds is not None else Compound.objects.all(),
            include_personal_data=include_personal_data,
        )
        self.stdout.write(f"已导出 {dwellings} 套房屋 (exported {dwellings} dwellings): {path}")
        if include_personal_data:
            self.stdout.write(
                "文件含完整身份证号和手机号,请妥善保管 "
                "(the file holds full ID and phone numbers: keep it safe)"
            )
