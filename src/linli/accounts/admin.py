from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from linli.accounts.models import ApiToken, RoleAssignment
from linli.core.scoped_admin import ScopedAdminMixin


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "name", "prefix"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Who holds which role where: managed by the district office (and superusers).

    Listed with the scope of ``accounts.change_roleassignment``: a district officer sees and
    manages the assignments bound inside their district; everyone else only their own.
    Jurisdiction choices are limited the same way, so no one grants a place they do not hold.
    """

    scope_permission = "accounts.change_roleassignment"
    list_display = ["user", "role", "jurisdiction_label", "can_view_personal_data", "created_at"]
    list_filter = ["role", "can_view_personal_data"]
    list_select_related = [
        "user",
        "district",
        "zone",
        "subdistrict",
        "community",
        "compound",
        "organisation",
        "dwelling__stairwell__building__compound",
    ]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = [
        "district",
        "zone",
        "subdistrict",
        "community",
        "compound",
        "organisation",
        "dwelling",
    ]
    readonly_fields = ["created_at"]

    @admin.display(description=_("管辖范围"))
    def jurisdiction_label(self, obj: RoleAssignment) -> str:
        return str(obj.jurisdiction or "")

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            # Users have no jurisdiction; any active account can be given a role.
            kwargs["queryset"] = get_user_model().objects.filter(is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
