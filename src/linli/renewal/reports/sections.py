"""The parts the four reports share: the indicator table, progress and light charts, the
rankings of sub-districts and zones, and the red / yellow / green lists."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from linli.renewal.indicators import Indicators
from linli.renewal.models import Unit
from linli.renewal.reports import scoring
from linli.renewal.reports.data import ProjectInfo, Snapshot
from linli.renewal.reports.tables import INT, NUMBER, TEXT, chart, money, pct, table
from linli.renewal.supervision import Light

LIGHT_NAMES = {Light.RED: "红灯", Light.YELLOW: "黄灯", Light.GREEN: "绿灯"}
STAGE_NAMES = {
    "application": "申报",
    "design": "设计",
    "decision": "居民决策",
    "joint_review": "联审联批",
    "tender": "招标",
    "works": "开工建设",
    "completed": "完工",
    "acceptance": "联合验收",
    "handed_over": "移交管护",
}


def indicator_table(title: str, sheet: str, ind: Indicators, snap: Snapshot) -> dict[str, Any]:
    """The headline indicators and every output indicator, one row each (rates in %)."""
    rows: list[list[Any]] = [
        ["计划改造项目数", str(ind.projects_planned), "个"],
        ["计划改造小区数", str(ind.compounds_planned), "个"],
        ["已开工小区数", str(ind.compounds_started), "个"],
        ["已完工小区数", str(ind.compounds_completed), "个"],
        ["开工率", pct(ind.start_rate), "%"],
        ["完工率", pct(ind.completion_rate), "%"],
        ["本期开工小区数", str(ind.compounds_started_in_period), "个"],
        ["本期完工小区数", str(ind.compounds_completed_in_period), "个"],
        ["受益户数", str(ind.households_benefited), "户"],
        ["受益人数", str(ind.people_benefited), "人"],
        ["计划投资", money(ind.planned_investment), "元"],
        ["已拨付投资", money(ind.disbursed_investment), "元"],
        ["投资完成率", pct(ind.investment_completion), "%"],
    ]
    for code, value in ind.outputs.items():
        name, unit = snap.indicator_names.get(code, (code, ""))
        rows.append([name, str(value), str(Unit(unit).label) if unit in Unit.values else unit])
    return table(title, sheet, [("指标", TEXT), ("数值", NUMBER), ("单位", TEXT)], rows)


def progress_chart(ind: Indicators, title: str) -> dict[str, Any]:
    """Compounds planned, started and completed."""
    return chart(
        title,
        ["计划", "已开工", "已完工"],
        [("小区数", [ind.compounds_planned, ind.compounds_started, ind.compounds_completed])],
        "个",
    )


def area_facts(snap: Snapshot, infos: list[ProjectInfo]) -> scoring.AreaFacts:
    """What the area scores need of ``infos`` (one sub-district's or zone's projects)."""
    ind = snap.indicators(infos)
    satisfactions = [i.satisfaction for i in infos if i.satisfaction is not None]
    mean = sum(satisfactions, Decimal(0)) / len(satisfactions) if satisfactions else None
    return scoring.AreaFacts(
        start_rate=ind.start_rate,
        completion_rate=ind.completion_rate,
        investment_completion=ind.investment_completion,
        projects=len(infos),
        green=sum(1 for i in infos if i.light == Light.GREEN),
        yellow=sum(1 for i in infos if i.light == Light.YELLOW),
        red=sum(1 for i in infos if i.light == Light.RED),
        satisfaction=mean,
    )


def areas(snap: Snapshot) -> list[tuple[str, str, list[ProjectInfo]]]:
    """(level, name, projects) of every sub-district and zone the user's projects touch."""
    areas = [("街道", name, snap.in_subdistrict(pk)) for pk, name in snap.subdistricts().items()]
    areas += [("片区", name, snap.in_zone(pk)) for pk, name in snap.zones().items()]
    return areas


def ranking(
    snap: Snapshot,
    level: str,
    score: Callable[[scoring.AreaFacts], Decimal],
    title: str,
    sheet: str,
    annual: bool,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ranking of the sub-districts (``level`` 街道) or zones (片区) by ``score``, as a
    table and a chart; ``annual`` adds the satisfaction and supervision columns."""
    entries = [(name, area_facts(snap, infos)) for lv, name, infos in areas(snap) if lv == level]
    ranked = scoring.rank(entries, lambda e: score(e[1]), lambda e: e[0])
    columns = [
        ("名次", INT),
        (level, TEXT),
        ("项目数", INT),
        ("开工率(%)", NUMBER),
        ("完工率(%)", NUMBER),
        ("投资完成率(%)", NUMBER),
    ]
    columns += (
        [("平均满意度(%)", NUMBER), ("红灯项目", INT), ("黄灯项目", INT), ("督办得分", NUMBER)]
        if annual
        else [("绿灯项目占比(%)", NUMBER)]
    )
    columns.append(("得分", NUMBER))
    rows = []
    for place, (name, f) in ranked:
        row: list[Any] = [
            place,
            name,
            f.projects,
            pct(f.start_rate),
            pct(f.completion_rate),
            pct(f.investment_completion),
        ]
        if annual:
            satisfaction = (
                None if f.satisfaction is None else str(f.satisfaction.quantize(Decimal("0.01")))
            )
            row += [satisfaction, f.red, f.yellow, str(scoring.supervision_points(f))]
        else:
            row.append(pct(scoring.green_share(f)))
        row.append(str(score(f)))
        rows.append(row)
    names = [name for _, (name, _) in ranked]
    scores = [score(f) for _, (_, f) in ranked]
    return table(title, sheet, columns, rows), chart(title, names, [("得分", scores)], "分")


def supervision_lists(snap: Snapshot) -> list[dict[str, Any]]:
    """The red, yellow and green lists: each project with each of its open items."""
    tables = []
    for light in (Light.RED, Light.YELLOW, Light.GREEN):
        rows: list[list[Any]] = []
        for info in snap.projects:
            if info.light != light:
                continue
            base = [
                info.code,
                info.name,
                info.zone_name,
                STAGE_NAMES.get(info.row.stage, ""),
                info.light_reason,
            ]
            if not info.open_items:
                rows.append([*base, "", "", "", None])
            for item in info.open_items:
                rows.append(
                    [
                        *base,
                        item.description,
                        item.level_label,
                        item.assignee,
                        item.due_on.isoformat(),
                    ]
                )
        tables.append(
            table(
                f"{LIGHT_NAMES[light]}项目",
                f"{LIGHT_NAMES[light]}项目",
                [
                    ("项目编号", TEXT),
                    ("项目名称", TEXT),
                    ("片区", TEXT),
                    ("阶段", TEXT),
                    ("督办原因", TEXT),
                    ("督办事项", TEXT),
                    ("责任层级", TEXT),
                    ("责任人", TEXT),
                    ("应完成日期", TEXT),
                ],
                rows,
            )
        )
    return tables


def light_chart(snap: Snapshot) -> dict[str, Any]:
    """Projects per light."""
    counts = [sum(1 for i in snap.projects if i.light == light) for light in Light]
    return chart(
        "项目督办状态", [LIGHT_NAMES[light] for light in Light], [("项目数", counts)], "个"
    )
