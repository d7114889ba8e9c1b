from django.contrib import admin

from zhibiao.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from zhibiao.events.models import (
    AgendaItem,
    Certificate,
    Event,
    Feedback,
    Registration,
    RegistrationStep,
    Speaker,
)


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    extra = 0
    autocomplete_fields = ["people"]


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 0
    autocomplete_fields = ["member"]


@admin.register(Event)
class EventAdmin(AuditedModelAdmin):
    """Seats and the waiting list move through the event pages (the services), which promote
    waiting people when seats are added; here they are shown only."""

    list_display = [
        "title",
        "kind",
        "starts_at",
        "host_kind",
        "capacity",
        "seats_taken",
        "is_public",
    ]
    list_filter = ["kind", "host_kind", "is_public"]
    search_fields = ["title", "place", "description"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["organisers", "host_base", "host_chamber", "audience_organisations"]
    readonly_fields = ["capacity", "seats_taken", "survey_sent_at", "announced_at", "created_by"]
    inlines = [AgendaItemInline, SpeakerInline]


class RegistrationStepInline(admin.TabularInline):
    model = RegistrationStep
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "actor", "at", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ["name", "event", "organisation", "status", "created_at", "checked_in_at"]
    list_filter = ["status", "check_in_method"]
    search_fields = ["name", "phone", "event__title", "organisation__name"]
    inlines = [RegistrationStepInline]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["number", "registration", "issued_at", "revoked_at"]
    search_fields = ["number", "registration__name"]


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ["registration", "satisfaction", "usefulness", "submitted_at"]
