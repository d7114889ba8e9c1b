"""Self-declarations of enterprise standards: the list, a declaration, editing, publishing
and flagging."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import is_district_admin, role_required
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.exports import Column, export_list, wants_xlsx
from zhibiao.core.forms import error_message, form_error_message, submitted
from zhibiao.core.pagination import query_without_page
from zhibiao.core.permissions import can
from zhibiao.standards import services
from zhibiao.standards.forms import DeclarationForm, FlagForm
from zhibiao.standards.models import Declaration, DeclarationStatus


def declaration_list(request: HttpRequest) -> HttpResponse:
    declarations = (
        Declaration.objects.published().select_related("enterprise").prefetch_related("standards")
    )
    mine = Declaration.objects.restrict(request.user, "change").exclude(
        status=DeclarationStatus.PUBLISHED
    )
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        declarations = (
            declarations.filter(product__icontains=q)
            | declarations.filter(enterprise__name__icontains=q)
            | declarations.filter(standards__code__icontains=q)
        )
        declarations = declarations.distinct()
    if wants_xlsx(request):
        title = gettext("Self-declarations")
        return export_list("declarations.xlsx", DECLARATION_COLUMNS, declarations, title=title)
    paginator = Paginator(declarations, 25)
    context = {
        "page": paginator.get_page(request.GET.get("page")),
        "mine": mine,
        "q": q,
        "query": query_without_page(request),
        "may_declare": Declaration.objects.restrict(request.user, "change") is not None
        and request.user.is_authenticated
        and request.user.role in (Role.ENTERPRISE, Role.BASE_MANAGER),
    }
    return render(request, "standards/declaration_list.html", context)


DECLARATION_COLUMNS = [
    Column(_("Product"), lambda d: d.product),
    Column(_("Product category"), lambda d: d.product_category),
    Column(_("Enterprise"), lambda d: d.enterprise.name),
    Column(_("Standards"), lambda d: ", ".join(row.code for row in d.standards.all())),
    Column(_("Published at"), lambda d: d.published_at),
]


def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = get_object_or_404(
        Declaration.objects.restrict(request.user, "view").select_related("enterprise"), pk=pk
    )
    is_staff = is_district_admin(request.user)
    context = {
        "declaration": declaration,
        "standards": declaration.standards.select_related("standard"),
        "may_edit": can(request.user, "change", declaration),
        "is_staff": is_staff,
        "problems": services.declaration_problems(declaration) if is_staff else None,
        "flag_form": FlagForm() if is_staff else None,
    }
    return render(request, "standards/declaration_detail.html", context)


@role_required(Role.ENTERPRISE, Role.BASE_MANAGER)
@require_http_methods(["GET", "POST"])
def declaration_create(request: HttpRequest) -> HttpResponse:
    return _declaration_form(request, None)


@role_required(Role.ENTERPRISE, Role.BASE_MANAGER)
@require_http_methods(["GET", "POST"])
def declaration_edit(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = get_object_or_404(Declaration.objects.restrict(request.user, "change"), pk=pk)
    return _declaration_form(request, declaration)


def _declaration_form(request: HttpRequest, declaration: Declaration | None) -> HttpResponse:
    initial = None
    if declaration is not None:
        initial = {name: getattr(declaration, name) for name in services.DECLARATION_FIELDS}
        initial["standards"] = "\n".join(
            row.code for row in declaration.standards.all() if not row.own
        )
        initial["revision"] = declaration.revision
    form = DeclarationForm(request.POST or None, initial=initial)
    save = partial(services.save_declaration, request.user, declaration=declaration)
    if saved := submitted(
        request, form, save, gettext("The declaration was saved."), seen="revision"
    ):
        if saved.is_flagged:  # the change did not answer the flag: say so, and why
            messages.warning(
                request,
                gettext("The district's flag remains: %(reason)s")
                % {"reason": services.flag_standing(saved)},
            )
        return redirect(saved)
    return render(
        request, "standards/declaration_form.html", {"form": form, "declaration": declaration}
    )


@role_required(Role.ENTERPRISE, Role.BASE_MANAGER)
@require_POST
def declaration_publish(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = get_object_or_404(Declaration.objects.restrict(request.user, "change"), pk=pk)
    action = request.POST.get("action")
    if action not in ("publish", "withdraw"):
        return HttpResponseBadRequest(gettext("Unknown step."))
    try:
        if action == "withdraw":
            services.withdraw_declaration(request.user, declaration)
            messages.success(request, gettext("The declaration was withdrawn."))
        else:
            services.publish_declaration(request.user, declaration)
            messages.success(request, gettext("The declaration is public."))
    except TransitionRefused as error:
        messages.error(request, str(error))
    return redirect(declaration)


@role_required(Role.ADMIN)
@require_POST
def declaration_flag(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = get_object_or_404(Declaration.objects.published(), pk=pk)
    form = FlagForm(request.POST)
    if form.is_valid():
        try:
            services.flag_declaration(request.user, declaration, form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, error_message(error))
        else:
            messages.success(request, gettext("The declaration was flagged."))
    else:
        messages.error(request, form_error_message(form))
    return redirect(declaration)
