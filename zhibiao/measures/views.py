"""Pages of the measures: the public clauses, the clause editor, screening.

我的政策 shows the enterprise's applications beside its entitlements, so it lives above
applications, in `zhibiao.portal.views.mine`; its partials (`measures/_result.html` …) stay here.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import is_district_admin, role_required
from zhibiao.core.exports import Column, export_list, wants_xlsx, xlsx_response
from zhibiao.core.forms import error_message, form_error_message
from zhibiao.core.pagination import paginate, query_without_page
from zhibiao.measures import services
from zhibiao.measures.forms import ClauseSettingsForm, RuleFileForm, ScreeningForm, VersionForm
from zhibiao.measures.models import Clause, ClauseVersion, Entitlement, RuleBook, Screening

MAX_RULE_FILE = 2 * 1024 * 1024


#: The clauses as their list shows them: (clause, current version) rows.
CLAUSE_COLUMNS = [
    Column(_("Policy document"), lambda row: str(row[0].rulebook.document)),
    Column(_("Clause"), lambda row: row[1].title),
    Column(capfirst(_("code")), lambda row: row[0].code),
    Column(_("Version"), lambda row: row[1].number),
    Column(_("Category"), lambda row: row[1].category),
    Column(capfirst(_("effective from")), lambda row: row[1].effective_from),
    Column(capfirst(_("effective until")), lambda row: row[1].effective_to),
    Column(_("How it is granted"), lambda row: row[0].get_mode_display()),
    Column(capfirst(_("published at")), lambda row: row[1].published_at),
]

#: The screenings as their list shows them.
SCREENING_COLUMNS = [
    Column(_("As of"), lambda s: s.as_of),
    Column(_("Status"), lambda s: s.job.get_status_display()),
    Column(_("Enterprises"), lambda s: s.enterprises),
    Column(_("Entitled"), lambda s: s.entitled),
    Column(_("Total amount"), lambda s: s.total),
]


def clause_list(request: HttpRequest) -> HttpResponse | FileResponse:
    clauses = (
        Clause.objects.restrict(request.user, "view")
        .select_related("rulebook__document")
        .prefetch_related("versions")
    )
    rows = []
    for clause in clauses:
        current = _current(clause, published_only=not is_district_admin(request.user))
        if current is not None:
            rows.append((clause, current))
    if wants_xlsx(request):
        return export_list("clauses.xlsx", CLAUSE_COLUMNS, rows, title=gettext("Measures"))
    return render(
        request,
        "measures/clause_list.html",
        {
            "rows": rows,
            "rulebooks": RuleBook.objects.select_related("document"),
            "query": query_without_page(request),
        },
    )


def _current(clause: Clause, *, published_only: bool = True) -> ClauseVersion | None:
    today = timezone.localdate()
    versions = [v for v in clause.versions.all() if v.is_published or not published_only]
    in_force = [
        v
        for v in versions
        if v.effective_from <= today and (v.effective_to is None or today <= v.effective_to)
    ]
    pool = in_force or versions
    return max(pool, key=lambda v: v.number) if pool else None


def clause_detail(request: HttpRequest, code: str) -> HttpResponse:
    clause = get_object_or_404(
        Clause.objects.restrict(request.user, "view").prefetch_related("versions"), code=code
    )
    current = _current(clause)
    context = {
        "clause": clause,
        "current": current,
        "definition": services.parse_source(current.source) if current else {},
        "versions": clause.versions.order_by("-number"),
        "is_admin": is_district_admin(request.user),
    }
    context["in_words"] = services.clause_in_words(context["definition"])
    if context["is_admin"]:
        screening = services.latest_screening()
        entitled = (
            Entitlement.objects.filter(screening=screening, version__clause=clause)
            .select_related("organisation", "version")
            .order_by("-amount", "organisation__name")
            if screening
            else Entitlement.objects.none()
        )
        context.update(
            screening=screening,
            entitled_page=paginate(request, entitled),
            entitled_total=entitled.aggregate(total=Sum("amount"), count=Count("pk")),
            settings_form=ClauseSettingsForm(
                initial={"mode": clause.mode, "needs_review": clause.needs_review}
            ),
        )
    return render(request, "measures/clause_detail.html", context)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def clause_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """Write a new version (or a new clause); the text is checked as it is typed."""
    clause = get_object_or_404(Clause, code=code) if code else None
    rulebook = clause.rulebook if clause else _rulebook_from(request)
    if request.method == "POST":
        form = VersionForm(request.POST)
        if form.is_valid():
            try:
                version = services.publish_version(
                    request.user,
                    rulebook,
                    form.cleaned_data["text"],
                    clause=clause,
                    change_note=form.cleaned_data["change_note"],
                )
            except services.RuleTextInvalid as invalid:
                return render(
                    request,
                    "measures/clause_edit.html",
                    {
                        "form": form,
                        "clause": clause,
                        "rulebook": rulebook,
                        "errors": invalid.errors,
                    },
                )
            messages.success(
                request,
                gettext("Version %(number)s of %(code)s is published.")
                % {"number": version.number, "code": version.clause.code},
            )
            return redirect(version.clause)
    else:
        form = VersionForm(initial={"text": services.draft_text(rulebook, clause)})
    return render(
        request, "measures/clause_edit.html", {"form": form, "clause": clause, "rulebook": rulebook}
    )


def _rulebook_from(request: HttpRequest) -> RuleBook:
    code = request.GET.get("rulebook") or request.POST.get("rulebook")
    if code:
        return get_object_or_404(RuleBook, code=code)
    rulebook = RuleBook.objects.first()
    if rulebook is None:
        raise Http404
    return rulebook


@role_required(Role.ADMIN)
@require_POST
def clause_check(request: HttpRequest) -> HttpResponse:
    """The editor's live check: errors with line and column, or how many examples pass."""
    clause = Clause.objects.filter(code=request.POST.get("clause") or "").first()
    rulebook = clause.rulebook if clause else _rulebook_from(request)
    text = request.POST.get("text", "")[:50_000]
    return check_result(request, services.check_version_text(rulebook, text, clause=clause))


