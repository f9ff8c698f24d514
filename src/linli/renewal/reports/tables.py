"""The JSON shape of a report's figures, shared by the builders and the renderers.

``figures = {"kind", "title", "period", "period_start", "period_end", "scope", "generated_on",
"indicators": {...}, "sections": [section]}``; a section is ``{"heading", "paragraphs": [str],
"tables": [table], "charts": [chart]}``; a table is ``{"title", "sheet", "columns": [[label,
type]], "rows": [[cell]]}`` with type ``text``, ``int`` or ``number`` (a Decimal written as a
string, so nothing is lost in JSON); a chart is ``{"title", "labels": [str], "series":
[{"name", "values": [number string]}], "unit"}``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["chart", "money", "pct", "section", "table"]

TEXT, INT, NUMBER = "text", "int", "number"


def pct(rate: Decimal | None) -> str | None:
    """A 0–1 share as a percentage string with 2 places (``0.6667`` → ``"66.67"``)."""
    if rate is None:
        return None
    return str((rate * 100).quantize(Decimal("0.01"), ROUND_HALF_UP))


def money(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01")))


def table(
    title: str, sheet: str, columns: list[tuple[str, str]], rows: list[list[Any]]
) -> dict[str, Any]:
    """A table; ``sheet`` names its Excel sheet (at most 31 characters, unique per report)."""
    return {
        "title": title,
        "sheet": sheet[:31],
        "columns": [list(c) for c in columns],
        "rows": rows,
    }


def chart(
    title: str, labels: list[str], series: list[tuple[str, list[Any]]], unit: str = ""
) -> dict[str, Any]:
    return {
        "title": title,
        "labels": labels,
        "series": [
            {"name": n, "values": [None if v is None else str(v) for v in vs]} for n, vs in series
        ],
        "unit": unit,
    }


def section(
    heading: str,
    *,
    paragraphs: list[str] | None = None,
    tables: list[dict[str, Any]] | None = None,
    charts: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "heading": heading,
        "paragraphs": paragraphs or [],
        "tables": tables or [],
        "charts": charts or [],
    }
