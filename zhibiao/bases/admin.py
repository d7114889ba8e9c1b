from django.contrib import admin

from zhibiao.bases.models import Batch, Capability, TrainingBase
from zhibiao.core.admin import AuditedModelAdmin


class CapabilityInline(admin.TabularInline):
    model = Capability
    extra = 0


@admin.register(Batch)
class BatchAdmin(AuditedModelAdmin):
    list_display = ["__str__", "number", "designated_on", "designation_event"]


@admin.register(TrainingBase)
class TrainingBaseAdmin(AuditedModelAdmin):
    list_display = ["organisation", "batch", "status"]
    list_filter = ["batch", "status"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]
    inlines = [CapabilityInline]
