"""Issued reports: for each kind and format, the file opened again (python-docx / openpyxl)
holds the figures of the data built here, for a district user's and a community user's scope;
the task path, the failure path and reproduction from the stored figures."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from types import SimpleNamespace

import docx
import openpyxl
import pytest
from django.utils import timezone

from linli.accounts.roles import Role
from linli.registry.tests.factories import CommunityFactory, CompoundFactory, ZoneFactory
from linli.renewal import services
from linli.renewal.models import (
    FundingSource,
    IssuedReport,
    ReportStatus,
    SupervisionItem,
)
from linli.renewal.reports import services as reports
from linli.renewal.reports.periods import current_period, parse_period
from linli.renewal.selectors import indicators_for
from linli.renewal.tests import factories as f

pytestmark = pytest.mark.django_db

KINDS = ("weekly", "monthly", "quarterly", "annual")
#: The sheet holding each report's headline indicators.
INDICATOR_SHEET = {
    "weekly": "年度累计指标",
    "monthly": "指标",
    "quarterly": "指标",
    "annual": "指标",
}


@pytest.fixture
def world():
    """Two communities of two sub-districts, one zone; a project in works (red, one open
    item) and a handed-over one in community A, a handed-over one in community B."""
    zone = ZoneFactory()
    a, b = CommunityFactory(), CommunityFactory()
    a1, a2 = CompoundFactory(community=a, zone=zone), CompoundFactory(community=a, zone=zone)
    b1 = CompoundFactory(community=b, zone=zone)
    works = f.project_ready_for("works", compounds=[a1], name="甲项目")
    services.set_funding(
        project=works,
        source=FundingSource.CENTRAL,
        planned=Decimal("300000.00"),
        allocated=Decimal("200000.00"),
        disbursed=Decimal("100000.00"),
    )
    done_a = f.project_ready_for("handed_over", compounds=[a2], name="乙项目")
    done_b = f.project_ready_for("handed_over", compounds=[b1], name="丙项目")
    chaser = f.UserFactory(username="zhang-community")
    today = timezone.localdate()
    SupervisionItem.objects.create(
        project=works,
        kind="stage",
        key="stage:works",
        stage="works",
        description="“开工建设”阶段逾期 3 天",
        due_on=today - datetime.timedelta(days=3),
        opened_on=today,
        level="community",
        assignee=chaser,
    )
    works.light = "red"
    works.light_reason = "“开工建设”阶段逾期 3 天"
    works.save()
    district = works.compounds.get().community.subdistrict.district
    return SimpleNamespace(
        today=today,
        works=works,
        done_a=done_a,
        done_b=done_b,
        district_user=f.user_with_role(Role.DISTRICT_OFFICE, district=district),
        community_user=f.user_with_role(Role.COMMUNITY, community=a),
    )


def issue(kind: str, fmt: str, user) -> IssuedReport:
    report = reports.issue_now(
        kind=kind, period=current_period(kind, timezone.localdate()), format=fmt, by=user
    )
    assert report.status == ReportStatus.DONE, report.error
    return report


def expected_indicators(kind: str, report: IssuedReport, user):
    start = report.period_start
    if kind == "weekly":
        start = datetime.date(report.period_end.year, 1, 1)
    return indicators_for(user, period_start=start, period_end=report.period_end)


def docx_tables(data: bytes) -> list[list[list[str]]]:
    document = docx.Document(io.BytesIO(data))
    return [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]


def indicator_values_from_docx(data: bytes) -> dict[str, str]:
    for rows in docx_tables(data):
        if rows[0] == ["指标", "数值", "单位"]:
            return {r[0]: r[1] for r in rows[1:]}
    raise AssertionError("no indicator table")


def indicator_values_from_xlsx(data: bytes, kind: str) -> dict[str, object]:
    sheet = openpyxl.load_workbook(io.BytesIO(data))[INDICATOR_SHEET[kind]]
    return {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}


def as_percent(rate: Decimal | None) -> Decimal | None:
    return None if rate is None else (rate * 100).quantize(Decimal("0.01"))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("who", ["district_user", "community_user"])
def test_the_word_report_shows_the_indicators_of_the_users_scope(world, kind, who):
    user = getattr(world, who)
    report = issue(kind, "docx", user)
    values = indicator_values_from_docx(report.file.read())
    ind = expected_indicators(kind, report, user)
    assert Decimal(values["计划改造小区数"]) == ind.compounds_planned
    assert Decimal(values["已开工小区数"]) == ind.compounds_started
    assert Decimal(values["已完工小区数"]) == ind.compounds_completed
    assert Decimal(values["开工率"]) == as_percent(ind.start_rate)
    assert Decimal(values["计划投资"]) == ind.planned_investment
    assert Decimal(values["已拨付投资"]) == ind.disbursed_investment


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("who", ["district_user", "community_user"])
def test_the_excel_report_shows_the_indicators_as_numbers(world, kind, who):
    user = getattr(world, who)
    report = issue(kind, "xlsx", user)
    values = indicator_values_from_xlsx(report.file.read(), kind)
    ind = expected_indicators(kind, report, user)
    assert values["计划改造小区数"] == ind.compounds_planned
    assert values["已完工小区数"] == ind.compounds_completed
    assert values["开工率"] == pytest.approx(float(as_percent(ind.start_rate)))
    assert values["计划投资"] == pytest.approx(float(ind.planned_investment))


def test_a_community_report_counts_only_the_communitys_compounds(world):
    values = indicator_values_from_xlsx(
        issue("annual", "xlsx", world.community_user).file.read(), "annual"
    )
    assert (values["计划改造小区数"], values["已完工小区数"]) == (2, 1)


def test_a_district_report_counts_every_compound_of_the_district(world):
    values = indicator_values_from_xlsx(
        issue("annual", "xlsx", world.district_user).file.read(), "annual"
    )
    assert (values["计划改造小区数"], values["已完工小区数"]) == (3, 2)


@pytest.mark.parametrize("kind", KINDS)
def test_every_word_report_has_a_chart_picture(world, kind):
    document = docx.Document(io.BytesIO(issue(kind, "docx", world.district_user).file.read()))
    assert len(document.inline_shapes) >= 1


def test_the_monthly_bulletin_names_the_open_item_its_level_and_person_on_the_red_list(world):
    sheet = openpyxl.load_workbook(
        io.BytesIO(issue("monthly", "xlsx", world.district_user).file.read())
    )["红灯项目"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[5], r[6], r[7]) for r in rows] == [
        ("甲项目", "“开工建设”阶段逾期 3 天", "社区", "zhang-community")
    ]


def test_the_monthly_bulletin_lists_handed_over_projects_as_green(world):
    sheet = openpyxl.load_workbook(
        io.BytesIO(issue("monthly", "xlsx", world.district_user).file.read())
    )["绿灯项目"]
    assert sorted(r[1] for r in sheet.iter_rows(min_row=2, values_only=True)) == [
        "丙项目",
        "乙项目",
    ]


def test_the_monthly_ranking_puts_the_sub_district_without_red_projects_first(world):
    sheet = openpyxl.load_workbook(
        io.BytesIO(issue("monthly", "xlsx", world.district_user).file.read())
    )["街道排名"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    b = world.done_b.compounds.get().community.subdistrict.name
    assert (rows[0][0], rows[0][1]) == (1, b)
    assert rows[0][-1] > rows[1][-1]


def test_the_site_tour_list_leaves_out_projects_before_works(world):
    early = f.project_ready_for("design", compounds=[CompoundFactory()], name="丁项目")
    assert early.stage == "design"
    sheet = openpyxl.load_workbook(io.BytesIO(issue("quarterly", "xlsx", None).file.read()))[
        "观摩名单"
    ]
    names = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert "丁项目" not in names and "甲项目" in names


def test_the_site_tour_list_ranks_a_clean_handed_over_project_above_a_red_one(world):
    sheet = openpyxl.load_workbook(
        io.BytesIO(issue("quarterly", "xlsx", world.district_user).file.read())
    )["观摩名单"]
    names = [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert names[-1] == "甲项目"


def test_the_weekly_report_counts_this_weeks_works_starts(world):
    sheet = openpyxl.load_workbook(
        io.BytesIO(issue("weekly", "xlsx", world.district_user).file.read())
    )["本周"]
    counts = {r[0]: r[1] for r in sheet.iter_rows(min_row=2, values_only=True)}
    # All three projects' works started today (the factories run now).
    assert counts["本周开工项目"] == 3
    assert counts["本周完工项目"] == 2


def test_an_issued_report_stores_its_figures_file_and_digest(world):
    import hashlib

    report = issue("monthly", "docx", world.district_user)
    assert report.figures["period"] == report.period
    assert report.sha256 == hashlib.sha256(report.file.read()).hexdigest()
    assert report.progress == 100 and report.issued_at is not None


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_re_rendering_from_the_stored_figures_gives_the_same_tables(world, fmt):
    report = issue("monthly", fmt, world.district_user)
    first = report.file.read()
    # The data changes after issue; the reproduction still shows what was sent up.
    f.project_ready_for("works", compounds=[CompoundFactory()])
    again = reports.render_from_figures(IssuedReport.objects.get(pk=report.pk))
    if fmt == "docx":
        assert docx_tables(again) == docx_tables(first)
    else:
        old, new = (openpyxl.load_workbook(io.BytesIO(x)) for x in (first, again))
        assert old.sheetnames == new.sheetnames
        for name in old.sheetnames:
            assert list(old[name].values) == list(new[name].values)


def test_an_issued_report_is_never_generated_again(world):
    report = issue("monthly", "docx", world.district_user)
    digest = report.sha256
    f.project_ready_for("works", compounds=[CompoundFactory()])
    again = reports.generate(report)
    assert (again.sha256, again.file.name) == (digest, report.file.name)


def test_a_requested_report_is_generated_by_the_task_with_its_progress(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.request_report(
            kind="monthly", period="2026-11", format="xlsx", by=world.community_user
        )
        assert IssuedReport.objects.get(pk=report.pk).status == ReportStatus.QUEUED
    report.refresh_from_db()
    assert (report.status, report.progress) == (ReportStatus.DONE, 100)


def test_a_failed_report_records_the_error(world, monkeypatch, settings):
    from linli.renewal.reports import charts

    charts.cjk_font_path.cache_clear()
    settings.LINLI_CJK_FONT = "/nonexistent/font.ttc"
    monkeypatch.setattr(charts, "KNOWN_PATHS", ())
    monkeypatch.setattr(charts.shutil, "which", lambda name: None)
    try:
        report = reports.issue_now(kind="monthly", period="2026-11", format="docx", by=None)
    finally:
        charts.cjk_font_path.cache_clear()
    assert report.status == ReportStatus.FAILED
    assert "fonts-noto-cjk" in IssuedReport.objects.get(pk=report.pk).error


def test_a_resident_may_not_issue_reports(world):
    from django.core.exceptions import ValidationError

    resident = f.user_with_role(Role.RESIDENT, community=world.works.compounds.get().community)
    with pytest.raises(ValidationError):
        reports.request_report(kind="monthly", period="2026-11", format="docx", by=resident)


def test_a_period_of_the_wrong_shape_is_refused_in_both_languages(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        reports.request_report(
            kind="monthly", period="2026-W47", format="docx", by=world.district_user
        )
    assert "2026-11" in str(error.value) and "should look like" in str(error.value)


@pytest.mark.parametrize("kind", KINDS)
def test_the_figures_take_as_many_queries_for_more_projects(world, kind):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linli.renewal.reports.figures import build_figures

    period = parse_period(kind, current_period(kind, world.today))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            build_figures(kind=kind, period=period, user=world.district_user, scope_label="")
        return len(captured)

    queries()  # resolves and caches the user's scope
    before = queries()
    for stage in ("works", "handed_over", "design"):
        f.project_ready_for(stage, compounds=[CompoundFactory()])
    assert queries() == before <= 16


def test_a_sub_districts_rates_in_the_evaluation_equal_its_indicators(world):
    report = issue("annual", "xlsx", world.district_user)
    sheet = openpyxl.load_workbook(io.BytesIO(report.file.read()))["街道考评"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    subdistrict = world.works.compounds.get().community.subdistrict
    ind = indicators_for(
        world.district_user,
        period_start=report.period_start,
        period_end=report.period_end,
        subdistrict=subdistrict.pk,
    )
    row = rows[subdistrict.name]
    assert row[2] == 2  # 甲 and 乙
    assert row[3] == pytest.approx(float(as_percent(ind.start_rate)))
    assert row[4] == pytest.approx(float(as_percent(ind.completion_rate)))
    assert row[5] == pytest.approx(float(as_percent(ind.investment_completion)))


def test_a_zones_rates_in_the_bulletin_equal_its_indicators(world):
    report = issue("monthly", "xlsx", world.district_user)
    sheet = openpyxl.load_workbook(io.BytesIO(report.file.read()))["片区排名"]
    (row,) = list(sheet.iter_rows(min_row=2, values_only=True))
    ind = indicators_for(
        world.district_user,
        period_start=report.period_start,
        period_end=report.period_end,
        zone=world.works.zone_id,
    )
    assert (row[0], row[2]) == (1, 3)
    assert row[3] == pytest.approx(float(as_percent(ind.start_rate)))
    assert row[4] == pytest.approx(float(as_percent(ind.completion_rate)))
