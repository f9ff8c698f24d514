"""Renderers: a report's figures (tables.py) to Word (python-docx: title, period, scope,
headings, tables, charts as PNG pictures) or Excel (openpyxl: a summary sheet and one sheet
per table, numbers as numbers, bold headers, frozen header row). Both only read the figures,
so a stored report can be rendered again from its figures exactly as it was issued."""

from __future__ import annotations

import copy
import io
from decimal import Decimal
from typing import Any

from linli.renewal.reports.charts import bar_chart_png
from linli.renewal.reports.tables import INT, NUMBER

__all__ = ["RENDERERS", "cell_value", "render", "render_docx", "render_xlsx"]

CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def cell_value(value: Any, kind: str) -> Any:
    """A figure cell as Excel takes it: numbers as int / Decimal, empty as None."""
    if value is None or value == "":
        return None
    if kind == INT:
        return int(value)
    if kind == NUMBER:
        return Decimal(str(value))
    return str(value)


def _cell_text(value: Any) -> str:
    return "" if value is None else str(value)


def _header_lines(figures: dict[str, Any]) -> list[str]:
    return [
        f"期间:{figures['period']}({figures['period_start']} 至 {figures['period_end']})",
        f"范围:{figures['scope']}",
        f"生成日期:{figures['generated_on']}",
    ]


def _tables(figures: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for s in figures["sections"] for t in s["tables"]]


def _fill_rows(grid: Any, rows: list[list[Any]]) -> None:
    """Append ``rows`` to a Word table. python-docx's ``add_row`` re-reads the whole table
    each time (quadratic: minutes for a district's green list), so each row is a copy of an
    empty row's XML with the text put in its paragraphs."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    blank = copy.deepcopy(grid.rows[0]._tr)
    for paragraph in blank.iter(qn("w:p")):
        for child in list(paragraph):
            if child.tag != qn("w:pPr"):
                paragraph.remove(child)
    table_xml = grid._tbl
    for row in rows:
        tr = copy.deepcopy(blank)
        for paragraph, value in zip(tr.iter(qn("w:p")), row, strict=True):
            text = _cell_text(value)
            if text:
                run, node = OxmlElement("w:r"), OxmlElement("w:t")
                node.text = text
                node.set(qn("xml:space"), "preserve")
                run.append(node)
                paragraph.append(run)
        table_xml.append(tr)


def _repeat_header(grid: Any) -> None:
    """Repeat the header row on every page a long table runs over."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    grid.rows[0]._tr.get_or_add_trPr().append(flag)


def render_docx(figures: dict[str, Any]) -> bytes:
    """The report as a Word document."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Noto Sans CJK SC"
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Sans CJK SC")
    doc.add_heading(figures["title"], level=0)
    for line in _header_lines(figures):
        doc.add_paragraph(line)
    for sec in figures["sections"]:
        doc.add_heading(sec["heading"], level=1)
        for text in sec["paragraphs"]:
            doc.add_paragraph(text)
        for spec in sec["tables"]:
            doc.add_heading(spec["title"], level=2)
            columns = spec["columns"]
            grid = doc.add_table(rows=1, cols=len(columns))
            grid.style = "Table Grid"
            for cell, (label, _kind) in zip(grid.rows[0].cells, columns, strict=True):
                cell.text = label
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            _fill_rows(grid, spec["rows"])
            _repeat_header(grid)
            if not spec["rows"]:
                doc.add_paragraph("(无)")
        for spec in sec["charts"]:
            if spec["labels"]:
                doc.add_picture(io.BytesIO(bar_chart_png(spec)), width=Cm(16))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render_xlsx(figures: dict[str, Any]) -> bytes:
    """The report as an Excel workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()
    summary = book.active
    assert summary is not None  # a new workbook has its first sheet
    summary.title = "概况"
    summary.append([figures["title"]])
    summary["A1"].font = Font(bold=True, size=14)
    for line in _header_lines(figures):
        summary.append([line])
    for sec in figures["sections"]:
        summary.append([sec["heading"]])
        summary.cell(row=summary.max_row, column=1).font = bold
        for text in sec["paragraphs"]:
            summary.append([text])
    summary.column_dimensions["A"].width = 80
    for spec in _tables(figures):
        sheet = book.create_sheet(spec["sheet"])
        kinds = [kind for _label, kind in spec["columns"]]
        sheet.append([label for label, _kind in spec["columns"]])
        for cell in sheet[1]:
            cell.font = bold
        for row in spec["rows"]:
            sheet.append([cell_value(v, k) for v, k in zip(row, kinds, strict=True)])
        for n, kind in enumerate(kinds, start=1):
            if kind == NUMBER:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=n, max_col=n):
                    cell.number_format = "#,##0.00"
            letter = sheet.cell(row=1, column=n).column_letter
            sheet.column_dimensions[letter].width = 14 if kind != "text" else 24
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


RENDERERS = {"docx": render_docx, "xlsx": render_xlsx}


def render(figures: dict[str, Any], fmt: str) -> bytes:
    """The report file of ``figures`` in ``fmt`` (``docx`` or ``xlsx``)."""
    return RENDERERS[fmt](figures)
