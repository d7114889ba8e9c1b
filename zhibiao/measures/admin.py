from django.contrib import admin

from zhibiao.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from zhibiao.measures.models import Clause, ClauseVersion, RuleBook, Screening


@admin.register(RuleBook)
class RuleBookAdmin(AuditedModelAdmin):
    list_display = ["code", "document", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False


# Clauses, versions and screenings are written by the platform's own pages; here one only looks.
@admin.register(Clause)
class ClauseAdmin(ReadOnlyAdmin):
    list_display = ["code", "rulebook", "mode", "needs_review"]
    list_filter = ["mode", "needs_review"]


@admin.register(ClauseVersion)
class ClauseVersionAdmin(ReadOnlyAdmin):
    list_display = ["clause", "number", "title", "effective_from", "effective_to", "published_at"]
    search_fields = ["clause__code", "title"]


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "enterprises", "entitled", "total", "finished_at"]
