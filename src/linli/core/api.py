"""Shared REST plumbing: the one router, pagination and JSON errors that name the field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, pagination, routers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

router = routers.DefaultRouter()


class Pagination(pagination.PageNumberPagination):
    """Page-number pagination; clients choose ``page_size`` up to 500."""

    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus model ``clean()`` errors turned into 400s that name the field.

    Every error body is JSON: validation errors map field -> [messages] (``non_field_errors``
    for whole-object rules); other errors carry ``detail``.
    """
    if isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail=detail)
    return drf_exception_handler(exc, context)
