"""Forms of the account pages: naming a new API token, changing one's password."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.utils.translation import gettext_lazy as _

from linli.accounts.services import TOKEN_NAME_MAX_LENGTH, change_password


class TokenCreateForm(forms.Form):
    """The name a user gives a new token, so they can tell their tokens apart later."""

    name = forms.CharField(
        label=_("名称"),
        max_length=TOKEN_NAME_MAX_LENGTH,
        help_text=_("用途,例如“数据同步脚本”"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Django's form (old password, new password twice, the policy's validators), saved through
    the accounts service so the write follows the same path as every other."""

    def save(self, commit: bool = True) -> Any:
        change_password(user=self.user, password=self.cleaned_data["new_password1"])
        return self.user
