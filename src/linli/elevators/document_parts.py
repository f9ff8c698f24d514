"""Building blocks of the elevator documents: Word pieces (python-docx: an A4 document in the
CJK font, titles, headings, label/value tables, grids filled fast, landscape sections, signature
lines, yuan with thousands separators) and the case facts every document repeats (project
header, costs and subsidy, coefficient and provident fund wording, owner names behind
``NameGate``)."""

from __future__ import annotations

import copy
import datetime
import io
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from linli.consultation.vote_reads import NameGate
from linli.core.scoping import scope_for, scoped
from linli.elevators.allocation import AREA, PRESET_LABELS
from linli.elevators.models import CaseDwelling, CaseStatus, CostPart, ElevatorCase, StopMode
from linli.registry.models import Ownership

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "Noto Sans CJK SC"
BODY_SIZE = Pt(10.5)
TABLE_SIZE = Pt(9)


def yuan(amount: Decimal) -> str:
    """'1,234,567.80': yuan with 2 decimals and thousands separators."""
    return f"{amount:,.2f}"


def number(value: Decimal) -> str:
    """A coefficient or weight without trailing zeros ('1.5', '3', '90')."""
    text = format(value.normalize(), "f")
    return text if "." not in text else text.rstrip("0").rstrip(".")


def day(value: datetime.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def new_document() -> Any:
    """An empty A4 portrait document whose text is in the CJK font (eastAsia run font)."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = BODY_SIZE
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(20))
    section.top_margin = section.bottom_margin = Mm(18)
    return doc


def landscape(doc: Any) -> None:
    """Start a new page in A4 landscape (for tables with many columns)."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)


def title(doc: Any, text: str, *, new_page: bool = False) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.page_break_before = new_page
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(16)


def heading(doc: Any, text: str) -> None:
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(8)
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(12)


def para(doc: Any, text: str, *, size: Pt | None = None, right: bool = False) -> None:
    paragraph = doc.add_paragraph()
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(text)
    if size is not None:
        run.font.size = size


def fields(doc: Any, pairs: Sequence[tuple[str, str]], *, columns: int = 1) -> None:
    """Label/value pairs in a bordered table, ``columns`` pairs per row (labels bold)."""
    rows = [pairs[i : i + columns] for i in range(0, len(pairs), columns)]
    table = doc.add_table(rows=len(rows), cols=2 * columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row, chunk in zip(table.rows, rows, strict=True):
        for i, (label, value) in enumerate(chunk):
            _write(row.cells[2 * i], label, bold=True)
            _write(row.cells[2 * i + 1], value)


def _write(cell: Any, text: str, *, bold: bool = False, right: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = TABLE_SIZE


def grid(
    doc: Any,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    numeric: Collection[int] = (),
    totals: Sequence[str] | None = None,
) -> Any:
    """A table with a bold header repeated on every page, one row per item and an optional
    bold totals row; ``numeric`` columns are right-aligned."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, (cell, label) in enumerate(zip(table.rows[0].cells, header, strict=True)):
        _write(cell, label, bold=True, right=i in numeric)
    _fill(table, rows)
    if totals is not None:
        _fill(table, [totals], bold=True)
    _repeat_header(table)
    return table


def _fill(table: Any, rows: Sequence[Sequence[str]], *, bold: bool = False) -> None:
    """Append rows as copies of the header row's XML (python-docx's ``add_row`` re-reads the
    whole table each time); the copies keep each column's alignment."""
    blank = copy.deepcopy(table.rows[0]._tr)
    for trpr in blank.findall(qn("w:trPr")):
        blank.remove(trpr)
    for paragraph in blank.iter(qn("w:p")):
        for child in list(paragraph):
            if child.tag != qn("w:pPr"):
                paragraph.remove(child)
    for values in rows:
        tr = copy.deepcopy(blank)
        for paragraph, value in zip(tr.iter(qn("w:p")), values, strict=True):
            if value:
                paragraph.append(_run(value, bold=bold))
        table._tbl.append(tr)


def _run(text: str, *, bold: bool) -> Any:
    run, props, size, node = (
        OxmlElement("w:r"),
        OxmlElement("w:rPr"),
        OxmlElement("w:sz"),
        OxmlElement("w:t"),
    )
    if bold:
        props.append(OxmlElement("w:b"))
    size.set(qn("w:val"), str(int(TABLE_SIZE.pt * 2)))
    props.append(size)
    node.text = text
    node.set(qn("xml:space"), "preserve")
    run.append(props)
    run.append(node)
    return run


def _repeat_header(table: Any) -> None:
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(flag)


def signature(doc: Any, label: str, date_label: str) -> None:
    """'业主签字：__________    日期：____年__月__日'."""
    paragraph = doc.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(18)
    paragraph.add_run(f"{label}：" + "_" * 24 + "    " + f"{date_label}：____年____月____日")


def to_bytes(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# --- Case facts every document repeats ------------------------------------------------------------


def owner_names(user: Any, case: ElevatorCase, rows: Sequence[CaseDwelling]) -> dict[int, str]:
    """Owner names per dwelling: masked (张*) unless ``user`` holds the personal-data grant
    over the compound, or the dwelling is one of the user's own (a resident's own bill)."""
    own = scope_for(user).dwelling_ids
    found: dict[int, list[str]] = {}
    ownerships = scoped(
        Ownership.objects.filter(dwelling_id__in=[row.dwelling_id for row in rows])
        .select_related("owner")
        .order_by("dwelling_id", "owner__name", "pk"),
        user,
    )
    for ownership in ownerships:
        found.setdefault(ownership.dwelling_id, []).append(ownership.owner.name)
    gate = NameGate(user)
    return {
        pk: "、".join(names) if pk in own else gate.show("、".join(names), case.compound_id)
        for pk, names in found.items()
    }


def stairwells_label(case: ElevatorCase) -> str:
    stairwells = case.stairwells.select_related("building").order_by(
        "building__number", "number", "pk"
    )
    return "、".join(
        _("%(building)s号楼%(stairwell)s单元")
        % {"building": s.building.number, "stairwell": s.number}
        for s in stairwells
    )


def coefficient_words(coefficients: Any) -> str:
    if isinstance(coefficients, str):
        return PRESET_LABELS.get(coefficients, coefficients)
    return _("按楼层自定义的分摊系数表")


def weighting_words(coefficients: Any, area_weighted: bool) -> str:
    if area_weighted or coefficients == AREA:
        return _("按专有面积加权：各户权重 = 分摊系数 × 专有面积")
    return _("不按面积加权：各户权重 = 分摊系数")


def floor_words(row: CaseDwelling) -> str:
    """The storey, and the floor for cost purposes when a half-landing stop makes it differ."""
    if row.cost_floor == row.dwelling.floor:
        return _("%(floor)s层") % {"floor": row.cost_floor}
    return _("所在%(storey)s层，计费楼层%(cost)s层（电梯停靠休息平台，按停靠位置计费）") % {
        "storey": row.dwelling.floor,
        "cost": row.cost_floor,
    }


def status_note(case: ElevatorCase) -> str:
    if case.status in (CaseStatus.DRAFT, CaseStatus.VOTING):
        return _("本方案尚未经业主表决通过，金额以最终签订的费用分摊协议为准。")
    if case.status == CaseStatus.CANCELLED:
        return _("本项目已终止，本文件仅供存档。")
    return ""


def provident_fund_words(case: ElevatorCase) -> str:
    cap = ""
    if case.provident_fund_cap is not None:
        cap = _("，且每户不超过 %(cap)s 元") % {"cap": yuan(case.provident_fund_cap)}
    return _(
        "住房公积金可提取上限仅为本户自身的建设费用分摊额%(cap)s；支付给其他业主的补偿"
        "和电梯年度运行费用（维保费、电费、检验费等）不得提取住房公积金。"
    ) % {"cap": cap}


@dataclass(frozen=True)
class Plan:
    """The case-wide facts every document repeats, read once."""

    case: ElevatorCase
    stairwells: str

    def header(self) -> list[tuple[str, str]]:
        case = self.case
        return [
            (_("小区"), case.compound.name),
            (_("项目"), case.title),
            (_("服务单元"), self.stairwells),
            (_("停靠方式"), str(StopMode(case.stop_mode).label)),
        ]

    def costs(self) -> list[tuple[str, str]]:
        case = self.case
        pairs = [(str(CostPart(part).label), yuan(value)) for part, value in case.costs().items()]
        return [
            *pairs,
            (_("总造价"), yuan(case.total_cost)),
            (_("政府补贴"), yuan(case.subsidy)),
            (_("居民分摊总额"), yuan(case.residents_total)),
        ]

    def subsidy_words(self) -> str:
        rule = self.case.subsidy_rule
        if rule is None:
            return _("本项目未适用补贴规则。")
        basis = _("（依据：%(basis)s）") % {"basis": rule.basis} if rule.basis else ""
        return _("补贴规则：%(rule)s%(basis)s，每台电梯补贴一次，补贴金额 %(amount)s 元。") % {
            "rule": str(rule),
            "basis": basis,
            "amount": yuan(self.case.subsidy),
        }


def plan_of(case: ElevatorCase) -> Plan:
    return Plan(case=case, stairwells=stairwells_label(case))


def project(doc: Any, plan: Plan) -> None:
    fields(doc, plan.header(), columns=2)


def costs_block(doc: Any, plan: Plan) -> None:
    fields(doc, plan.costs(), columns=2)
    para(doc, plan.subsidy_words())


def generated(doc: Any, plan: Plan) -> None:
    note = status_note(plan.case)
    if note:
        para(doc, note)
    para(
        doc,
        _("生成日期：%(day)s") % {"day": day(timezone.localdate())},
        size=TABLE_SIZE,
        right=True,
    )
