"""The generated documents opened with python-docx: bills (one page per household, amounts,
half-landing floors, provident fund limit), the agreement (columns that add up to the fen,
exemptions, compensation), the public notice (no personal data, vote periods), running-cost
statements, owner names masked without the personal-data grant, A4 and the CJK font."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from linli.elevators import documents
from linli.elevators.models import ElevatorCase
from linli.elevators.selectors import allocation_of
from linli.elevators.services.cases import create_case, update_plan
from linli.elevators.services.records import set_running_costs
from linli.elevators.services.workflow import confirm_agreement, start_votes
from linli.elevators.tests.factories import (
    NOW,
    SubsidyRuleFactory,
    community_worker,
    pass_votes,
    resident_of,
    shared_stairwells,
)
from linli.registry.models import Owner

pytestmark = pytest.mark.django_db

WEEK = datetime.timedelta(days=7)
# An odd residents' total (270,000.01) so the last fen has to be placed.
COSTS = {"equipment": "300000.01", "civil_works": "50000.00", "design": "20000.00"}
NAMES = [
    "张伟",
    "王芳",
    "李娜",
    "刘洋",
    "陈静",
    "杨磊",
    "赵敏",
    "黄勇",
    "周婷",
    "吴刚",
    "徐丽",
    "孙鹏",
] * 4


def build_case(stairwells: int = 1, **kw: Any) -> ElevatorCase:
    """A case over ``stairwells`` adjacent stairwells of a 6-storey building (12 dwellings of
    60 m² each), owners with real-looking names, coefficients 1 + 0.5 × (floor − 1)."""
    found = shared_stairwells(stairwells)
    for name, owner in zip(NAMES, Owner.objects.order_by("pk"), strict=False):
        owner.name = name
        owner.save(update_fields=["name"])
    worker = community_worker(found[0].building.compound)
    return create_case(
        by=worker,
        title="幸福里1号楼加装电梯",
        stairwells=found,
        costs=kw.pop("costs", COSTS),
        subsidy_rule=kw.pop("subsidy_rule", SubsidyRuleFactory()),
        coefficients=kw.pop("coefficients", "half_step"),
        **kw,
    )


def agreed(case: ElevatorCase) -> ElevatorCase:
    worker = community_worker(case.compound)
    start_votes(case, by=worker, opens_at=NOW, closes_at=NOW + WEEK, now=NOW)
    pass_votes(case, by=worker)
    return confirm_agreement(case, by=worker)


def opened(body: bytes) -> Any:
    return Document(io.BytesIO(body))


def text_of(body: bytes) -> str:
    """Every paragraph of the document body (tables included), one per line."""
    doc = opened(body)
    return "\n".join(
        "".join(node.text or "" for node in p.iter(qn("w:t")))
        for p in doc.element.body.iter(qn("w:p"))
    )


def table_with(body: bytes, header: str) -> list[list[str]]:
    """The rows (as cell texts) of the first table whose header row holds ``header``."""
    for table in opened(body).tables:
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if header in rows[0]:
            return rows
    raise AssertionError(f"no table with {header}")


def column(rows: list[list[str]], header: str) -> list[Decimal]:
    """The amounts of a column, without the header and the totals row."""
    i = rows[0].index(header)
    return [Decimal(row[i].replace(",", "")) for row in rows[1:-1]]


def owner_of(case: ElevatorCase, floor: int, number: str) -> tuple[Any, str]:
    row = case.pool.get(dwelling__floor=floor, dwelling__number=number)
    return row.dwelling, row.dwelling.ownerships.get().owner.name


# --- Agreement -------------------------------------------------------------------------------


def test_the_agreements_construction_column_adds_up_to_the_residents_total():
    case = build_case(2)
    worker = community_worker(case.compound)
    rows = table_with(documents.agreement_docx(case, user=worker), "签字")
    assert len(rows) == 1 + 24 + 1
    assert sum(column(rows, "建设费用分摊（元）"), Decimal(0)) == case.residents_total
    assert case.residents_total == Decimal("270000.01")


def test_the_agreements_totals_row_shows_the_residents_total_with_separators():
    case = build_case(2)
    rows = table_with(documents.agreement_docx(case, user=community_worker(case.compound)), "签字")
    totals = rows[-1]
    assert totals[0] == "合计"
    assert totals[rows[0].index("建设费用分摊（元）")] == "270,000.01"


def test_the_agreements_compensation_paid_adds_up_to_what_is_received():
    case = build_case()
    ground, _name = owner_of(case, 1, "101")
    update_plan(case, by=None, compensation=[(ground.pk, Decimal("5000.00"))], affected=[ground.pk])
    body = documents.agreement_docx(case, user=community_worker(case.compound))
    rows = table_with(body, "签字")
    assert sum(column(rows, "支付补偿（元）"), Decimal(0)) == Decimal("5000.00")
    assert sum(column(rows, "获得补偿（元）"), Decimal(0)) == Decimal("5000.00")
    assert sum(column(rows, "应缴金额（元）"), Decimal(0)) == case.residents_total
    assert "获得 5,000.00 元" in text_of(body)


def test_the_agreement_lists_exemptions_with_their_reasons():
    case = build_case()
    ground, _name = owner_of(case, 1, "102")
    update_plan(case, by=None, exempt=[ground.pk], exempt_reasons={ground.pk: "一楼商铺不使用电梯"})
    text = text_of(documents.agreement_docx(case, user=community_worker(case.compound)))
    assert "1号楼1单元102室（一楼商铺不使用电梯）" in text.replace(
        f"{ground.stairwell.building.number}号楼{ground.stairwell.number}单元", "1号楼1单元"
    )


def test_the_agreement_states_how_the_last_fen_is_placed_and_the_provident_fund_rule():
    case = build_case(provident_fund_cap=Decimal("20000.00"))
    text = text_of(documents.agreement_docx(case, user=community_worker(case.compound)))
    assert "楼层高者优先，再按房屋编号小者优先" in text
    assert "每户不超过 20,000.00 元" in text
    assert "年度运行费用" in text


# --- Bills -----------------------------------------------------------------------------------


def test_the_bills_have_one_page_per_household():
    case = build_case(2)
    doc = opened(documents.bill_docx(case, user=community_worker(case.compound)))
    titles = [p for p in doc.paragraphs if p.text == "加装电梯费用分摊通知单"]
    assert len(titles) == 24
    assert [bool(p.paragraph_format.page_break_before) for p in titles] == [False] + [True] * 23


def test_a_bill_shows_the_households_share_and_its_provident_fund_limit():
    case = build_case(
        costs={"equipment": "300000.00", "civil_works": "50000.00", "design": "20000.00"}
    )
    update_plan(case, by=None, provident_fund_cap=Decimal("20000.00"))
    top, _name = owner_of(case, 6, "601")
    share = allocation_of(case).share_of(top.pk)
    body = documents.bill_docx(case, user=community_worker(case.compound), dwelling_ids=[top.pk])
    rows = table_with(body, "房屋")
    pairs = {row[0]: row[1] for row in rows}
    assert pairs["建设费用分摊额（元）"] == f"{share.construction_share:,.2f}" == "35,000.00"
    assert pairs["应缴金额（元）"] == "35,000.00"
    assert pairs["住房公积金可提取上限（元）"] == "20,000.00"
    assert "不得提取住房公积金" in text_of(body)


def test_a_half_landing_bill_says_the_cost_floor_differs_from_the_storey():
    case = build_case(stop_mode="half")
    top, _name = owner_of(case, 6, "601")
    update_plan(case, by=None, cost_floors={top.pk: 5})
    body = documents.bill_docx(case, user=community_worker(case.compound), dwelling_ids=[top.pk])
    assert "所在6层，计费楼层5层" in text_of(body)


def test_a_bill_masks_owner_names_without_the_personal_data_grant():
    case = build_case()
    dwelling, name = owner_of(case, 3, "301")
    body = documents.bill_docx(
        case, user=community_worker(case.compound), dwelling_ids=[dwelling.pk]
    )
    text = text_of(body)
    assert name not in text
    assert f"{name[0]}*" in text


def test_a_bill_shows_owner_names_to_staff_with_the_personal_data_grant():
    case = build_case()
    dwelling, name = owner_of(case, 3, "301")
    staff = community_worker(case.compound, can_view_personal_data=True)
    body = documents.bill_docx(case, user=staff, dwelling_ids=[dwelling.pk])
    assert name in text_of(body)


def test_a_resident_printing_their_own_bill_sees_their_own_names():
    case = build_case()
    dwelling, name = owner_of(case, 3, "301")
    body = documents.bill_docx(case, user=resident_of(dwelling), dwelling_ids=[dwelling.pk])
    assert name in text_of(body)


# --- Public notice ---------------------------------------------------------------------------


def test_the_notice_carries_no_owner_name_phone_or_id_number():
    case = build_case(2)
    text = text_of(documents.notice_docx(case))
    owners = Owner.objects.filter(ownerships__dwelling__elevator_shares__case=case)
    assert owners.count() == 24
    for owner in owners:
        assert owner.name not in text
        assert owner.phone.reveal() not in text
        assert owner.id_number.reveal() not in text
        assert f"{owner.name[0]}*" not in text


def test_the_notice_gives_every_rooms_amounts_adding_up_to_the_residents_total():
    case = build_case(2)
    rows = table_with(documents.notice_docx(case), "房号")
    assert len(rows) == 1 + 24 + 1
    assert sum(column(rows, "建设费用分摊（元）"), Decimal(0)) == case.residents_total


def test_the_notice_gives_the_vote_and_notice_periods_once_the_votes_are_set():
    case = build_case()
    text = text_of(documents.notice_docx(case))
    assert "各单元业主表决发起后公布表决期和公示期" in text
    worker = community_worker(case.compound)
    start_votes(case, by=worker, opens_at=NOW, closes_at=NOW + WEEK, now=NOW)
    text = text_of(documents.notice_docx(case))
    assert "业主表决 2026年3月2日至2026年3月9日" in text


# --- Running costs ---------------------------------------------------------------------------


def test_the_running_statement_shares_the_years_total_and_excludes_the_provident_fund():
    case = agreed(build_case())
    year = set_running_costs(
        case,
        by=community_worker(case.compound),
        year=2027,
        costs={"maintenance": "6000.00", "electricity": "1800.50", "inspection": "500.00"},
    )
    body = documents.running_statement_docx(year, user=community_worker(case.compound))
    rows = table_with(body, "分摊金额（元）")
    assert sum(column(rows, "分摊金额（元）"), Decimal(0)) == Decimal("8300.50")
    assert rows[-1][-1] == "8,300.50"
    text = text_of(body)
    assert "2027年度加装电梯运行费用分摊表" in text
    assert "住房公积金不得用于支付电梯运行费用" in text


def test_a_running_statement_for_one_dwelling_holds_only_its_row():
    case = agreed(build_case())
    worker = community_worker(case.compound)
    year = set_running_costs(case, by=worker, year=2027, costs={"maintenance": "6000.00"})
    dwelling, _name = owner_of(case, 2, "201")
    body = documents.running_statement_docx(year, user=worker, dwelling_ids=[dwelling.pk])
    rows = table_with(body, "分摊金额（元）")
    assert len(rows) == 2
    assert rows[1][0].endswith("201室")


# --- Format ----------------------------------------------------------------------------------


def test_documents_are_a4_in_the_cjk_font():
    case = build_case()
    doc = opened(documents.notice_docx(case))
    section = doc.sections[0]
    # Word stores twentieths of a point: compare in whole millimetres.
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    fonts = doc.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "Noto Sans CJK SC"


def test_the_notice_gives_the_result_notice_period_once_the_votes_close():
    case = build_case()
    worker = community_worker(case.compound)
    start_votes(case, by=worker, opens_at=NOW, closes_at=NOW + WEEK, now=NOW)
    pass_votes(case, by=worker)
    assert "结果公示期 2026年3月9日至" in text_of(documents.notice_docx(case))
