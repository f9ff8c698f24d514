"""Questionnaires: a survey (the campaign over some compounds), its versions (the questions,
frozen once published), and the households' responses with one answer per question.

A published version is never edited: changing the questions makes a new draft version, and
publishing it supersedes the old one. Each response records the version it answered.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from linli.core.models import Timestamped
from linli.registry.models import Compound, Dwelling

#: Xigong's target for household visits (入户率).
DEFAULT_COVERAGE_TARGET = Decimal("90.00")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class Survey(Timestamped):
    """A questionnaire campaign in one or more compounds, with its visit coverage target."""

    title = models.CharField(_("标题"), max_length=128)
    description = models.TextField(_("说明"), blank=True)
    compounds = models.ManyToManyField(Compound, related_name="surveys", verbose_name=_("小区"))
    status = models.CharField(
        _("状态"), max_length=16, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    opens_on = models.DateField(_("开始日期"), null=True, blank=True)
    closes_on = models.DateField(_("截止日期"), null=True, blank=True)
    coverage_target = models.DecimalField(
        _("入户率目标(%)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_COVERAGE_TARGET,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("创建人"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("问卷调查")
        verbose_name_plural = _("问卷调查")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError(
                {"closes_on": "截止日期早于开始日期 (the survey closes before it opens)"}
            )


class SurveyVersion(Timestamped):
    """One version of a survey's questions; frozen from ``published_at`` on."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="versions", verbose_name=_("问卷调查")
    )
    number = models.PositiveSmallIntegerField(_("版本号"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    note = models.CharField(_("修订说明"), max_length=255, blank=True)

    class Meta:
        ordering = ["survey", "number"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "number"], name="survey_version_unique")
        ]
        verbose_name = _("问卷版本")
        verbose_name_plural = _("问卷版本")

    def __str__(self) -> str:
        return f"{self.survey} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")
    RANKING = "ranking", _("排序")
    NUMBER = "number", _("数字")
    TEXT = "text", _("文本")
    MATRIX = "matrix", _("矩阵")


#: Kinds whose answers are option values.
CHOICE_KINDS = frozenset(
    {QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.RANKING, QuestionKind.MATRIX}
)


class Question(models.Model):
    """One question of a survey version.

    ``rows`` holds the row labels of a matrix question (each row is answered with one of the
    options). ``show_if`` makes a question conditional: it is asked only when the answer to
    that earlier question includes one of ``show_if_values`` (option values).
    ``max_choices`` caps multiple-choice and ranking answers (0: no cap).
    """

    version = models.ForeignKey(
        SurveyVersion, on_delete=models.CASCADE, related_name="questions", verbose_name=_("版本")
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    kind = models.CharField(_("题型"), max_length=16, choices=QuestionKind.choices)
    text = models.CharField(_("题目"), max_length=255)
    help_text = models.CharField(_("填写说明"), max_length=255, blank=True)
    required = models.BooleanField(_("必答"), default=True)
    rows = models.JSONField(_("矩阵行"), default=list, blank=True)
    max_choices = models.PositiveSmallIntegerField(_("最多选择"), default=0)
    min_value = models.DecimalField(
        _("最小值"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("最大值"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    show_if = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="dependants",
        verbose_name=_("显示条件题"),
    )
    show_if_values = models.JSONField(_("显示条件选项"), default=list, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="question_position_unique")
        ]
        verbose_name = _("问题")
        verbose_name_plural = _("问题")

    def __str__(self) -> str:
        return f"{self.position}. {self.text}"


class Option(models.Model):
    """A choice of a question. ``menu_code`` names the renovation catalogue item the choice
    stands for (居民点单): the demand ranking counts answers by it."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="options", verbose_name=_("问题")
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    value = models.SlugField(_("选项值"), max_length=32)
    label = models.CharField(_("选项"), max_length=128)
    menu_code = models.CharField(_("改造内容编号"), max_length=32, blank=True)

    class Meta:
        ordering = ["question", "position"]
        constraints = [
            models.UniqueConstraint(fields=["question", "value"], name="option_value_unique")
        ]
        verbose_name = _("选项")
        verbose_name_plural = _("选项")

    def __str__(self) -> str:
        return self.label


class ResponseChannel(models.TextChoices):
    VISIT = "visit", _("入户填写")
    ONLINE = "online", _("居民手机填写")


class Response(Timestamped):
    """One household's (dwelling's) answers to a survey; answering again amends it."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("问卷调查")
    )
    version = models.ForeignKey(
        SurveyVersion, on_delete=models.PROTECT, related_name="responses", verbose_name=_("版本")
    )
    dwelling = models.ForeignKey(
        Dwelling, on_delete=models.CASCADE, related_name="survey_responses", verbose_name=_("房屋")
    )
    channel = models.CharField(_("填写方式"), max_length=16, choices=ResponseChannel.choices)
    respondent_name = models.CharField(_("受访人"), max_length=64, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"))

    class Meta:
        ordering = ["survey", "dwelling"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "dwelling"], name="response_per_dwelling")
        ]
        verbose_name = _("问卷答卷")
        verbose_name_plural = _("问卷答卷")

    def __str__(self) -> str:
        return f"{self.survey} · {self.dwelling}"


class Answer(models.Model):
    """The answer to one question: an option value, a list of them (multiple choice, ranking
    in order), a number as a decimal string, a text, or ``{row index: option value}``."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("答卷")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("问题")
    )
    value = models.JSONField(_("答案"))

    class Meta:
        ordering = ["response", "question__position"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_unique")
        ]
        verbose_name = _("答案")
        verbose_name_plural = _("答案")

    def __str__(self) -> str:
        return f"{self.question}: {self.value}"
