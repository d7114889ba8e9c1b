"""Pagination for list pages: the page from the query string, never an error page."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

PER_PAGE = 25


def paginate(request: HttpRequest, queryset, per_page: int = PER_PAGE) -> Page:
    """An out-of-range or malformed page number shows the nearest real page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for the pagination links to keep."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
