"""Forms of the case pages: a new case, the plan, the pool table, the votes, handover,
running costs and documents. The services hold the rules; the forms turn what the page
offers (text boxes, ticks, radio buttons) into the services' keyword arguments."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.consultation.vote_forms import DateTimeInput
from linli.consultation.vote_reads import dwelling_label, stairwell_label
from linli.core.errors import Invalid
from linli.elevators import allocation
from linli.elevators.models import (
    CaseDwelling,
    CostPart,
    DocumentKind,
    ElevatorCase,
    StopMode,
    SubsidyRule,
)
from linli.registry.models import Compound, Dwelling, Stairwell

CUSTOM = "custom"
#: Coefficient choices of the plan form: Art. 283 first (the fallback), then the presets.
COEFFICIENT_CHOICES = [
    (allocation.AREA, _("按专有面积分摊(民法典第283条,默认)")),
    (allocation.EQUAL, _("平均分摊")),
    (allocation.HALF_STEP, _("1 + 0.5 ×(楼层 − 1)")),
    (CUSTOM, _("自定义楼层系数表")),
]
#: Running costs may keep the construction table.
SAME = ""
RUNNING_COEFFICIENT_CHOICES = [(SAME, _("沿用建设费用的分摊系数")), *COEFFICIENT_CHOICES]
TABLE_HELP = _("每行“楼层:系数”,如 1:0、2:0、3:1;须覆盖分摊住户的每个计费楼层")

_TABLE_LINE = re.compile(r"^\s*(-?\d+)\s*[::=]\s*(\S+)\s*$")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def money_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.CharField:
    """A yuan amount typed as text: the service checks it (fen, not negative)."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=20,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def parse_table(text: str) -> dict[int, str]:
    """'1:0\\n2:0.5' (or commas between pairs) as {1: '0', 2: '0.5'}; ``Invalid`` on bad lines."""
    table: dict[int, str] = {}
    for line in [p for p in re.split(r"[\n,,;;]+", text or "") if p.strip()]:
        match = _TABLE_LINE.match(line)
        if match is None:
            raise Invalid(
                f"无法识别“{line.strip()}”,请按“楼层:系数”填写",
                f"cannot read {line.strip()!r}; write 'floor:coefficient'",
                "coefficients",
            )
        floor = int(match.group(1))
        if floor in table:
            raise Invalid(
                f"系数表中第{floor}层出现两次",
                f"floor {floor} appears twice in the table",
                "coefficients",
            )
        table[floor] = match.group(2)
    if not table:
        raise Invalid("请填写楼层系数表", "fill in the coefficient table", "coefficients")
    return table


def table_text(value: Any) -> str:
    """A stored table as the textarea shows it."""
    if not isinstance(value, dict):
        return ""
    return "\n".join(f"{k}:{v}" for k, v in sorted(value.items(), key=lambda kv: int(kv[0])))


def _coefficients(form: forms.Form, choice_field: str, table_field: str) -> Any:
    """The chosen preset, the parsed custom table, or None (running: keep the construction's)."""
    choice = form.cleaned_data.get(choice_field)
    if choice == CUSTOM:
        try:
            return parse_table(form.cleaned_data.get(table_field, ""))
        except Invalid as exc:
            form.add_error(table_field, exc.message)
            return None
    return choice or None


class StairwellChoice(forms.ModelMultipleChoiceField):
    """Stairwells with their dwelling count and, when already in an open case, a note (the
    queryset annotates ``dwellings_count`` and ``busy``)."""

    def label_from_instance(self, obj: Any) -> str:
        label = stairwell_label(obj)
        if hasattr(obj, "dwellings_count"):
            label += gettext("(%(n)s 户)") % {"n": obj.dwellings_count}
        if getattr(obj, "busy", False):
            label += gettext(" · 已有加装电梯项目")
        return label


