"""Meetings (板凳会, 邻里会, 业主大会 ...): recording them with the dwellings represented, their
minutes and decisions, and their files."""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction

from linli.consultation.models import Attendance, Meeting, MeetingAttachment, MeetingKind
from linli.consultation.visit_selectors import dwelling_label, may
from linli.core.errors import Invalid
from linli.registry.models import Compound, Dwelling

ADD_MEETING = "consultation.add_meeting"
CHANGE_MEETING = "consultation.change_meeting"

#: "3-2-401" (building-stairwell-number), optionally followed by who came: "3-2-401 张桂兰".
LABEL = re.compile(r"^\s*([^\s\-–—]+)\s*[-–—]\s*([^\s\-–—]+)\s*[-–—]\s*([^\s\-–—]+)\s*(.*)$")

_TEXT_FIELDS = ("title", "place", "agenda", "minutes", "decisions", "other_attendees")


def _require(by: Any, permission: str, compound_id: int) -> None:
    if by is None or not may(by, permission, compound_id):
        raise PermissionDenied("您没有管理该小区议事会议的权限 (you may not manage these meetings)")


def _check_attendees(
    compound_id: int, attendees: Sequence[tuple[Dwelling, str]]
) -> list[tuple[Dwelling, str]]:
    seen: set[int] = set()
    rows = []
    compound_of = dict(
        Dwelling.objects.filter(pk__in=[d.pk for d, _name in attendees]).values_list(
            "pk", "stairwell__building__compound_id"
        )
    )
    for dwelling, name in attendees:
        if compound_of.get(dwelling.pk) != compound_id:
            raise Invalid(
                f"参会房屋“{dwelling}”不属于本小区",
                f"attending dwelling {dwelling.pk} lies outside the meeting's compound",
                "attendee_outside_compound",
            )
        if dwelling.pk in seen:
            raise Invalid(
                f"参会房屋“{dwelling}”重复登记",
                f"attending dwelling {dwelling.pk} is listed twice",
                "attendee_twice",
            )
        seen.add(dwelling.pk)
        rows.append((dwelling, (name or "").strip()[:64]))
    return rows


def _clean(meeting: Meeting) -> None:
    try:
        meeting.full_clean()
    except ValidationError as exc:
        zh = ";".join(
            f"{_label(field)}:{message}"
            for field, errors in exc.message_dict.items()
            for message in errors
        )
        en = "; ".join(f"{field}: {errors[0]}" for field, errors in exc.message_dict.items())
        raise Invalid(f"会议信息有误:{zh}", f"invalid meeting: {en}", "invalid") from exc


def _label(field: str) -> str:
    try:
        return str(getattr(Meeting._meta.get_field(field), "verbose_name", field))
    except Exception:  # a whole-object error (__all__)
        return "会议"


def record_meeting(
    *,
    by: Any,
    compound: Compound,
    kind: str,
    title: str,
    held_at: datetime.datetime,
    place: str,
    agenda: str = "",
    minutes: str = "",
    decisions: str = "",
    other_attendees: str = "",
    attendees: Sequence[tuple[Dwelling, str]] = (),
) -> Meeting:
    """Record a meeting of ``compound`` with the dwellings represented (and by whom).

    Needs ``consultation.add_meeting`` over the compound; attendees must be dwellings of that
    compound, each once.
    """
    with transaction.atomic():
        _require(by, ADD_MEETING, compound.pk)
        if kind not in MeetingKind.values:
            raise Invalid(f"会议类型“{kind}”无效", f"unknown meeting kind {kind!r}", "kind")
        rows = _check_attendees(compound.pk, attendees)
        meeting = Meeting(
            compound=compound,
            kind=kind,
            title=title.strip(),
            held_at=held_at,
            place=place.strip(),
            agenda=agenda,
            minutes=minutes,
            decisions=decisions,
            other_attendees=other_attendees.strip(),
            recorded_by=by,
        )
        _clean(meeting)
        meeting.save()
        for dwelling, name in rows:
            Attendance.objects.create(meeting=meeting, dwelling=dwelling, attendee_name=name)
        return meeting


