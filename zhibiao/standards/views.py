"""Pages of the standards app. Thin: scoping comes from the querysets, changes from services."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import is_district_admin, role_required
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.exports import Column, export_list, wants_xlsx
from zhibiao.core.forms import add_service_errors
from zhibiao.core.pagination import query_without_page
from zhibiao.core.permissions import can
from zhibiao.core.tabular import ImportFailed
from zhibiao.core.uploads import UploadError
from zhibiao.standards import services
from zhibiao.standards.documents import describe
from zhibiao.standards.forms import (
    AdoptionForm,
    CheckForm,
    DeclarationForm,
    FlagForm,
    GroupStandardForm,
    ImportForm,
    IndicatorRows,
    SchemeForm,
    SearchForm,
    entry_form,
)
from zhibiao.standards.models import (
    Check,
    CheckState,
    Declaration,
    DeclarationStatus,
    GroupStandard,
    IndicatorKind,
    LeaderEntry,
    LeaderScheme,
    Replacement,
    Standard,
    Verdict,
)
from zhibiao.standards.search import search

PER_PAGE = 20
#: The catalogue's export reads the search a chunk at a time, in the page's order.
EXPORT_CHUNK = 1000


class _SearchPage:
    """A paginator over a search that already knows its total (it never counts twice)."""

    def __init__(self, results, number: int) -> None:
        self.object_list = results.standards
        self.number = number
        self.paginator = Paginator(range(results.total), PER_PAGE)
        self.paginator.count  # noqa: B018  evaluated once, here

    def __iter__(self):
        return iter(self.object_list)

    def has_previous(self) -> bool:
        return self.number > 1

    def has_next(self) -> bool:
        return self.number < self.paginator.num_pages

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", 1)), 500))
    except ValueError:
        return 1


# --- Catalogue -----------------------------------------------------------------------------


def standard_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {"q": "", "level": "", "status": ""}
    if wants_xlsx(request):
        rows = _all_results(data["q"], level=data["level"] or None, status=data["status"] or None)
        title = gettext("Catalogue of standards")
        return export_list("standards.xlsx", STANDARD_COLUMNS, rows, title=title)
    number = _page_number(request)
    results = search(
        data["q"],
        level=data["level"] or None,
        status=data["status"] or None,
        offset=(number - 1) * PER_PAGE,
        limit=PER_PAGE,
    )
    context = {
        "form": form,
        "page": _SearchPage(results, number),
        "results": results,
        "query": query_without_page(request),
        "may_import": is_district_admin(request.user),
    }
    template = (
        "standards/_results.html" if request.headers.get("HX-Request") else "standards/list.html"
    )
    return render(request, template, context)


def _nature(standard: Standard) -> str:
    if standard.mandatory is None:
        return ""
    return gettext("Mandatory") if standard.mandatory else gettext("Recommended")


STANDARD_COLUMNS = [
    Column(_("Code"), lambda s: s.code),
    Column(_("Title"), lambda s: s.title),
    Column(_("Level"), lambda s: s.get_level_display()),
    Column(_("Nature"), _nature),
    Column(_("Status"), lambda s: s.get_status_display()),
    Column(_("Publication date"), lambda s: s.published_on),
    Column(_("Implementation date"), lambda s: s.effective_on),
    Column(_("Replaced by"), lambda s: s.replaced_by_codes),
]


def _all_results(q: str, *, level: str | None, status: str | None) -> Iterator[Standard]:
    """Every result of the page's search, in its order, read a chunk at a time; each with the
    codes that replace it (stated first, then inferred), one query a chunk."""
    offset = 0
    while True:
        results = search(q, level=level, status=status, offset=offset, limit=EXPORT_CHUNK)
        links = (
            Replacement.objects.filter(old__in=results.standards)
            .order_by("kind", "new__key")
            .values_list("old_id", "new__code")
        )
        successors: dict[int, list[str]] = {}
        for old_id, code in links:
            successors.setdefault(old_id, []).append(code)
        for standard in results.standards:
            standard.replaced_by_codes = ", ".join(successors.get(standard.pk, []))
            yield standard
        offset += EXPORT_CHUNK
        if not results.standards or offset >= results.total:
            return


def standard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    standard = Standard.objects.get_for(request.user, "view", pk)
    context = {
        "standard": standard,
        "replaced_by": Replacement.objects.filter(old=standard).select_related("new"),
        "replaces": Replacement.objects.filter(new=standard).select_related("old"),
        "editions": Standard.objects.filter(base=standard.base).exclude(pk=pk).order_by("-year"),
    }
    return render(request, "standards/detail.html", context)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def standard_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_standards(request.user, upload, name=upload.name)
        except UploadError as error:
            form.add_error("file", str(error))
        except ImportFailed as failure:
            result = failure.result
        else:
            messages.success(
                request,
                gettext(
                    "Imported: %(created)s new, %(updated)s updated, %(unchanged)s "
                    "unchanged; %(links)s replacements stated, %(inferred)s inferred."
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "links": result.links,
                    "inferred": result.inferred,
                },
            )
            return redirect("standards:list")
    return render(request, "standards/import.html", {"form": form, "result": result})


# --- Validity check ------------------------------------------------------------------------


@role_required()
@require_http_methods(["GET", "POST"])
def check_new(request: HttpRequest) -> HttpResponse:
    form = CheckForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            check = services.start_check(
                request.user, upload=form.cleaned_data["file"], text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(check)
    checks = Check.objects.restrict(request.user, "view")[:20]
    return render(request, "standards/check_new.html", {"form": form, "checks": checks})


def _own_check(request: HttpRequest, pk: int) -> Check:
    return Check.objects.get_for(request.user, "view", pk)


@role_required()
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = _own_check(request, pk)
    items = list(check.items.all())
    order = {
        v: i
        for i, v in enumerate(
            [
                Verdict.SUPERSEDED,
                Verdict.WITHDRAWN,
                Verdict.UPCOMING,
                Verdict.UNKNOWN,
                Verdict.CURRENT,
            ]
        )
    }
    items.sort(key=lambda item: (order[item.verdict], item.order))
    for item in items:
        item.location_texts = [describe(where) for where in item.locations]
    context = {
        "check": check,
        "items": items,
        "summary": [
            (value, label, (check.summary or {}).get(value, 0)) for value, label in Verdict.choices
        ],
        "running": check.state == CheckState.QUEUED,
    }
    return render(request, "standards/check_detail.html", context)


@role_required()
def check_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    check = _own_check(request, pk)
    if check.state != CheckState.DONE:
        raise Http404
    response = HttpResponse(
        services.report_xlsx(check),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="check-{check.pk}.xlsx"'
    return response


@role_required()
def check_file(request: HttpRequest, pk: int) -> FileResponse:
    check = _own_check(request, pk)
    if not check.file:
        raise Http404
    return FileResponse(check.file.open("rb"), as_attachment=True, filename=check.name)


# --- Self-declarations ---------------------------------------------------------------------


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
    form = DeclarationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            declaration = services.save_declaration(request.user, form.cleaned_data, declaration)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("The declaration was saved."))
            return redirect(declaration)
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
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, gettext("The declaration was flagged."))
    return redirect(declaration)


# --- Leaders -------------------------------------------------------------------------------


def leader_list(request: HttpRequest) -> HttpResponse:
    schemes = LeaderScheme.objects.restrict(request.user, "view")
    if wants_xlsx(request):
        leaders = (
            LeaderEntry.objects.restrict(request.user, "view")
            .filter(scheme__in=schemes, is_leader=True)
            .select_related("scheme", "enterprise")
            .order_by("-scheme__year", "scheme__product_category", "rank", "pk")
        )
        title = gettext("Enterprise standard leaders")
        return export_list("standard-leaders.xlsx", LEADER_COLUMNS, leaders, title=title)
    leaders = LeaderEntry.objects.filter(is_leader=True).select_related("enterprise")
    schemes = schemes.prefetch_related(Prefetch("entries", queryset=leaders.order_by("rank")))
    years = [
        (year, list(items)) for year, items in itertools.groupby(schemes, key=lambda s: s.year)
    ]
    context = {
        "years": years,
        "query": query_without_page(request),
        "may_create": is_district_admin(request.user),
    }
    return render(request, "standards/leader_list.html", context)


LEADER_COLUMNS = [
    Column(_("Year"), lambda e: e.scheme.year),
    Column(_("Product category"), lambda e: e.scheme.product_category),
    Column(_("Evaluation"), lambda e: e.scheme.title),
    Column(_("Rank"), lambda e: e.rank),
    Column(_("Enterprise"), lambda e: e.enterprise.name),
    Column(_("Product"), lambda e: e.product),
    Column(_("Score"), lambda e: e.score),
]


def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = LeaderScheme.objects.get_for(request.user, "view", pk)
    indicators = list(scheme.indicators.all())
    entries = list(scheme.entries.select_related("enterprise").prefetch_related("values"))
    entries.sort(key=lambda e: (e.rank is None, e.rank or 0, e.enterprise.name))
    for entry in entries:
        by_indicator = {v.indicator_id: v for v in entry.values.all()}
        entry.cells = [by_indicator.get(i.pk) for i in indicators]
    context = {
        "scheme": scheme,
        "indicators": indicators,
        "entries": entries,
        "core_count": sum(1 for i in indicators if i.kind == IndicatorKind.CORE),
        "may_rank": is_district_admin(request.user),
        "may_enter": request.user.is_authenticated
        and request.user.role in (Role.ENTERPRISE, Role.BASE_MANAGER)
        and scheme.status == "open",
    }
    return render(request, "standards/scheme_detail.html", context)


@role_required(Role.ENTERPRISE, Role.BASE_MANAGER)
@require_http_methods(["GET", "POST"])
def scheme_enter(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = LeaderScheme.objects.get_for(request.user, "view", pk)
    form = entry_form(scheme)(request.POST or None)
    if request.method == "POST" and form.is_valid():
        values = {
            int(name.removeprefix("indicator_")): value
            for name, value in form.cleaned_data.items()
            if name.startswith("indicator_")
        }
        try:
            services.enter_scheme(request.user, scheme, form.cleaned_data["product"], values)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("Your entry was saved."))
            return redirect(scheme)
    own = LeaderEntry.objects.restrict(request.user, "change").filter(scheme=scheme)
    return render(
        request, "standards/scheme_enter.html", {"form": form, "scheme": scheme, "own": own}
    )


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def scheme_create(request: HttpRequest) -> HttpResponse:
    """A district administrator opens an evaluation: its product category and year, and its
    indicators (three core ones at least) with their thresholds."""
    form = SchemeForm(request.POST or None, initial={"year": timezone.localdate().year})
    rows = IndicatorRows(request.POST or None, prefix="indicators")
    if request.method == "POST" and form.is_valid() and rows.is_valid():
        filled = [row for row in rows if row.has_changed()]
        specs = [
            {k: v for k, v in row.cleaned_data.items() if v not in ("", None)} for row in filled
        ]
        try:
            scheme = services.create_scheme(request.user, form.cleaned_data, specs)
        except ValidationError as error:
            _put_scheme_errors(form, filled, error)
        else:
            messages.success(request, gettext("The evaluation is open for entries."))
            return redirect(scheme)
    return render(request, "standards/scheme_form.html", {"form": form, "rows": rows})


def _put_scheme_errors(form, filled, error: ValidationError) -> None:
    """The service names an indicator's error `indicators.<n>.<field>`, n counting the filled
    rows from 1: put it on that row's field; the rest on the form."""
    rest: dict[str, list[str]] = {}
    for name, messages_ in error.message_dict.items():
        parts = name.split(".")
        if parts[0] == "indicators" and len(parts) == 3 and parts[1].isdigit():
            row = filled[int(parts[1]) - 1]
            field = parts[2] if parts[2] in row.fields else None
            for message in messages_:
                row.add_error(field, message)
        else:  # the evaluation's fields, and "indicators" (too few core ones) above the rows
            rest[name if name != "indicators" else NON_FIELD_ERRORS] = messages_
    if rest:
        add_service_errors(form, ValidationError(rest))