class CompoundChoiceForm(forms.Form):
    """Step 1 of a new case: the compound (GET ``?compound=``)."""

    compound = forms.ModelChoiceField(
        label=_("小区"), queryset=Compound.objects.none(), empty_label=_("请选择")
    )

    def __init__(self, *args: Any, compounds: QuerySet[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = compounds.order_by("name")  # type: ignore[attr-defined]


class PlanForm(forms.Form):
    """The plan of a case: title, stops, costs by part, subsidy and how the cost is shared."""

    title = forms.CharField(label=_("项目名称"), max_length=128)
    stop_mode = forms.ChoiceField(
        label=_("停靠方式"), choices=StopMode.choices, initial=StopMode.LEVEL
    )
    storeys = forms.IntegerField(
        label=_("楼层数"),
        required=False,
        min_value=1,
        help_text=_("按楼层数补贴时使用;留空则取所服务楼栋的最高层数"),
    )
    subsidy_rule = forms.ModelChoiceField(
        label=_("补贴规则"),
        queryset=SubsidyRule.objects.none(),
        required=False,
        empty_label=_("无补贴"),
    )
    coefficients = forms.ChoiceField(
        label=_("分摊系数"),
        choices=COEFFICIENT_CHOICES,
        initial=allocation.AREA,
        widget=forms.RadioSelect,
    )
    table = forms.CharField(
        label=_("自定义系数表"),
        required=False,
        help_text=TABLE_HELP,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "1:0\n2:0\n3:1"}),
    )
    area_weighted = forms.BooleanField(
        label=_("系数再按专有面积加权"), required=False, help_text=_("按专有面积分摊时总是加权")
    )
    provident_fund_cap = money_field(
        _("公积金提取上限(元/户)"), help_text=_("留空表示只以本户建设分摊额为限")
    )
    feasibility = forms.CharField(
        label=_("可行性论证"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    design = forms.CharField(
        label=_("设计方案"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, rules: QuerySet[SubsidyRule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["subsidy_rule"].queryset = rules  # type: ignore[attr-defined]
        # One text box per cost part, after the stop fields and before the subsidy.
        costs = [f"cost_{part}" for part in CostPart.values]
        for name, part in zip(costs, CostPart, strict=True):
            self.fields[name] = money_field(gettext("%(part)s(元)") % {"part": part.label})
        self.order_fields(["stairwells", "title", "stop_mode", "storeys", *costs])

    @staticmethod
    def initial_for(case: ElevatorCase) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": case.title,
            "stop_mode": case.stop_mode,
            "storeys": case.storeys,
            "subsidy_rule": case.subsidy_rule_id,
            "area_weighted": case.area_weighted,
            "provident_fund_cap": case.provident_fund_cap,
            "feasibility": case.feasibility,
            "design": case.design,
        }
        if isinstance(case.coefficients, str):
            initial["coefficients"] = case.coefficients
        else:
            initial["coefficients"] = CUSTOM
            initial["table"] = table_text(case.coefficients)
        for part, amount in case.costs().items():
            initial[f"cost_{part}"] = amount
        return initial

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        data["coefficients_value"] = _coefficients(self, "coefficients", "table")
        cap = (data.get("provident_fund_cap") or "").strip()
        try:
            data["cap_value"] = (
                allocation.to_money(cap, field_zh="公积金提取上限", field_en="provident fund cap")
                if cap
                else None
            )
        except Invalid as exc:
            self.add_error("provident_fund_cap", exc.message)
        return data

    def plan_kwargs(self) -> dict[str, Any]:
        """The cleaned plan as ``create_case`` / ``update_plan`` keyword arguments."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "stop_mode": data["stop_mode"],
            "subsidy_rule": data["subsidy_rule"],
            "coefficients": data["coefficients_value"],
            "area_weighted": data["area_weighted"],
            "provident_fund_cap": data["cap_value"],
            "feasibility": data["feasibility"],
            "design": data["design"],
            "costs": {
                part: (data.get(f"cost_{part}") or "").strip() or "0" for part in CostPart.values
            },
        }


class CaseForm(PlanForm):
    """A new case: the plan plus the stairwell(s) the elevator serves."""

    stairwells = StairwellChoice(
        label=_("服务单元"),
        queryset=Stairwell.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("相邻单元共用一部电梯时一并勾选:费用合并分摊,各单元分别表决"),
    )

    def __init__(self, *args: Any, stairwells: QuerySet[Stairwell], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stairwells"].queryset = stairwells  # type: ignore[attr-defined]

    def case_kwargs(self) -> dict[str, Any]:
        kwargs = self.plan_kwargs()
        kwargs["stairwells"] = list(self.cleaned_data["stairwells"])
        kwargs["storeys"] = self.cleaned_data.get("storeys")
        return kwargs


class PoolForm(forms.Form):
    """Every dwelling of the pool in one table: cost floor, exemption, compensation, affected."""

    def __init__(self, *args: Any, rows: Sequence[CaseDwelling], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        for row in self.rows:
            p = f"d{row.dwelling_id}"
            self.fields[f"{p}-floor"] = forms.IntegerField(
                label=_("计费楼层"), min_value=1, max_value=99, initial=row.cost_floor
            )
            self.fields[f"{p}-exempt"] = forms.BooleanField(
                label=_("不参与分摊"), required=False, initial=row.exempt
            )
            self.fields[f"{p}-reason"] = forms.CharField(
                label=_("原因"), required=False, max_length=128, initial=row.exempt_reason
            )
            self.fields[f"{p}-compensation"] = money_field(_("获得补偿(元)"))
            self.fields[f"{p}-compensation"].initial = row.compensation or ""
            self.fields[f"{p}-affected"] = forms.BooleanField(
                label=_("受影响"), required=False, initial=row.affected
            )

    def lines(self) -> list[tuple[CaseDwelling, str, dict[str, forms.BoundField]]]:
        """Each pool row, its label and its bound fields by short name, for the table."""
        return [
            (
                row,
                dwelling_label(row.dwelling),
                {
                    name: self[f"d{row.dwelling_id}-{name}"]
                    for name in ("floor", "exempt", "reason", "compensation", "affected")
                },
            )
            for row in self.rows
        ]

    def pool_kwargs(self) -> dict[str, Any]:
        """The table as ``update_plan`` keyword arguments."""
        data = self.cleaned_data
        floors, exempt, reasons, compensation, affected = {}, [], {}, [], []
        for row in self.rows:
            pk, p = row.dwelling_id, f"d{row.dwelling_id}"
            floors[pk] = data[f"{p}-floor"]
            if data[f"{p}-exempt"]:
                exempt.append(pk)
                reasons[pk] = data[f"{p}-reason"]
            amount = (data.get(f"{p}-compensation") or "").strip()
            if amount:
                compensation.append((pk, amount))
            if data[f"{p}-affected"]:
                affected.append(pk)
        return {
            "cost_floors": floors,
            "exempt": exempt,
            "exempt_reasons": reasons,
            "compensation": compensation,
            "affected": affected,
        }


class VotesForm(forms.Form):
    """Starting the owners' votes: one per stairwell, on the plan as it stands."""

    opens_at = forms.DateTimeField(
        label=_("开始时间"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("留空则立即开始(同时锁定表决业主名册)"),
    )
    closes_at = forms.DateTimeField(label=_("截止时间"), widget=DateTimeInput())
    notice_days = forms.IntegerField(label=_("公示天数"), min_value=0, max_value=365, initial=7)


class HandOverForm(forms.Form):
    """Acceptance and handover: the asset, its maintenance contract and responsible unit."""

    accepted_on = forms.DateField(label=_("竣工验收日期"), widget=DateInput())
    responsible_unit = forms.CharField(
        label=_("使用管理单位"), max_length=128, help_text=_("电梯使用单位(通常为物业服务企业)")
    )
    contractor = forms.CharField(label=_("维保单位"), max_length=128)
    contract_number = forms.CharField(label=_("维保合同编号"), max_length=64, required=False)
    contract_starts_on = forms.DateField(label=_("合同开始日期"), widget=DateInput())
    contract_ends_on = forms.DateField(label=_("合同结束日期"), widget=DateInput())
    annual_fee = forms.DecimalField(
        label=_("维保年费(元)"), required=False, min_value=Decimal("0"), decimal_places=2
    )
    registration_code = forms.CharField(label=_("使用登记证编号"), max_length=64, required=False)
    manufacturer = forms.CharField(label=_("制造单位"), max_length=128, required=False)
    model_name = forms.CharField(label=_("型号"), max_length=64, required=False)


class RunningCostForm(forms.Form):
    """A year's running costs and how they are shared."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    maintenance = money_field(_("维保费(元)"))
    electricity = money_field(_("电费(元)"))
    inspection = money_field(_("检验费(元)"))
    other = money_field(_("其他(元)"))
    coefficients = forms.ChoiceField(
        label=_("分摊系数"),
        choices=RUNNING_COEFFICIENT_CHOICES,
        required=False,
        initial=SAME,
        widget=forms.RadioSelect,
    )
    table = forms.CharField(
        label=_("自定义系数表"),
        required=False,
        help_text=TABLE_HELP,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    area_weighted = forms.TypedChoiceField(
        label=_("按面积加权"),
        choices=[("", _("沿用建设费用的设置")), ("1", _("是")), ("0", _("否"))],
        required=False,
        coerce=lambda v: v == "1",
        empty_value=None,
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.cleaned_data["coefficients_value"] = _coefficients(self, "coefficients", "table")
        return self.cleaned_data

    def running_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        parts = ("maintenance", "electricity", "inspection", "other")
        return {
            "year": data["year"],
            "costs": {part: (data.get(part) or "").strip() or "0" for part in parts},
            "coefficients": data["coefficients_value"],
            "area_weighted": data["area_weighted"],
        }


class DwellingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return dwelling_label(obj)


class DocumentForm(forms.Form):
    """A consent letter, the signed agreement or another document of the case."""

    kind = forms.ChoiceField(label=_("类型"), choices=DocumentKind.choices)
    title = forms.CharField(
        label=_("标题"), max_length=128, required=False, help_text=_("留空则以类型为标题")
    )
    dwelling = DwellingChoice(
        label=_("房屋(可选)"),
        queryset=Dwelling.objects.none(),
        required=False,
        empty_label=_("整个项目"),
    )
    file = forms.FileField(label=_("文件"), required=False)

    def __init__(self, *args: Any, case: ElevatorCase, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dwellings = Dwelling.objects.filter(pk__in=case.pool.values("dwelling_id")).select_related(
            "stairwell__building"
        )
        self.fields["dwelling"].queryset = dwellings.order_by(  # type: ignore[attr-defined]
            "stairwell__building__number", "stairwell__number", "floor", "number"
        )
