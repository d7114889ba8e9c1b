from django.contrib import admin

from zhibiao.core.admin import ReadOnlyAdmin, RevisedAdmin
from zhibiao.directory.models import Industry, Organisation, Person


@admin.register(Organisation)
class OrganisationAdmin(RevisedAdmin):
    list_display = ["name", "uscc", "kind", "town", "industry", "source"]
    list_filter = ["kind", "town", "ownership", "size", "source"]
    search_fields = ["name", "uscc"]
    readonly_fields = ["source", "revision", "created_at", "updated_at"]


@admin.register(Person)
class PersonAdmin(RevisedAdmin):
    list_display = ["name", "title", "organisation"]
    search_fields = ["name", "title", "organisation__name"]
    autocomplete_fields = ["organisation"]


@admin.register(Industry)
class IndustryAdmin(ReadOnlyAdmin):
    """Reference data from GB/T 4754-2017, changed only by migrations."""

    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
