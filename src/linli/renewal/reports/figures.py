"""Figures of the four reports, as plain JSON-able dicts (tables.py describes the shape).

Each builder reads one :class:`~linli.renewal.reports.data.Snapshot` of the user's projects
(plus, for the weekly report, four counts), so the query count does not grow with the number
of projects. Reports are issued in Chinese, the programme's working language.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from linli.renewal.indicators import Indicators
from linli.renewal.models import (
    ProgressProblem,
    ProgressReport,
    Review,
)
from linli.renewal.models.reports import ReportKind
from linli.renewal.reports import scoring, sections
from linli.renewal.reports.data import ProjectInfo, Snapshot, load, visible_projects
from linli.renewal.reports.periods import Period
from linli.renewal.reports.tables import INT, NUMBER, TEXT, chart, section, table
from linli.renewal.supervision import Light

__all__ = ["BUILDERS", "build_figures", "indicators_json"]

TITLES = {
    ReportKind.WEEKLY: "老旧小区改造工作周报告",
    ReportKind.MONTHLY: "老旧小区改造工作月通报",
    ReportKind.QUARTERLY: "老旧小区改造季度观摩项目名单",
    ReportKind.ANNUAL: "老旧小区改造年度考评",
}
TOUR_LIST_LENGTH = 10

#: What a builder returns: the sections, the headline indicators and the snapshot read.
Built = tuple[list[dict[str, Any]], Indicators, Snapshot]


def indicators_json(ind: Indicators) -> dict[str, Any]:
    """The indicators as JSON (Decimals as strings, rates as 0–1 shares with 4 places)."""
    out: dict[str, Any] = {}
    for name, value in vars(ind).items():
        if isinstance(value, datetime.date):
            out[name] = value.isoformat()
        elif isinstance(value, Decimal):
            out[name] = str(value)
        elif isinstance(value, dict):
            out[name] = {k: str(v) for k, v in value.items()}
        else:
            out[name] = value
    return out


# --- the four reports ------------------------------------------------------------------------


def weekly(user: Any, period: Period) -> Built:
    """This week's works started and completed, progress reports, problems, overdue
    sign-offs, and the year-to-date indicators."""
    from linli.renewal.indicators import _started_on

    year_start = datetime.date(period.end.year, 1, 1)
    snap = load(user, period_start=year_start, period_end=period.end)
    ids = visible_projects(user).values("pk")
    reports = ProgressReport.objects.filter(
        project__in=ids, reported_on__range=(period.start, period.end)
    ).count()
    raised = ProgressProblem.objects.filter(
        project__in=ids, raised_on__range=(period.start, period.end)
    ).count()
    resolved = ProgressProblem.objects.filter(
        project__in=ids, resolved_on__range=(period.start, period.end)
    ).count()
    overdue = list(
        Review.objects.overdue(period.end)
        .current()
        .filter(project__in=ids)
        .select_related("project", "department")
        .order_by("due_on", "pk")
    )

    def within(day: datetime.date | None) -> bool:
        return day is not None and period.start <= day <= period.end

    started = [i for i in snap.projects if within(_started_on(i.row))]
    completed = [i for i in snap.projects if within(i.row.completed_on)]
    summary = table(
        "本周工作量",
        "本周",
        [("事项", TEXT), ("数量", INT)],
        [
            ["本周开工项目", len(started)],
            ["本周完工项目", len(completed)],
            ["收到进度报告", reports],
            ["新发现问题", raised],
            ["已解决问题", resolved],
            ["联审联批超期", len(overdue)],
        ],
    )
    project_columns = [("项目编号", TEXT), ("项目名称", TEXT), ("片区", TEXT), ("日期", TEXT)]

    def listing(
        title: str, sheet: str, infos: list[ProjectInfo], day: Callable[[ProjectInfo], Any]
    ) -> dict[str, Any]:
        return table(
            title,
            sheet,
            project_columns,
            [[i.code, i.name, i.zone_name, str(day(i))] for i in infos],
        )

    overdue_table = table(
        "联审联批超期",
        "联审超期",
        [
            ("项目编号", TEXT),
            ("项目名称", TEXT),
            ("审批部门", TEXT),
            ("应完成日期", TEXT),
            ("超期天数", INT),
        ],
        [
            [
                r.project.code,
                r.project.name,
                str(r.department),
                r.due_on.isoformat(),
                (period.end - r.due_on).days,
            ]
            for r in overdue
        ],
    )
    ytd = snap.indicators()
    return (
        [
            section("一、本周工作量", tables=[summary]),
            section(
                "二、本周开工与完工项目",
                tables=[
                    listing("本周开工项目", "本周开工", started, lambda i: _started_on(i.row)),
                    listing("本周完工项目", "本周完工", completed, lambda i: i.row.completed_on),
                ],
            ),
            section("三、联审联批超期", tables=[overdue_table]),
            section(
                f"四、年度累计指标({year_start.isoformat()} 至 {period.end.isoformat()})",
                tables=[sections.indicator_table("年度累计指标", "年度累计指标", ytd, snap)],
                charts=[sections.progress_chart(ytd, "年度累计改造进度")],
            ),
        ],
        ytd,
        snap,
    )


def monthly(user: Any, period: Period) -> Built:
    """The month's indicators, rankings of sub-districts and zones, red/yellow/green lists."""
    snap = load(user, period_start=period.start, period_end=period.end)
    ind = snap.indicators()
    by_sub, sub_chart = sections.ranking(
        snap, "街道", scoring.monthly_score, "街道排名", "街道排名", False
    )
    by_zone, zone_chart = sections.ranking(
        snap, "片区", scoring.monthly_score, "片区排名", "片区排名", False
    )
    formula = (
        "排名得分 = 开工率 × 40 + 完工率 × 30 + 投资完成率 × 20 + 绿灯项目占比 × 10(满分 100;"
        "无法计算的比率计 0 分)。"
    )
    return (
        [
            section(
                "一、本月主要指标",
                tables=[sections.indicator_table("本月指标", "指标", ind, snap)],
                charts=[sections.progress_chart(ind, "改造进度")],
            ),
            section(
                "二、街道、片区排名",
                paragraphs=[formula],
                tables=[by_sub, by_zone],
                charts=[sub_chart, zone_chart],
            ),
            section(
                "三、红黄绿灯项目及督办事项",
                paragraphs=["督办状态与督办事项取自每日督办检查的结果。"],
                tables=sections.supervision_lists(snap),
                charts=[sections.light_chart(snap)],
            ),
        ],
        ind,
        snap,
    )


