"""Pages of the enterprises' records: the standards they drafted, behind the dashboard's
figures of standards led. Records stay private to the enterprise and district staff."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.permissions import role_required
from zhibiao.core.attestation import Verification
from zhibiao.core.exports import Column, export_list, wants_xlsx
from zhibiao.core.listfilters import group_choices
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
    rows = StandardDrafting.objects.restrict(request.user, "view").select_related("organisation")
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
    # The dashboard's figures count verified records only; its link lists the same ones.
    verified = request.GET.get("verified") == "1"
    if verified:
        rows = rows.filter(verification=Verification.VERIFIED)
    rows = rows.order_by("-year", "code", "pk")
    if wants_xlsx(request):
        title = gettext("Standards drafted")
        return export_list("standards-drafted.xlsx", DRAFTING_COLUMNS, rows, title=title)
    context = {
        "page": paginate(request, rows),
        "query": query_without_page(request),
        "places": places,
        "levels": StandardLevel.choices,
        "groups": group_choices(LEVEL_GROUPS),
        "level": level,
        "leading": leading,
        "verified": verified,
    }
    return render(request, "profiles/drafting_list.html", context)


DRAFTING_COLUMNS = [
    Column(_("Standard"), lambda d: d.code),
    Column(_("Title"), lambda d: d.title),
    Column(_("Level"), lambda d: d.get_level_display()),
    Column(_("Enterprise"), lambda d: d.organisation.name),
    Column(_("Drafting rank"), lambda d: d.rank),
    Column(_("Year"), lambda d: d.year),
]
