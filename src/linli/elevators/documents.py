"""Word documents generated from an elevator case (A4, CJK font): the household bill
(费用分摊通知单), the cost-sharing agreement (加装电梯费用分摊协议), the public notice (公示,
without personal data) and the yearly running-cost statement (年度运行费用分摊表).

They only read: amounts come from ``selectors`` (the same allocation the pages and the API show,
so the agreement's column adds up to the residents' total to the fen), owner names through
``document_parts.owner_names`` (masked unless the user holds the personal-data grant; a resident
reads the names of their own dwelling). Who may fetch which document is decided by
``document_views``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from linli.consultation.vote_reads import dwelling_label
from linli.elevators import document_parts as d
from linli.elevators.allocation import Share
from linli.elevators.models import ElevatorCase, RunningCostYear
from linli.elevators.selectors import (
    BillLine,
    bill_lines,
    pool_rows,
    running_statement,
    stairwell_votes,
)

__all__ = ["agreement_docx", "bill_docx", "notice_docx", "running_statement_docx"]

ZERO = Decimal("0.00")


# --- Bill ------------------------------------------------------------------------------------


def bill_docx(case: ElevatorCase, *, user: Any, dwelling_ids: Sequence[int] | None = None) -> bytes:
    """One page per household bill (费用分摊通知单): all of the pool, or ``dwelling_ids``."""
    rows = pool_rows(case)
    lines = bill_lines(case, rows)
    if dwelling_ids is not None:
        wanted = set(dwelling_ids)
        lines = [line for line in lines if line.row.dwelling_id in wanted]
    names = d.owner_names(user, case, [line.row for line in lines])
    plan = d.plan_of(case)
    doc = d.new_document()
    for i, line in enumerate(lines):
        _bill_page(doc, plan, line, names.get(line.row.dwelling_id, ""), new_page=i > 0)
    if not lines:
        d.title(doc, _("加装电梯费用分摊通知单"))
        d.para(doc, _("（无）"))
    return d.to_bytes(doc)


def _bill_page(doc: Any, plan: d.Plan, line: BillLine, names: str, *, new_page: bool) -> None:
    row, share = line.row, line.share
    d.title(doc, _("加装电梯费用分摊通知单"), new_page=new_page)
    d.project(doc, plan)
    d.heading(doc, _("本户分摊"))
    pairs = [
        (_("房屋"), dwelling_label(row.dwelling)),
        (_("业主"), names or "—"),
        (_("专有面积"), f"{row.dwelling.area} m²"),
        (_("楼层"), d.floor_words(row)),
        (_("分摊系数"), d.number(share.coefficient)),
        (_("分摊权重"), d.number(share.weight)),
    ]
    if row.exempt:
        pairs.append((_("不参与分摊"), row.exempt_reason or _("是")))
    pairs += [
        (_("建设费用分摊额（元）"), d.yuan(share.construction_share)),
        (_("支付补偿（元）"), d.yuan(share.compensation_paid)),
        (_("获得补偿（元）"), d.yuan(share.compensation_received)),
        (_("应缴金额（元）"), d.yuan(share.net)),
        (_("住房公积金可提取上限（元）"), d.yuan(line.provident_fund_limit)),
    ]
    d.fields(doc, pairs)
    d.heading(doc, _("项目费用"))
    d.costs_block(doc, plan)
    d.heading(doc, _("缴费说明"))
    d.para(
        doc,
        _(
            "应缴金额 = 建设费用分摊额 + 支付补偿 − 获得补偿。支付补偿是本户向受加装电梯影响"
            "的业主（通常为低层住户）分担的补偿；获得补偿是本户作为受影响业主应得的补偿。"
            "请按费用分摊协议约定的时间和方式缴入项目资金账户。"
        ),
    )
    d.para(doc, d.provident_fund_words(plan.case))
    d.signature(doc, _("业主（签字）"), _("日期"))
    d.generated(doc, plan)


# --- Agreement -------------------------------------------------------------------------------


def agreement_docx(case: ElevatorCase, *, user: Any) -> bytes:
    """The cost-sharing agreement (加装电梯费用分摊协议) with every owner's line and signature."""
    rows = pool_rows(case)
    lines = bill_lines(case, rows)
    names = d.owner_names(user, case, rows)
    plan = d.plan_of(case)
    doc = d.new_document()
    d.title(doc, _("加装电梯费用分摊协议"))
    d.project(doc, plan)

    d.heading(doc, _("一、协议各方"))
    d.para(
        doc,
        _("本协议由本电梯分摊范围内下列 %(count)s 户房屋的全体业主（以下称“各方业主”）共同订立：")
        % {"count": len(rows)},
    )
    d.para(
        doc,
        "；".join(
            f"{dwelling_label(row.dwelling)} {names.get(row.dwelling_id) or '—'}" for row in rows
        )
        + "。",
    )

    d.heading(doc, _("二、工程费用与补贴"))
    d.costs_block(doc, plan)
    d.para(doc, _("居民分摊总额 = 总造价 − 政府补贴，由各方业主按本协议分摊。"))

    d.heading(doc, _("三、分摊方法"))
    _method(doc, case, lines)

    d.heading(doc, _("四、尾差处理"))
    d.para(
        doc,
        _(
            "各户分摊额精确到分，合计与居民分摊总额分毫不差：先按精确比例计算各户金额并舍去"
            "分以下部分，剩余的分按舍去部分由大到小逐户各加1分；舍去部分相同的，楼层高者"
            "优先，再按房屋编号小者优先。补偿的分担按同一规则处理。"
        ),
    )
    d.heading(doc, _("五、运行费用"))
    d.para(
        doc,
        _(
            "电梯投入使用后的年度运行费用（维保费、电费、检验费及其他）由各方业主按本协议的"
            "分摊系数和加权方式分摊，另有约定的除外；不参与建设费用分摊的房屋同样不分摊运行费用。"
        ),
    )
    d.heading(doc, _("六、住房公积金"))
    d.para(doc, d.provident_fund_words(case))
    d.heading(doc, _("七、生效"))
    d.para(
        doc,
        _("本协议经各单元业主依法表决通过、各方业主在附表签字后生效。附表为本协议的组成部分。"),
    )
    d.generated(doc, plan)

    d.landscape(doc)
    d.heading(doc, _("附表：各户分摊明细及签字"))
    _owner_table(doc, lines, names)
    return d.to_bytes(doc)


