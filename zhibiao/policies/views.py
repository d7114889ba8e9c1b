"""Public pages of the policy documents."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.core.exports import Column, export_list, wants_xlsx
from zhibiao.core.pagination import query_without_page
from zhibiao.policies.models import PolicyDocument


def _documents(user):
    return PolicyDocument.objects.restrict(user, "view").prefetch_related("issuers")


#: The documents as their list shows them; drafts (administrators only) say so.
POLICY_COLUMNS = [
    Column(capfirst(_("title")), lambda d: d.title),
    Column(_("Level"), lambda d: d.get_level_display()),
    Column(_("Issuers"), lambda d: "、".join(str(issuer) for issuer in d.issuers.all())),
    Column(_("Issue date"), lambda d: d.issue_date),
    Column(_("Document number"), lambda d: d.doc_number),
    Column(capfirst(_("effective from")), lambda d: d.effective_from),
    Column(capfirst(_("effective until")), lambda d: d.effective_to),
    Column(_("Draft"), lambda d: "" if d.is_published else _("draft")),
]


def policy_list(request: HttpRequest) -> HttpResponse:
    documents = _documents(request.user)
    if wants_xlsx(request):
        return export_list("policies.xlsx", POLICY_COLUMNS, documents, title=gettext("Policies"))
    context = {"documents": documents, "query": query_without_page(request)}
    return render(request, "policies/policy_list.html", context)


def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visible = _documents(request.user)
    document = get_object_or_404(
        visible.prefetch_related(Prefetch("implements", queryset=visible)), pk=pk
    )
    context = {
        "document": document,
        "implemented_by": _documents(request.user).filter(implements=document),
        "agenda_items": document.agenda_items.filter(event__is_public=True).select_related("event"),
        "committees": document.committees_founded.all(),
    }
    return render(request, "policies/policy_detail.html", context)
