"""The award's records on the admin site, read only: a cycle, an entry and their scores move
only through their steps and services (which check, count the revision and audit)."""

from django.contrib import admin

from zhibiao.awards.models import (
    Assignment,
    Consensus,
    Cycle,
    CycleStep,
    Entry,
    EntryStep,
    Objection,
    Score,
    SiteVisit,
)
from zhibiao.core.admin import ReadOnlyAdmin, step_inline


@admin.register(Cycle)
class CycleAdmin(ReadOnlyAdmin):
    list_display = ["year", "title", "status", "awards"]
    inlines = [step_inline(CycleStep)]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "organisation", "status", "rank", "final_total"]
    list_filter = ["cycle", "status"]
    inlines = [step_inline(EntryStep)]


@admin.register(Assignment, Score, Consensus, SiteVisit, Objection)
class AwardRecordAdmin(ReadOnlyAdmin):
    pass
