"""Forms of the vote pages: a new vote (matter, compound and scope, rule profile, dates) and
the staff entry of a paper or proxy ballot. The services hold the rules; the forms check
what the page itself offers (ids inside the user's compounds, scope in one compound)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from linli.consultation import models as m
from linli.consultation.vote_reads import dwelling_label
from linli.registry.models import Building, Compound, Dwelling, Stairwell

#: Help text of the profile field: which profile applies when none is chosen.
PROFILE_HELP = _(
    "不选时按事项类型默认:筹集维修资金、改建重建、改变共有部分用途适用“民法典重大事项”"
    "(参与面积、人数均 ≥ 2/3,同意均 ≥ 参与的 3/4);其他事项适用“民法典一般事项”"
    "(同意均超过参与的 1/2)。"
)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class BuildingChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.compound.name} {obj.number}号楼"


class StairwellChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        building = obj.building
        return f"{building.compound.name} {building.number}号楼{obj.number}单元"


#: "3-2-101": building, stairwell, dwelling number.
_DWELLING_CODE = re.compile(r"^([^-\s]+)-([^-\s]+)-([^-\s]+)$")


class VoteForm(forms.Form):
    """A new vote: what is decided, by whom (compound, buildings or stairwells), under which
    rule, and when."""

    title = forms.CharField(label=_("表决事项"), max_length=128)
    matter = forms.ChoiceField(label=_("事项类型"), choices=m.Matter.choices)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    compound = forms.ModelChoiceField(
        label=_("小区"), queryset=Compound.objects.none(), empty_label=_("请选择")
    )
    scope_kind = forms.ChoiceField(
        label=_("表决范围"),
        choices=m.VoteScope.choices,
        initial=m.VoteScope.COMPOUND,
        widget=forms.RadioSelect,
        help_text=_("加装电梯等事项在受益单元内表决:选择“单元”并勾选相应单元。"),
    )
    buildings = BuildingChoice(
        label=_("楼栋"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    stairwells = StairwellChoice(
        label=_("单元"),
        queryset=Stairwell.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    profile = forms.ModelChoiceField(
        label=_("表决规则"),
        queryset=m.RuleProfile.objects.filter(active=True),
        required=False,
        empty_label=_("按事项类型默认"),
        help_text=PROFILE_HELP,
    )
    opens_at = forms.DateTimeField(
        label=_("开始时间"),
        required=False,
        widget=DateTimeInput(),
        help_text=_("留空则立即开始(同时锁定表决业主名册)"),
    )
    closes_at = forms.DateTimeField(label=_("截止时间"), widget=DateTimeInput())
    notice_days = forms.IntegerField(label=_("公示天数"), min_value=0, max_value=365, initial=7)
    affected = forms.CharField(
        label=_("受影响房屋(可选)"),
        required=False,
        help_text=_("专有部分受影响的房屋,写作 楼栋-单元-房号(如 3-2-101),多个用逗号或空格分隔"),
    )

    def __init__(self, *args: Any, compounds: QuerySet[Compound], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = compounds.values("pk")
        self.fields["compound"].queryset = compounds.order_by("name")  # type: ignore[attr-defined]
        self.fields["buildings"].queryset = Building.objects.filter(  # type: ignore[attr-defined]
            compound__in=ids
        ).select_related("compound")
        self.fields["stairwells"].queryset = Stairwell.objects.filter(  # type: ignore[attr-defined]
            building__compound__in=ids
        ).select_related("building__compound")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        compound = data.get("compound")
        kind = data.get("scope_kind")
        if compound is None or kind is None:
            return data
        if kind == m.VoteScope.BUILDINGS:
            self._same_compound(data, "buildings", compound, lambda b: b.compound_id)
            data["stairwells"] = []
        elif kind == m.VoteScope.STAIRWELLS:
            self._same_compound(data, "stairwells", compound, lambda s: s.building.compound_id)
            data["buildings"] = []
        else:
            data["buildings"] = data["stairwells"] = []
        data["affected_dwellings"] = self._affected(data.get("affected", ""), compound)
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if closes is not None and closes <= (opens or timezone.now()):
            self.add_error(
                "closes_at",
                gettext("截止时间须晚于开始时间 (the vote must close after it opens)"),
            )
        return data

    def _same_compound(self, data: dict[str, Any], name: str, compound: Compound, of: Any) -> None:
        chosen = list(data.get(name) or [])
        if not chosen:
            self.add_error(name, gettext("请至少选择一项 (choose at least one for this scope)"))
            return
        others = [str(obj) for obj in chosen if of(obj) != compound.pk]
        if others:
            self.add_error(
                name,
                gettext("%(items)s 不属于 %(compound)s (not in the chosen compound)")
                % {"items": "、".join(others), "compound": compound.name},
            )

    def _affected(self, text: str, compound: Compound) -> list[Dwelling]:
        found: list[Dwelling] = []
        for code in [c for c in re.split(r"[,,、;;\s]+", text.strip()) if c]:
            match = _DWELLING_CODE.match(code)
            dwelling = (
                Dwelling.objects.filter(
                    stairwell__building__compound=compound,
                    stairwell__building__number=match.group(1),
                    stairwell__number=match.group(2),
                    number=match.group(3),
                ).first()
                if match
                else None
            )
            if dwelling is None:
                self.add_error(
                    "affected",
                    gettext("%(code)s:本小区没有这套房屋 (no such dwelling in the compound)")
                    % {"code": code},
                )
            else:
                found.append(dwelling)
        return found

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned form as ``create_vote`` keyword arguments."""
        data = self.cleaned_data
        kind = data["scope_kind"]
        kwargs: dict[str, Any] = {
            "title": data["title"],
            "matter": data["matter"],
            "profile": data["profile"],
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "notice_days": data["notice_days"],
            "description": data["description"],
            "affected_dwellings": data["affected_dwellings"],
        }
        if kind == m.VoteScope.BUILDINGS:
            kwargs["buildings"] = list(data["buildings"])
        elif kind == m.VoteScope.STAIRWELLS:
            kwargs["stairwells"] = list(data["stairwells"])
        else:
            kwargs["compound"] = data["compound"]
        return kwargs


class DwellingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return dwelling_label(obj)


#: Staff enter paper and proxy ballots; online ballots are the residents' own.
STAFF_CHANNELS = [
    (value, label) for value, label in m.BallotChannel.choices if value != m.BallotChannel.ONLINE
]


class BallotForm(forms.Form):
    """A paper or proxy ballot entered by staff, with the scanned sheet or authorisation."""

    dwelling = DwellingChoice(
        label=_("房屋"), queryset=Dwelling.objects.none(), empty_label=_("请选择")
    )
    choice = forms.ChoiceField(label=_("意见"), choices=m.Choice.choices, widget=forms.RadioSelect)
    channel = forms.ChoiceField(
        label=_("方式"),
        choices=STAFF_CHANNELS,
        initial=m.BallotChannel.PAPER,
        widget=forms.RadioSelect,
    )
    voter_name = forms.CharField(label=_("投票人"), max_length=64, required=False)
    proxy_name = forms.CharField(
        label=_("受托人"), max_length=64, required=False, help_text=_("委托投票时必填")
    )
    document = forms.FileField(
        label=_("表决票扫描件/委托书"),
        required=False,
        help_text=_("纸质票须上传签字表决票的扫描件或照片;委托投票须上传授权委托书"),
    )

    def __init__(self, *args: Any, dwellings: QuerySet[Dwelling], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dwelling"].queryset = dwellings  # type: ignore[attr-defined]
