"""The risk page: one of the three lists at a time, paginated, for district staff."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import role_required
from zhibiao.core.pagination import paginate, query_without_page
from zhibiao.core.years import FIRST_YEAR, LAST_YEAR, parse_year
from zhibiao.risks import services

#: The page's tabs, each computed only when shown: the three lists are independent.
VIEWS = ("facts", "files", "phones")


@role_required(Role.ADMIN)
def index(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "")
    view = view if view in VIEWS else VIEWS[0]
    typed = (request.GET.get("year") or "").strip()
    year = parse_year(typed) if view == "phones" else None
    if view == "phones" and typed and year is None:
        # Said, as the API refuses it with a 422: the list shows every year instead.
        messages.warning(
            request,
            gettext("“%(year)s” is not a year from %(first)s to %(last)s; all years are shown.")
            % {"year": typed[:10], "first": FIRST_YEAR, "last": LAST_YEAR},
        )
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
        # A chosen year further back than the list stays chosen in it.
        "years": sorted(
            {*range(this_year - 5, this_year + 2), *([year] if year else [])}, reverse=True
        ),
    }
    return render(request, "risks/risks.html", context)
