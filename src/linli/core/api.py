"""Shared REST plumbing: the one router, pagination, model-validating serializers, filters
that speak both languages, and JSON errors that name the field.

Every app's ``api.py`` builds on these pieces so that the REST API enforces exactly the rules the
models enforce (``full_clean()``), answers in Chinese and English, and never turns a broken rule
into a 500.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from django.http import Http404
from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, pagination, permissions, routers, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.validators import UniqueValidator
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass

router = routers.DefaultRouter()


class Pagination(pagination.PageNumberPagination):
    """Page-number pagination; clients choose ``page_size`` up to 500."""

    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_page_message = "页码无效 (invalid page)"


# --- Bilingual messages ------------------------------------------------------------------

#: DRF field error messages in both languages, keyed like DRF's ``error_messages``.
FIELD_ERROR_MESSAGES: dict[str, str] = {
    "required": "此字段为必填项 (this field is required)",
    "null": "此字段不能为空 (this field may not be null)",
    "blank": "此字段不能为空白 (this field may not be blank)",
    "max_length": "最多 {max_length} 个字符 (no more than {max_length} characters)",
    "min_length": "至少 {min_length} 个字符 (at least {min_length} characters)",
    "max_value": "不能大于 {max_value} (must be less than or equal to {max_value})",
    "min_value": "不能小于 {min_value} (must be greater than or equal to {min_value})",
    "max_digits": "总位数不能超过 {max_digits} 位 (no more than {max_digits} digits in total)",
    "max_decimal_places": "小数不能超过 {max_decimal_places} 位 "
    "(no more than {max_decimal_places} decimal places)",
    "max_whole_digits": "整数部分不能超过 {max_whole_digits} 位 "
    "(no more than {max_whole_digits} digits before the decimal point)",
    "max_string_length": "输入过长 (value too long)",
    "invalid_choice": "“{input}” 不是有效选项 (“{input}” is not a valid choice)",
    "does_not_exist": "id 为 {pk_value} 的对象不存在 (no object with id {pk_value})",
    "incorrect_type": "须为 id 整数,收到 {data_type} (expected an id, got {data_type})",
}

#: The ``invalid`` message depends on the kind of field; the first matching class wins.
_INVALID_MESSAGES: list[tuple[type[serializers.Field], str]] = [
    (serializers.BooleanField, "须为 true 或 false (must be a valid boolean)"),
    (serializers.IntegerField, "须为整数 (a valid integer is required)"),
    (serializers.DecimalField, "须为数字 (a valid number is required)"),
    (serializers.FloatField, "须为数字 (a valid number is required)"),
    (
        serializers.DateTimeField,
        "日期时间格式错误,应为 {format} (datetime must look like {format})",
    ),
    (serializers.DateField, "日期格式错误,应为 {format} (date must look like {format})"),
    (serializers.CharField, "须为文本 (not a valid string)"),
]


def field_error_messages(field_class: type[serializers.Field]) -> dict[str, Any]:
    """Bilingual ``error_messages`` for a DRF field class (pass them when building a field)."""
    messages: dict[str, Any] = dict(FIELD_ERROR_MESSAGES)
    for klass, message in _INVALID_MESSAGES:
        if issubclass(field_class, klass):
            messages["invalid"] = message
            break
    return messages


def _indefinite(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


def unique_message(model: type[models.Model], fields: list[str] | tuple[str, ...]) -> str:
    """'A building with this compound and number already exists', in Chinese and English."""
    opts = model._meta
    with translation.override("zh-hans"):
        zh_model = str(opts.verbose_name)
        zh_fields = "和".join(
            str(getattr(opts.get_field(name), "verbose_name", name)) for name in fields
        )
    en_fields = " and ".join(name.replace("_", " ") for name in fields)
    en_model = (opts.model_name or "").replace("_", " ")
    return f"已有相同{zh_fields}的{zh_model} ({_indefinite(en_model)} with this {en_fields} already exists)"


def model_error_detail(
    exc: DjangoValidationError, model: type[models.Model] | None = None
) -> dict[str, list[serializers.ErrorDetail]]:
    """A Django ``ValidationError`` as DRF's ``{"field": [messages]}``.

    Whole-object errors go under ``non_field_errors``; uniqueness errors get a bilingual text
    and are keyed by the last field of the unique set (``number`` for a building's
    (compound, number)), the one a user most likely mistyped.
    """
    error_dict = (
        exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    )
    detail: dict[str, list[serializers.ErrorDetail]] = {}
    for key, errors in error_dict.items():
        for error in errors:
            params = error.params or {}
            field = key
            if error.code in {"unique", "unique_together"} and "unique_check" in params:
                fields = list(params["unique_check"])
                message = unique_message(model or params["model_class"], fields)
                field = fields[-1]
            else:
                message = str(error.message % params if params else error.message)
            if field == NON_FIELD_ERRORS:
                field = api_settings.NON_FIELD_ERRORS_KEY
            code = error.code or "invalid"
            detail.setdefault(field, []).append(serializers.ErrorDetail(message, code=code))
    return detail


# --- Serializers ---------------------------------------------------------------------------


class Conflict(exceptions.APIException):
    """409: the write collided with a concurrent change to the same rows."""

    status_code = 409
    default_detail = "与现有数据冲突,请刷新后重试 (conflicts with existing data; reload and retry)"
    default_code = "conflict"


class ModelCleanSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose validation is the model's own ``full_clean()``.

    Field validators, ``clean()``, unique fields and unique constraints run exactly as they do
    for forms and importers, so API errors equal model rules. DRF's own unique validators are
    dropped (the model checks the same thing with a bilingual message), empty strings become
    ``None`` for nullable text fields (so optional unique codes do not collide on ``""``), and
    ``save()`` is atomic.
    """

    default_error_messages = {
        "invalid": "请求内容须为 JSON 对象,收到 {datatype} (expected an object, got {datatype})"
    }

    def build_field(
        self, field_name: str, info: Any, model_class: Any, nested_depth: int
    ) -> tuple[type[serializers.Field], dict[str, Any]]:
        field_class, kwargs = super().build_field(field_name, info, model_class, nested_depth)
        kwargs = dict(kwargs)
        kwargs["error_messages"] = {
            **field_error_messages(field_class),
            **kwargs.get("error_messages", {}),
        }
        if "validators" in kwargs:
            kwargs["validators"] = [
                v for v in kwargs["validators"] if not isinstance(v, UniqueValidator)
            ]
        return field_class, kwargs

    def get_unique_together_validators(self) -> list[Any]:
        return []  # validate_constraints() in full_clean() covers them

    def _model(self) -> type[models.Model]:
        return self.Meta.model  # type: ignore[no-any-return]

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        attrs = super().to_internal_value(data)
        opts = self._model()._meta
        for name, value in attrs.items():
            if value == "":
                try:
                    model_field = opts.get_field(name)
                except FieldDoesNotExist:  # a write-only option, not a model field
                    continue
                if model_field.null and isinstance(model_field, models.CharField):
                    attrs[name] = None
        return attrs

    def model_instance(self, attrs: dict[str, Any]) -> models.Model:
        """The object as it would be saved: the current row (or a new one) with ``attrs`` set."""
        model = self._model()
        concrete = {f.name for f in model._meta.concrete_fields}
        values = {k: v for k, v in attrs.items() if k in concrete}
        if self.instance is None:
            return model(**values)
        instance = copy.copy(self.instance)
        for name, value in values.items():
            setattr(instance, name, value)
        return instance

    def check_model(self, attrs: dict[str, Any]) -> None:
        """Run ``full_clean()`` on the would-be object; raise DRF errors keyed by field."""
        try:
            self.model_instance(attrs).full_clean()
        except DjangoValidationError as exc:
            raise serializers.ValidationError(model_error_detail(exc, self._model())) from exc

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        self.check_model(attrs)
        return attrs

    def save(self, **kwargs: Any) -> Any:
        try:
            with transaction.atomic():
                return super().save(**kwargs)
        except IntegrityError as exc:
            # A concurrent write won the race after validate(): name the field if we can.
            self.check_model({**self.validated_data, **kwargs})
            raise Conflict() from exc


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^-?\d{1,3}(?:\.\d+)?$",
        "description": "Decimal degrees; answers carry 6 places, input may carry more.",
    }
)
class CoordinateField(serializers.DecimalField):
    """Decimal degrees shown with 6 places; input keeps its full precision.

    Pasted coordinates often carry 8-14 decimals; they are converted between systems at full
    precision and only the WGS-84 result is rounded to the 6 places stored.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", field_error_messages(serializers.DecimalField))
        super().__init__(max_digits=10, decimal_places=6, **kwargs)

    def validate_precision(self, value: Any) -> Any:
        return value

    def quantize(self, value: Any) -> Any:
        return value

    def to_representation(self, value: Any) -> Any:
        if value is not None:
            value = super().quantize(Decimal(str(value)))
        return super().to_representation(value)


# --- Filters -------------------------------------------------------------------------------

#: Django form error messages in both languages, for filter parameters.
_FORM_INVALID_MESSAGES: list[tuple[type[forms.Field], str]] = [
    (forms.IntegerField, "须为整数 (enter a whole number)"),
    (forms.DecimalField, "须为数字 (enter a number)"),
    (forms.FloatField, "须为数字 (enter a number)"),
    (forms.NullBooleanField, "须为 true 或 false (must be true or false)"),
    (forms.DateTimeField, "日期时间格式错误 (enter a valid date/time)"),
    (forms.DateField, "日期格式错误 (enter a valid date)"),
]
_FORM_ERROR_MESSAGES: dict[str, str] = {
    "invalid_choice": "“%(value)s” 不是有效选项 (“%(value)s” is not a valid choice)",
    "invalid_list": "须为值的列表 (enter a list of values)",
    "min_value": "不能小于 %(limit_value)s (must be at least %(limit_value)s)",
    "max_value": "不能大于 %(limit_value)s (must be at most %(limit_value)s)",
    "max_length": "最多 %(limit_value)d 个字符 (at most %(limit_value)d characters)",
}


_INT64_MAX = 2**63 - 1


@extend_schema_field(OpenApiTypes.INT)
class IntFilter(django_filters.NumberFilter):
    """A whole-number filter (ids, years, floors); ``1.5`` is an error, not a silent ``1``."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Bounded to a 64-bit integer so an absurd id is a 400, not a database overflow.
        kwargs.setdefault("min_value", -_INT64_MAX)
        kwargs.setdefault("max_value", _INT64_MAX)
        super().__init__(*args, **kwargs)

    def get_max_validator(self) -> None:
        return None


