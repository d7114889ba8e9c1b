from django.contrib import admin

from zhibiao.core.admin import AuditedModelAdmin
from zhibiao.events.models import AgendaItem, Event


class AgendaItemInline(admin.StackedInline):
    model = AgendaItem
    extra = 0
    autocomplete_fields = ["people"]


@admin.register(Event)
class EventAdmin(AuditedModelAdmin):
    list_display = ["title", "kind", "starts_at", "place", "is_public"]
    list_filter = ["kind", "is_public"]
    search_fields = ["title", "place", "description"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["organisers"]
    inlines = [AgendaItemInline]