def _method(doc: Any, case: ElevatorCase, lines: Sequence[BillLine]) -> None:
    d.para(doc, _("分摊系数：%(words)s。") % {"words": d.coefficient_words(case.coefficients)})
    d.para(doc, d.weighting_words(case.coefficients, case.area_weighted) + "。")
    d.para(doc, _("各户建设费用分摊额 = 居民分摊总额 × 本户权重 ÷ 全部参与分摊房屋的权重之和。"))
    floors = Counter(line.share.floor for line in lines)
    coefficient = {line.share.floor: line.share.coefficient for line in lines}
    d.grid(
        doc,
        [_("计费楼层"), _("分摊系数"), _("户数")],
        [[str(f), d.number(coefficient[f]), str(floors[f])] for f in sorted(floors)],
        numeric={0, 1, 2},
    )
    exempt = [line.row for line in lines if line.row.exempt]
    d.para(
        doc,
        _("不参与分摊的房屋：%(list)s。")
        % {
            "list": "；".join(
                f"{dwelling_label(row.dwelling)}（{row.exempt_reason or _('未注明原因')}）"
                for row in exempt
            )
            or _("无")
        },
    )
    compensated = [line for line in lines if line.share.compensation_received]
    d.para(
        doc,
        _("受影响业主的补偿：%(list)s。")
        % {
            "list": "；".join(
                _("%(room)s获得 %(amount)s 元")
                % {
                    "room": dwelling_label(line.dwelling),
                    "amount": d.yuan(line.share.compensation_received),
                }
                for line in compensated
            )
            or _("无")
        },
    )
    if compensated:
        d.para(
            doc,
            _("补偿由其余参与分摊且未获补偿的房屋按各自建设费用分摊比例承担，计入其应缴金额。"),
        )


