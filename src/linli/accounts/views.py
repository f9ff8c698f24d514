"""Account pages: one's API tokens, password change, JSON session sign-in, the CSRF error page."""

from __future__ import annotations

import json
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import password_validators_help_texts
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.debug import sensitive_post_parameters

from linli.accounts.forms import PasswordChangeForm, TokenCreateForm
from linli.accounts.models import ApiToken
from linli.accounts.services import create_api_token, revoke_api_token
from linli.core.errors import Invalid


def signed_in(request: HttpRequest) -> User:
    """The user of a view behind LoginRequiredMixin (never anonymous there)."""
    return cast(User, request.user)


@method_decorator(never_cache, name="dispatch")
class TokenListView(LoginRequiredMixin, View):
    """``/account/tokens/``: the user's own tokens, a form to issue one, revoke buttons.

    A new key is shown once, in the answer to the POST that created it (never stored, never
    put in the session, not cached); reloading the list does not show it again.
    """

    template_name = "accounts/tokens.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render(TokenCreateForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TokenCreateForm(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        try:
            token, key = create_api_token(user=signed_in(request), name=form.cleaned_data["name"])
        except Invalid as exc:
            form.add_error("name", exc.message)
            return self.render(form, status=400)
        return self.render(TokenCreateForm(), new_token=token, new_key=key, status=201)

    def render(self, form: TokenCreateForm, status: int = 200, **extra: Any) -> HttpResponse:
        tokens = ApiToken.objects.filter(user=signed_in(self.request)).only(
            "pk", "name", "prefix", "created_at", "last_used_at", "revoked_at"
        )
        context = {"form": form, "tokens": tokens, **extra}
        return render(self.request, self.template_name, context, status=status)


class TokenRevokeView(LoginRequiredMixin, View):
    """POST ``/account/tokens/<pk>/revoke/``: revoke one of one's own tokens, effective at once.

    Someone else's token answers 404, exactly like a token that does not exist.
    """

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        token = get_object_or_404(ApiToken, pk=pk, user=signed_in(request))
        if revoke_api_token(token=token):
            messages.success(request, gettext("令牌 %(prefix)s… 已撤销") % {"prefix": token.prefix})
        else:
            messages.info(
                request, gettext("令牌 %(prefix)s… 此前已撤销") % {"prefix": token.prefix}
            )
        return HttpResponseRedirect(reverse("accounts:tokens"))


class PasswordChangeView(auth_views.PasswordChangeView):
    """``/account/password/``: Django's view with our template, the policy spelled out on it."""

    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["min_length"] = _min_password_length()
        # The validators' own texts too, so a policy added in settings shows up here.
        context["validator_help"] = password_validators_help_texts()
        return context


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


def _min_password_length() -> int:
    validators = cast(list[dict[str, Any]], settings.AUTH_PASSWORD_VALIDATORS)
    for validator in validators:
        if validator["NAME"].endswith(".MinimumLengthValidator"):
            return int(validator.get("OPTIONS", {}).get("min_length", 8))
    return 0


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters("password"), name="dispatch")
class SessionView(View):
    """``/account/session/``: sign-in for API clients that work with a session (a phone web app).

    GET answers who is signed in and sets the CSRF cookie; POST ``{"username", "password"}`` (JSON
    or form-encoded, with the ``X-CSRFToken`` header) signs in. CSRF is checked as for any form —
    a forged sign-in would put a victim into the attacker's account — and failures count towards
    the lockout exactly like the login page's. Sign out with POST ``/logout/``.
    """

    http_method_names = ["get", "post"]

    @method_decorator(ensure_csrf_cookie)
    def get(self, request: HttpRequest) -> JsonResponse:
        return self.answer(request)

    def post(self, request: HttpRequest) -> JsonResponse:
        if request.content_type == "application/json":
            try:
                data = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError):
                data = None
            if not isinstance(data, dict):
                return JsonResponse(
                    {"detail": "请求内容须为 JSON 对象 (expected a JSON object)"}, status=400
                )
        else:
            data = request.POST
        form = AuthenticationForm(request, data=data)
        if not form.is_valid():
            # One message for every refusal: no hint whether the username exists.
            return JsonResponse(
                {"detail": "用户名或密码错误 (wrong username or password)"}, status=400
            )
        auth_login(request, form.get_user())
        return self.answer(request)

    @staticmethod
    def answer(request: HttpRequest) -> JsonResponse:
        user = request.user
        signed_in = bool(user.is_authenticated)
        return JsonResponse(
            {
                "authenticated": signed_in,
                "username": user.get_username() if signed_in else None,
                "idle_timeout": settings.SESSION_IDLE_TIMEOUT,
            },
            json_dumps_params={"ensure_ascii": False},
        )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a 403 that says, in both languages, to reload the page and retry."""
    detail = (
        "请求缺少有效的 CSRF 令牌,请刷新页面后重试 (CSRF check failed; reload the page and retry)"
    )
    if request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    ):
        return JsonResponse({"detail": detail, "reason": reason}, status=403)
    return render(request, "accounts/csrf_failure.html", {"reason": reason}, status=403)
