"""Public pages of the working committee."""

from __future__ import annotations

from itertools import groupby

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from zhibiao.committee.models import Committee, CommitteeMember, Sector


def _members():
    return CommitteeMember.objects.select_related(
        "person", "person__organisation", "committee"
    ).prefetch_related("expertise")


def index(request: HttpRequest) -> HttpResponse:
    committee = Committee.objects.select_related("founding_document").first()
    members = list(_members().current().filter(committee=committee)) if committee else []
    order = {value: index for index, value in enumerate(Sector.values)}
    members.sort(
        key=lambda member: (order[member.sector], member.position != "director", member.pk)
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
    }
    return render(request, "committee/index.html", context)


def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(_members(), pk=pk)
    return render(request, "committee/member_detail.html", {"member": member})
