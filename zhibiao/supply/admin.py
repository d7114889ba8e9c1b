from django.contrib import admin

from zhibiao.core.admin import AuditedModelAdmin, ReadOnlyAdmin, step_inline
from zhibiao.supply.models import Demand, DemandStep, Offering


@admin.register(Offering)
class OfferingAdmin(AuditedModelAdmin):
    list_display = ["title", "category", "organisation", "expert", "price_model", "is_active"]
    list_filter = ["category", "price_model", "is_active"]
    search_fields = ["title", "description", "organisation__name"]
    autocomplete_fields = ["organisation", "expert"]
    readonly_fields = ["words"]


@admin.register(Demand)
class DemandAdmin(ReadOnlyAdmin):
    """Demands move only through their steps; here one only looks."""

    list_display = ["__str__", "status", "urgency", "posted_at"]
    list_filter = ["status", "category", "urgency"]
    search_fields = ["enterprise__name", "description"]
    inlines = [step_inline(DemandStep)]
