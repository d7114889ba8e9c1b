from django.contrib import admin

from zhibiao.core.admin import AuditedModelAdmin
from zhibiao.core.attestation import PROVENANCE_FIELDS
from zhibiao.profiles.models import (
    AwardRecord,
    Certification,
    CreditEntry,
    Designation,
    StandardDrafting,
    TaxRecord,
)


class RecordAdmin(AuditedModelAdmin):
    autocomplete_fields = ["organisation"]
    readonly_fields = PROVENANCE_FIELDS
    list_filter = ["verification"]
    search_fields = ["organisation__name", "organisation__uscc"]


@admin.register(StandardDrafting)
class StandardDraftingAdmin(RecordAdmin):
    list_display = ["organisation", "code", "level", "rank", "year", "city_funded"]
    list_filter = [*RecordAdmin.list_filter, "level", "year", "city_funded"]
    search_fields = [*RecordAdmin.search_fields, "code", "title"]


@admin.register(AwardRecord)
class AwardRecordAdmin(RecordAdmin):
    list_display = ["organisation", "award", "recipient", "year"]
    list_filter = [*RecordAdmin.list_filter, "award", "year"]


@admin.register(Certification)
class CertificationAdmin(RecordAdmin):
    list_display = ["organisation", "kind", "number", "year"]
    list_filter = [*RecordAdmin.list_filter, "kind", "year"]


@admin.register(Designation)
class DesignationAdmin(RecordAdmin):
    list_display = ["organisation", "kind", "year"]
    list_filter = [*RecordAdmin.list_filter, "kind"]


@admin.register(CreditEntry)
class CreditEntryAdmin(RecordAdmin):
    list_display = ["organisation", "list", "listed_on", "removed_on"]
    list_filter = [*RecordAdmin.list_filter, "list"]


@admin.register(TaxRecord)
class TaxRecordAdmin(RecordAdmin):
    list_display = ["organisation", "year", "amount"]
    list_filter = [*RecordAdmin.list_filter, "year"]
