from django.contrib import admin

from zhibiao.applications.models import Application, ApplicationStep
from zhibiao.core.admin import ReadOnlyAdmin, step_inline


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    """Applications move only through their steps (the application pages and the API)."""

    list_display = ["number", "enterprise", "clause", "status", "amount_assessed", "created_at"]
    list_filter = ["status", "channel", "clause"]
    search_fields = ["number", "enterprise__name"]
    inlines = [step_inline(ApplicationStep)]