class BilingualFilterSet(django_filters.FilterSet):
    """A FilterSet whose parameter errors (bad id, unknown choice) read in Chinese and English."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            messages = dict(_FORM_ERROR_MESSAGES)
            for klass, message in _FORM_INVALID_MESSAGES:
                if issubclass(filter_.field_class, klass):
                    messages["invalid"] = message
                    break
            filter_.extra["error_messages"] = {
                **messages,
                **filter_.extra.get("error_messages", {}),
            }
            # Filter.field is cached; schema generation may have built it before the messages
            # were set, so drop the cached field and let it be rebuilt with them.
            filter_.__dict__.pop("_field", None)


# --- Viewsets ------------------------------------------------------------------------------


class AtomicWritesMixin:
    """Viewset mixin: every write is one transaction and answers with the row as a read shows it.

    Reads need a signed-in user; writes need Django's add/change/delete permission on the
    model. After a create or update the row is re-read through ``get_queryset()`` so the
    response carries the same annotations and related labels as list and detail. Put it
    before ``viewsets.ModelViewSet`` in the bases. (A mixin rather than a base viewset: DRF
    imports this module while it builds its generic views, so it cannot import them here.)
    """

    permission_classes: Sequence[_PermissionClass] = (permissions.DjangoModelPermissions,)

    def _reload(self, serializer: serializers.BaseSerializer) -> None:
        assert serializer.instance is not None
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)  # type: ignore[attr-defined]

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        with transaction.atomic():
            serializer.save()
            self._reload(serializer)

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        with transaction.atomic():
            serializer.save()
            self._reload(serializer)

    def perform_destroy(self, instance: models.Model) -> None:
        with transaction.atomic():
            instance.delete()


# --- Docs ----------------------------------------------------------------------------------

# --- Errors --------------------------------------------------------------------------------

_BILINGUAL_DEFAULTS: dict[type[exceptions.APIException], str] = {
    exceptions.NotAuthenticated: "未登录或未提供令牌 (authentication credentials were not provided)",
    exceptions.AuthenticationFailed: "身份认证失败 (incorrect authentication credentials)",
    exceptions.PermissionDenied: "没有执行此操作的权限 (you do not have permission to do this)",
    exceptions.NotFound: "未找到 (not found)",
}


def _protected_response(exc: ProtectedError | RestrictedError) -> Response:
    objects = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    counts = Counter(type(obj) for obj in objects)
    ordered = sorted(counts.items(), key=lambda item: item[0]._meta.label)
    with translation.override("zh-hans"):
        zh = "、".join(f"{n} 个{model._meta.verbose_name}" for model, n in ordered)
    en = ", ".join(f"{n} {model._meta.model_name}(s)" for model, n in ordered)
    return Response(
        {
            "detail": f"无法删除:仍被 {zh} 引用 (cannot delete: still referenced by {en})",
            "referenced_by": {model._meta.model_name: n for model, n in ordered},
        },
        status=409,
    )


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus model ``clean()`` errors turned into 400s that name the field.

    Every error body is JSON: validation errors map field -> [messages] (``non_field_errors``
    for whole-object rules); deleting a row that protected rows still point to is a 409 that
    says which; other errors carry ``detail``, in Chinese and English.
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=model_error_detail(exc))
    if isinstance(exc, ProtectedError | RestrictedError):
        set_rollback()
        return _protected_response(exc)
    if isinstance(exc, Http404):
        # get_object_or_404's "No Compound matches the given query." is English-only; a message
        # a view chose itself is kept.
        message = str(exc.args[0]) if exc.args else ""
        own = message and not message.endswith("matches the given query.")
        exc = exceptions.NotFound(message) if own else exceptions.NotFound()
    if isinstance(exc, exceptions.MethodNotAllowed):
        method = context["request"].method if context.get("request") else ""
        exc.detail = exceptions.ErrorDetail(
            f"不支持 {method} 方法 (method {method} not allowed)", code=exc.default_code
        )
    elif isinstance(exc, exceptions.ParseError):
        exc.detail = exceptions.ErrorDetail(
            f"请求内容无法解析 (malformed request body): {exc.detail}", code=exc.default_code
        )
    for klass, message in _BILINGUAL_DEFAULTS.items():
        if type(exc) is klass and str(exc.detail) == str(klass.default_detail):
            exc.detail = exceptions.ErrorDetail(message, code=exc.default_code)
    return drf_exception_handler(exc, context)
