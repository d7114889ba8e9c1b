from django.contrib import admin

from zhibiao.core.admin import AuditedModelAdmin
from zhibiao.news.models import NewsItem


@admin.register(NewsItem)
class NewsItemAdmin(AuditedModelAdmin):
    list_display = ["title", "published_on", "is_published"]
    list_filter = ["is_published"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_on"
    filter_horizontal = ["events", "policies", "batches", "bases"]