def _owner_table(doc: Any, lines: Sequence[BillLine], names: dict[int, str]) -> None:
    def total(pick: Any) -> str:
        return d.yuan(sum((pick(line.share) for line in lines), ZERO))

    d.grid(
        doc,
        [
            _("房屋"),
            _("业主"),
            _("面积（m²）"),
            _("计费楼层"),
            _("系数"),
            _("建设费用分摊（元）"),
            _("支付补偿（元）"),
            _("获得补偿（元）"),
            _("应缴金额（元）"),
            _("签字"),
            _("日期"),
        ],
        [
            [
                dwelling_label(line.dwelling),
                names.get(line.row.dwelling_id) or "—",
                str(line.dwelling.area),
                str(line.share.floor),
                d.number(line.share.coefficient),
                d.yuan(line.share.construction_share),
                d.yuan(line.share.compensation_paid),
                d.yuan(line.share.compensation_received),
                d.yuan(line.share.net),
                "",
                "",
            ]
            for line in lines
        ],
        numeric={2, 3, 4, 5, 6, 7, 8},
        totals=[
            _("合计"),
            _("%(count)s户") % {"count": len(lines)},
            str(sum((line.dwelling.area for line in lines), ZERO)),
            "",
            "",
            total(lambda s: s.construction_share),
            total(lambda s: s.compensation_paid),
            total(lambda s: s.compensation_received),
            total(lambda s: s.net),
            "",
            "",
        ],
    )


# --- Public notice ---------------------------------------------------------------------------


def notice_docx(case: ElevatorCase) -> bytes:
    """The public notice (公示): the plan and every room's amounts, with no names, phones, ID
    numbers or owner lists, and the vote and notice periods once the votes are set."""
    rows = pool_rows(case)
    lines = bill_lines(case, rows)
    plan = d.plan_of(case)
    doc = d.new_document()
    d.title(doc, _("加装电梯费用分摊方案公示"))
    d.project(doc, plan)
    d.heading(doc, _("一、表决与公示期"))
    _periods(doc, case)
    d.heading(doc, _("二、工程费用与补贴"))
    d.costs_block(doc, plan)
    d.heading(doc, _("三、分摊方法"))
    _method_public(doc, case, lines)
    d.para(
        doc,
        _(
            "本公示不含业主姓名、联系方式、身份证号等个人信息。如对方案有异议，请在公示期内"
            "向社区居民委员会书面提出。"
        ),
    )
    d.generated(doc, plan)
    d.landscape(doc)
    d.heading(doc, _("四、各户分摊金额"))

    def total(pick: Any) -> str:
        return d.yuan(sum((pick(line.share) for line in lines), ZERO))

    d.grid(
        doc,
        [
            _("房号"),
            _("面积（m²）"),
            _("计费楼层"),
            _("系数"),
            _("建设费用分摊（元）"),
            _("支付补偿（元）"),
            _("获得补偿（元）"),
            _("应缴金额（元）"),
            _("备注"),
        ],
        [
            [
                dwelling_label(line.dwelling),
                str(line.dwelling.area),
                str(line.share.floor),
                d.number(line.share.coefficient),
                d.yuan(line.share.construction_share),
                d.yuan(line.share.compensation_paid),
                d.yuan(line.share.compensation_received),
                d.yuan(line.share.net),
                _("不参与分摊") if line.row.exempt else "",
            ]
            for line in lines
        ],
        numeric={1, 2, 3, 4, 5, 6, 7},
        totals=[
            _("合计（%(count)s户）") % {"count": len(lines)},
            str(sum((line.dwelling.area for line in lines), ZERO)),
            "",
            "",
            total(lambda s: s.construction_share),
            total(lambda s: s.compensation_paid),
            total(lambda s: s.compensation_received),
            total(lambda s: s.net),
            "",
        ],
    )
    return d.to_bytes(doc)


def _periods(doc: Any, case: ElevatorCase) -> None:
    known = False
    for item in stairwell_votes(case):
        vote = item.vote
        label = _("%(building)s号楼%(stairwell)s单元") % {
            "building": item.stairwell.building.number,
            "stairwell": item.stairwell.number,
        }
        if vote is None:
            d.para(doc, _("%(label)s：尚未发起业主表决。") % {"label": label})
            continue
        known = True
        opens, closes = timezone.localdate(vote.opens_at), timezone.localdate(vote.closes_at)
        notice = (
            _("%(start)s至%(end)s")
            % {"start": d.day(closes), "end": d.day(timezone.localdate(vote.notice_ends_at))}
            if vote.notice_ends_at
            else _("表决结束后公布")
        )
        d.para(
            doc,
            _("%(label)s：业主表决 %(opens)s至%(closes)s；结果公示期 %(notice)s。")
            % {"label": label, "opens": d.day(opens), "closes": d.day(closes), "notice": notice},
        )
    if not known:
        d.para(doc, _("各单元业主表决发起后公布表决期和公示期。"))


