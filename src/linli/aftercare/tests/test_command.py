"""``linli aftercare overdue``: the overdue schedules on a day, with Chinese column heads, by
compound, exit status 0."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from linli.aftercare.tests.factories import compound_of, elevator_of, fire_equipment_of, place

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 3, 1)


def overdue(*args):
    out = StringIO()
    call_command("aftercare", "overdue", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def compound():
    return compound_of(place())


def test_it_lists_a_schedule_overdue_the_day_after_its_due_date(compound):
    elevator_of(compound, maintenance_due=DUE)
    lines = overdue("--date", "2026-03-02").splitlines()
    assert lines[0].split("\t") == [
        "小区",
        "设施设备",
        "位置",
        "使用单位",
        "计划",
        "下次到期",
        "逾期天数",
    ]
    assert lines[1].split("\t") == [
        compound.name,
        "1号楼1单元电梯",
        "1号楼1单元",
        "洛阳某物业服务有限公司",
        "维护保养",
        "2026-03-01",
        "1",
    ]


def test_a_schedule_due_on_the_day_is_not_listed(compound):
    elevator_of(compound, maintenance_due=DUE)
    assert "无逾期维保计划" in overdue("--date", "2026-03-01")


def test_it_lists_only_the_compound_asked_for(compound):
    elevator_of(compound, maintenance_due=DUE)
    other = compound_of(place())
    fire_equipment_of(other, due=DUE)
    output = overdue("--date", "2026-03-10", "--compound", other.code)
    assert "消防栓" in output
    assert "1号楼1单元电梯" not in output


def test_an_unknown_compound_is_an_error():
    with pytest.raises(CommandError, match="没有编号为 NOPE 的小区"):
        overdue("--compound", "NOPE")
