"""Errors of the elevator API: a service's ``Invalid`` as a bilingual 400 or 409 that names
the request field at fault, and the engine's own checks run on single inputs first."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, status

from linli.core.errors import Invalid
from linli.elevators import allocation
from linli.elevators.serializers import ElevatorRefusalSerializer

#: Engine codes that do not name a field, and the request field they come from.
FIELD_OF_CODE = {
    "unknown_preset": "coefficients",
    "bad_coefficients": "coefficients",
    "duplicate_floor": "coefficients",
    "negative_coefficient": "coefficients",
    "bad_floor": "coefficients",
    "unknown_floor": "coefficients",
    "zero_weights": "coefficients",
    "no_funders": "compensation",
    "duplicate_compensation": "compensation",
    "unknown_subsidy_kind": "kind",
    "missing_amount": "amount",
    "missing_percent": "percent",
    "bad_percent": "percent",
    "ends_on": "contract_ends_on",
    "interval_days": "maintenance_interval_days",
}


class Refused(exceptions.APIException):
    """A service refused the write: 400 (bad input) or 409 (a refused transition), with the
    reason in both languages and the request field at fault."""

    status_code: int = status.HTTP_409_CONFLICT
    default_code = "refused"

    def __init__(
        self, exc: Invalid, status_code: int = status.HTTP_409_CONFLICT, field: str | None = None
    ) -> None:
        super().__init__(
            {"detail": exc.message, "code": exc.code, "zh": exc.zh, "en": exc.en, "field": field}
        )
        self.status_code = status_code


def refusal(exc: Invalid, fields: Iterable[str], *, conflict: bool = False) -> Refused:
    """400 naming the field when the code points at one of ``fields``; otherwise 409 for a
    transition (``conflict``) or 400 without a field."""
    names = set(fields)
    field = exc.code if exc.code in names else FIELD_OF_CODE.get(exc.code)
    if field is not None and field not in names:
        field = None
    if field is None and conflict:
        return Refused(exc, status.HTTP_409_CONFLICT)
    return Refused(exc, status.HTTP_400_BAD_REQUEST, field)


def precheck(checks: Iterable[tuple[str, Callable[[], Any]]]) -> None:
    """Run the engine's own checks on single inputs, so a refusal names its field."""
    for field, check in checks:
        try:
            check()
        except Invalid as exc:
            raise Refused(exc, status.HTTP_400_BAD_REQUEST, field) from exc


def money_check(value: Any, zh: str, en: str) -> Callable[[], Any]:
    return lambda: allocation.to_money(value, field_zh=zh, field_en=en)


def refusals(extra: dict[int, Any]) -> dict[int, Any]:
    return {
        403: OpenApiResponse(description="No permission for this case"),
        404: OpenApiResponse(description="The case is outside the caller's scope"),
        409: OpenApiResponse(ElevatorRefusalSerializer, description="Refused, with the reason"),
        **extra,
    }


BAD_INPUT = OpenApiResponse(ElevatorRefusalSerializer, description="A field breaks a rule")