def check_result(request: HttpRequest, checked: services.CheckedVersion) -> HttpResponse:
    """The live check's partial: a clause text's errors with line and column, or how many of its
    examples pass. The clause editor and a scenario's draft editor show the same."""
    examples = len(checked.data.get("examples") or []) if isinstance(checked.data, dict) else 0
    return render(
        request,
        "measures/_check_result.html",
        {"errors": checked.errors, "examples": examples, "checked": True},
    )


@role_required(Role.ADMIN)
@require_POST
def clause_settings(request: HttpRequest, code: str) -> HttpResponse:
    clause = get_object_or_404(Clause, code=code)
    form = ClauseSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_error_message(form))
        return redirect(clause)
    try:
        services.update_clause_settings(
            request.user,
            clause,
            mode=form.cleaned_data["mode"],
            needs_review=form.cleaned_data["needs_review"],
        )
    except ValidationError as error:  # 免申即享 for a clause whose facts need an application
        messages.error(request, error_message(error))
    else:
        messages.success(request, gettext("Your changes were saved."))
    return redirect(clause)


@role_required(Role.ADMIN)
def rulebook_export(request: HttpRequest, code: str) -> HttpResponse:
    rulebook = get_object_or_404(RuleBook.objects.select_related("document"), code=code)
    response = HttpResponse(
        services.export_rulebook(rulebook), content_type="application/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{rulebook.code}.yaml"'
    return response


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def rulebook_import(request: HttpRequest, code: str) -> HttpResponse:
    rulebook = get_object_or_404(RuleBook.objects.select_related("document"), code=code)
    form = RuleFileForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        text = _rule_file_text(form, upload)
        if text is not None:
            try:
                report = services.import_rulebook(request.user, rulebook.document, text)
            except services.RuleTextInvalid as invalid:
                errors = invalid.errors
            else:
                messages.success(
                    request,
                    gettext("%(created)s versions published, %(unchanged)s unchanged.")
                    % {"created": len(report.created), "unchanged": len(report.unchanged)},
                )
                return redirect("measures:clauses")
    return render(
        request,
        "measures/rulebook_import.html",
        {"form": form, "rulebook": rulebook, "errors": errors},
    )


def _rule_file_text(form, upload) -> str | None:
    if upload.size > MAX_RULE_FILE:
        form.add_error("file", gettext("A rule file is at most 2 MB."))
        return None
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        form.add_error("file", gettext("A rule file is UTF-8 text."))
        return None


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def screenings(request: HttpRequest) -> HttpResponse | FileResponse:
    form = ScreeningForm(request.POST or None, initial={"as_of": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        job = services.start_screening(request.user, form.cleaned_data["as_of"])
        return redirect(job)
    rows = Screening.objects.select_related("job")
    if wants_xlsx(request):
        title = gettext("Screening")
        return export_list("screenings.xlsx", SCREENING_COLUMNS, rows, title=title)
    context = {"form": form, "page": paginate(request, rows), "query": query_without_page(request)}
    return render(request, "measures/screenings.html", context)


@role_required(Role.ADMIN)
def screening_detail(request: HttpRequest, pk: int) -> HttpResponse:
    screening = get_object_or_404(Screening.objects.select_related("job"), pk=pk)
    by_clause = (
        screening.entitlements.values("version__clause__code", "version__title")
        .annotate(count=Count("pk"), total=Sum("amount"))
        .order_by("version__clause__code")
    )
    return render(
        request,
        "measures/screening_detail.html",
        {"screening": screening, "by_clause": by_clause},
    )


@role_required(Role.ADMIN)
def entitled_export(request: HttpRequest, code: str) -> HttpResponse | FileResponse:
    """The clause's entitled list of the latest screening, as an Excel sheet."""
    clause = get_object_or_404(Clause, code=code)
    screening = services.latest_screening()
    rows = (
        Entitlement.objects.filter(screening=screening, version__clause=clause)
        .select_related("organisation", "version")
        .order_by("-amount", "organisation__name")
        .iterator(chunk_size=2000)
        if screening
        else []
    )
    data = (
        (
            row.organisation.name,
            row.organisation.uscc,
            row.organisation.get_town_display(),
            row.version.title,
            row.version.number,
            row.amount,
            row.notified_at,
        )
        for row in rows
    )
    headers = [
        gettext("Enterprise"),
        gettext("Unified social credit code"),
        gettext("Town"),
        gettext("Clause"),
        gettext("Version"),
        gettext("Amount (yuan)"),
        gettext("Notified at"),
    ]
    return xlsx_response(f"entitled-{clause.code}.xlsx", headers, data, title=clause.code)


@role_required(Role.ADMIN)
@require_POST
def entitled_notify(request: HttpRequest, code: str) -> HttpResponse:
    clause = get_object_or_404(Clause, code=code)
    screening = services.latest_screening()
    if screening is None:
        messages.error(request, gettext("Run a screening first."))
        return redirect(clause)
    try:
        count = services.notify_entitled(request.user, clause, screening)
    except ValidationError as error:
        messages.error(request, error_message(error))
    else:
        messages.success(
            request, gettext("%(count)s enterprises were notified.") % {"count": count}
        )
    return redirect(clause)
