"""The forms of the case page: each one's happy path through its service, a refused input
(the service's message shown, nothing written) and who may use it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linli.aftercare.models import Asset
from linli.consultation import models as cm
from linli.elevators.models import (
    CaseStatus,
    CaseVote,
    ConsentDocument,
    ElevatorCase,
    RunningCostYear,
)
from linli.elevators.selectors import allocation_of
from linli.elevators.services.workflow import confirm_agreement, start_works
from linli.elevators.tests.factories import pass_votes
from linli.elevators.tests.pages_fixtures import *  # noqa: F403  (the page fixtures)
from linli.elevators.tests.pages_fixtures import url, voting

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def _plan(case, **extra):
    data = {
        "title": case.title,
        "stop_mode": case.stop_mode,
        "storeys": case.storeys,
        "subsidy_rule": case.subsidy_rule_id,
        "coefficients": "half_step",
        "cost_equipment": "300000.00",
        "cost_civil_works": "50000.00",
        "cost_design": "20000.00",
    }
    data.update(extra)
    return data


def _agreed(case, worker):
    voting(case, worker)
    pass_votes(case, by=worker)
    confirm_agreement(case, by=worker)
    return case


# --- Plan ------------------------------------------------------------------------------------


def test_the_plan_form_starts_from_the_case(desk, case):
    form = desk.get(url("case_plan", case.pk)).context["form"]
    assert form.initial["coefficients"] == "half_step"
    assert form.initial["cost_equipment"] == Decimal("300000.00")


def test_editing_the_plan_recomputes_the_shares(desk, case):
    response = desk.post(url("case_plan", case.pk), _plan(case, coefficients="equal"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.coefficients == "equal"
    shares = {s.construction_share for s in allocation_of(case).shares}
    assert shares == {Decimal("11250.00")}


def test_a_cost_finer_than_the_fen_is_refused_and_nothing_changes(desk, case):
    response = desk.post(url("case_plan", case.pk), _plan(case, cost_design="20000.005"))
    assert response.status_code == 200
    assert "精确到分" in response.content.decode()
    case.refresh_from_db()
    assert case.cost_design == Decimal("20000.00")


def test_a_colleague_may_edit_the_plan(client, case, colleague):
    client.force_login(colleague)
    client.post(url("case_plan", case.pk), _plan(case, title="改名"))
    case.refresh_from_db()
    assert case.title == "改名"


def test_a_zone_lead_sees_the_case_but_may_not_edit_the_plan(client, case, zone_lead):
    client.force_login(zone_lead)
    assert client.get(url("case_plan", case.pk)).status_code == 403


def test_an_outsider_gets_404_on_the_plan_form(client, case, outsider):
    client.force_login(outsider)
    assert client.post(url("case_plan", case.pk), _plan(case)).status_code == 404


def test_a_resident_gets_403_on_the_plan_form(client, case, resident):
    client.force_login(resident)
    assert client.get(url("case_plan", case.pk)).status_code == 403


def test_the_plan_form_sends_a_voting_case_back_with_the_reason(desk, case, worker):
    voting(case, worker)
    response = desk.get(url("case_plan", case.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("case_detail", case.pk)
    assert any("不能进行此操作" in m for m in messages_of(response))


def test_posting_the_plan_of_a_voting_case_shows_the_services_refusal(desk, case, worker):
    voting(case, worker)
    response = desk.post(url("case_plan", case.pk), _plan(case, coefficients="equal"))
    assert "方案不能再修改" in response.content.decode()
    case.refresh_from_db()
    assert case.coefficients == "half_step"


# --- Pool ------------------------------------------------------------------------------------


def _pool_data(case, changes):
    data = {}
    for row in case.pool.all():
        p = f"d{row.dwelling_id}"
        data[f"{p}-floor"] = row.cost_floor
        data[f"{p}-reason"] = ""
        data[f"{p}-compensation"] = ""
        for key, value in changes.get(row.dwelling_id, {}).items():
            data[f"{p}-{key}"] = value
    return data


def test_the_pool_table_saves_floors_exemptions_compensation_and_marks(desk, case):
    ground, top, third = (
        case.pool.get(dwelling__stairwell=case.stairwells.first(), dwelling__number=n)
        for n in ("101", "601", "301")
    )
    data = _pool_data(
        case,
        {
            ground.dwelling_id: {"exempt": "on", "reason": "一楼不使用电梯"},
            top.dwelling_id: {"floor": 5},
            third.dwelling_id: {"compensation": "2000.00", "affected": "on"},
        },
    )
    assert desk.post(url("case_pool", case.pk), data).status_code == 302
    ground.refresh_from_db(), top.refresh_from_db(), third.refresh_from_db()
    assert ground.exempt and ground.exempt_reason == "一楼不使用电梯"
    assert top.cost_floor == 5
    assert third.compensation == Decimal("2000.00") and third.affected


def test_a_pool_nobody_pays_for_is_refused_and_nothing_changes(desk, case):
    data = _pool_data(case, {row.dwelling_id: {"exempt": "on"} for row in case.pool.all()})
    response = desk.post(url("case_pool", case.pk), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not case.pool.filter(exempt=True).exists()


# --- Votes and the workflow buttons ----------------------------------------------------------


def _votes_data(**extra):
    closes = timezone.localtime() + datetime.timedelta(days=7)
    data = {"closes_at": closes.strftime("%Y-%m-%dT%H:%M"), "notice_days": 7}
    data.update(extra)
    return data


def test_starting_the_votes_opens_one_vote_per_stairwell(desk, case):
    assert desk.post(url("case_start_votes", case.pk), _votes_data()).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.VOTING
    assert CaseVote.objects.filter(case=case).count() == 2


def test_a_closing_time_in_the_past_is_refused_and_no_vote_is_made(desk, case):
    past = timezone.localtime() - datetime.timedelta(days=1)
    response = desk.post(
        url("case_start_votes", case.pk),
        _votes_data(closes_at=past.strftime("%Y-%m-%dT%H:%M")),
    )
    assert "截止时间须晚于开始时间" in " ".join(response.context["form"].errors["closes_at"])
    assert not cm.Vote.objects.exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


def test_confirming_before_the_votes_pass_shows_the_refusal(desk, case, worker):
    voting(case, worker)
    response = desk.post(url("case_action", case.pk), {"action": "confirm"}, follow=True)
    assert any("表决尚未通过" in m for m in messages_of(response))
    case.refresh_from_db()
    assert case.status == CaseStatus.VOTING


def test_confirming_after_the_votes_pass_records_the_agreement(desk, case, worker):
    voting(case, worker)
    pass_votes(case, by=worker)
    desk.post(url("case_action", case.pk), {"action": "confirm"})
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED


def test_a_failed_vote_lets_the_worker_return_to_the_plan(desk, case, worker):
    voting(case, worker)
    pass_votes(case, by=worker, choice=cm.Choice.NO)
    assert desk.get(url("case_detail", case.pk)).context["return"]
    desk.post(url("case_action", case.pk), {"action": "return"})
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


def test_starting_the_works_after_the_agreement(desk, case, worker):
    _agreed(case, worker)
    desk.post(url("case_action", case.pk), {"action": "start_works"})
    case.refresh_from_db()
    assert case.status == CaseStatus.BUILDING


def test_an_unknown_action_changes_nothing(desk, case):
    response = desk.post(url("case_action", case.pk), {"action": "delete"}, follow=True)
    assert any("unknown action" in m for m in messages_of(response))
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


def test_a_zone_lead_may_not_press_the_workflow_buttons(client, case, worker, zone_lead):
    _agreed(case, worker)
    client.force_login(zone_lead)
    assert client.post(url("case_action", case.pk), {"action": "start_works"}).status_code == 403


def test_cancelling_asks_for_confirmation_first(desk, case):
    response = desk.get(url("case_cancel", case.pk))
    assert "确定终止" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    desk.post(url("case_cancel", case.pk))
    case.refresh_from_db()
    assert case.status == CaseStatus.CANCELLED


def test_an_outsider_may_not_cancel(client, case, outsider):
    client.force_login(outsider)
    assert client.post(url("case_cancel", case.pk)).status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT


# --- Handover --------------------------------------------------------------------------------


def _handover_data(accepted, **extra):
    data = {
        "accepted_on": accepted.isoformat(),
        "responsible_unit": "洛阳某物业服务有限公司",
        "contractor": "洛阳某电梯工程有限公司",
        "contract_starts_on": accepted.isoformat(),
        "contract_ends_on": (accepted + datetime.timedelta(days=364)).isoformat(),
        "annual_fee": "12000.00",
        "registration_code": "梯11豫C0001",
    }
    data.update(extra)
    return data


def test_handing_over_makes_the_elevator_an_asset(desk, case, worker):
    start_works(_agreed(case, worker), by=worker)
    today = timezone.localdate()
    assert desk.post(url("case_hand_over", case.pk), _handover_data(today)).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert case.asset.registration_code == "梯11豫C0001"


def test_an_acceptance_date_in_the_future_is_refused_and_nothing_is_handed_over(desk, case, worker):
    start_works(_agreed(case, worker), by=worker)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = desk.post(url("case_hand_over", case.pk), _handover_data(tomorrow))
    assert "验收日期不能晚于今天" in " ".join(response.context["form"].errors["accepted_on"])
    assert not Asset.objects.exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.BUILDING


# --- Running costs ---------------------------------------------------------------------------


def test_recording_a_years_running_costs(desk, case, worker):
    _agreed(case, worker)
    data = {"year": 2027, "maintenance": "6000.00", "electricity": "1200.00", "coefficients": ""}
    assert desk.post(url("case_running_costs", case.pk), data).status_code == 302
    year = RunningCostYear.objects.get(case=case)
    assert year.total == Decimal("7200.00") and year.coefficients is None


def test_running_costs_with_their_own_table(desk, case, worker):
    _agreed(case, worker)
    data = {"year": 2027, "maintenance": "6000.00", "coefficients": "equal", "area_weighted": "0"}
    desk.post(url("case_running_costs", case.pk), data)
    year = RunningCostYear.objects.get(case=case)
    assert year.coefficients == "equal" and year.area_weighted is False


def test_a_negative_running_cost_is_refused_and_nothing_is_written(desk, case, worker):
    _agreed(case, worker)
    response = desk.post(url("case_running_costs", case.pk), {"year": 2027, "other": "-5"})
    assert "不能为负数" in response.content.decode()
    assert not RunningCostYear.objects.exists()


def test_running_costs_wait_for_the_agreement(desk, case):
    response = desk.get(url("case_running_costs", case.pk))
    assert response.status_code == 302


# --- Documents -------------------------------------------------------------------------------


def _scan():
    return SimpleUploadedFile("consent.pdf", b"%PDF-1.4 signed consent", "application/pdf")


def test_uploading_a_consent_letter_lists_it_on_the_case_page(desk, case):
    dwelling = case.pool.first().dwelling
    data = {"kind": "consent", "title": "", "dwelling": dwelling.pk, "file": _scan()}
    assert desk.post(url("case_document_add", case.pk), data).status_code == 302
    document = ConsentDocument.objects.get()
    assert document.dwelling == dwelling
    html = desk.get(url("case_detail", case.pk)).content.decode()
    assert url("case_document_file", document.pk) in html


def test_an_upload_without_a_file_shows_the_services_message(desk, case):
    response = desk.post(url("case_document_add", case.pk), {"kind": "consent"})
    assert "请选择要上传的文件" in response.content.decode()
    assert not ConsentDocument.objects.exists()


def test_a_colleague_downloads_an_uploaded_document(client, desk, case, colleague):
    desk.post(url("case_document_add", case.pk), {"kind": "design", "file": _scan()})
    document = ConsentDocument.objects.get()
    client.force_login(colleague)
    response = client.get(url("case_document_file", document.pk))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 signed consent"


def test_an_outsider_may_not_download_a_document(client, desk, case, outsider):
    desk.post(url("case_document_add", case.pk), {"kind": "design", "file": _scan()})
    client.force_login(outsider)
    document = ConsentDocument.objects.get()
    assert client.get(url("case_document_file", document.pk)).status_code == 404


def test_a_resident_may_not_upload_documents(client, case, resident):
    client.force_login(resident)
    response = client.post(url("case_document_add", case.pk), {"kind": "consent", "file": _scan()})
    assert response.status_code == 403
    assert not ElevatorCase.objects.filter(documents__isnull=False).exists()
