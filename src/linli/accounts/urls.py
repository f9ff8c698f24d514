"""Account pages under /account/: API tokens, password change, JSON session sign-in."""

from django.urls import path

from linli.accounts import views

app_name = "accounts"
urlpatterns = [
    path("tokens/", views.TokenListView.as_view(), name="tokens"),
    path("tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("session/", views.SessionView.as_view(), name="session"),
]