@role_required(Role.ADMIN)
@require_POST
def scheme_rank(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = LeaderScheme.objects.get_for(request.user, "view", pk)
    try:
        leaders = services.rank_scheme(request.user, scheme)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, gettext("Ranked: %(count)s eligible entries.") % {"count": len(leaders)}
        )
    return redirect(scheme)


# --- Group standards -----------------------------------------------------------------------


def group_list(request: HttpRequest) -> HttpResponse:
    groups = GroupStandard.objects.restrict(request.user, "view").select_related(
        "standard", "chamber", "adopted_by"
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


GROUP_COLUMNS = [
    Column(_("Code"), lambda g: g.standard.code),
    Column(_("Title"), lambda g: g.standard.title),
    Column(_("Chamber"), lambda g: g.chamber.name),
    Column(_("Publication date"), lambda g: g.standard.published_on),
    Column(_("Adopting department"), lambda g: g.adopted_by.name if g.adopted_by else ""),
    Column(_("Adoption date"), lambda g: g.adopted_on),
]


def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = get_object_or_404(
        GroupStandard.objects.restrict(request.user, "view").select_related(
            "standard", "chamber", "adopted_by"
        ),
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
    if request.method == "POST" and form.is_valid():
        try:
            group = services.publish_group_standard(request.user, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("The group standard was published."))
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
    }
    form = AdoptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_adoption(request.user, group, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, gettext("The adoption was recorded."))
            return redirect(group)
    return render(request, "standards/group_adoption.html", {"form": form, "group": group})
