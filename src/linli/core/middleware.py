"""Request middleware that opens the audit context for every web, API and admin request."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from linli.core.audit import audit_context, new_request_id, valid_request_id
from linli.core.models import AuditSource

REQUEST_ID_HEADER = "X-Request-ID"


def client_ip(request: HttpRequest) -> str:
    """The client's address: behind the TLS proxy (``BEHIND_TLS_PROXY``), the address the
    proxy appended last to X-Forwarded-For (earlier entries are the client's to forge)."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded:
        address = forwarded.split(",")[-1].strip()
    else:
        address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:  # an empty or forged value is not worth a failed write
        return ""


class AuditContextMiddleware:
    """Opens an :func:`~linli.core.audit.audit_context` around each request.

    The source is ``api`` under /api/, ``admin`` under the admin, ``web`` elsewhere. The actor
    is the request's user, read when an event is recorded: DRF authenticates API tokens inside
    the view and sets that user on the Django request. The request id comes from a valid
    ``X-Request-ID`` header (a load balancer or client may set one) or is new, and is echoed
    in the response so a user can quote it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        try:
            self.admin_prefix = reverse("admin:index")
        except NoReverseMatch:  # pragma: no cover - the admin is always mounted
            self.admin_prefix = "/admin/"

    def source_of(self, request: HttpRequest) -> str:
        if request.path.startswith("/api/"):
            return AuditSource.API
        if request.path.startswith(self.admin_prefix):
            return AuditSource.ADMIN
        return AuditSource.WEB

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = valid_request_id(request.headers.get(REQUEST_ID_HEADER)) or new_request_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        with audit_context(
            source=self.source_of(request),
            request=request,
            path=f"{request.method} {request.path}",
            ip=client_ip(request),
            request_id=request_id,
        ):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response
