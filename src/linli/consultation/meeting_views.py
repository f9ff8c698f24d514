"""Meeting pages: the list (filter by kind and compound), recording and editing a meeting
with the dwellings represented, its page (agenda, minutes, decisions, who came, files), and
its files served by scope (media files are not public).

Residents read their compound's meetings but not who came (the attendance rows are scoped to
staff). Objects outside the user's scope answer 404; a write without the permission 403.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views import View
from django.views.generic import ListView

from linli.consultation import models as m
from linli.consultation import visit_selectors as sel
from linli.consultation.services import meetings as service
from linli.consultation.visit_forms import AttachmentForm, MeetingForm
from linli.core.errors import Invalid
from linli.core.scoping import get_scoped_or_404, scoped

DENIED = "您没有管理该小区议事会议的权限 (you may not manage these meetings)"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class MeetingListView(LoginRequiredMixin, ListView):
    """Meetings of the compounds the user sees, newest first."""

    model = m.Meeting
    template_name = "consultation/meeting_list.html"
    context_object_name = "meetings"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[m.Meeting]:
        meetings = scoped(m.Meeting, self.request.user).select_related("compound")
        kind = self.request.GET.get("kind")
        if kind in m.MeetingKind.values:
            meetings = meetings.filter(kind=kind)
        compound = _int(self.request.GET.get("compound"))
        if compound is not None:
            meetings = meetings.filter(compound=compound)
        return meetings

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            kinds=m.MeetingKind.choices,
            compounds=sel.consultation_compounds(user).order_by("name"),
            chosen_kind=self.request.GET.get("kind", ""),
            chosen_compound=_int(self.request.GET.get("compound")),
            query_without_page=query.urlencode(),
            can_add=sel.staff_compounds_of(user, service.ADD_MEETING).exists(),
        )
        return context


def _form_error(form: MeetingForm, exc: Invalid) -> None:
    field = "attendees" if exc.code.startswith("attendee") else None
    form.add_error(field, exc.message)


#: The form fields a meeting is written with, besides its compound and attendees.
_FIELDS = ("kind", "title", "held_at", "place", "agenda", "minutes", "decisions", "other_attendees")


def _save(
    request: HttpRequest, form: MeetingForm, write: Callable[..., m.Meeting], done: str
) -> HttpResponse | None:
    """Write a valid form through ``write`` (a meetings service, given the meeting's fields
    and attendees) and go to the meeting; None to show the form again with its errors."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        meeting = write(**{name: data[name] for name in _FIELDS}, attendees=data["attendee_rows"])
    except Invalid as exc:
        _form_error(form, exc)
        return None
    messages.success(request, done)
    return redirect("consultation:meeting_detail", pk=meeting.pk)


class MeetingCreateView(LoginRequiredMixin, View):
    """ "记录会议": the meeting and who came."""

    def _compounds(self) -> Any:
        compounds = sel.staff_compounds_of(self.request.user, service.ADD_MEETING)
        if not compounds.exists():
            raise PermissionDenied(DENIED)
        return compounds.order_by("name")

    def _render(self, form: MeetingForm) -> HttpResponse:
        context = {"form": form, "compounds": form.fields["compound"].queryset, "meeting": None}  # type: ignore[attr-defined]
        return render(self.request, "consultation/meeting_form.html", context)

    def get(self, request: HttpRequest) -> HttpResponse:
        compounds = self._compounds()
        chosen = compounds.filter(pk=_int(request.GET.get("compound"))).first()
        initial = {"compound": chosen} if chosen else {}
        form = MeetingForm(compounds=compounds, initial=initial)
        return self._render(form)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = MeetingForm(request.POST, compounds=self._compounds())
        done = _save(
            request,
            form,
            lambda **fields: service.record_meeting(
                by=request.user, compound=form.cleaned_data["compound"], **fields
            ),
            gettext("会议已记录"),
        )
        return done or self._render(form)


