"""Forms of the renewal pages. They validate input and limit choices to the user's scope;
the views hand ``cleaned_data`` to :mod:`linli.renewal.services`, which do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.consultation.models import Vote, VoteStatus
from linli.core.scoping import scoped
from linli.registry.models import Compound, Organisation, OrganisationKind
from linli.renewal import selectors, services
from linli.renewal.models import (
    AcceptanceRecord,
    CatalogueItem,
    DecisionRecord,
    FundingLine,
    Project,
    ProjectItem,
    StageRecord,
)


class DateInput(forms.DateInput):
    """A native date picker (ISO dates)."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


PROJECT_FIELDS = (
    "code",
    "name",
    "year",
    "batch",
    "compounds",
    "design_firm",
    "construction_firm",
    "supervision_firm",
    "zone_lead",
    "subdistrict_contact",
    "community_contact",
    "district_contact",
    "aftercare_owner",
    "aftercare_owner_name",
    "satisfaction_threshold",
    "notes",
)


class ProjectForm(forms.ModelForm):
    """A project's facts; compounds and firms limited to what the user may use."""

    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        widgets = {
            "compounds": forms.SelectMultiple(attrs={"size": 8}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        permission = "renewal.change_project" if self.instance.pk else "renewal.add_project"
        compounds = self.fields["compounds"]
        compounds.queryset = scoped(Compound, user, permission).order_by("code")  # type: ignore[attr-defined]
        compounds.label_from_instance = lambda c: f"{c.code} {c.name}"  # type: ignore[attr-defined]
        compounds.help_text = _("组团连片项目的小区须属于同一片区")
        organisations = scoped(Organisation, user)
        for name, kind in (
            ("design_firm", OrganisationKind.DESIGN),
            ("construction_firm", OrganisationKind.CONSTRUCTION),
            ("supervision_firm", OrganisationKind.SUPERVISION),
        ):
            self.fields[name].queryset = organisations.filter(kind=kind)  # type: ignore[attr-defined]
        self.fields["aftercare_owner"].queryset = organisations  # type: ignore[attr-defined]
        users = selectors.staff_users()
        for name in ("zone_lead", "subdistrict_contact", "community_contact", "district_contact"):
            self.fields[name].queryset = users  # type: ignore[attr-defined]


class ItemForm(forms.ModelForm):
    """A catalogue item in a project: quantity, budget (yuan), output, note."""

    class Meta:
        model = ProjectItem
        fields = ("item", "quantity", "budget", "output_quantity", "note")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = CatalogueItem.objects.select_related("indicator")
        if self.instance.pk:
            # The catalogue item of an existing line stays (replace it by removing the line).
            del self.fields["item"]
        else:
            self.fields["item"].queryset = items.filter(active=True)  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        # Uniqueness (project, item) is checked by the service with the project set.
        if self.instance.project_id is None:
            return
        super()._post_clean()  # type: ignore[misc]  # private ModelForm hook


class FundingForm(forms.ModelForm):
    """One funding source of a project: planned, allocated, disbursed (yuan)."""

    class Meta:
        model = FundingLine
        fields = ("source", "planned", "allocated", "disbursed", "note")

    def _post_clean(self) -> None:
        # The service upserts by (project, source) and runs the model's checks itself.
        return


class StagePlanForm(forms.ModelForm):
    """Planned dates of one stage."""

    class Meta:
        model = StageRecord
        fields = ("planned_start", "planned_end")
        widgets = {"planned_start": DateInput(), "planned_end": DateInput()}


StagePlanFormSet = forms.modelformset_factory(StageRecord, form=StagePlanForm, extra=0)


class TransitionForm(forms.Form):
    """Move a project to a stage, with the reason (required to go back)."""

    to = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("原因"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(forms.ModelForm):
    """The residents' decision: an owner vote of the project's compounds (its result fills in
    the record), or the date, outcome, approval share and document of a decision taken outside
    Linli."""

    vote = forms.ModelChoiceField(
        label=_("关联业主表决"),
        queryset=Vote.objects.none(),
        required=False,
        empty_label=_("不关联(上传决策材料)"),
        help_text=_("选择已生效的业主表决时,决策日期、结果和同意比例取自表决结果"),
    )

    class Meta:
        model = DecisionRecord
        fields = ("vote", "decided_on", "outcome", "approval_share", "summary", "document")
        widgets = {"decided_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 3})}

    #: Entered by hand only when no vote is linked.
    MANUAL = ("decided_on", "outcome", "approval_share")

    def __init__(self, *args: Any, project: Project | None = None, user: Any = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        votes = Vote.objects.none()
        if project is not None and user is not None:
            votes = scoped(Vote, user).filter(
                status=VoteStatus.FINAL, compound__in=project.compounds.all()
            )
        vote_field = self.fields["vote"]
        vote_field.queryset = votes.select_related("compound").order_by("-closed_at")  # type: ignore[attr-defined]
        vote_field.label_from_instance = lambda v: (  # type: ignore[attr-defined]
            f"{v.compound.name} · {v.title} · {v.closed_at:%Y-%m-%d} · "
            f"{_('通过') if v.passed else _('未通过')}"
        )
        for name in self.MANUAL:
            self.fields[name].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("vote") is None:
            for name in self.MANUAL:
                if data.get(name) in (None, ""):
                    self.add_error(name, forms.Field.default_error_messages["required"])
        return data

    def _post_clean(self) -> None:
        # The service builds the record (from the vote or the fields) and runs its checks.
        return


class AcceptanceForm(forms.ModelForm):
    """The joint acceptance with the residents' satisfaction and its document."""

    class Meta:
        model = AcceptanceRecord
        fields = ("accepted_on", "satisfaction_percent", "notes", "document")
        widgets = {"accepted_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}


class ReviewDecisionForm(forms.Form):
    """A department's decision on a sign-off."""

    decision = forms.ChoiceField(
        label=_("审批结论"),
        choices=[(services.APPROVE, _("同意")), (services.REJECT, _("驳回"))],
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=_("审批意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("驳回时必填"),
    )
