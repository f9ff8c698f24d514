"""Forms of the progress pages: the report (one percentage per item, prefilled with the
current values; summary; photos; an optional problem), a problem, and its resolution."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.renewal.forms import DateInput
from linli.renewal.models import ProjectItem
from linli.renewal.services.common import today


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that takes several files."""

    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files at once (each is checked as a photo by the service)."""

    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleImageField, self).clean(one, initial) for one in files]


def percent_name(item: ProjectItem) -> str:
    return f"percent_{item.pk}"


def note_name(item: ProjectItem) -> str:
    return f"note_{item.pk}"


class ProgressReportForm(forms.Form):
    """A dated report: each item's percentage (prefilled), summary, photos, a problem."""

    reported_on = forms.DateField(label=_("填报日期"), widget=DateInput())
    summary = forms.CharField(
        label=_("进展情况"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = MultipleImageField(
        label=_("现场照片"),
        required=False,
        help_text=_("可选多张;保留照片自带的拍摄时间和位置"),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    problem = forms.CharField(
        label=_("发现的问题"),
        required=False,
        help_text=_("如有,将登记到问题清单"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, items: list[ProjectItem], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("reported_on", today())
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[percent_name(item)] = forms.DecimalField(
                label=item.item.name,
                max_digits=5,
                decimal_places=2,
                validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
                initial=item.progress_percent,
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
            )
            self.fields[note_name(item)] = forms.CharField(
                label=_("说明"),
                required=False,
                max_length=255,
                widget=forms.TextInput(
                    attrs={"aria-label": gettext("%(item)s 的说明") % {"item": item.item.name}}
                ),
            )

    def item_rows(self) -> list[tuple[ProjectItem, Any, Any]]:
        """(item, percent field, note field) for the template's table."""
        return [(i, self[percent_name(i)], self[note_name(i)]) for i in self.items]

    def percents(self) -> tuple[dict[int, Decimal], dict[int, str]]:
        """Every item's percentage and note: a report from the page is a full snapshot of the
        works as of its date (the API may report some items only)."""
        data = self.cleaned_data
        percents = {item.pk: data[percent_name(item)] for item in self.items}
        notes = {item.pk: data[note_name(item)].strip() for item in self.items}
        return percents, {pk: note for pk, note in notes.items() if note}


class ProblemForm(forms.Form):
    """A problem found on site."""

    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 3}))
    raised_on = forms.DateField(label=_("提出日期"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("raised_on", today())
        super().__init__(*args, **kwargs)


class ResolveProblemForm(forms.Form):
    """How and when a problem was resolved."""

    resolution = forms.CharField(label=_("解决情况"), widget=forms.Textarea(attrs={"rows": 3}))
    resolved_on = forms.DateField(label=_("解决日期"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("resolved_on", today())
        super().__init__(*args, **kwargs)
