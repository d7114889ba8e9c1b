from django.contrib import admin

from zhibiao.bases.models import (
    ApplicationStep,
    BaseApplication,
    Batch,
    Capability,
    Evaluation,
    StatusChange,
    TrainingBase,
)
from zhibiao.core.admin import AuditedModelAdmin, ReadOnlyAdmin


class CapabilityInline(admin.TabularInline):
    model = Capability
    extra = 0


class StatusChangeInline(admin.TabularInline):
    model = StatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "actor", "at", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Batch)
class BatchAdmin(AuditedModelAdmin):
    list_display = ["__str__", "number", "designated_on", "designation_event"]


@admin.register(TrainingBase)
class TrainingBaseAdmin(AuditedModelAdmin):
    """A base's status moves only by its recorded steps (the base's page, the API), which
    count in `revision`."""

    list_display = ["organisation", "batch", "status"]
    list_filter = ["batch", "status"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]
    readonly_fields = ["status", "revision"]
    inlines = [CapabilityInline, StatusChangeInline]


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["base", "year", "result", "courses", "site_visits", "attendees", "satisfaction"]
    list_filter = ["year", "result"]


class ApplicationStepInline(admin.TabularInline):
    model = ApplicationStep
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "actor", "at", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BaseApplication)
class BaseApplicationAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "status", "batch", "created_at"]
    list_filter = ["status", "batch"]
    inlines = [ApplicationStepInline]
