"""Serializers of the survey API (``survey_api.py``): surveys and their versions, questions
with their options (read shape, write shape, partial update, move), new surveys, version
notes, and households' responses (read shape and the answers to write). Related fields are
narrowed to what the requesting user may see; the writes themselves go through
``consultation/services``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from linli.consultation import models as m
from linli.core.api import field_error_messages
from linli.core.scoping import scoped
from linli.registry.models import Compound, Dwelling


def _visible(request: Any, model: Any) -> QuerySet[Any]:
    user = getattr(request, "user", None)
    return scoped(model, user)


def _related(model: Any, **kwargs: Any) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=model.objects.none(),
        error_messages=field_error_messages(serializers.PrimaryKeyRelatedField),
        **kwargs,
    )


class SurveyOptionSerializer(serializers.ModelSerializer):
    """A choice: its value (what answers carry), label and menu code (居民点单)."""

    class Meta:
        model = m.Option
        fields = ("id", "position", "value", "label", "menu_code")
        read_only_fields = fields


class SurveyQuestionSerializer(serializers.ModelSerializer):
    """A question with its options."""

    survey = serializers.IntegerField(source="version.survey_id", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    options = SurveyOptionSerializer(many=True, read_only=True)
    rows = serializers.ListField(child=serializers.CharField(), read_only=True)
    show_if_values = serializers.ListField(child=serializers.CharField(), read_only=True)
    kind = serializers.CharField(
        read_only=True, help_text="single|multiple|ranking|number|text|matrix"
    )

    class Meta:
        model = m.Question
        fields = (
            "id",
            "survey",
            "version",
            "position",
            "kind",
            "kind_label",
            "text",
            "help_text",
            "required",
            "options",
            "rows",
            "max_choices",
            "min_value",
            "max_value",
            "show_if",
            "show_if_values",
        )
        read_only_fields = fields


class SurveyOptionInput(serializers.Serializer):
    """An option as written: value may be left empty (generated: o1, o2…)."""

    value = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    label = serializers.CharField(max_length=128)  # type: ignore[assignment]
    menu_code = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")


class SurveyQuestionWriteSerializer(serializers.Serializer):
    """A question to add to (or change on) a draft version."""

    version = _related(m.SurveyVersion)
    kind = serializers.CharField(
        max_length=16, help_text="single|multiple|ranking|number|text|matrix"
    )
    text = serializers.CharField(max_length=255)
    # Named like attributes of DRF's Field; the serializer metaclass takes them as fields.
    help_text = serializers.CharField(  # type: ignore[assignment]
        max_length=255, required=False, allow_blank=True
    )
    required = serializers.BooleanField(required=False)  # type: ignore[assignment]
    options = SurveyOptionInput(many=True, required=False)
    rows = serializers.ListField(child=serializers.CharField(max_length=128), required=False)
    max_choices = serializers.IntegerField(min_value=0, max_value=100, required=False)
    min_value = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    max_value = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True
    )
    show_if = _related(m.Question, required=False, allow_null=True)
    show_if_values = serializers.ListField(
        child=serializers.CharField(max_length=32), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        for name, field in self.fields.items():
            field.error_messages.update(field_error_messages(type(field)))
            if name == "version":
                field.queryset = _visible(request, m.SurveyVersion)  # type: ignore[attr-defined]
            if name == "show_if":
                field.queryset = _visible(request, m.Question)  # type: ignore[attr-defined]

    def validate_kind(self, value: str) -> str:
        if value not in m.QuestionKind.values:
            raise serializers.ValidationError(
                f"“{value}” 不是有效题型 (“{value}” is not a question kind: "
                f"{', '.join(m.QuestionKind.values)})"
            )
        return value


class SurveyQuestionUpdateSerializer(SurveyQuestionWriteSerializer):
    """The fields of a question that may change (all optional)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields.pop("version")
        for field in self.fields.values():
            field.required = False


class SurveyQuestionMoveSerializer(serializers.Serializer):
    """Where to move the question (1 = first)."""

    position = serializers.IntegerField(
        min_value=1, max_value=1000, error_messages=field_error_messages(serializers.IntegerField)
    )


class SurveyVersionSerializer(serializers.ModelSerializer):
    """A version of the questions; ``published_at`` null for the draft."""

    class Meta:
        model = m.SurveyVersion
        fields = ("id", "number", "published_at", "note")
        read_only_fields = fields