def quarterly(user: Any, period: Period) -> Built:
    """The best projects to tour, by the documented site-tour score."""
    snap = load(user, period_start=period.start, period_end=period.end)
    scored = []
    for info in snap.projects:
        facts = scoring.ProjectFacts(
            stage=info.row.stage,
            progress=info.progress,
            light=info.light,
            satisfaction=info.satisfaction,
            open_items=len(info.open_items),
            open_problems=info.open_problems,
        )
        value = scoring.tour_score(facts)
        if value is not None:
            scored.append((info, value))
    ranked = scoring.rank(scored, lambda e: e[1], lambda e: e[0].code)[:TOUR_LIST_LENGTH]
    rows = [
        [
            place,
            info.code,
            info.name,
            info.zone_name,
            sections.STAGE_NAMES.get(info.row.stage, ""),
            str(info.progress),
            sections.LIGHT_NAMES.get(Light(info.light), ""),
            None if info.satisfaction is None else str(info.satisfaction),
            len(info.open_items) + info.open_problems,
            str(value),
        ]
        for place, (info, value) in ranked
    ]
    tour = table(
        "观摩项目名单",
        "观摩名单",
        [
            ("名次", INT),
            ("项目编号", TEXT),
            ("项目名称", TEXT),
            ("片区", TEXT),
            ("阶段", TEXT),
            ("工程进度(%)", NUMBER),
            ("督办状态", TEXT),
            ("验收满意度(%)", NUMBER),
            ("未办结事项", INT),
            ("得分", NUMBER),
        ],
        rows,
    )
    formula = (
        "观摩得分 = 施工 30(已完工计满分,施工中按进度)+ 进度 30(绿灯 30、黄灯 15、红灯 0)"
        "+ 满意度 25(最近一次联合验收满意度,未验收按 80% 计)+ 无未办结督办事项及问题 15。"
        f"仅开工建设及以后阶段的项目参评,取前 {TOUR_LIST_LENGTH} 名。"
    )
    ind = snap.indicators()
    return (
        [
            section(
                "一、观摩项目名单",
                paragraphs=[formula],
                tables=[tour],
                charts=[
                    chart(
                        "观摩项目得分",
                        [str(r[1]) for r in rows],
                        [("得分", [r[-1] for r in rows])],
                        "分",
                    )
                ],
            ),
            section(
                "二、本季度指标", tables=[sections.indicator_table("本季度指标", "指标", ind, snap)]
            ),
        ],
        ind,
        snap,
    )


def annual(user: Any, period: Period) -> Built:
    """Scores per sub-district and per zone by the documented formula."""
    snap = load(user, period_start=period.start, period_end=period.end)
    ind = snap.indicators()
    by_sub, sub_chart = sections.ranking(
        snap, "街道", scoring.annual_score, "街道考评", "街道考评", True
    )
    by_zone, zone_chart = sections.ranking(
        snap, "片区", scoring.annual_score, "片区考评", "片区考评", True
    )
    formula = (
        "考评得分 = 开工率 × 25 + 完工率 × 25 + 投资完成率 × 20 + 平均验收满意度 × 20 + 督办得分"
        "(10 分,每个红灯项目扣 2 分、黄灯项目扣 1 分,扣完为止);满分 100,无法计算的比率计 0 分。"
    )
    return (
        [
            section(
                "一、年度指标",
                tables=[sections.indicator_table("年度指标", "指标", ind, snap)],
                charts=[sections.progress_chart(ind, "年度改造进度")],
            ),
            section(
                "二、考评得分",
                paragraphs=[formula],
                tables=[by_sub, by_zone],
                charts=[sub_chart, zone_chart],
            ),
        ],
        ind,
        snap,
    )


BUILDERS = {
    ReportKind.WEEKLY: weekly,
    ReportKind.MONTHLY: monthly,
    ReportKind.QUARTERLY: quarterly,
    ReportKind.ANNUAL: annual,
}


def build_figures(*, kind: str, period: Period, user: Any, scope_label: str) -> dict[str, Any]:
    """The figures of a report of ``kind`` for ``period`` and ``user``'s scope."""
    sections, ind, _snap = BUILDERS[ReportKind(kind)](user, period)
    return {
        "kind": kind,
        "title": TITLES[ReportKind(kind)],
        "period": period.label,
        "period_start": period.start.isoformat(),
        "period_end": period.end.isoformat(),
        "scope": scope_label,
        "generated_on": timezone.localdate().isoformat(),
        "indicators": indicators_json(ind),
        "sections": sections,
    }
