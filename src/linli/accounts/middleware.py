"""Session clocks: a signed-in session ends after SESSION_IDLE_TIMEOUT seconds without a request
and, however busy, SESSION_COOKIE_AGE seconds after the sign-in.

Django alone gives neither: its session expiry slides forward every time the session is saved.
Both times live in the session (epoch seconds); the last-activity stamp is refreshed at most once
a minute, so an active user costs one session write a minute, not one per request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext

SIGNED_IN_AT = "linli_signed_in_at"
LAST_ACTIVITY = "linli_last_activity"
#: Refresh the last-activity stamp only when it is older than this (seconds).
STAMP_INTERVAL = 60


def start_session_clocks(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: a sign-in (re)starts both clocks, in the same session save."""
    session = getattr(request, "session", None)
    if session is not None:
        now = int(time.time())
        session[SIGNED_IN_AT] = now
        session[LAST_ACTIVITY] = now


def session_expiry(session: Any, now: int) -> str | None:
    """Why a signed-in session has run out ("idle" or "age"), or None while it is current."""
    last = session.get(LAST_ACTIVITY)
    signed_in = session.get(SIGNED_IN_AT)
    if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    if signed_in is not None and now - signed_in > settings.SESSION_COOKIE_AGE:
        return "age"
    return None


class SessionTimeoutMiddleware:
    """Signs out an idle or over-age session before the view runs; stamps activity otherwise.

    Sits after the auth and message middleware. Only sessions that carry a signed-in user are
    looked at (token-authenticated API calls carry none), and the user row is never loaded here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            now = int(time.time())
            reason = session_expiry(session, now)
            if reason is not None:
                logout(request)
                messages.warning(request, self.message(reason), fail_silently=True)
            elif now - session.get(LAST_ACTIVITY, 0) >= STAMP_INTERVAL:
                session[LAST_ACTIVITY] = now
                session.setdefault(SIGNED_IN_AT, now)
        return self.get_response(request)

    @staticmethod
    def message(reason: str) -> str:
        if reason == "idle":
            minutes = max(1, settings.SESSION_IDLE_TIMEOUT // 60)
            return gettext(
                "您已 %(minutes)d 分钟未操作,已自动退出登录,请重新登录 "
                "(signed out after %(minutes)d minutes of inactivity)"
            ) % {"minutes": minutes}
        hours = max(1, settings.SESSION_COOKIE_AGE // 3600)
        return gettext(
            "登录已超过 %(hours)d 小时,请重新登录 (signed in for over %(hours)d hours; "
            "please sign in again)"
        ) % {"hours": hours}
