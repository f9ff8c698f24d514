"""Records kept along a case: consent documents and the yearly running costs."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.core.files import File
from django.db import transaction

from linli.core.errors import Invalid
from linli.elevators import allocation
from linli.elevators.models import (
    CaseStatus,
    ConsentDocument,
    DocumentKind,
    ElevatorCase,
    RunningCostYear,
)
from linli.elevators.selectors import running_statement
from linli.registry.models import Dwelling
from linli.registry.scoping import require_in_compound

#: Documents larger than this are refused (scans of signed pages, PDFs of designs).
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024


def _sha256(file: File) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def add_document(
    case: ElevatorCase,
    *,
    by: Any,
    kind: str,
    title: str,
    file: File,
    dwelling: Dwelling | None = None,
) -> ConsentDocument:
    """Attach a consent letter, the signed agreement or another document to the case."""
    require_in_compound(
        by,
        "elevators.add_consentdocument",
        case.compound_id,
        f"您无权为加装电梯项目“{case}”上传文件",
        f"you may not add documents to the elevator case {case.title!r}",
    )
    if kind not in DocumentKind.values:
        raise Invalid(f"文件类型“{kind}”无效", f"unknown document kind {kind!r}", "kind")
    title = (title or "").strip() or str(DocumentKind(kind).label)
    if file is None or not getattr(file, "size", 0):
        raise Invalid("请选择要上传的文件", "choose a file to upload", "file")
    if file.size > MAX_DOCUMENT_BYTES:
        raise Invalid("文件不能超过20MB", "the file may be at most 20 MB", "file")
    if dwelling is not None and not case.pool.filter(dwelling=dwelling).exists():
        raise Invalid(
            f"房屋 {dwelling} 不在本项目的单元内",
            f"dwelling {dwelling} is not in the case's stairwells",
            "dwelling",
        )
    with transaction.atomic():
        document = ConsentDocument(
            case=case,
            dwelling=dwelling,
            kind=kind,
            title=title[:128],
            sha256=_sha256(file),
            uploaded_by=by if by is not None and by.is_authenticated else None,
        )
        document.file.save(getattr(file, "name", "document") or "document", file, save=False)
        document.full_clean()
        document.save()
        return document


def set_running_costs(
    case: ElevatorCase,
    *,
    by: Any,
    year: int,
    costs: Mapping[str, Any],
    coefficients: Any = None,
    area_weighted: bool | None = None,
) -> RunningCostYear:
    """Record (or correct) a year's running costs: ``costs`` holds ``maintenance``,
    ``electricity``, ``inspection`` and ``other``. ``coefficients`` None keeps the
    construction table; the year's statement is checked at once."""
    require_in_compound(
        by,
        "elevators.add_runningcostyear",
        case.compound_id,
        f"您无权登记加装电梯项目“{case}”的运行费用",
        f"you may not record running costs of the elevator case {case.title!r}",
    )
    if case.status not in (CaseStatus.AGREED, CaseStatus.BUILDING, CaseStatus.ACCEPTED):
        raise Invalid(
            "达成协议后才能登记运行费用",
            "running costs are recorded once the owners have agreed",
            "status",
        )
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise Invalid(f"年度无效:{year!r}", f"invalid year {year!r}", "year")
    labels = {f.name: str(f.verbose_name) for f in RunningCostYear._meta.fields}
    unknown = set(costs) - {"maintenance", "electricity", "inspection", "other"}
    if unknown:
        raise Invalid(
            f"未知的运行费用项:{'、'.join(sorted(unknown))}",
            f"unknown running cost parts: {', '.join(sorted(unknown))}",
            "costs",
        )
    with transaction.atomic():
        row = RunningCostYear.objects.filter(case=case, year=year).first() or RunningCostYear(
            case=case, year=year
        )
        for part, value in costs.items():
            setattr(row, part, allocation.to_money(value, field_zh=labels[part], field_en=part))
        if coefficients is not None:
            preset, table = allocation.coefficient_table(coefficients)
            row.coefficients = preset or {str(k): str(v) for k, v in sorted(table.items())}
        else:
            row.coefficients = None
        row.area_weighted = area_weighted
        row.full_clean()
        row.save()
        running_statement(row)
        return row
