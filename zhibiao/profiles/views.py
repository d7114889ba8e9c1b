"""Pages of the enterprises' records: the standards they drafted, behind the dashboard's
figures of standards led. Records stay private to the enterprise and district staff."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.permissions import role_required
from zhibiao.core.exports import xlsx_response
from zhibiao.core.pagination import paginate, query_without_page
from zhibiao.directory.forms import PlaceFilterForm
from zhibiao.profiles.models import StandardDrafting, StandardLevel

#: Named sets of levels, shared with the dashboard's indicators.
LEVEL_GROUPS = {
    "national_industry": (_("National or industry"), ["national", "industry"]),
    "local_group": (_("Local or group"), ["local", "group"]),
}


@role_required()
def drafting_list(request: HttpRequest) -> HttpResponse:
    places = PlaceFilterForm(request.GET)
    rows = StandardDrafting.objects.visible_to(request.user).select_related("organisation")
    rows = places.narrow(rows, "organisation", year_field="year")
    level = request.GET.get("level", "")
    if level in StandardLevel.values:
        rows = rows.filter(level=level)
    elif level in LEVEL_GROUPS:
        rows = rows.filter(level__in=LEVEL_GROUPS[level][1])
    else:
        level = ""
    leading = request.GET.get("rank") == "1"
    if leading:
        rows = rows.filter(rank=1)
    rows = rows.order_by("-year", "code", "pk")
    if request.GET.get("format") == "xlsx":
        return _export(rows)
    context = {
        "page": paginate(request, rows),
        "query": query_without_page(request),
        "places": places,
        "levels": StandardLevel.choices,
        "groups": [(key, label) for key, (label, _levels) in LEVEL_GROUPS.items()],
        "level": level,
        "leading": leading,
    }
    return render(request, "profiles/drafting_list.html", context)


def _export(rows):
    levels = dict(StandardLevel.choices)
    data = (
        (d.code, d.title, levels.get(d.level, d.level), d.organisation.name, d.rank, d.year)
        for d in rows.iterator(chunk_size=2000)
    )
    headers = [
        gettext("Standard"),
        gettext("Title"),
        gettext("Level"),
        gettext("Enterprise"),
        gettext("Drafting rank"),
        gettext("Year"),
    ]
    title = gettext("Standards drafted")
    return xlsx_response("standards-drafted.xlsx", headers, data, title=title)
