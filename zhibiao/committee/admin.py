from django.contrib import admin

from zhibiao.committee.models import Committee, CommitteeMember, ExpertiseTag
from zhibiao.core.admin import AuditedModelAdmin


@admin.register(Committee)
class CommitteeAdmin(AuditedModelAdmin):
    list_display = ["name", "founded_on", "founding_document"]


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(AuditedModelAdmin):
    list_display = ["person", "sector", "position", "term_start", "term_end", "user"]
    list_filter = ["sector", "position", "committee"]
    search_fields = ["person__name", "person__title", "person__organisation__name"]
    autocomplete_fields = ["person", "user"]
    filter_horizontal = ["expertise"]


@admin.register(ExpertiseTag)
class ExpertiseTagAdmin(AuditedModelAdmin):
    search_fields = ["name"]