class MeetingDetailView(LoginRequiredMixin, View):
    """A meeting: agenda, minutes, decisions, the dwellings represented, its files."""

    model = m.Meeting

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        meeting = get_scoped_or_404(
            m.Meeting.objects.select_related("compound", "recorded_by"), user, pk=pk
        )
        attendances = list(
            scoped(m.Attendance.objects.filter(meeting=meeting), user).select_related(
                "dwelling__stairwell__building"
            )
        )
        sees = sel.sees_attendance(user, meeting)
        can_edit = sel.may(user, service.CHANGE_MEETING, meeting.compound_id)
        context = {
            "meeting": meeting,
            "sees_attendance": sees,
            "attendances": [
                {"label": sel.dwelling_label(a.dwelling), "name": a.attendee_name}
                for a in attendances
            ],
            "summary": sel.attendance_summary(meeting, len(attendances)) if sees else None,
            "attachments": scoped(m.MeetingAttachment.objects.filter(meeting=meeting), user),
            "can_edit": can_edit,
            "attachment_form": AttachmentForm() if can_edit else None,
        }
        return render(request, "consultation/meeting_detail.html", context)


class MeetingEditView(LoginRequiredMixin, View):
    """Edit a meeting (minutes and decisions are often written afterwards)."""

    model = m.Meeting

    def _load(self, request: HttpRequest, pk: int) -> m.Meeting:
        meeting = get_scoped_or_404(
            m.Meeting.objects.select_related("compound"), request.user, pk=pk
        )
        if not sel.may(request.user, service.CHANGE_MEETING, meeting.compound_id):
            raise PermissionDenied(DENIED)
        return meeting

    def _form(self, meeting: m.Meeting, data: Any = None) -> MeetingForm:
        compounds = sel.consultation_compounds(self.request.user).filter(pk=meeting.compound_id)
        initial = {
            "compound": meeting.compound,
            "kind": meeting.kind,
            "title": meeting.title,
            "held_at": meeting.held_at,
            "place": meeting.place,
            "agenda": meeting.agenda,
            "minutes": meeting.minutes,
            "decisions": meeting.decisions,
            "other_attendees": meeting.other_attendees,
            "attendee_labels": "\n".join(
                f"{sel.dwelling_label(a.dwelling)} {a.attendee_name}".strip()
                for a in meeting.attendances.select_related("dwelling__stairwell__building")
            ),
        }
        return MeetingForm(data, compounds=compounds, compound=meeting.compound, initial=initial)

    def _render(self, meeting: m.Meeting, form: MeetingForm) -> HttpResponse:
        return render(
            self.request, "consultation/meeting_form.html", {"form": form, "meeting": meeting}
        )

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = self._load(request, pk)
        return self._render(meeting, self._form(meeting))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = self._load(request, pk)
        form = self._form(meeting, request.POST)
        done = _save(
            request,
            form,
            lambda **fields: service.update_meeting(meeting=meeting, by=request.user, **fields),
            gettext("会议已更新"),
        )
        return done or self._render(meeting, form)


class MeetingAttachView(LoginRequiredMixin, View):
    """POST: attach a file to a meeting."""

    model = m.Meeting

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        meeting = get_scoped_or_404(m.Meeting, request.user, pk=pk)
        if not sel.may(request.user, service.CHANGE_MEETING, meeting.compound_id):
            raise PermissionDenied(DENIED)
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            service.add_attachment(
                meeting=meeting,
                by=request.user,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
            )
            messages.success(request, gettext("附件已上传"))
        else:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, str(error))
        return redirect("consultation:meeting_detail", pk=meeting.pk)


class MeetingAttachmentView(LoginRequiredMixin, View):
    """A meeting's file, for users who see the meeting."""

    model = m.MeetingAttachment

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        attachment = get_scoped_or_404(m.MeetingAttachment, request.user, pk=pk)
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, ValueError) as exc:
            raise Http404 from exc
        return FileResponse(handle, filename=Path(attachment.file.name or "").name)