class SurveySerializer(serializers.ModelSerializer):
    """A survey (list shape)."""

    status = serializers.CharField(read_only=True, help_text="draft|open|closed")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    compounds = serializers.PrimaryKeyRelatedField(  # type: ignore[var-annotated]
        many=True, read_only=True
    )

    class Meta:
        model = m.Survey
        fields: tuple[str, ...] = (
            "id",
            "title",
            "description",
            "status",
            "status_label",
            "compounds",
            "opens_on",
            "closes_on",
            "coverage_target",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields


class SurveyDetailSerializer(SurveySerializer):
    """A survey with its versions and the current version's questions."""

    versions = SurveyVersionSerializer(many=True, read_only=True)
    current_version = serializers.SerializerMethodField()
    questions = serializers.SerializerMethodField()

    class Meta(SurveySerializer.Meta):
        fields: tuple[str, ...] = (
            *SurveySerializer.Meta.fields,
            "versions",
            "current_version",
            "questions",
        )
        read_only_fields = fields

    def _current(self, survey: m.Survey) -> m.SurveyVersion | None:
        published = [v for v in survey.versions.all() if v.published_at is not None]
        return max(published, key=lambda v: v.number) if published else None

    def get_current_version(self, survey: m.Survey) -> int | None:
        current = self._current(survey)
        return None if current is None else current.number

    @extend_schema_field(SurveyQuestionSerializer(many=True))
    def get_questions(self, survey: m.Survey) -> list[dict[str, Any]]:
        current = self._current(survey)
        if current is None:
            return []
        questions = current.questions.select_related("version").prefetch_related("options")
        return list(SurveyQuestionSerializer(questions, many=True).data)


class SurveyCreateSerializer(serializers.Serializer):
    """A new survey over some compounds (draft, with version 1)."""

    title = serializers.CharField(max_length=128)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    compounds = serializers.PrimaryKeyRelatedField(many=True, queryset=Compound.objects.none())
    opens_on = serializers.DateField(required=False, allow_null=True)
    closes_on = serializers.DateField(required=False, allow_null=True)
    coverage_target = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, min_value=0, max_value=100
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages.update(field_error_messages(type(field)))
        compounds = self.fields["compounds"]
        compounds.child_relation.queryset = _visible(self.context.get("request"), Compound)  # type: ignore[attr-defined]
        compounds.child_relation.error_messages.update(  # type: ignore[attr-defined]
            field_error_messages(serializers.PrimaryKeyRelatedField)
        )


class SurveyVersionNoteSerializer(serializers.Serializer):
    """What changes in the new version (修订说明)."""

    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class SurveyResponseSerializer(serializers.ModelSerializer):
    """One household's response with its answers ``{question id: value}``."""

    version_number = serializers.IntegerField(source="version.number", read_only=True)
    dwelling_label = serializers.CharField(source="dwelling.__str__", read_only=True)
    channel = serializers.CharField(read_only=True, help_text="visit|online")
    answers = serializers.SerializerMethodField()

    class Meta:
        model = m.Response
        fields = (
            "id",
            "survey",
            "version",
            "version_number",
            "dwelling",
            "dwelling_label",
            "channel",
            "respondent_name",
            "entered_by",
            "submitted_at",
            "answers",
        )
        read_only_fields = fields

    def get_answers(self, response: m.Response) -> dict[str, Any]:
        return {str(a.question_id): a.value for a in response.answers.all()}


class SurveyResponseWriteSerializer(serializers.Serializer):
    """A household's answers: ``answers`` maps question ids to values (see docs)."""

    survey = _related(m.Survey)
    dwelling = _related(Dwelling)
    answers = serializers.DictField(child=serializers.JSONField(), allow_empty=True)
    channel = serializers.CharField(max_length=16, help_text="visit|online")
    respondent_name = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        for field in self.fields.values():
            field.error_messages.update(field_error_messages(type(field)))
        self.fields["survey"].queryset = _visible(request, m.Survey)  # type: ignore[attr-defined]
        self.fields["dwelling"].queryset = _visible(request, Dwelling)  # type: ignore[attr-defined]

    def validate_channel(self, value: str) -> str:
        if value not in m.ResponseChannel.values:
            raise serializers.ValidationError(
                f"“{value}” 不是有效填写方式 (“{value}” is not a channel: visit, online)"
            )
        return value
