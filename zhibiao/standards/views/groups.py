"""Group standards: the list, a standard's page, publishing one and recording an adoption."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import role_required
from zhibiao.core.exports import Column, export_list, wants_xlsx
from zhibiao.core.forms import submitted
from zhibiao.core.pagination import query_without_page
from zhibiao.core.permissions import can
from zhibiao.standards import services
from zhibiao.standards.forms import AdoptionForm, GroupStandardForm
from zhibiao.standards.models import GroupStandard


def group_list(request: HttpRequest) -> HttpResponse:
    groups = (
        GroupStandard.objects.restrict(request.user, "view")
        .for_reader(request.user)
        .select_related("standard", "chamber", "adopted_by")
    )
    if wants_xlsx(request):
        title = gettext("Group standards")
        return export_list("group-standards.xlsx", GROUP_COLUMNS, groups, title=title)
    context = {
        "groups": groups,
        "query": query_without_page(request),
        "may_publish": request.user.is_authenticated and request.user.role == Role.CHAMBER,
    }
    return render(request, "standards/group_list.html", context)


#: The page's columns, with the record's verification: an adoption is read with its state, and
#: a rejected one is left out for whoever the page leaves it out for (`for_reader`).
GROUP_COLUMNS = [
    Column(_("Code"), lambda g: g.standard.code),
    Column(_("Title"), lambda g: g.standard.title),
    Column(_("Chamber"), lambda g: g.chamber.name),
    Column(_("Publication date"), lambda g: g.standard.published_on),
    Column(_("Adopting department"), lambda g: g.adopted_by.name if g.adoption_shown else ""),
    Column(_("Adoption date"), lambda g: g.adopted_on if g.adoption_shown else None),
    Column(_("Verification"), lambda g: g.get_verification_display()),
    Column(_("Recorded by"), lambda g: g.recorder_name or ""),
    Column(_("Verified or rejected by"), lambda g: g.checker_name or ""),
]


def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(
        GroupStandard.objects.restrict(request.user, "view")
        .for_reader(request.user)
        .select_related("standard", "chamber", "adopted_by"),
        pk=pk,
    )
    may_edit = can(request.user, "change", group)
    drafters = group.groupstandarddrafter_set.select_related("organisation")
    return render(
        request,
        "standards/group_detail.html",
        {"group": group, "may_edit": may_edit, "drafters": drafters},
    )


@role_required(Role.CHAMBER)
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest) -> HttpResponse:
    form = GroupStandardForm(request.POST or None)

    def save(data):
        return services.publish_group_standard(request.user, data)

    if group := submitted(request, form, save, gettext("The group standard was published.")):
        return redirect(group)
    return render(request, "standards/group_form.html", {"form": form})


@role_required(Role.CHAMBER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def group_adoption(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(GroupStandard.objects.restrict(request.user, "change"), pk=pk)
    initial = {
        "adopted_by": group.adopted_by_id,
        "adopted_on": group.adopted_on,
        "adoption_document": group.adoption_document,
        "seen": group.recorded_at.isoformat(),
    }
    form = AdoptionForm(request.POST or None, initial=initial)

    def save(data, seen):
        return services.record_adoption(request.user, group, data, seen=seen)

    if submitted(request, form, save, gettext("The adoption was recorded."), seen="seen"):
        return redirect(group)
    return render(request, "standards/group_adoption.html", {"form": form, "group": group})