def _method_public(doc: Any, case: ElevatorCase, lines: Sequence[BillLine]) -> None:
    d.para(doc, _("分摊系数：%(words)s。") % {"words": d.coefficient_words(case.coefficients)})
    d.para(doc, d.weighting_words(case.coefficients, case.area_weighted) + "。")
    d.para(
        doc,
        _(
            "各户建设费用分摊额 = 居民分摊总额 × 本户权重 ÷ 全部参与分摊房屋的权重之和，精确到"
            "分；尾差按舍去部分由大到小逐户加1分（相同时楼层高者优先）。应缴金额 = 建设费用"
            "分摊额 + 支付补偿 − 获得补偿。"
        ),
    )
    exempt = sum(1 for line in lines if line.row.exempt)
    if exempt:
        d.para(doc, _("不参与分摊的房屋 %(count)s 户，见下表备注。") % {"count": exempt})


# --- Running costs ---------------------------------------------------------------------------


def running_statement_docx(
    year: RunningCostYear, *, user: Any, dwelling_ids: Sequence[int] | None = None
) -> bytes:
    """A year's running costs (年度运行费用分摊表): the parts, the method and each household's
    part (all of the pool, or ``dwelling_ids``); the provident fund never covers these."""
    case = year.case
    rows = pool_rows(case)
    result = running_statement(year, rows)
    shares: dict[int, Share] = {share.dwelling: share for share in result.shares}
    whole = dwelling_ids is None
    chosen = [row for row in rows if whole or row.dwelling_id in set(dwelling_ids or ())]
    names = d.owner_names(user, case, chosen)
    plan = d.plan_of(case)
    doc = d.new_document()
    d.title(doc, _("%(year)s年度加装电梯运行费用分摊表") % {"year": year.year})
    d.project(doc, plan)
    d.heading(doc, _("一、年度运行费用"))
    d.fields(
        doc,
        [
            (_("维保费"), d.yuan(year.maintenance)),
            (_("电费"), d.yuan(year.electricity)),
            (_("检验费"), d.yuan(year.inspection)),
            (_("其他"), d.yuan(year.other)),
            (_("合计"), d.yuan(year.total)),
        ],
        columns=2,
    )
    d.heading(doc, _("二、分摊方法"))
    coefficients = case.coefficients if year.coefficients is None else year.coefficients
    weighted = case.area_weighted if year.area_weighted is None else year.area_weighted
    source = (
        _("沿用建设费用的分摊系数") if year.coefficients is None else _("本年度另行约定的分摊系数")
    )
    d.para(doc, f"{source}：{d.coefficient_words(coefficients)}。")
    d.para(doc, d.weighting_words(coefficients, bool(weighted)) + "。")
    d.para(doc, _("不参与建设费用分摊的房屋不分摊运行费用。各户金额精确到分，合计等于年度总额。"))
    d.heading(doc, _("三、各户分摊"))
    d.grid(
        doc,
        [_("房屋"), _("业主"), _("计费楼层"), _("系数"), _("分摊金额（元）")],
        [
            [
                dwelling_label(row.dwelling),
                names.get(row.dwelling_id) or "—",
                str(row.cost_floor),
                d.number(shares[row.dwelling_id].coefficient),
                d.yuan(shares[row.dwelling_id].construction_share),
            ]
            for row in chosen
        ],
        numeric={2, 3, 4},
        totals=[_("合计"), "", "", "", d.yuan(result.residents_total)] if whole else None,
    )
    d.para(
        doc,
        _("住房公积金不得用于支付电梯运行费用（维保费、电费、检验费等），请各户自行缴纳。"),
    )
    d.generated(doc, plan)
    return d.to_bytes(doc)
