"""The validity check: an uploaded list of standards, checked against the catalogue."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from zhibiao import stdcodes
from zhibiao.accounts.permissions import is_district_admin, role_required
from zhibiao.core.forms import service_errors_on
from zhibiao.core.uploads import download
from zhibiao.standards import services
from zhibiao.standards.documents import describe
from zhibiao.standards.forms import CheckForm
from zhibiao.standards.models import Check, CheckState, Verdict


@role_required()
@require_http_methods(["GET", "POST"])
def check_new(request: HttpRequest) -> HttpResponse:
    form = CheckForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        with service_errors_on(form):
            check = services.start_check(
                request.user, upload=form.cleaned_data["file"], text=form.cleaned_data["text"]
            )
            return redirect(check)
    checks = Check.objects.restrict(request.user, "view")[:20]
    context = {"form": form, "checks": checks, "coverage": services.coverage()}
    return render(request, "standards/check_new.html", context)


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
                Verdict.INFERRED,
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
    # "Not in the catalogue", grouped by family of code: a whole family missing (ASTM, ISO …)
    # says the catalogue does not cover it, not that the standards are invalid (issue 15).
    unknown: dict[str, list[str]] = {}
    for item in items:
        if item.verdict == Verdict.UNKNOWN:
            try:
                family = stdcodes.parse(item.code).prefix
            except stdcodes.CodeError:
                family = item.code.split(" ", 1)[0]
            unknown.setdefault(family, []).append(item.code)
    context = {
        "check": check,
        "items": items,
        "summary": [
            (value, label, (check.summary or {}).get(value, 0)) for value, label in Verdict.choices
        ],
        "running": check.state == CheckState.QUEUED,
        "coverage": services.coverage(),
        "unknown_families": sorted(unknown.items(), key=lambda pair: (-len(pair[1]), pair[0])),
        # Staff may enter a code the report found unknown (the admin form, prefilled).
        "may_add": is_district_admin(request.user),
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
    return download(check.file, check.name)
