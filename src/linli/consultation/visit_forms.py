"""Forms of the visit, demand-ranking and meeting pages. They validate input; the services
hold the rules (and the pages put a service's refusal back on the form)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.consultation import models as m
from linli.consultation.services.meetings import resolve_attendees
from linli.consultation.visit_selectors import dwelling_label
from linli.core.errors import Invalid
from linli.registry.models import Compound, Dwelling

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class VisitForm(forms.Form):
    """One call at a dwelling: what happened, when, notes."""

    outcome = forms.ChoiceField(
        label=_("走访结果"), choices=m.VisitOutcome.choices, widget=forms.RadioSelect
    )
    visited_at = forms.DateTimeField(
        label=_("走访时间"),
        widget=DATETIME_WIDGET,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    notes = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("visited_at", timezone.localtime().replace(second=0))


class DemandComputeForm(forms.Form):
    """Compute a ranking now: the compound and, optionally, which surveys to count."""

    compound = forms.ModelChoiceField(label=_("小区"), queryset=Compound.objects.none())
    surveys = forms.ModelMultipleChoiceField(
        label=_("计入的问卷"),
        queryset=m.Survey.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选则计入该小区所有已发布的问卷"),
    )

    def __init__(self, *args: Any, compounds: Any, surveys: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds  # type: ignore[attr-defined]
        self.fields["surveys"].queryset = surveys  # type: ignore[attr-defined]


class DwellingChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return dwelling_label(obj)


class MeetingForm(forms.Form):
    """A meeting: what, when, where, and who came (picked, or typed as "3-2-401" lines)."""

    compound = forms.ModelChoiceField(label=_("小区"), queryset=Compound.objects.none())
    kind = forms.ChoiceField(label=_("会议类型"), choices=m.MeetingKind.choices)
    title = forms.CharField(label=_("主题"), max_length=128)
    held_at = forms.DateTimeField(
        label=_("时间"),
        widget=DATETIME_WIDGET,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    place = forms.CharField(label=_("地点"), max_length=128)
    agenda = forms.CharField(
        label=_("议程"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes = forms.CharField(
        label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    decisions = forms.CharField(
        label=_("议定事项"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    other_attendees = forms.CharField(
        label=_("其他参会人员"),
        max_length=255,
        required=False,
        help_text=_("社区、街道、设计施工单位等非业主参会人员"),
    )
    attendees = DwellingChoiceField(
        label=_("参会住户"),
        queryset=Dwelling.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("按住 Ctrl 可多选"),
    )
    attendee_labels = forms.CharField(
        label=_("参会住户(按房号录入)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "3-2-401 张桂兰"}),
        help_text=_("每行一户:楼栋-单元-房号,可在后面写参会人姓名"),
    )

    def __init__(
        self,
        *args: Any,
        compounds: Any,
        compound: Compound | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds  # type: ignore[attr-defined]
        chosen = compound
        if chosen is None and self.is_bound:
            pk = self.data.get(self.add_prefix("compound"))
            chosen = compounds.filter(pk=pk).first() if str(pk or "").isdigit() else None
        if chosen is None and not self.is_bound:
            chosen = self.initial.get("compound")
            if chosen is None and compounds.count() == 1:
                chosen = compounds.first()
                self.initial["compound"] = chosen
        self.chosen_compound = chosen
        if chosen is not None:
            self.fields["attendees"].queryset = (  # type: ignore[attr-defined]
                Dwelling.objects.filter(stairwell__building__compound=chosen)
                .select_related("stairwell__building")
                .order_by("stairwell__building__number", "stairwell__number", "floor", "number")
            )
        if compound is not None:
            # Editing: the compound of a meeting does not change.
            self.fields["compound"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        compound = data.get("compound")
        text = data.get("attendee_labels", "")
        rows: list[tuple[Dwelling, str]] = [(d, "") for d in data.get("attendees") or []]
        if compound is not None and text.strip():
            try:
                typed = resolve_attendees(compound=compound, text=text)
            except Invalid as exc:
                for zh, en in zip(exc.zh.split(";"), exc.en.split("; "), strict=False):
                    self.add_error("attendee_labels", f"{zh} ({en})")
                typed = []
            # A dwelling both picked and typed counts once, with the name typed for it.
            typed_pks = {d.pk for d, _name in typed}
            rows = [(d, n) for d, n in rows if d.pk not in typed_pks] + typed
        data["attendee_rows"] = rows
        return data


class AttachmentForm(forms.Form):
    """A file of a meeting."""

    title = forms.CharField(label=_("附件名称"), max_length=128, required=False)
    file = forms.FileField(label=_("文件"))