def update_meeting(
    *,
    meeting: Meeting,
    by: Any,
    kind: str | None = None,
    title: str | None = None,
    held_at: datetime.datetime | None = None,
    place: str | None = None,
    agenda: str | None = None,
    minutes: str | None = None,
    decisions: str | None = None,
    other_attendees: str | None = None,
    attendees: Sequence[tuple[Dwelling, str]] | None = None,
) -> Meeting:
    """Change a meeting's fields (those given) and, when ``attendees`` is given, replace the
    attendance list with it. Needs ``consultation.change_meeting`` over the compound; the
    compound itself does not change."""
    with transaction.atomic():
        _require(by, CHANGE_MEETING, meeting.compound_id)
        if kind is not None:
            if kind not in MeetingKind.values:
                raise Invalid(f"会议类型“{kind}”无效", f"unknown meeting kind {kind!r}", "kind")
            meeting.kind = kind
        if held_at is not None:
            meeting.held_at = held_at
        given = {
            "title": title,
            "place": place,
            "agenda": agenda,
            "minutes": minutes,
            "decisions": decisions,
            "other_attendees": other_attendees,
        }
        for name in _TEXT_FIELDS:
            value = given[name]
            if value is not None:
                setattr(meeting, name, value.strip() if name in ("title", "place") else value)
        _clean(meeting)
        meeting.save()
        if attendees is not None:
            rows = _check_attendees(meeting.compound_id, attendees)
            wanted = {d.pk: name for d, name in rows}
            current = {a.dwelling_id: a for a in meeting.attendances.all()}
            for dwelling_id, attendance in current.items():
                if dwelling_id not in wanted:
                    attendance.delete()
                elif attendance.attendee_name != wanted[dwelling_id]:
                    attendance.attendee_name = wanted[dwelling_id]
                    attendance.save(update_fields=["attendee_name"])
            for dwelling, name in rows:
                if dwelling.pk not in current:
                    Attendance.objects.create(
                        meeting=meeting, dwelling=dwelling, attendee_name=name
                    )
        return meeting


def add_attachment(*, meeting: Meeting, by: Any, title: str, file: File) -> MeetingAttachment:
    """Attach a file (sign-in sheet, photos, signed minutes) to a meeting; needs
    ``consultation.change_meeting`` over its compound."""
    with transaction.atomic():
        _require(by, CHANGE_MEETING, meeting.compound_id)
        title = (title or "").strip() or getattr(file, "name", "") or "附件"
        return MeetingAttachment.objects.create(meeting=meeting, title=title[:128], file=file)


def resolve_attendees(*, compound: Compound, text: str) -> list[tuple[Dwelling, str]]:
    """Dwellings from lines like "3-2-401" or "3-2-401 张桂兰" (building-stairwell-number,
    then optionally who came). Blank lines are skipped; every unreadable or unknown line is
    reported with its row number in one :class:`Invalid`."""
    index = {
        dwelling_label(d): d
        for d in Dwelling.objects.filter(stairwell__building__compound=compound).select_related(
            "stairwell__building"
        )
    }
    rows: list[tuple[Dwelling, str]] = []
    errors_zh: list[str] = []
    errors_en: list[str] = []
    seen: dict[int, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = LABEL.match(line)
        if match is None:
            errors_zh.append(f"第{number}行“{line.strip()}”:格式应为“楼栋-单元-房号”")
            errors_en.append(f"row {number} {line.strip()!r}: expected building-stairwell-number")
            continue
        label = "-".join(match.group(i) for i in (1, 2, 3))
        dwelling = index.get(label)
        if dwelling is None:
            errors_zh.append(f"第{number}行“{label}”:本小区没有这个房屋")
            errors_en.append(f"row {number} {label!r}: no such dwelling in the compound")
            continue
        if dwelling.pk in seen:
            errors_zh.append(f"第{number}行“{label}”:与第{seen[dwelling.pk]}行重复")
            errors_en.append(f"row {number} {label!r}: repeats row {seen[dwelling.pk]}")
            continue
        seen[dwelling.pk] = number
        rows.append((dwelling, match.group(4).strip()))
    if errors_zh:
        raise Invalid(";".join(errors_zh), "; ".join(errors_en), "attendee_labels")
    return rows
