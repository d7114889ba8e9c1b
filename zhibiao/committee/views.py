"""Public pages of the working committee."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.committee.models import Committee, CommitteeMember, Sector
from zhibiao.core.exports import Column, export_list, wants_xlsx
from zhibiao.core.pagination import query_without_page


def _members(user):
    return (
        CommitteeMember.objects.restrict(user, "view")
        .select_related("person", "person__organisation", "committee")
        .prefetch_related("expertise")
    )


def _current_members(user, committee: Committee | None) -> list[CommitteeMember]:
    """The committee's members today, by sector, each sector's director first."""
    members = list(_members(user).current().filter(committee=committee)) if committee else []
    order = {value: index for index, value in enumerate(Sector.values)}
    members.sort(
        key=lambda member: (order[member.sector], member.position != "director", member.pk)
    )
    return members


#: The members as the page lists them; a term still open has no end date.
MEMBER_COLUMNS = [
    Column(_("Member"), lambda m: m.person.name),
    Column(_("Sector"), lambda m: m.get_sector_display()),
    Column(_("Position"), lambda m: m.get_position_display()),
    Column(_("Organisation"), lambda m: m.person.organisation.name),
    Column(_("Office or title"), lambda m: m.person.title),
    Column(_("Expertise"), lambda m: "、".join(tag.name for tag in m.expertise.all())),
    Column(capfirst(_("term starts")), lambda m: m.term_start),
    Column(capfirst(_("term ends")), lambda m: m.term_end),
]


def index(request: HttpRequest) -> HttpResponse:
    committee = Committee.objects.shown_to(request.user).first()
    members = _current_members(request.user, committee)
    if wants_xlsx(request):
        return export_list(
            "committee-members.xlsx", MEMBER_COLUMNS, members, title=gettext("Members")
        )
    by_sector = [
        (Sector(sector).label, list(group))
        for sector, group in groupby(members, key=lambda member: member.sector)
    ]
    context = {
        "committee": committee,
        "by_sector": by_sector,
        "member_count": len(members),
        "sector_count": len(by_sector),
        "events": committee.agenda_items.select_related("event") if committee else [],
        "query": query_without_page(request),
    }
    return render(request, "committee/index.html", context)


def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(_members(request.user), pk=pk)
    return render(request, "committee/member_detail.html", {"member": member})
