"""Forms of the survey pages: a new survey, and a question of the builder.

The answer form is not a Django form: its fields depend on the questions, so the view reads
the posted values (``parse_answers``) and the pure engine validates them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from linli.consultation.models import CHOICE_KINDS, Question, QuestionKind
from linli.registry.models import Compound


class DateInput(forms.DateInput):
    input_type = "date"


class SurveyForm(forms.Form):
    """A new survey: title, compounds, dates and the visit coverage target."""

    title = forms.CharField(label=_("标题"), max_length=128)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    compounds = forms.ModelMultipleChoiceField(
        label=_("小区"), queryset=Compound.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    opens_on = forms.DateField(label=_("开始日期"), required=False, widget=DateInput)
    closes_on = forms.DateField(label=_("截止日期"), required=False, widget=DateInput)
    coverage_target = forms.DecimalField(
        label=_("入户率目标(%)"), required=False, min_value=0, max_value=100, decimal_places=2
    )

    def __init__(self, *args: Any, compounds: QuerySet[Compound], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["compounds"].queryset = compounds  # type: ignore[attr-defined]


def parse_options(text: str) -> list[tuple[str, str, str]]:
    """Options one per line: ``value|label|menu code``, ``value|label``, or just a label."""
    options = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 1:
            options.append(("", parts[0], ""))
        elif len(parts) == 2:
            options.append((parts[0], parts[1], ""))
        else:
            options.append((parts[0], parts[1], "|".join(parts[2:])))
    return options


def format_options(question: Question) -> str:
    return "\n".join(
        "|".join([o.value, o.label, o.menu_code] if o.menu_code else [o.value, o.label])
        for o in question.options.all()
    )


class QuestionForm(forms.Form):
    """A question of the draft version being built."""

    kind = forms.ChoiceField(label=_("题型"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("题目"), max_length=255)
    help_text = forms.CharField(label=_("填写说明"), max_length=255, required=False)
    required = forms.BooleanField(label=_("必答"), required=False, initial=True)
    options = forms.CharField(
        label=_("选项"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行一个:“选项值|选项|改造内容编号”,或只写选项(自动生成选项值)"),
    )
    rows = forms.CharField(
        label=_("矩阵行"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("矩阵题每行一个"),
    )
    max_choices = forms.IntegerField(
        label=_("最多选择"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("0 或留空:不限"),
    )
    min_value = forms.DecimalField(
        label=_("最小值"), required=False, max_digits=12, decimal_places=2
    )
    max_value = forms.DecimalField(
        label=_("最大值"), required=False, max_digits=12, decimal_places=2
    )
    show_if = forms.TypedChoiceField(
        label=_("显示条件题"), required=False, coerce=int, empty_value=None
    )
    show_if_values = forms.CharField(
        label=_("显示条件选项"),
        required=False,
        help_text=_("条件题的选项值,多个用逗号分隔;选中其一时才显示本题"),
    )

    def __init__(self, *args: Any, earlier: Sequence[Question] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("(总是显示)"))]
        choices += [(q.pk, f"{q.position}. {q.text}") for q in earlier if q.kind in CHOICE_KINDS]
        self.fields["show_if"].choices = choices  # type: ignore[attr-defined]

    def service_args(self, questions: dict[int, Question]) -> dict[str, Any]:
        """The keyword arguments of ``add_question``/``update_question``."""
        data = self.cleaned_data
        kind = data["kind"]
        show_if = questions.get(data["show_if"]) if data["show_if"] else None
        values = [v.strip() for v in data["show_if_values"].replace(",", ",").split(",")]
        return {
            "kind": kind,
            "text": data["text"],
            "help_text": data["help_text"],
            "required": data["required"],
            "options": parse_options(data["options"]) if kind in CHOICE_KINDS else [],
            "rows": [r for r in data["rows"].splitlines() if r.strip()]
            if kind == QuestionKind.MATRIX
            else [],
            "max_choices": data["max_choices"] or 0,
            "min_value": data["min_value"] if kind == QuestionKind.NUMBER else None,
            "max_value": data["max_value"] if kind == QuestionKind.NUMBER else None,
            "show_if": show_if,
            "show_if_values": [v for v in values if v] if show_if else [],
        }

    @classmethod
    def initial_for(cls, question: Question) -> dict[str, Any]:
        return {
            "kind": question.kind,
            "text": question.text,
            "help_text": question.help_text,
            "required": question.required,
            "options": format_options(question),
            "rows": "\n".join(question.rows),
            "max_choices": question.max_choices or None,
            "min_value": question.min_value,
            "max_value": question.max_value,
            "show_if": question.show_if_id or "",
            "show_if_values": ",".join(question.show_if_values),
        }


def parse_answers(
    post: Any, questions: Sequence[Question]
) -> tuple[dict[int, Any], dict[int, str]]:
    """Raw answers from the answer form, and errors of the form itself (duplicate ranks).

    Field names: ``q<id>`` (single, multiple, number, text), ``q<id>_<value>`` holding a rank
    (ranking), ``q<id>_r<row>`` (matrix).
    """
    answers: dict[int, Any] = {}
    errors: dict[int, str] = {}
    for q in questions:
        name = f"q{q.pk}"
        if q.kind == QuestionKind.MULTIPLE:
            answers[q.pk] = post.getlist(name)
        elif q.kind == QuestionKind.RANKING:
            ranks: list[tuple[int, str]] = []
            for o in q.options.all():
                raw = (post.get(f"{name}_{o.value}") or "").strip()
                if raw.isdigit():
                    ranks.append((int(raw), o.value))
            if len({r for r, _ in ranks}) != len(ranks):
                errors[q.pk] = str(_("排序名次不能重复 (two options share a rank)"))
            answers[q.pk] = [value for _, value in sorted(ranks)]
        elif q.kind == QuestionKind.MATRIX:
            answers[q.pk] = {
                str(i): post.get(f"{name}_r{i}")
                for i in range(len(q.rows))
                if post.get(f"{name}_r{i}")
            }
        else:
            answers[q.pk] = post.get(name, "")
    return answers, errors
