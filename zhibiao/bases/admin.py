from django.contrib import admin

from zhibiao.bases.models import (
    BaseStep,
    Batch,
    Capability,
    Evaluation,
    EvaluationCorrection,
    Nomination,
    NominationStep,
    TrainingBase,
)
from zhibiao.core.admin import AuditedModelAdmin, ReadOnlyAdmin, step_inline


class CapabilityInline(admin.TabularInline):
    model = Capability
    extra = 0


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
    inlines = [CapabilityInline, step_inline(BaseStep)]


class EvaluationCorrectionInline(admin.TabularInline):
    """An evaluation's corrections, read-only: made on the base's page or through the API."""

    model = EvaluationCorrection
    extra = 0
    can_delete = False
    readonly_fields = [
        "from_result",
        "to_result",
        "from_comment",
        "to_comment",
        "reason",
        "corrected_by",
        "corrected_at",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Evaluation)
class EvaluationAdmin(ReadOnlyAdmin):
    list_display = ["base", "year", "result", "courses", "site_visits", "attendees", "satisfaction"]
    list_filter = ["year", "result"]
    inlines = [EvaluationCorrectionInline]


@admin.register(Nomination)
class NominationAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "status", "batch", "created_at"]
    list_filter = ["status", "batch"]
    inlines = [step_inline(NominationStep)]
