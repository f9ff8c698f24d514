"""Meetings: recording with the dwellings represented, typed dwelling labels resolved with
row-level errors, edits that replace the attendance, files, and who may do what."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from linli.consultation import models as m
from linli.consultation.services import meetings as s
from linli.consultation.tests.factories import community_worker, resident_of, stairwell_with_owners
from linli.core.errors import Invalid
from linli.registry.tests import factories as rf

pytestmark = pytest.mark.django_db

HELD = timezone.make_aware(datetime.datetime(2026, 4, 18, 19, 30))


@pytest.fixture
def world():
    compound = rf.CompoundFactory()
    stairwell = stairwell_with_owners(compound=compound, storeys=2, per_floor=2)
    return (
        compound,
        list(stairwell.dwellings.order_by("floor", "number")),
        community_worker(compound),
    )


def bench(compound, worker, **kwargs):
    return s.record_meeting(
        by=worker,
        compound=compound,
        kind=m.MeetingKind.BENCH,
        title="楼道堆物怎么办",
        held_at=HELD,
        place="3号楼前",
        **kwargs,
    )


def test_a_bench_meeting_with_the_dwellings_represented(world):
    compound, dwellings, worker = world
    meeting = bench(
        compound,
        worker,
        minutes="大家同意周末清理",
        decisions="周六上午统一清理",
        attendees=[(dwellings[0], " 张桂兰 "), (dwellings[3], "")],
    )
    assert meeting.recorded_by == worker
    rows = list(meeting.attendances.values_list("dwelling", "attendee_name"))
    assert rows == [(dwellings[0].pk, "张桂兰"), (dwellings[3].pk, "")]


def test_attendees_must_be_dwellings_of_the_compound_each_once(world):
    compound, dwellings, worker = world
    stranger = rf.DwellingFactory()
    with pytest.raises(Invalid) as info:
        bench(compound, worker, attendees=[(stranger, "")])
    assert info.value.code == "attendee_outside_compound"
    with pytest.raises(Invalid) as info:
        bench(compound, worker, attendees=[(dwellings[0], ""), (dwellings[0], "又来")])
    assert info.value.code == "attendee_twice"
    assert not m.Meeting.objects.exists()


def test_a_meeting_needs_a_title_a_known_kind_and_the_permission(world):
    compound, dwellings, worker = world
    with pytest.raises(Invalid) as info:
        s.record_meeting(
            by=worker, compound=compound, kind="party", title="x", held_at=HELD, place="y"
        )
    assert info.value.code == "kind"
    with pytest.raises(Invalid) as info:
        s.record_meeting(
            by=worker, compound=compound, kind="bench", title=" ", held_at=HELD, place="y"
        )
    assert "主题" in info.value.zh
    for user in (resident_of(dwellings[0]), community_worker(rf.CompoundFactory())):
        with pytest.raises(PermissionDenied):
            bench(compound, user)


def test_typed_labels_resolve_to_dwellings_with_names(world):
    compound, dwellings, _worker = world
    d = dwellings[1]
    label = f"{d.stairwell.building.number}-{d.stairwell.number}-{d.number}"
    rows = s.resolve_attendees(compound=compound, text=f"\n{label} 李建国\n")
    assert rows == [(d, "李建国")]


def test_unknown_malformed_and_repeated_labels_are_reported_by_row(world):
    compound, dwellings, _worker = world
    d = dwellings[0]
    label = f"{d.stairwell.building.number}-{d.stairwell.number}-{d.number}"
    text = f"{label}\n99-1-101\n不是房号\n{label} 王\n"
    with pytest.raises(Invalid) as info:
        s.resolve_attendees(compound=compound, text=text)
    zh = info.value.zh
    assert "第2行“99-1-101”:本小区没有这个房屋" in zh
    assert "第3行“不是房号”" in zh
    assert "第4行" in zh and "与第1行重复" in zh
    assert "row 2" in info.value.en


def test_an_edit_replaces_the_attendance_and_keeps_the_compound(world):
    compound, dwellings, worker = world
    meeting = bench(compound, worker, attendees=[(dwellings[0], "甲"), (dwellings[1], "")])
    s.update_meeting(
        meeting=meeting,
        by=worker,
        minutes="补记纪要",
        attendees=[(dwellings[1], "乙"), (dwellings[2], "丙")],
    )
    meeting.refresh_from_db()
    assert meeting.minutes == "补记纪要"
    assert meeting.title == "楼道堆物怎么办"
    names = dict(meeting.attendances.values_list("dwelling", "attendee_name"))
    assert names == {dwellings[1].pk: "乙", dwellings[2].pk: "丙"}
    s.update_meeting(meeting=meeting, by=worker, decisions="定了")
    assert meeting.attendances.count() == 2  # attendees not given: unchanged
    with pytest.raises(PermissionDenied):
        s.update_meeting(meeting=meeting, by=resident_of(dwellings[0]), minutes="改")


def test_files_are_attached_by_staff_only(world):
    compound, dwellings, worker = world
    meeting = bench(compound, worker)
    upload = SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 sign-in", content_type="application/pdf")
    attachment = s.add_attachment(meeting=meeting, by=worker, title="", file=upload)
    assert attachment.title == "签到表.pdf"
    assert attachment.file.read() == b"%PDF-1.4 sign-in"
    with pytest.raises(PermissionDenied):
        s.add_attachment(
            meeting=meeting,
            by=resident_of(dwellings[0]),
            title="x",
            file=SimpleUploadedFile("x.txt", b"x"),
        )
