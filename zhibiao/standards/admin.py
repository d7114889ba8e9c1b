from django.contrib import admin

from zhibiao.core.admin import AuditedModelAdmin, RevisedAdmin
from zhibiao.core.attestation import PROVENANCE_FIELDS
from zhibiao.standards import services
from zhibiao.standards.models import (
    Declaration,
    DeclaredStandard,
    GroupStandard,
    GroupStandardDrafter,
    Indicator,
    LeaderEntry,
    LeaderScheme,
    Replacement,
    Standard,
)


@admin.register(Standard)
class StandardAdmin(AuditedModelAdmin):
    list_display = ["code", "title", "level", "status", "effective_on", "source"]
    list_filter = ["level", "status", "source"]
    search_fields = ["code", "title"]
    readonly_fields = ["edition", "base", "key", "number", "year", "updated_at"]

    def save_model(self, request, obj, form, change):
        """An edit re-indexes the title search and the inferred replacement links, and a new
        status is recorded and its holders alerted, as any other change (issue 15)."""
        old_status = None
        if change and obj.pk:
            old_status = Standard.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        super().save_model(request, obj, form, change)
        services.standard_edited(request.user, obj, old_status)


@admin.register(Replacement)
class ReplacementAdmin(AuditedModelAdmin):
    list_display = ["old", "new", "kind", "source"]
    list_filter = ["kind"]
    raw_id_fields = ["old", "new"]


class DeclaredInline(admin.TabularInline):
    model = DeclaredStandard
    extra = 0
    raw_id_fields = ["standard"]


@admin.register(Declaration)
class DeclarationAdmin(RevisedAdmin):
    list_display = ["product", "enterprise", "status", "published_at", "flagged_at"]
    list_filter = ["status"]
    search_fields = ["product", "enterprise__name"]
    inlines = [DeclaredInline]
    raw_id_fields = ["enterprise"]


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 3


@admin.register(LeaderScheme)
class LeaderSchemeAdmin(AuditedModelAdmin):
    list_display = ["title", "product_category", "year", "status"]
    list_filter = ["year", "status"]
    inlines = [IndicatorInline]


@admin.register(LeaderEntry)
class LeaderEntryAdmin(AuditedModelAdmin):
    list_display = ["product", "enterprise", "scheme", "rank", "is_leader"]
    list_filter = ["scheme", "is_leader"]
    raw_id_fields = ["enterprise", "declaration"]


class DrafterInline(admin.TabularInline):
    model = GroupStandardDrafter
    extra = 1
    raw_id_fields = ["organisation"]


@admin.register(GroupStandard)
class GroupStandardAdmin(AuditedModelAdmin):
    list_display = ["standard", "chamber", "adopted_by", "adopted_on", "verification"]
    list_filter = ["verification"]
    raw_id_fields = ["standard", "chamber", "adopted_by"]
    readonly_fields = PROVENANCE_FIELDS
    inlines = [DrafterInline]
