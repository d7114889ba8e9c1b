from django.contrib import admin

from zhibiao.core.admin import AuditedModelAdmin
from zhibiao.policies.models import PolicyDocument


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(AuditedModelAdmin):
    list_display = ["title", "doc_number", "level", "issue_date", "is_published"]
    list_filter = ["level", "is_published"]
    search_fields = ["title", "doc_number", "full_text"]
    autocomplete_fields = ["issuers", "implements"]
