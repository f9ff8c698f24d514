"""Forms of the after-care pages: a new (non-elevator) asset, its maintenance contract, a
schedule and a visit. The services hold the rules; the forms offer only what the user may pick."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from linli.aftercare.models import Asset, AssetKind, RecordResult, Schedule, ScheduleKind
from linli.aftercare.selectors import with_overdue
from linli.registry.models import Compound


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


#: Elevators come from a retrofit case's handover (with their statutory schedules).
NON_ELEVATOR_KINDS = [(k, label) for k, label in AssetKind.choices if k != AssetKind.ELEVATOR]


class AssetListFilter(django_filters.FilterSet):
    """Filters of the asset list: compound, kind and "overdue only"."""

    compound = django_filters.ModelChoiceFilter(
        queryset=Compound.objects.none(), label=_("小区"), empty_label=_("全部")
    )
    kind = django_filters.ChoiceFilter(
        choices=AssetKind.choices, label=_("类型"), empty_label=_("全部")
    )
    overdue = django_filters.BooleanFilter(
        label=_("仅看逾期"), method="filter_overdue", widget=forms.CheckboxInput
    )

    class Meta:
        model = Asset
        fields: list[str] = []

    def __init__(
        self, *args: Any, compounds: QuerySet[Compound], today: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.filters["compound"].queryset = compounds  # type: ignore[attr-defined]

    def filter_overdue(self, queryset: QuerySet[Asset], name: str, value: bool) -> Any:
        # An unticked box means "all", not "only those on time".
        return with_overdue(queryset, self.today, True) if value else queryset


class AssetForm(forms.Form):
    """A new asset of one of the user's compounds, with its responsible unit (使用单位)."""

    compound = forms.ModelChoiceField(
        label=_("小区"), queryset=Compound.objects.none(), empty_label=_("请选择")
    )
    kind = forms.ChoiceField(label=_("类型"), choices=NON_ELEVATOR_KINDS)
    name = forms.CharField(label=_("名称"), max_length=128)
    location = forms.CharField(label=_("位置"), max_length=128, required=False)
    responsible_unit = forms.CharField(
        label=_("使用单位"),
        max_length=128,
        help_text=_("对设备安全使用负责的单位(如物业服务企业、业主委员会或其委托的单位)"),
    )
    registration_code = forms.CharField(label=_("使用登记证编号"), max_length=64, required=False)
    manufacturer = forms.CharField(label=_("制造单位"), max_length=128, required=False)
    model_name = forms.CharField(label=_("型号"), max_length=64, required=False)
    commissioned_on = forms.DateField(label=_("投入使用日期"), required=False, widget=DateInput())

    def __init__(self, *args: Any, compounds: QuerySet[Compound], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds  # type: ignore[attr-defined]


class ContractForm(forms.Form):
    """The asset's maintenance contract (维保合同)."""

    contractor = forms.CharField(label=_("维保单位"), max_length=128)
    number = forms.CharField(label=_("合同编号"), max_length=64, required=False)
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    annual_fee = forms.DecimalField(
        label=_("年费(元)"), max_digits=12, decimal_places=2, required=False, min_value=0
    )


class ScheduleForm(forms.Form):
    """Create or change the asset's schedule of one kind."""

    kind = forms.ChoiceField(label=_("计划类型"), choices=ScheduleKind.choices)
    interval_days = forms.IntegerField(label=_("周期(天)"), min_value=1, max_value=3650)
    first_due_on = forms.DateField(
        label=_("首次到期"),
        widget=DateInput(),
        help_text=_("已有完成记录时,下次到期按上次完成日期加周期计算。"),
    )


class ScheduleChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_kind_display())


class RecordForm(forms.Form):
    """A maintenance visit or inspection done under one of the asset's schedules."""

    schedule = ScheduleChoice(label=_("维保计划"), queryset=Schedule.objects.none())
    done_on = forms.DateField(label=_("完成日期"), widget=DateInput())
    performed_by = forms.CharField(label=_("作业单位/人员"), max_length=128)
    result = forms.ChoiceField(
        label=_("结论"), choices=RecordResult.choices, initial=RecordResult.PASSED
    )
    notes = forms.CharField(
        label=_("记录"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, schedules: QuerySet[Schedule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["schedule"].queryset = schedules  # type: ignore[attr-defined]
