"""django-axes glue: whose address a sign-in comes from, and what a locked-out client is told.

Axes counts failed sign-ins per username + client address (settings ``AXES_*``) wherever
Django's ``authenticate()`` runs with a request: the login page, the admin's login and the JSON
session endpoint. These two callables are named in settings.
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the peer, or the entry the nearest trusted proxy appended.

    With ``LINLI_PROXY_COUNT`` = N proxies in front, each appends the address it received the
    request from, so the client is the N-th entry from the right; anything further left was
    written by the client and is ignored.
    """
    count = settings.LINLI_PROXY_COUNT
    if count > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")


def wants_json(request: HttpRequest) -> bool:
    """A script rather than a browser: the JSON sign-in, a JSON body or Accept, or an XHR."""
    accept = request.headers.get("Accept", "")
    match = request.resolver_match
    return (
        (match is not None and match.view_name == "accounts:session")
        or request.content_type == "application/json"
        or ("application/json" in accept and "text/html" not in accept)
        or request.headers.get("X-Requested-With") == "XMLHttpRequest"
    )


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """429 with the time the client may try again: a page for people, JSON for scripts.

    Every attempt during a lockout counts as a failure and restarts the cool-off, so "now plus
    the cool-off" is exactly when the next attempt will be let through.
    """
    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else 0
    retry_at = timezone.localtime(timezone.now() + cool_off) if cool_off else None
    status = getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429)
    if wants_json(request):
        when = date_format(retry_at, "H:i") if retry_at else ""
        response: HttpResponse = JsonResponse(
            {
                "detail": f"登录失败次数过多,请于 {when} 后再试 "
                f"(too many failed sign-ins; try again after {when})",
                "retry_after": seconds,
                "retry_at": retry_at.isoformat() if retry_at else None,
            },
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        context = {
            "retry_at": retry_at,
            "minutes": (seconds + 59) // 60,
            "failure_limit": get_failure_limit(request, credentials),
        }
        response = render(request, "accounts/lockout.html", context, status=status)
    if seconds:
        response["Retry-After"] = str(seconds)
    return response
