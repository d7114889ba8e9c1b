"""The risk page: one of the three lists at a time, paginated, for district staff."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import role_required
from zhibiao.core.pagination import paginate, query_without_page
from zhibiao.core.years import parse_year
from zhibiao.risks import services

#: The page's tabs, each computed only when shown: the three lists are independent.
VIEWS = ("facts", "files", "phones")


@role_required(Role.ADMIN)
def index(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "")
    view = view if view in VIEWS else VIEWS[0]
    year = parse_year(request.GET.get("year")) if view == "phones" else None
    if view == "facts":
        rows = services.fact_risks(request.user)
    elif view == "files":
        rows = services.shared_files(request.user)
    else:
        rows = services.shared_phones(request.user, year)
    this_year = timezone.localdate().year
    context = {
        "view": view,
        "page": paginate(request, rows),
        "query": query_without_page(request),
        "year": year,
        "years": range(this_year + 1, this_year - 6, -1),
    }
    return render(request, "risks/risks.html", context)
