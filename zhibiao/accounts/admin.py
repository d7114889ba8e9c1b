from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts import services
from zhibiao.accounts.models import ApiToken, User
from zhibiao.audit.services import record
from zhibiao.core.admin import AuditedModelAdmin


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    list_display = ["username", "get_full_name", "role", "organisation", "is_active", "is_demo"]
    list_filter = ["role", "is_active", "is_demo", "is_staff"]
    search_fields = ["username", "first_name", "last_name", "email", "organisation__name"]
    autocomplete_fields = ["organisation"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Role"), {"fields": ("role", "organisation", "is_demo")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Role"), {"fields": ("role", "organisation")}),
    )

    def user_change_password(self, request, id, form_url=""):
        """Django's page saves the form itself (not through `save_model`): record it here."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = self.get_object(request, id)
            record(request.user, "user.password_set", user, via="admin")
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    """Tokens are created by their owners; administrators may only look and revoke (through the
    service, which records it). Nothing of a token is edited here: a revoked or expired token
    brought back by an edit would be a key working again with nobody having asked for it."""

    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    search_fields = ["user__username", "name", "prefix"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: the trail keeps what each token did

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.revoke_token(request.user, token)
        self.message_user(request, _("The tokens were revoked."))


# The admin pages other packages register leave no trace of their own, yet they decide who
# may do what and who may sign in: a group's permissions (the admin site's rights of a staff
# member without the administrator's role), and the sign-in attempts whose deletion unlocks a
# locked-out user name or erases the record of a guessing attack. Registered again here with
# the audit every admin page of the platform keeps (AuditedModelAdmin).
for _model, _admin in (
    (Group, GroupAdmin),
    (AccessAttempt, AccessAttemptAdmin),
    (AccessLog, AccessLogAdmin),
    (AccessFailureLog, AccessFailureLogAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
        admin.site.register(
            _model, type(f"Audited{_admin.__name__}", (AuditedModelAdmin, _admin), {})
        )
